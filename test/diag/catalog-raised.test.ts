import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(n) ? [p] : [];
    });
}

describe("diagnostic catalog", () => {
  // A code nothing raises documents an error users can never see (docs/diagnostics.md lists it).
  it("every code is raised somewhere in src/ outside the catalog", () => {
    const catalogDir = join(root, "src/diag/catalog");
    const elsewhere = sources(join(root, "src"))
      .filter((f) => !f.startsWith(catalogDir))
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    const unraised: string[] = [];
    for (const file of sources(catalogDir)) {
      for (const m of readFileSync(file, "utf8").matchAll(/^export const (\w+) = code\(\s*"(LXM\d{4})"/gm)) {
        if (!new RegExp(`\\b${m[1]}\\b`).test(elsewhere)) unraised.push(`${m[2]} (${m[1]})`);
      }
    }
    expect(unraised).toEqual([]);
  });
});
