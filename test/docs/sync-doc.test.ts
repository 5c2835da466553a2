import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const doc = readFileSync(join(root, "docs/sync.md"), "utf8");
const schema = JSON.parse(readFileSync(join(root, "schemas/lxm-sync.yaml.json"), "utf8")) as {
  required: string[];
  properties: Record<string, { default?: unknown }>;
  $defs: { repository: { required: string[]; properties: Record<string, { default?: unknown }> }; coordination: { required: string[]; properties: Record<string, { default?: unknown }> } };
};

/** The configuration table's rows: setting → default column. */
function rows(): Map<string, string> {
  const out = new Map<string, string>();
  const section = doc.slice(doc.indexOf("## Configuration"), doc.indexOf("\n## ", doc.indexOf("## Configuration") + 1));
  for (const m of section.matchAll(/^\| `([a-z_]+)` \| ([^|]+) \|/gm)) out.set(m[1]!, m[2]!.trim());
  return out;
}

describe("docs/sync.md's configuration table agrees with schemas/lxm-sync.yaml.json", () => {
  const table = rows();
  const settings = [
    ...Object.entries(schema.properties).map(([k, v]) => ({ k, v, required: schema.required.includes(k) })),
    ...Object.entries(schema.$defs.repository.properties).map(([k, v]) => ({ k, v, required: schema.$defs.repository.required.includes(k) })),
    ...Object.entries(schema.$defs.coordination.properties).map(([k, v]) => ({ k, v, required: schema.$defs.coordination.required.includes(k) })),
  ];

  it.each(settings.map((s) => [s.k, s] as const))("%s is documented with its default", (_, s) => {
    expect(table.has(s.k)).toBe(true);
    const cell = table.get(s.k)!;
    if (s.required) expect(cell).toBe("(required)");
    else if (s.v.default === undefined) expect(cell).toBe("(none)");
    else expect(cell).toBe("`" + String(s.v.default) + "`");
  });

  it("documents no setting the schema lacks", () => {
    const known = new Set(settings.map((s) => s.k));
    expect([...table.keys()].filter((k) => !known.has(k))).toEqual([]);
  });
});

describe("docs/sync.md's metrics table agrees with the agent's registry", () => {
  it("lists exactly the lexum_ metrics, with their types and labels", async () => {
    const { createMetrics } = await import("../../src/sync/metrics.js");
    const m = createMetrics();
    const text = await m.text();
    const registry = new Map<string, string>();
    for (const line of text.split("\n")) {
      const t = /^# TYPE (lexum_\w+) (\w+)$/.exec(line);
      if (t) registry.set(t[1]!, t[2]!);
    }
    const section = doc.slice(doc.indexOf("## Metrics"), doc.indexOf("\n## ", doc.indexOf("## Metrics") + 1));
    const documented = new Map<string, string>();
    for (const row of section.matchAll(/^\| `(lexum_\w+)` \| (\w+)/gm)) documented.set(row[1]!, row[2]!);
    expect([...documented.keys()].sort()).toEqual([...registry.keys()].sort());
    for (const [name, type] of registry) expect(documented.get(name)).toBe(type);
  });
});
