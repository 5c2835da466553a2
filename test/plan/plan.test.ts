import { describe, expect, it } from "vitest";
import { buildPlan, hasChanges, renderPlanJson, renderPlanMarkdown, renderPlanText, summaryLine } from "../../src/plan/index.js";
import type { BuildPlanInput, Plan, PlannedAction } from "../../src/plan/index.js";
import { canonicalize, hashValue } from "../../src/program/canonical.js";
import { DEFAULT_POLICY } from "../../src/program/types.js";
import { dagDiff } from "../../src/runtime/scheduler.js";
import { CATALOG, dom, prior, PROGRAM_HASH, prog, rec, res, shuffleKeys } from "./helpers.js";

function plan(input: Omit<BuildPlanInput, "programHash" | "catalog">): Plan {
  const r = buildPlan({ programHash: PROGRAM_HASH, catalog: CATALOG, ...input });
  expect(r.diagnostics).toEqual([]);
  expect(r.plan).not.toBeNull();
  // The hash written while planning is that of every other field, for every plan below.
  const { hash, ...rest } = r.plan!;
  expect(hash).toBe(hashValue(rest));
  return r.plan!;
}

function actions(p: Plan): PlannedAction[] {
  return p.steps.flatMap((s) => s.domains.flatMap((d) => d.actions));
}

function byAddress(p: Plan, address: string): PlannedAction {
  const a = actions(p).find((x) => x.address === address);
  if (!a) throw new Error(`no action for ${address}`);
  return a;
}

const dir = res("storage", "fs.dir", "data", { path: "data", mode: "0755" });
const settings = res("storage", "fs.file", "settings", { path: "data/settings.json", content: "{}", mode: "0644" }, { dependsOn: ["storage/fs.dir.data"] });
const page = res("web", "fs.file", "page", { path: "site/index.html", content: "<h1>x</h1>", mode: "0644" }, { dependsOn: ["storage/fs.file.settings"] });
const base = prog(dom("storage", [settings, dir]), dom("web", [page], { after: ["storage"], imports: [{ domain: "storage", name: "settings", as: "settings" }] }));
const applied = prior([rec(dir), rec(settings, { size: 2, sha256: "44136fa3" }), rec(page, { size: 10, sha256: "aa" })]);

describe("buildPlan: create / noop / update", () => {
  it("first apply: everything is a create, in step, domain and dependency order", () => {
    const p = plan({ program: base, prior: prior([], null) });
    expect(p.prior).toBeNull();
    expect(actions(p).map((a) => [a.seq, a.step, a.action, a.address])).toEqual([
      [0, 1, "create", "storage/fs.dir.data"],
      [1, 1, "create", "storage/fs.file.settings"],
      [2, 2, "create", "web/fs.file.page"],
    ]);
    expect(p.summary).toEqual({ create: 3, update: 0, replace: 0, delete: 0, noop: 0 });
    const s = byAddress(p, "storage/fs.file.settings");
    expect(s.before).toBeNull();
    expect(s.changes).toEqual([
      { attr: "content", after: "{}" },
      { attr: "mode", after: "0644" },
      { attr: "path", after: "data/settings.json" },
    ]);
    expect(p.steps.map((x) => x.domains.map((d) => [d.domain, d.after]))).toEqual([[["storage", []]], [["web", ["storage"]]]]);
  });

  it("unchanged goal against recorded state is all noop (computed attributes are not compared)", () => {
    const p = plan({ program: base, prior: applied });
    expect(actions(p).map((a) => a.action)).toEqual(["noop", "noop", "noop"]);
    expect(p.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0, noop: 3 });
    expect(byAddress(p, "storage/fs.file.settings").changes).toEqual([]);
  });

  it("a changed attribute is an update listing only that attribute", () => {
    const changed = res("storage", "fs.file", "settings", { ...settings.attrs, mode: "0600" }, { dependsOn: settings.dependsOn });
    const p = plan({ program: prog(dom("storage", [dir, changed]), base.domains["web"]!), prior: applied });
    const a = byAddress(p, "storage/fs.file.settings");
    expect(a.action).toBe("update");
    expect(a.changes).toEqual([{ attr: "mode", before: "0644", after: "0600" }]);
    expect(a.before).toMatchObject({ mode: "0644", size: 2 });
    expect(a.after).toEqual(changed.attrs);
    expect(a.drift).toBe(false);
    expect(p.summary.update).toBe(1);
  });
});

