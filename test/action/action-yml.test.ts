import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readInputs } from "../../src/host/runner.js";

/** action.yml is what GitHub reads to run the Action: its runtime, its entry, and every input and output documented. */

const root = resolve(import.meta.dirname, "../..");
const action = parse(readFileSync(resolve(root, "action.yml"), "utf8")) as {
  name?: unknown;
  description?: unknown;
  branding?: { icon?: unknown; color?: unknown };
  inputs: Record<string, { description?: unknown; default?: unknown; required?: unknown }>;
  outputs: Record<string, { description?: unknown }>;
  runs: { using?: unknown; main?: unknown };
};
const INPUTS = ["path", "state-branch", "environment", "mode", "github-token", "require-reviewed-plan", "comment", "parallelism"];
const OUTPUTS = ["plan-hash", "has-changes", "snapshot", "summary"];

describe("action.yml", () => {
  it("runs the committed bundle on node24", () => {
    expect(action.runs.using).toBe("node24");
    expect(action.runs.main).toBe("action/dist/index.js");
    expect(existsSync(resolve(root, String(action.runs.main))), "action/dist/index.js is committed (npm run build:action)").toBe(true);
    expect(typeof action.name).toBe("string");
    expect(String(action.description).length).toBeGreaterThan(20);
    // The marketplace shows both; a missing one is a publishing error.
    expect(typeof action.branding?.icon).toBe("string");
    expect(typeof action.branding?.color).toBe("string");
  });

  it("declares exactly the eight inputs, each with a description and a string default, none required", () => {
    expect(Object.keys(action.inputs)).toEqual(INPUTS);
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(typeof input.description, name).toBe("string");
      expect(String(input.description).length, name).toBeGreaterThan(20);
      // A default the runner hands over as it is: a string (YAML `true` would be a boolean).
      expect(typeof input.default, name).toBe("string");
      expect(input.required ?? false, name).toBe(false);
    }
    expect(action.inputs["path"]!.default).toBe(".");
    expect(action.inputs["state-branch"]!.default).toBe("");
    expect(action.inputs["environment"]!.default).toBe("");
    expect(action.inputs["mode"]!.default).toBe("auto");
    expect(action.inputs["github-token"]!.default).toBe("${{ github.token }}");
    expect(action.inputs["require-reviewed-plan"]!.default).toBe("true");
    expect(action.inputs["comment"]!.default).toBe("on-change");
    expect(action.inputs["parallelism"]!.default).toBe("");
  });

  it("declares the four outputs, each with a description", () => {
    expect(Object.keys(action.outputs)).toEqual(OUTPUTS);
    for (const [name, output] of Object.entries(action.outputs)) {
      expect(typeof output.description, name).toBe("string");
      expect(String(output.description).length, name).toBeGreaterThan(20);
    }
  });

  it("every default is an input the Action accepts, read as the project's own settings", () => {
    // What the runner does: INPUT_<NAME> upper-cased, hyphens kept; it evaluates the
    // `${{ github.token }}` expression before the step starts.
    const env: NodeJS.ProcessEnv = {};
    for (const [name, input] of Object.entries(action.inputs)) {
      env[`INPUT_${name.toUpperCase()}`] = name === "github-token" ? "ghs_evaluated" : String(input.default);
    }
    expect(readInputs(env)).toEqual({
      path: ".",
      stateBranch: null,
      environment: null,
      mode: "auto",
      githubToken: "ghs_evaluated",
      requireReviewedPlan: true,
      comment: "on-change",
      parallelism: null,
    });
  });

  it("docs/action.md documents every input with action.yml's default, and every output", () => {
    const doc = readFileSync(resolve(root, "docs/action.md"), "utf8");
    for (const [name, input] of Object.entries(action.inputs)) {
      const row = doc.split("\n").find((l) => l.startsWith(`| \`${name}\` |`));
      expect(row, `a row for input ${name}`).toBeDefined();
      const shown = input.default === "" ? "(empty)" : `\`${String(input.default)}\``;
      expect(row!.split(" | ")[1], `the default of ${name}`).toBe(shown);
    }
    for (const name of Object.keys(action.outputs)) {
      expect(doc.split("\n").some((l) => l.startsWith(`| \`${name}\` |`)), `a row for output ${name}`).toBe(true);
    }
  });
});
