import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../src/program/types.js";

/** docs/language.md is the user reference: it names only files that exist and documents the policy block and the meta-attributes as implemented. */

const root = resolve(import.meta.dirname, "../..");
const file = resolve(root, "docs/language.md");
const doc = readFileSync(file, "utf8");

/** The text of the `## title` section, up to the next `## `. */
function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}\n`);
  expect(start, `section "## ${title}"`).toBeGreaterThanOrEqual(0);
  const end = doc.indexOf("\n## ", start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** The table row of a section whose first cell is `` `key` ``, as its cells. */
function row(text: string, key: string): string[] {
  const line = text.split("\n").find((l) => l.startsWith(`| \`${key}\` |`));
  expect(line, `a table row for ${key}`).toBeDefined();
  return line!.split(" | ").map((c) => c.replace(/^\| |\s*\|$/g, ""));
}

describe("docs/language.md", () => {
  it("links only to files that exist and names no file missing from the repository", () => {
    for (const m of doc.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(m[1]!)) continue;
      expect(existsSync(resolve(dirname(file), m[1]!)), m[1]).toBe(true);
    }
    for (const m of doc.matchAll(/`([\w./-]+\.(?:md|ts))`/g)) {
      const name = m[1]!;
      const candidates = [resolve(dirname(file), name), resolve(root, name), resolve(root, "src/lang", name)];
      expect(candidates.some((p) => existsSync(p)), name).toBe(true);
    }
    expect(doc).not.toMatch(/LANGUAGE\.md/);
  });

  it("documents every policy key with its type, its default as implemented and its meaning", () => {
    const text = section("The `policy` block");
    const defaults: Record<string, string> = {
      timeout: `\`${DEFAULT_POLICY.timeoutMs / 1000}s\``,
      retries: `\`${DEFAULT_POLICY.retries}\``,
      on_failure: `\`"${DEFAULT_POLICY.onFailure}"\``,
      prune: `\`${DEFAULT_POLICY.prune}\``,
    };
    for (const [key, def] of Object.entries(defaults)) {
      const [, type, dflt, meaning] = row(text, key);
      expect(type!.length, `type of ${key}`).toBeGreaterThan(3);
      expect(dflt, `default of ${key}`).toBe(def);
      expect(meaning!.length, `meaning of ${key}`).toBeGreaterThan(60);
    }
    expect(text).toContain("from `0` to `10`");
    for (const code of ["LXM2016", "LXM2120", "LXM2121"]) expect(text).toContain(code);
  });

  it("documents the reserved meta-attributes, and what protect refuses with its code", () => {
    const text = section("Resource meta-attributes");
    for (const key of ["depends_on", "provider", "protect"]) expect(row(text, key)[3]!.length, key).toBeGreaterThan(60);
    const protect = row(text, "protect")[3]!;
    expect(protect).toMatch(/\*\*delete\*\*/);
    expect(protect).toMatch(/\*\*replace\*\*/);
    expect(protect).toContain("LXM3001");
  });
});