describe("buildPlan: replace", () => {
  it("an x-lexum-replace-on attribute change forces replacement", () => {
    const link = res("s", "fs.symlink", "cur", { path: "current", target: "v1" });
    const next = res("s", "fs.symlink", "cur", { path: "current", target: "v2" });
    const p = plan({ program: prog(dom("s", [next])), prior: prior([rec(link)]) });
    const a = byAddress(p, "s/fs.symlink.cur");
    expect(a.action).toBe("replace");
    expect(a.changes).toEqual([{ attr: "target", before: "v1", after: "v2", forcesReplace: true }]);
    expect(a.reason).toBe("`target` forces replacement");
  });

  it("an identity change (path) forces replacement", () => {
    const moved = res("storage", "fs.dir", "data", { path: "data2", mode: "0755" });
    const p = plan({ program: prog(dom("storage", [moved])), prior: prior([rec(dir)]) });
    const a = byAddress(p, "storage/fs.dir.data");
    expect(a.action).toBe("replace");
    expect(a.changes).toEqual([{ attr: "path", before: "data", after: "data2", forcesReplace: true }]);
  });

  it("a type change or a provider kind change forces replacement", () => {
    const asFile = res("storage", "fs.file", "data", { path: "data" });
    const recorded = rec(res("storage", "fs.dir", "data", { path: "data" }));
    const p1 = plan({ program: prog(dom("storage", [asFile])), prior: prior([{ ...recorded, address: asFile.address }]) });
    expect(byAddress(p1, "storage/fs.file.data").action).toBe("replace");
    expect(byAddress(p1, "storage/fs.file.data").reason).toBe("type changed from fs.dir to fs.file");

    const obj = res("d", "sim.object", "o", { path: "x" }, { provider: "main" });
    const program = prog(dom("d", [obj], { providers: { main: { type: "sim", config: { world: "w.json" }, deferred: {} } } }));
    const recorded2 = rec(obj, {}, { provider: { alias: "main", type: "fs", config: {} } });
    const p2 = plan({ program, prior: prior([recorded2]) });
    expect(byAddress(p2, obj.address).action).toBe("replace");
    expect(byAddress(p2, obj.address).reason).toBe("provider changed from fs to sim");
  });
});

