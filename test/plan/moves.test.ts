import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/plan/index.js";
import { priorAfterMoves } from "../../src/plan/moves.js";
import type { Plan, PlannedAction } from "../../src/plan/index.js";
import { hashValue } from "../../src/program/canonical.js";
import type { Program } from "../../src/program/types.js";
import { CATALOG, dom, prior, PROGRAM_HASH, prog, rec, res } from "./helpers.js";

const page = (name: string, key: string, content = key) => res("web", "fs.file", name, { path: `${key}.html`, content, mode: "0644" }, { key });
const recorded = prior([rec(page("page", "a"), { size: 1 }), rec(page("page", "b"), { size: 1 }), rec(res("web", "fs.file", "old", { path: "old", content: "x", mode: "0644" }), { size: 1 })]);
const withMoves = (p: Program, moved: Program["moved"]): Program => ({ ...p, moved });
const actions = (p: Plan): PlannedAction[] => p.steps.flatMap((s) => s.domains.flatMap((d) => d.actions));

describe("planning moves", () => {
  it("a resource moved without keys takes every recorded instance along; a keyed move one instance", () => {
    const program = withMoves(prog(dom("web", [page("pages", "a"), page("pages", "b", "B"), res("web", "fs.file", "single", { path: "old", content: "x", mode: "0644" }, { key: "k" })])), [
      { from: "web/fs.file.old", to: 'web/fs.file.single["k"]' },
      { from: "web/fs.file.page", to: "web/fs.file.pages" },
    ]);
    const r = buildPlan({ program, programHash: PROGRAM_HASH, catalog: CATALOG, prior: recorded });
    expect(r.diagnostics).toEqual([]);
    const { hash, ...body } = r.plan!;
    expect(hash).toBe(hashValue(body));
    expect(actions(r.plan!).map((a) => [a.action, a.address, a.movedFrom])).toEqual([
      ["moved", 'web/fs.file.pages["a"]', 'web/fs.file.page["a"]'],
      ["update", 'web/fs.file.pages["b"]', 'web/fs.file.page["b"]'],
      ["moved", 'web/fs.file.single["k"]', "web/fs.file.old"],
    ]);
    expect(r.plan!.summary).toEqual({ create: 0, delete: 0, moved: 3, noop: 0, replace: 0, update: 1 });
    // The runtime renames the prior state from the plan alone, as the planner did.
    expect(Object.keys(priorAfterMoves(recorded, r.plan!).resources).sort()).toEqual(['web/fs.file.pages["a"]', 'web/fs.file.pages["b"]', 'web/fs.file.single["k"]']);
    expect(priorAfterMoves(recorded, r.plan!).resources['web/fs.file.pages["a"]']).toMatchObject({ address: 'web/fs.file.pages["a"]', domain: "web", attrs: { size: 1 } });
  });

  it("what --refresh read is compared under the new address (a move of an object changed outside Lexum restores it)", () => {
    const program = withMoves(prog(dom("web", [res("web", "fs.file", "new", { path: "old", content: "x", mode: "0644" })])), [{ from: "web/fs.file.old", to: "web/fs.file.new" }]);
    const moved = prior([rec(res("web", "fs.file", "old", { path: "old", content: "x", mode: "0644" }), { size: 1 })]);
    const r = buildPlan({ program, programHash: PROGRAM_HASH, catalog: CATALOG, prior: moved, reality: { "web/fs.file.old": { path: "old", content: "edited", mode: "0644", size: 6 } } });
    expect(actions(r.plan!).map((a) => [a.action, a.address, a.movedFrom, a.drift])).toEqual([["update", "web/fs.file.new", "web/fs.file.old", true]]);
  });

  it("a move whose `from` has no record does nothing: it was applied before", () => {
    const program = withMoves(prog(dom("web", [page("pages", "a")])), [{ from: "web/fs.file.gone", to: 'web/fs.file.pages["a"]' }]);
    const r = buildPlan({ program, programHash: PROGRAM_HASH, catalog: CATALOG, prior: prior([rec(page("pages", "a"), { size: 1 })]) });
    expect(actions(r.plan!).map((a) => [a.action, a.movedFrom])).toEqual([["noop", undefined]]);
    expect(r.plan!.summary.moved).toBeUndefined();
  });

  it("refuses a move onto a record, or two records moved onto one address (LXM3004)", () => {
    const program = withMoves(prog(dom("web", [page("pages", "a")])), [
      { from: 'web/fs.file.page["a"]', to: 'web/fs.file.pages["a"]' },
      { from: 'web/fs.file.page["b"]', to: 'web/fs.file.pages["a"]' },
    ]);
    const r = buildPlan({ program, programHash: PROGRAM_HASH, catalog: CATALOG, prior: recorded, spans: { 'moved:web/fs.file.page["b"]': { file: "main.lxm", start: 3, end: 9 } } });
    expect(r.plan).toBeNull();
    expect(r.diagnostics.map((d) => [d.code, d.message, d.span?.start])).toEqual([
      ["LXM3004", 'cannot move web/fs.file.page["b"] to web/fs.file.pages["a"]: web/fs.file.page["a"] moves there too', 3],
    ]);
    const onto = buildPlan({ program, programHash: PROGRAM_HASH, catalog: CATALOG, prior: prior([...Object.values(recorded.resources), rec(page("pages", "a"), { size: 1 })]) });
    expect(onto.diagnostics.map((d) => d.message)).toEqual([
      'cannot move web/fs.file.page["a"] to web/fs.file.pages["a"]: web/fs.file.pages["a"] already has a record',
      'cannot move web/fs.file.page["b"] to web/fs.file.pages["a"]: web/fs.file.pages["a"] already has a record',
    ]);
  });
});
