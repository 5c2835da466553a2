import { describe, expect, it } from "vitest";
import { importClosure } from "./import-closure.js";

/** The pipeline's direction (source → lang → program → plan → runtime → state → engine → shells), as imports. */
describe("stage boundaries", () => {
  // The planner and the runtime are pure over their inputs: the type catalog comes from the
  // engine, so nothing they load reads schema files (or any file).
  it.each(["src/plan/index.ts", "src/runtime/index.ts"])("%s loads no schema file and no fs module", (entry) => {
    const { files, external } = importClosure(entry);
    expect(files.filter((f) => f.startsWith("src/program/schemas") || f.startsWith("src/program/validators"))).toEqual([]);
    expect(external.filter((x) => /^(node:)?fs(\/|$)/.test(x))).toEqual([]);
  });

  it("the state stage uses the plan's types and its summary line, not its renderers", () => {
    const fromPlan = (entry: string) => importClosure(entry).files.filter((f) => f.startsWith("src/plan/"));
    for (const entry of ["src/state/snapshot.ts", "src/state/records.ts", "src/state/load.ts", "src/state/prepare.ts", "src/state/store.ts", "src/state/journal.ts"]) {
      expect(fromPlan(entry).filter((f) => f !== "src/plan/summary.ts" && f !== "src/plan/types.ts")).toEqual([]);
    }
  });
});