describe("buildPlan: delete, prune, removed domains", () => {
  it("a resource that left the code is deleted when prune is on", () => {
    const p = plan({ program: prog(dom("storage", [dir]), dom("web", [page], { after: ["storage"] })), prior: applied });
    const a = byAddress(p, "storage/fs.file.settings");
    expect(a.action).toBe("delete");
    expect(a.after).toBeNull();
    expect(a.reason).toBe("left the code");
    expect(a.before).toMatchObject({ path: "data/settings.json" });
    expect(p.summary.delete).toBe(1);
  });

  it("with prune off it is kept as a noop saying why", () => {
    const p = plan({ program: prog(dom("storage", [dir], { policy: { prune: false } }), base.domains["web"]!), prior: applied });
    const a = byAddress(p, "storage/fs.file.settings");
    expect(a.action).toBe("noop");
    expect(a.reason).toBe("left the code; prune is off");
    expect(p.summary.delete).toBe(0);
    // The goal moved (a resource left it) without a resource action: apply records a snapshot.
    const moved = plan({ program: prog(dom("storage", [dir], { policy: { prune: false } }), base.domains["web"]!), prior: applied, priorRun: { status: "quiescent", program: "sha256:" + "99".repeat(32) } });
    expect(moved.writesSnapshot).toBe("1 resource left the code and stays in place (prune is off)");
    expect(renderPlanText(moved)).toContain("No resource changes, but apply will record a new snapshot: 1 resource left the code and stays in place (prune is off).");
    expect(hasChanges(moved)).toBe(true);
    // Once recorded (the snapshot holds this very program), there is nothing left to record.
    const recorded = plan({ program: prog(dom("storage", [dir], { policy: { prune: false } }), base.domains["web"]!), prior: applied, priorRun: { status: "quiescent", program: PROGRAM_HASH } });
    expect(recorded.writesSnapshot).toBeUndefined();
    expect(hasChanges(recorded)).toBe(false);
  });

  it("a domain that left the code entirely is deleted in the teardown, before the build, under the default policy", () => {
    const p = plan({ program: prog(dom("storage", [settings, dir])), prior: applied });
    expect(p.steps.map((s) => [s.step, s.phase ?? "build", s.domains.map((d) => d.domain)])).toEqual([
      [1, "teardown", ["web"]],
      [2, "build", ["storage"]],
    ]);
    const web = p.steps[0]!.domains.find((d) => d.domain === "web")!;
    expect(web.policy).toEqual(DEFAULT_POLICY);
    expect(web.after).toEqual([]);
    expect(web.actions.map((a) => [a.action, a.address, a.reason])).toEqual([["delete", "web/fs.file.page", "domain web left the code"]]);
  });

  it("deletes come first, in reverse dependency order, then the rest in dependency order", () => {
    const keep = res("storage", "fs.file", "keep", { path: "keep" });
    const newer = res("storage", "fs.file", "aaa", { path: "aaa" }, { dependsOn: ["storage/fs.file.keep"] });
    const p = plan({ program: prog(dom("storage", [keep, newer])), prior: prior([rec(dir), rec(settings), rec(keep)]) });
    expect(actions(p).map((a) => [a.seq, a.action, a.address])).toEqual([
      [0, "delete", "storage/fs.file.settings"], // depends on the dir: goes first
      [1, "delete", "storage/fs.dir.data"],
      [2, "noop", "storage/fs.file.keep"],
      [3, "create", "storage/fs.file.aaa"],
    ]);
  });
});

describe("buildPlan: protect", () => {
  it("refuses to delete a protected resource, naming it", () => {
    const r = buildPlan({
      programHash: PROGRAM_HASH,
      catalog: CATALOG,
      program: prog(dom("storage", [dir])),
      prior: prior([rec(dir), rec(settings, {}, { protect: true })]),
    });
    expect(r.plan).toBeNull();
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: "LXM3001", severity: "error" });
    expect(r.diagnostics[0]!.message).toContain("storage/fs.file.settings");
    expect(r.diagnostics[0]!.message).toContain("delete");
    expect(r.diagnostics[0]!.hint).toContain("protect = true");
  });

  it("refuses to replace a protected resource, with the span when given", () => {
    const link = res("s", "fs.symlink", "cur", { path: "current", target: "v1" }, { protect: true });
    const next = res("s", "fs.symlink", "cur", { path: "current", target: "v2" }, { protect: true });
    const span = { file: "s.lxm", start: 10, end: 40 };
    const r = buildPlan({ programHash: PROGRAM_HASH, catalog: CATALOG, program: prog(dom("s", [next])), prior: prior([rec(link)]), spans: { [next.address]: span } });
    expect(r.plan).toBeNull();
    expect(r.diagnostics[0]).toMatchObject({ code: "LXM3001", span });
    expect(r.diagnostics[0]!.message).toContain("replace");
    expect(r.diagnostics[0]!.message).toContain("`target` forces replacement");
  });

  it("a protected resource that is unchanged or updated plans normally", () => {
    const p1 = res("s", "fs.file", "db", { path: "db", mode: "0644" }, { protect: true });
    const p2 = res("s", "fs.file", "db", { path: "db", mode: "0600" }, { protect: true });
    const p = plan({ program: prog(dom("s", [p2])), prior: prior([rec(p1)]) });
    expect(byAddress(p, p2.address).action).toBe("update");
  });
});

