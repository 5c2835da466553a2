import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { postgresProvider } from "../../src/providers/postgres/provider.js";
import { lxm } from "../cli/capture.js";

/** docs/providers.md's postgres section says what the provider does: its example compiles, its tables list the schemas' attributes and the reason codes the code uses. */

const root = resolve(import.meta.dirname, "../..");
const doc = readFileSync(join(root, "docs/providers.md"), "utf8");
const start = doc.indexOf("\n## `postgres`");
const section = doc.slice(start, doc.indexOf("\n## ", start + 1));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The first cells (`` `name` `` … ) of the table that follows `heading` in the section. */
function firstCells(heading: string): string[] {
  const at = section.indexOf(heading);
  expect(at, heading).toBeGreaterThanOrEqual(0);
  const lines = section.slice(at).split("\n");
  const first = lines.findIndex((l) => l.startsWith("| "));
  const rows: string[] = [];
  for (const l of lines.slice(first + 2)) {
    if (!l.startsWith("| ")) break;
    rows.push(l.split(" | ")[0]!.slice(2));
  }
  return rows;
}

const names = (cells: string[]) => cells.flatMap((c) => [...c.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)).sort();
const schemaProps = (file: string) => Object.keys((JSON.parse(readFileSync(join(root, "schemas/providers", file), "utf8")) as { properties: object }).properties).sort();

describe("docs/providers.md: postgres", () => {
  it("the example compiles as written", async () => {
    const block = /```lxm\n([\s\S]*?)```/.exec(section)![1]!;
    const dir = mkdtempSync(join(tmpdir(), "lexum-pgdoc-"));
    dirs.push(dir);
    writeFileSync(join(dir, "main.lxm"), block);
    const r = await lxm(dir, ["check"]);
    expect(r.err).toBe("");
    expect(r.out).toContain("ok: 1 domain, 7 resources");
  });

  it("the settings table lists the provider schema's settings", () => {
    expect(names(firstCells("### Configuration"))).toEqual(schemaProps("postgres.provider.json"));
  });

  it("each type's table lists its schema's attributes", () => {
    for (const type of postgresProvider.types) expect([type, names(firstCells(`**\`${type}\`**`))]).toEqual([type, schemaProps(`${type}.json`)]);
  });

  it("the reason codes table lists exactly the codes the provider uses", () => {
    const used = new Set<string>(["timeout"]);
    const src = join(root, "src/providers/postgres");
    for (const f of readdirSync(src)) for (const m of readFileSync(join(src, f), "utf8").matchAll(/"(postgres\.[a-z_]+)"/g)) used.add(m[1]!);
    for (const t of postgresProvider.types) used.delete(t);
    expect(names(firstCells("### postgres reason codes"))).toEqual([...used].sort());
  });
});
