import { register as globalRegister } from "prom-client";
import { describe, expect, it } from "vitest";
import { createMetrics, RECONCILE_BUCKETS } from "../../src/sync/metrics.js";
import { parseExposition } from "./prom-text.js";

const A = "https://git.example.com/infra#main:.";
const B = "https://git.example.com/infra#release:envs/prod";
const C1 = "1".repeat(40);
const C2 = "2".repeat(40);
const C3 = "3".repeat(40);

const LEXUM = {
  lexum_reconcile_total: { type: "counter", labels: ["repo", "result"] },
  lexum_reconcile_duration_seconds: { type: "histogram", labels: [] },
  lexum_git_request_total: { type: "counter", labels: ["repo", "request_type"] },
  lexum_git_request_errors_total: { type: "counter", labels: ["repo", "request_type"] },
  lexum_state_push_conflicts_total: { type: "counter", labels: [] },
  lexum_drift: { type: "gauge", labels: ["repo"] },
  lexum_repo_info: { type: "gauge", labels: ["repo", "goal_revision", "applied_revision"] },
} as const;

describe("lxm-sync metrics", () => {
  it("exposes each series under its name, type, help and labels, with the process defaults", async () => {
    const m = createMetrics();
    m.observe({ type: "reconcile", repo: A, result: "applied", seconds: 2 });
    m.observe({ type: "git-request", repo: A, request: "ls-refs", ok: true });
    m.observe({ type: "push-conflict", repo: A });
    m.observe({ type: "drift", repo: A, resources: 0 });
    m.observe({ type: "revision", repo: A, goal: C1, applied: null });
    const text = await m.text();
    const x = parseExposition(text);
    expect(m.contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
    for (const [name, want] of Object.entries(LEXUM)) {
      expect(x.type.get(name), name).toBe(want.type);
      expect((x.help.get(name) ?? "").length, `${name} has a help text`).toBeGreaterThan(30);
      const samples = want.type === "histogram" ? x.series(`${name}_count`) : x.series(name);
      expect(samples.length, `${name} has a series`).toBeGreaterThan(0);
      for (const s of samples) expect(Object.keys(s.labels).sort(), name).toEqual([...want.labels].sort());
    }
    // collectDefaultMetrics on the agent's own registry.
    expect(x.type.get("process_cpu_seconds_total")).toBe("counter");
    expect(x.type.get("process_resident_memory_bytes")).toBe("gauge");
    // Never on prom-client's global registry.
    expect(await globalRegister.metrics()).not.toContain("lexum_");
  });

  it("counts reconciles by repository and result, and their durations in one histogram", async () => {
    const m = createMetrics();
    m.observe({ type: "reconcile", repo: A, result: "applied", seconds: 0.3 });
    m.observe({ type: "reconcile", repo: A, result: "applied", seconds: 45 });
    m.observe({ type: "reconcile", repo: A, result: "failed", seconds: 1 });
    m.observe({ type: "reconcile", repo: B, result: "unchanged", seconds: 0.05 });
    const x = parseExposition(await m.text());
    const counts = x.series("lexum_reconcile_total").map((s) => `${s.labels["repo"]} ${s.labels["result"]} ${s.value}`);
    expect(counts.sort()).toEqual([`${A} applied 2`, `${A} failed 1`, `${B} unchanged 1`].sort());
    expect(x.series("lexum_reconcile_duration_seconds_count")[0]!.value).toBe(4);
    expect(x.series("lexum_reconcile_duration_seconds_sum")[0]!.value).toBeCloseTo(46.35, 6);
    const buckets = x.series("lexum_reconcile_duration_seconds_bucket");
    expect(buckets.map((b) => b.labels["le"])).toEqual([...RECONCILE_BUCKETS.map(String), "+Inf"]);
    const le = (v: string) => buckets.find((b) => b.labels["le"] === v)!.value;
    expect([le("0.1"), le("0.5"), le("1"), le("30"), le("60"), le("+Inf")]).toEqual([1, 2, 3, 3, 4, 4]);
  });

  it("counts git requests by type, failures apart, and push conflicts without labels", async () => {
    const m = createMetrics();
    m.observe({ type: "git-request", repo: A, request: "ls-refs", ok: true });
    m.observe({ type: "git-request", repo: A, request: "ls-refs", ok: false });
    m.observe({ type: "git-request", repo: A, request: "fetch", ok: true });
    m.observe({ type: "git-request", repo: B, request: "push", ok: true });
    m.observe({ type: "push-conflict", repo: A });
    m.observe({ type: "push-conflict", repo: B });
    m.observe({ type: "push-conflict", repo: B });
    const x = parseExposition(await m.text());
    const show = (name: string) => x.series(name).map((s) => `${s.labels["repo"]} ${s.labels["request_type"]} ${s.value}`).sort();
    expect(show("lexum_git_request_total")).toEqual([`${A} fetch 1`, `${A} ls-refs 2`, `${B} push 1`].sort());
    expect(show("lexum_git_request_errors_total")).toEqual([`${A} fetch 0`, `${A} ls-refs 1`, `${B} push 0`].sort());
    expect(x.series("lexum_state_push_conflicts_total")).toEqual([{ name: "lexum_state_push_conflicts_total", labels: {}, value: 3 }]);
  });

  it("keeps one repo_info series per repository, replacing it when a revision changes", async () => {
    const m = createMetrics();
    const info = async () =>
      parseExposition(await m.text())
        .series("lexum_repo_info")
        .map((s) => `${s.labels["repo"]} ${s.labels["goal_revision"]} ${s.labels["applied_revision"]} ${s.value}`)
        .sort();
    m.observe({ type: "revision", repo: A, goal: null, applied: null });
    m.observe({ type: "revision", repo: B, goal: C1, applied: C1 });
    expect(await info()).toEqual([`${A}   1`, `${B} ${C1} ${C1} 1`].sort());
    m.observe({ type: "revision", repo: A, goal: C2, applied: null });
    expect(await info()).toEqual([`${A} ${C2}  1`, `${B} ${C1} ${C1} 1`].sort());
    m.observe({ type: "revision", repo: A, goal: C3, applied: C2 });
    m.observe({ type: "revision", repo: A, goal: C3, applied: C2 });
    expect(await info()).toEqual([`${A} ${C3} ${C2} 1`, `${B} ${C1} ${C1} 1`].sort());
  });

  it("sets drift per repository, 0 when in sync", async () => {
    const m = createMetrics();
    m.observe({ type: "drift", repo: A, resources: 3 });
    m.observe({ type: "drift", repo: B, resources: 1 });
    m.observe({ type: "drift", repo: A, resources: 0 });
    const x = parseExposition(await m.text());
    expect(x.series("lexum_drift").map((s) => `${s.labels["repo"]} ${s.value}`).sort()).toEqual([`${A} 0`, `${B} 1`].sort());
  });

  it("escapes label values and keeps agents apart", async () => {
    const odd = 'repo "with" quotes\\and\nnewline';
    const one = createMetrics();
    const two = createMetrics();
    one.observe({ type: "drift", repo: odd, resources: 2 });
    expect(parseExposition(await one.text()).series("lexum_drift")).toEqual([{ name: "lexum_drift", labels: { repo: odd }, value: 2 }]);
    expect(parseExposition(await two.text()).series("lexum_drift")).toEqual([]);
  });
});