describe("buildPlan: deferred attributes", () => {
  // web's page content reads the settings file's computed size.
  const sizeRef = { expr: { op: "interp" as const, parts: [{ op: "lit" as const, value: "size=" }, { op: "ref" as const, address: "storage/fs.file.settings", attr: "size" }] }, sensitive: false };
  const deferredPage = res("web", "fs.file", "page", { path: "site/index.html", mode: "0644" }, { dependsOn: ["storage/fs.file.settings"], deferred: { content: sizeRef } });

  it("evaluates against the prior state when its inputs are unchanged: no perpetual diff", () => {
    const program = prog(dom("storage", [settings, dir]), dom("web", [deferredPage], { after: ["storage"] }));
    const p = plan({ program, prior: prior([rec(dir), rec(settings, { size: 2 }), rec(deferredPage, { content: "size=2", size: 6 })]) });
    expect(byAddress(p, deferredPage.address).action).toBe("noop");
    expect(p.summary.noop).toBe(3);
  });

  it("an evaluated value that differs from the recorded one is an update with both values", () => {
    const program = prog(dom("storage", [settings, dir]), dom("web", [deferredPage], { after: ["storage"] }));
    const p = plan({ program, prior: prior([rec(dir), rec(settings, { size: 5 }), rec(deferredPage, { content: "size=2" })]) });
    const a = byAddress(p, deferredPage.address);
    expect(a.action).toBe("update");
    expect(a.changes).toEqual([{ attr: "content", before: "size=2", after: "size=5" }]);
  });

  it("is (known after apply) and an update only when a referenced resource changes", () => {
    const changed = res("storage", "fs.file", "settings", { ...settings.attrs, content: "{\"a\":1}" }, { dependsOn: settings.dependsOn });
    const program = prog(dom("storage", [changed, dir]), dom("web", [deferredPage], { after: ["storage"] }));
    const p = plan({ program, prior: prior([rec(dir), rec(settings, { size: 2 }), rec(deferredPage, { content: "size=2" })]) });
    const a = byAddress(p, deferredPage.address);
    expect(a.action).toBe("update");
    expect(a.changes).toEqual([{ attr: "content", before: "size=2", unknown: true }]);
    expect(a.deferred).toEqual({ content: sizeRef });
    expect(renderPlanText(p)).toContain('~ content = "size=2" -> (known after apply)');
  });

  it("on create, a deferred attribute over a new resource is (known after apply)", () => {
    const program = prog(dom("storage", [settings, dir]), dom("web", [deferredPage], { after: ["storage"] }));
    const p = plan({ program, prior: prior([], null) });
    expect(byAddress(p, deferredPage.address).changes).toContainEqual({ attr: "content", unknown: true });
  });

  it("an unevaluable residual over unchanged inputs does not make a diff", () => {
    const missing = { expr: { op: "ref" as const, address: "storage/fs.dir.data", attr: "nope" }, sensitive: false };
    const r = res("storage", "fs.file", "x", { path: "x" }, { deferred: { content: missing }, dependsOn: ["storage/fs.dir.data"] });
    const p = plan({ program: prog(dom("storage", [dir, r])), prior: prior([rec(dir), rec(r)]) });
    expect(byAddress(p, r.address).action).toBe("noop");
  });
});

describe("buildPlan: sensitive attributes", () => {
  const SECRET = "hunter2-super-secret";
  const secretContent = { expr: { op: "secret" as const, name: "DB_PASSWORD" }, sensitive: true };
  const cred = res("app", "fs.file", "cred", { path: "cred.txt", mode: "0600" }, { deferred: { content: secretContent } });
  const program = prog(dom("app", [cred]));
  const recorded = rec(cred, { size: SECRET.length }, { sensitive: { content: "hmac-sha256:old" } });

  it("an unchanged digest is a noop", () => {
    const p = plan({ program, prior: prior([recorded]), sensitiveDigests: { "app/fs.file.cred#content": "hmac-sha256:old" } });
    expect(byAddress(p, cred.address).action).toBe("noop");
  });

  it("a changed digest is an update marked sensitive with no values", () => {
    const p = plan({ program, prior: prior([recorded]), sensitiveDigests: { "app/fs.file.cred#content": "hmac-sha256:new" } });
    const a = byAddress(p, cred.address);
    expect(a.action).toBe("update");
    expect(a.changes).toEqual([{ attr: "content", sensitive: true }]);
  });

  it("never puts the value in the plan or any render, even when reality reads it back in clear", () => {
    const reality = { [cred.address]: { path: "cred.txt", mode: "0644", content: SECRET, size: SECRET.length } };
    const p = plan({ program, prior: prior([recorded]), reality, sensitiveDigests: { "app/fs.file.cred#content": "hmac-sha256:new" } });
    const a = byAddress(p, cred.address);
    expect(a.drift).toBe(true);
    expect(a.before).not.toHaveProperty("content");
    for (const out of [renderPlanJson(p), renderPlanText(p), renderPlanText(p, { color: true }), renderPlanMarkdown(p)]) {
      expect(out).not.toContain(SECRET);
    }
    expect(renderPlanText(p)).toContain("~ content = (sensitive)");
    const fresh = plan({ program, prior: prior([], null) });
    expect(byAddress(fresh, cred.address).changes).toContainEqual({ attr: "content", sensitive: true });
    expect(renderPlanJson(fresh)).not.toContain(SECRET);
  });
});

describe("buildPlan: drift (refresh)", () => {
  it("reality that differs from the record is an update restoring the goal, marked drift", () => {
    const reality = { [settings.address]: { ...settings.attrs, mode: "0777", size: 2 } };
    const p = plan({ program: base, prior: applied, reality });
    expect(p.refreshed).toBe(true);
    const a = byAddress(p, settings.address);
    expect(a).toMatchObject({ action: "update", drift: true });
    expect(a.changes).toEqual([{ attr: "mode", before: "0777", after: "0644" }]);
    expect(a.before).toMatchObject({ mode: "0777" });
    expect(byAddress(p, dir.address).drift).toBe(false);
  });

  it("an object gone from reality is created again, marked drift", () => {
    const p = plan({ program: base, prior: applied, reality: { [page.address]: null } });
    const a = byAddress(p, page.address);
    expect(a).toMatchObject({ action: "create", drift: true, before: null, reason: "deleted outside Lexum" });
  });

  it("reality that matches the record is a noop", () => {
    const reality = { [settings.address]: applied.resources[settings.address]!.attrs };
    const p = plan({ program: base, prior: applied, reality });
    expect(byAddress(p, settings.address)).toMatchObject({ action: "noop", drift: false });
  });
});

describe("buildPlan: determinism", () => {
  const input = {
    program: prog(dom("storage", [dir, res("storage", "fs.file", "settings", { ...settings.attrs, mode: "0600" }, { dependsOn: settings.dependsOn })]), dom("web", [], { after: ["storage"] })),
    prior: applied,
    reality: { [dir.address]: { path: "data", mode: "0700" } },
  };

  it("planning twice gives identical bytes", () => {
    expect(renderPlanJson(plan(input))).toBe(renderPlanJson(plan(input)));
  });

  it("shuffling every object's key order changes nothing", () => {
    const a = renderPlanJson(plan(input));
    const b = renderPlanJson(plan(shuffleKeys(input)));
    expect(b).toBe(a);
    expect(renderPlanText(plan(shuffleKeys(input)))).toBe(renderPlanText(plan(input)));
  });

  it("hash is the hash of every other field, and the JSON render is the canonical bytes", () => {
    const p = plan(input);
    const { hash, ...rest } = p;
    expect(hash).toBe(hashValue(rest));
    expect(JSON.parse(renderPlanJson(p))).toEqual(p);
  });

  it("an empty program against an empty prior is an empty plan", () => {
    const p = plan({ program: prog(), prior: prior([], null) });
    expect(p.steps).toEqual([]);
    expect(p.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0, noop: 0 });
  });

  it("a different prior gives a different hash", () => {
    expect(plan(input).hash).not.toBe(plan({ ...input, prior: { ...applied, snapshot: "sha256:" + "00".repeat(32) } }).hash);
  });
});

describe("buildPlan: graph problems are diagnostics", () => {
  it("a domain cycle is LXM3002, a resource cycle LXM3003, with no plan", () => {
    const r1 = buildPlan({ programHash: PROGRAM_HASH, catalog: CATALOG, program: prog(dom("a", [], { after: ["b"] }), dom("b", [], { after: ["a"] })), prior: prior([]) });
    expect(r1.plan).toBeNull();
    expect(r1.diagnostics.map((d) => d.code)).toEqual(["LXM3002"]);
    expect(r1.diagnostics[0]!.message).toContain("a → b → a");
    const x = res("s", "fs.file", "x", { path: "x" }, { dependsOn: ["s/fs.file.y"] });
    const y = res("s", "fs.file", "y", { path: "y" }, { dependsOn: ["s/fs.file.x"] });
    const r2 = buildPlan({ programHash: PROGRAM_HASH, catalog: CATALOG, program: prog(dom("s", [x, y])), prior: prior([]) });
    expect(r2.diagnostics.map((d) => d.code)).toEqual(["LXM3003"]);
  });
});

describe("buildPlan: keepText", () => {
  it("returns the plan's canonical JSON as hashed, across the hasher's 64 KB chunks, and none without it", () => {
    // Enough resources (with long contents) that the hashed text spans several chunks.
    const many = Array.from({ length: 120 }, (_, i) =>
      res(i % 2 ? "storage" : "web", "fs.file", `f${i}`, { path: `f${i}.txt`, content: "x".repeat(900) + i, mode: "0644" }),
    );
    const program = prog(dom("storage", many.filter((r) => r.address.startsWith("storage/"))), dom("web", many.filter((r) => r.address.startsWith("web/")), { after: ["storage"] }));
    const kept = buildPlan({ programHash: PROGRAM_HASH, catalog: CATALOG, program, prior: applied, keepText: true });
    expect(kept.plan).not.toBeNull();
    expect(kept.text!.length).toBeGreaterThan(3 * 65536);
    expect(kept.text).toBe(canonicalize(kept.plan));
    expect(buildPlan({ programHash: PROGRAM_HASH, catalog: CATALOG, program, prior: applied }).text).toBeUndefined();
  });
});

describe("buildPlan: a snapshot to record without resource changes", () => {
  const same = { status: "quiescent" as const, program: PROGRAM_HASH };

  it("nothing to record: the summary says what was compared, with and without --refresh", () => {
    const p = plan({ program: base, prior: applied, priorRun: same });
    expect(p.writesSnapshot).toBeUndefined();
    expect("writesSnapshot" in JSON.parse(renderPlanJson(p))).toBe(false);
    expect(hasChanges(p)).toBe(false);
    expect(summaryLine(p)).toBe(`No changes. The goal matches the last snapshot ${applied.snapshot}; reality was not read (--refresh reads it).`);
    expect(renderPlanMarkdown(p).split("\n")[0]).toBe(`**No changes. The goal matches the last snapshot ${applied.snapshot}; reality was not read (--refresh reads it).**`);
    const reality = Object.fromEntries(Object.values(applied.resources).map((r) => [r.address, r.attrs]));
    const refreshed = plan({ program: base, prior: applied, priorRun: same, reality });
    expect(summaryLine(refreshed)).toBe(`No changes. The goal matches the last snapshot ${applied.snapshot} and what the providers read back.`);
  });

  it("after a failed or rolled-back run, or a drift record, a plan without actions still records a snapshot and counts as a change", () => {
    for (const [status, why] of [["failed", "the last run failed"], ["rolled-back", "the last run was rolled back"], ["drifted", "the last snapshot recorded drift"]] as const) {
      const p = plan({ program: base, prior: applied, priorRun: { status, program: PROGRAM_HASH } });
      expect(p.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0 });
      expect(p.writesSnapshot).toBe(why);
      expect(JSON.parse(renderPlanJson(p)).writesSnapshot).toBe(why);
      expect(hasChanges(p)).toBe(true);
      expect(renderPlanText(p).trimEnd().split("\n").pop()).toBe(`No resource changes, but apply will record a new snapshot: ${why}.`);
    }
  });

  it("after a failure record (no program), a plan without actions records a snapshot: the last run failed", () => {
    const p = plan({ program: base, prior: applied, priorRun: { status: "failed", program: null } });
    expect(p.writesSnapshot).toBe("the last run failed");
    expect(hasChanges(p)).toBe(true);
  });

  it("a goal that moved without moving a resource, and an empty first goal, record a snapshot", () => {
    const moved = plan({ program: base, prior: applied, priorRun: { status: "quiescent", program: "sha256:" + "99".repeat(32) } });
    expect(moved.writesSnapshot).toBe("the goal changed (goals, exports or policies) without changing a resource");
    const empty = plan({ program: prog(), prior: prior([], null) });
    expect(empty.writesSnapshot).toBe("there is no snapshot yet");
    expect(summaryLine(empty)).toBe("No resource changes, but apply will record a new snapshot: there is no snapshot yet.");
  });

  it("a plan with resource actions carries no writesSnapshot (its bytes are unchanged)", () => {
    const p = plan({ program: base, prior: prior([], null) });
    expect(p.writesSnapshot).toBeUndefined();
    expect(renderPlanJson(p)).not.toContain("writesSnapshot");
  });
});

describe("buildPlan: natural order of instance keys", () => {
  it("ties between actions are broken by address in natural order: node[2] before node[10]", () => {
    const nodes = [1, 2, 10, 11, 3].map((k) => res("w", "fs.file", "node", { path: `n${k}` }, { key: k }));
    const p = plan({ program: prog(dom("w", nodes)), prior: prior([], null) });
    expect(actions(p).map((a) => a.address)).toEqual(["w/fs.file.node[1]", "w/fs.file.node[2]", "w/fs.file.node[3]", "w/fs.file.node[10]", "w/fs.file.node[11]"]);
    const text = renderPlanText(p);
    expect(text.indexOf("node[2]")).toBeLessThan(text.indexOf("node[10]"));
    const md = renderPlanMarkdown(p);
    expect(md.indexOf("+ fs.file.node[2]")).toBeLessThan(md.indexOf("+ fs.file.node[10]"));
    // The mermaid graph numbers its nodes in the same order.
    expect(md).toContain('n1["+ fs.file.node[2]"]');
    expect(md).toContain('n3["+ fs.file.node[10]"]');
    // A run's DAG lists follow the plan.
    const dag = dagDiff(p, new Set(["w/fs.file.node[1]", "w/fs.file.node[10]", "w/fs.file.node[2]"]), new Set(["w/fs.file.node[3]"]));
    expect(dag.done).toEqual(["w/fs.file.node[1]", "w/fs.file.node[2]", "w/fs.file.node[10]"]);
    expect(dag.notStarted).toEqual(["w/fs.file.node[11]"]);
  });

  it("deletes and resources kept with prune off are listed in natural order too", () => {
    const nodes = [2, 10].map((k) => res("w", "fs.file", "node", { path: `n${k}` }, { key: k }));
    const gone = plan({ program: prog(dom("w", [])), prior: prior(nodes.map((n) => rec(n))) });
    expect(actions(gone).map((a) => [a.action, a.address])).toEqual([
      ["delete", "w/fs.file.node[2]"],
      ["delete", "w/fs.file.node[10]"],
    ]);
    const kept = plan({ program: prog(dom("w", [], { policy: { prune: false } })), prior: prior(nodes.map((n) => rec(n))) });
    expect(actions(kept).map((a) => a.address)).toEqual(["w/fs.file.node[2]", "w/fs.file.node[10]"]);
  });

  it("dependency order comes first; natural order only breaks ties", () => {
    const n10 = res("w", "fs.file", "node", { path: "n10" }, { key: 10 });
    const n2 = res("w", "fs.file", "node", { path: "n2" }, { key: 2, dependsOn: [n10.address] });
    const n3 = res("w", "fs.file", "node", { path: "n3" }, { key: 3 });
    const p = plan({ program: prog(dom("w", [n2, n3, n10])), prior: prior([], null) });
    expect(actions(p).map((a) => a.address)).toEqual(["w/fs.file.node[3]", "w/fs.file.node[10]", "w/fs.file.node[2]"]);
  });
});
