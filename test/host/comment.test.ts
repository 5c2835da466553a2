import fc from "fast-check";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diag/diagnostic.js";
import { catalog } from "../../src/diag/index.js";
import { SourceFile, SourceSet } from "../../src/diag/source.js";
import type { Planned } from "../../src/engine/plan-project.js";
import { CHECK_OUTPUT_LIMIT, COMMENT_LIMIT } from "../../src/host/types.js";
import {
  appliedCommentKey,
  parseExternalId,
  pinExternalId,
  planCommentKey,
  renderAppliedComment,
  renderApplyFailedComment,
  renderErrorsComment,
  renderPlanComment,
  renderRefusedComment,
  sameComment,
} from "../../src/host/comment.js";
import type { Pin } from "../../src/host/comment.js";
import { buildPlan, summaryLine } from "../../src/plan/index.js";
import type { BuildPlanInput } from "../../src/plan/index.js";
import type { Plan } from "../../src/plan/types.js";
import { dagDiff } from "../../src/runtime/scheduler.js";
import type { RunResult, TraceEvent } from "../../src/runtime/types.js";
import { CATALOG, dom, prior, PROGRAM_HASH, prog, rec, res } from "../plan/helpers.js";
import { expectGolden } from "../golden.js";
import { projectFactory } from "./project-fixtures.js";
import { fencedBlocks, markdownProblems, prose } from "./markdown-check.js";

const project = projectFactory();
const RUN = "https://github.com/acme/infra/actions/runs/4242";
const BT = "```";

const pinOf = (p: Planned): Pin => ({ plan: p.plan.hash, program: p.programHash, prior: p.prior.snapshot });

/** Every body the Action writes: within GitHub's limit and structurally whole. */
function expectWellFormed(body: string): void {
  expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
  expect(markdownProblems(body)).toEqual([]);
}

/** Occurrences of `needle` where Markdown renders it as HTML (outside fences and inline code). */
function countOutside(body: string, needle: string): number {
  return prose(body).split(needle).length - 1;
}

const twoDomains = (replicas: number): string => `domain db {
  provider sim { world = "world.json" }
  resource sim.object main {
    kind = "db"
    name = "main"
  }
}
domain web {
  provider sim { world = "world.json" }
  resource sim.object svc for name in ["api", "worker"] {
    kind = "svc"
    name = name
    spec = { replicas = ${replicas} }
  }
}
`;

describe("sameComment", () => {
  it("is equality but for the workflow run linked, so a re-run of the same plan writes nothing", () => {
    const body = (run: number, summary = "Plan: 1 to create, 0 to update, 0 to replace, 0 to delete.") =>
      `<!-- lexum:plan path=. -->\n**${summary}**\n\n[workflow run](<https://github.com/acme/infra/actions/runs/${run}>)\n`;
    expect(sameComment(body(1), body(2))).toBe(true);
    expect(sameComment(body(1), body(1, "Plan: 2 to create, 0 to update, 0 to replace, 0 to delete."))).toBe(false);
    expect(sameComment(body(1), body(1) + "x")).toBe(false);
  });
});

describe("keys and pins", () => {
  it("keys are one HTML comment each, with the path URL-encoded so nothing in it can end the comment", () => {
    expect(planCommentKey(".")).toBe("<!-- lexum:plan path=. -->");
    expect(planCommentKey("infra/prod a")).toBe("<!-- lexum:plan path=infra%2Fprod%20a -->");
    const sha = "0123456789abcdef0123456789abcdef01234567";
    expect(appliedCommentKey("infra", sha)).toBe(`<!-- lexum:apply path=infra commit=${sha} -->`);
    for (const hostile of ["x-->y", "a <!-- b", "--!>", "`\n```\n"]) {
      for (const key of [planCommentKey(hostile), appliedCommentKey(hostile, sha)]) {
        expect(key.startsWith("<!-- ")).toBe(true);
        expect(key.indexOf("-->")).toBe(key.length - 3);
        expect(key).not.toContain("\n");
        expect(markdownProblems(key)).toEqual([]);
      }
    }
    // Two projects never share a key.
    expect(planCommentKey("a b")).not.toBe(planCommentKey("a%20b"));
  });

  it("the pin round-trips through the check run's external_id; anything else parses to null", () => {
    const pin: Pin = { plan: "sha256:" + "a1".repeat(32), program: "sha256:" + "b2".repeat(32), prior: "sha256:" + "c3".repeat(32) };
    expect(pinExternalId(pin)).toBe(`lexum/v1 plan=${pin.plan} program=${pin.program} prior=${pin.prior}`);
    expect(parseExternalId(pinExternalId(pin))).toEqual(pin);
    const first = { ...pin, prior: null };
    expect(pinExternalId(first)).toBe(`lexum/v1 plan=${pin.plan} program=${pin.program} prior=none`);
    expect(parseExternalId(pinExternalId(first))).toEqual(first);
    expect(pinExternalId(pin).length).toBeLessThanOrEqual(255); // GitHub's external_id limit
    for (const bad of [
      "lexum/v1 failed",
      "",
      `lexum/v2 plan=${pin.plan} program=${pin.program} prior=none`,
      `lexum/v1 plan=${pin.plan} program=${pin.program} prior=none `,
      `lexum/v1 plan=${pin.plan.toUpperCase()} program=${pin.program} prior=none`,
      `lexum/v1 plan=${pin.plan.slice(0, -1)} program=${pin.program} prior=none`,
      `lexum/v1 program=${pin.program} plan=${pin.plan} prior=none`,
      `lexum/v1 plan=${pin.plan} program=${pin.program} prior=none\nlexum/v1 plan=x`,
    ]) {
      expect(parseExternalId(bad)).toBeNull();
    }
  });
});

describe("renderPlanComment", () => {
  it("a first plan: key, pin line, the summary line first, what it was computed from, a section per domain and the graph", async () => {
    const p = project({ "main.lxm": twoDomains(2) });
    const planned = await p.plan();
    const head = p.head();
    const body = renderPlanComment({ plan: planned.plan, pin: pinOf(planned), path: "infra", headSha: head, runUrl: RUN });
    const lines = body.split("\n");
    expect(lines[0]).toBe(planCommentKey("infra"));
    expect(lines[1]).toBe(`<!-- lexum:pin plan=${planned.plan.hash} program=${planned.programHash} prior=none -->`);
    expect(lines[2]).toBe("**Plan: 3 to create, 0 to update, 0 to replace, 0 to delete.**");
    expect(body).toContain(`Plan \`${planned.plan.hash}\` of project \`infra\`, computed from commit \`${head}\`, program \`${planned.programHash}\` and no snapshot yet.`);
    expect(countOutside(body, "<details>")).toBe(2);
    expect(body).toContain("<details><summary>Step 1 · <code>db</code>: 1 to create</summary>");
    expect(body).toContain("<details><summary>Step 1 · <code>web</code>: 2 to create</summary>");
    const blocks = fencedBlocks(body);
    expect(blocks.map((b) => b.info)).toEqual(["diff", "diff", "mermaid"]);
    expect(blocks[1]!.lines).toContain('+ sim.object.svc["worker"]');
    expect(blocks[2]!.lines[0]).toBe("flowchart LR");
    expect(body).toContain(`(<${RUN}>)`);
    expect(body).not.toContain("shortened");
    expectWellFormed(body);
    // Pure: the same inputs give the same bytes.
    expect(renderPlanComment({ plan: planned.plan, pin: pinOf(planned), path: "infra", headSha: head, runUrl: RUN })).toBe(body);
  });

  it("a plan against a snapshot names it; only the changed domain gets a section; the project is left out for '.'", async () => {
    const p = project({ "main.lxm": twoDomains(2) });
    const applied = await p.apply();
    const snapshot = applied.commits[0]!.hash;
    const head = p.commit({ "main.lxm": twoDomains(5) });
    const planned = await p.plan();
    expect(planned.prior.snapshot).toBe(snapshot);
    const body = renderPlanComment({ plan: planned.plan, pin: pinOf(planned), path: ".", headSha: head, runUrl: RUN });
    expect(body.split("\n")[1]).toBe(`<!-- lexum:pin plan=${planned.plan.hash} program=${planned.programHash} prior=${snapshot} -->`);
    expect(body.split("\n")[2]).toBe("**Plan: 0 to create, 2 to update, 0 to replace, 0 to delete.**");
    expect(body).toContain(`Plan \`${planned.plan.hash}\`, computed from commit \`${head}\`, program \`${planned.programHash}\` and snapshot \`${snapshot}\`.`);
    expect(body).not.toContain("of project");
    expect(countOutside(body, "<details>")).toBe(1);
    expect(body).toContain("<code>web</code>: 2 to update");
    const diff = fencedBlocks(body).find((b) => b.info === "diff")!.lines;
    expect(diff).toContain('-     spec = {"replicas":2}');
    expect(diff).toContain('+     spec = {"replicas":5}');
    expectWellFormed(body);
  });

  it("a plan without changes says so plainly: no sections, no graph", async () => {
    const p = project({ "main.lxm": twoDomains(2) });
    await p.apply();
    const planned = await p.plan();
    const body = renderPlanComment({ plan: planned.plan, pin: pinOf(planned), path: ".", headSha: p.head(), runUrl: RUN });
    expect(body.split("\n")[2]).toBe(`**${summaryLine(planned.plan)}**`);
    expect(body.split("\n")[2]).toMatch(/^\*\*No changes\. /);
    expect(body.split("\n")).toContain("Nothing to apply.");
    expect(body).not.toContain("<details");
    expect(fencedBlocks(body)).toEqual([]);
    expectWellFormed(body);
  });

  it("values, keys and paths holding backticks, <details>, -->, <!-- and fence-like lines stay inside their fences", async () => {
    const hostile = '"' + BT + "\\n</details>\\n~~~\\n<!--\\n-->\\n" + BT + 'diff"';
    const keys = ['"' + BT + '"', '"<details>"', '"-->"', '"~~~ x"', '"a|b*c_d <b>"'];
    const p = project({
      "main.lxm": `domain web {
  provider sim { world = "world.json" }
  resource sim.object svc for name in [${keys.join(", ")}] {
    kind = "svc"
    name = name
    spec = { note = ${hostile} }
  }
}
`,
    });
    const planned = await p.plan();
    const path = "in`fra <b>-->";
    const body = renderPlanComment({ plan: planned.plan, pin: pinOf(planned), path, headSha: p.head(), runUrl: RUN });
    expectWellFormed(body);
    // Only the Action's own section opens a <details>; the hidden lines are the only comments.
    expect(countOutside(body, "<details")).toBe(1);
    expect(countOutside(body, "-->")).toBe(2);
    expect(countOutside(body, "<!--")).toBe(2);
    const diff = fencedBlocks(body).find((b) => b.info === "diff")!.lines;
    expect(diff).toContain('+ sim.object.svc["<details>"]');
    expect(diff).toContain(`+ sim.object.svc["${BT}"]`);
    expect(diff.filter((l) => l.includes('"note":"```\\n</details>\\n~~~\\n<!--\\n-->\\n```diff"'))).toHaveLength(5);
    // The graph's labels are Mermaid-escaped, so the mermaid fence holds no backtick or tag.
    const graph = fencedBlocks(body).find((b) => b.info === "mermaid")!.lines.join("\n");
    expect(graph).not.toMatch(/[`<>]/);
  });

  it("a plan of thousands of resources is cut to fit 65,536 characters: key, pin and summary kept, the job summary linked", async () => {
    const names = Array.from({ length: 3000 }, (_, i) => `"service-${String(i).padStart(4, "0")}"`).join(", ");
    const p = project({
      "main.lxm": `domain web {
  provider sim { world = "world.json" }
  resource sim.object svc for name in [${names}] {
    kind = "svc"
    name = name
    spec = { image = "registry.example.com/team/\${name}:1.2.3", note = "${BT}" }
  }
}
`,
    });
    const planned = await p.plan();
    const body = renderPlanComment({ plan: planned.plan, pin: pinOf(planned), path: ".", headSha: p.head(), runUrl: RUN });
    expectWellFormed(body);
    expect(body.length).toBeGreaterThan(COMMENT_LIMIT * 0.9); // shortened, not emptied
    const lines = body.split("\n");
    expect(lines[0]).toBe(planCommentKey("."));
    expect(lines[1]).toContain(planned.plan.hash);
    expect(lines[2]).toBe("**Plan: 3000 to create, 0 to update, 0 to replace, 0 to delete.**");
    expect(body).toContain(`This plan is too long for a comment, so it is shortened here. The full plan is in the [job summary](<${RUN}>).`);
    expect(body).toMatch(/_\d+ more lines: see the \[job summary\]/);
    const diff = fencedBlocks(body).find((b) => b.info === "diff")!.lines;
    expect(diff[0]).toBe('+ sim.object.svc["service-0000"]');
    expect(diff.some((l) => l.includes("service-2999"))).toBe(false);
  });

  it("hundreds of changed domains: the sections give way to a list of domains, then to as many as fit", async () => {
    const domains = Array.from({ length: 700 }, (_, i) => `domain d${String(i).padStart(3, "0")} {
  provider sim { world = "world.json" }
  resource sim.object a_rather_long_resource_name_${i} {
    kind = "x"
    name = "n${i}"
  }
}
`).join("");
    const p = project({ "main.lxm": domains });
    const planned = await p.plan();
    const body = renderPlanComment({ plan: planned.plan, pin: pinOf(planned), path: ".", headSha: p.head(), runUrl: RUN });
    expectWellFormed(body);
    expect(body).not.toContain("<details");
    expect(body.split("\n")[2]).toBe("**Plan: 700 to create, 0 to update, 0 to replace, 0 to delete.**");
    expect(body).toContain("- Step 1 · `d000`: 1 to create");
    expect(body).toContain("- Step 1 · `d699`: 1 to create");
  });
});

describe("renderRefusedComment", () => {
  it("the same key and pin, a Not applied block with the reason, then the new plan", async () => {
    const p = project({ "main.lxm": twoDomains(2) });
    const planned = await p.plan();
    const reason = "main moved: the merged files compile to program sha256:x <details> `y` -->";
    const body = renderRefusedComment({ plan: planned.plan, pin: pinOf(planned), path: ".", headSha: p.head(), runUrl: RUN, reason });
    const lines = body.split("\n");
    expect(lines[0]).toBe(planCommentKey("."));
    expect(lines[1]).toBe(`<!-- lexum:pin plan=${planned.plan.hash} program=${planned.programHash} prior=none -->`);
    expect(lines[2]).toBe("> [!CAUTION]");
    expect(lines[3]).toContain(`**Not applied.** The merged commit \`${p.head()}\` plans differently from the plan reviewed here: main moved: the merged files compile to program sha256:x &lt;details&gt; \\\`y\\\` --&gt;.`);
    const summaryAt = lines.indexOf("**Plan: 3 to create, 0 to update, 0 to replace, 0 to delete.**");
    expect(summaryAt).toBeGreaterThan(3);
    expect(countOutside(body, "<details>")).toBe(2);
    expectWellFormed(body);
  });
});

describe("renderErrorsComment", () => {
  const files = {
    "main.lxm": `domain web {
  provider sim { world = "world.json" }
  resource sim.object x {
    kind = "svc"
    name = nope
  }
}
`,
    "db/db.lxm": `domain db {
  provider sim { world = "world.json" }
  resource sim.object y {
    kind = "db"
    name = "${BT}<details>" + missing
  }
}
`,
  };
  const toRepoPath = (f: string) => `infra/${f}`;

  it("the comment form: the key, the count, each error with code, file:line:col, message, hint and its source line", async () => {
    const p = project(files);
    const failed = await p.fail();
    expect(failed.diagnostics.map((d) => d.code)).toEqual(["LXM2003", "LXM2003"]);
    const key = planCommentKey("infra");
    const body = renderErrorsComment({ path: "infra", diagnostics: failed.diagnostics, sources: failed.sources, toRepoPath, runUrl: RUN, omittedAnnotations: 0, key });
    const lines = body.split("\n");
    expect(lines[0]).toBe(key);
    expect(lines[1]).toBe("**Lexum: 2 errors in the .lxm files of project `infra`: nothing was planned.**");
    // db/db.lxm sorts before main.lxm; columns counted from the source text.
    const dbCol = files["db/db.lxm"].split("\n")[4]!.indexOf("missing") + 1;
    expect(body).toContain(`**error[LXM2003]** at \`infra/db/db.lxm:5:${dbCol}\`: unknown name \\\`missing\\\``);
    expect(body).toContain("**error[LXM2003]** at `infra/main.lxm:5:12`: unknown name \\`nope\\`");
    const snippets = fencedBlocks(body).filter((b) => b.info === "text");
    expect(snippets).toHaveLength(2);
    expect(snippets[0]!.lines).toEqual([`5 |     name = "${BT}<details>" + missing`, `  | ${" ".repeat(dbCol - 1)}^^^^^^^`]);
    expect(snippets[1]!.lines).toEqual(["5 |     name = nope", "  |            ^^^^"]);
    expect(body).not.toContain("annotations");
    expectWellFormed(body);
  });

  it("the job summary form: no key, and it says how many were not shown as annotations", async () => {
    const p = project(files);
    const failed = await p.fail();
    const body = renderErrorsComment({ path: ".", diagnostics: failed.diagnostics, sources: failed.sources, toRepoPath: (f) => f, runUrl: RUN, omittedAnnotations: 3 });
    expect(body.startsWith("**Lexum: 2 errors in the .lxm files: nothing was planned.**\n")).toBe(true);
    expect(body).toContain("3 diagnostics are not shown as annotations (GitHub shows 10 errors and 10 warnings per step); all are listed here.");
    expect(body).toContain("`main.lxm:5:12`");
    expectWellFormed(body);
    const one = renderErrorsComment({ path: ".", diagnostics: failed.diagnostics, sources: failed.sources, toRepoPath: (f) => f, runUrl: RUN, omittedAnnotations: 1 });
    expect(one).toContain("1 diagnostic is not shown as annotations");
  });

  it("hundreds of errors with notes are cut to 65,536 characters and the rest counted", async () => {
    const domains = Array.from({ length: 700 }, (_, i) => `domain d${i} {
  provider sim { world = "world.json" }
  resource sim.object conflicting_${i} {
    kind = "x"
    name = "same"
  }
}
`).join("");
    const p = project({ "main.lxm": domains });
    const failed = await p.fail();
    expect(failed.diagnostics.length).toBeGreaterThan(600);
    expect(failed.diagnostics.some((d) => (d.related ?? []).length > 0)).toBe(true);
    const body = renderErrorsComment({ path: ".", diagnostics: failed.diagnostics, sources: failed.sources, toRepoPath: (f) => f, runUrl: RUN, omittedAnnotations: 0, key: planCommentKey(".") });
    expectWellFormed(body);
    expect(body.length).toBeLessThanOrEqual(CHECK_OUTPUT_LIMIT); // also a check run's summary
    expect(body.length).toBeGreaterThan(CHECK_OUTPUT_LIMIT - 2000);
    const shown = (body.match(/\*\*error\[LXM2090\]\*\*/g) ?? []).length;
    expect(shown).toBeGreaterThan(50);
    expect(body).toContain(`_${failed.diagnostics.length - shown} more diagnostics not shown here: \`lxm check\` lists them all._`);
    expect(body).toContain("note: ");
    // The job summary form says how many it lists when it cannot list them all.
    const summary = renderErrorsComment({ path: ".", diagnostics: failed.diagnostics, sources: failed.sources, toRepoPath: (f) => f, runUrl: RUN, omittedAnnotations: failed.diagnostics.length - 10 });
    expectWellFormed(summary);
    const listed = (summary.match(/\*\*error\[LXM2090\]\*\*/g) ?? []).length;
    expect(summary).toContain(`${failed.diagnostics.length - 10} diagnostics are not shown as annotations (GitHub shows 10 errors and 10 warnings per step); the first ${listed} are listed here.`);
  });
});

describe("renderAppliedComment", () => {
  const base = {
    path: ".",
    commit: "0123456789abcdef0123456789abcdef01234567",
    plan: "sha256:" + "ab".repeat(32),
    snapshot: "sha256:" + "cd".repeat(32),
    stateCommit: "89abcdef0123456789abcdef0123456789abcdef",
    runUrl: RUN,
  };
  it("the key of the merge commit, then exactly the applied line, and the run", () => {
    const body = renderAppliedComment({ ...base, status: "quiescent" });
    const lines = body.split("\n");
    expect(lines[0]).toBe(appliedCommentKey(".", base.commit));
    expect(lines[1]).toBe(`Applied plan ${base.plan} → snapshot ${base.snapshot} (commit ${base.stateCommit})`);
    expect(body).not.toContain("Status");
    expect(body).toContain(`[workflow run](<${RUN}>)`);
    expectWellFormed(body);
  });
  it("says the status when the run did not end quiescent, and names the project", () => {
    const body = renderAppliedComment({ ...base, path: "infra/prod", status: "rolled-back" });
    expect(body.split("\n")[0]).toBe(appliedCommentKey("infra/prod", base.commit));
    expect(body).toContain("Status: **rolled-back**");
    expect(body).toContain("project `infra/prod`");
    expectWellFormed(body);
  });
});

describe("renderApplyFailedComment", () => {
  const failing = (extra = ""): string => `domain db {
  provider sim {
    world  = "world.json"
    faults = [{ op = "create", address = "db/sim.object.main", kind = "error", times = 9 }]
  }
  resource sim.object main {
    kind = "db"
    name = "main"
  }
  resource sim.object replica {
    kind = "db"
    name = "replica"
    spec = { of = main.uid }
  }
}
domain web {
  provider sim { world = "world.json" }
  resource sim.object svc for name in ["api", "worker"] {
    kind = "svc"
    name = name
  }
${extra}}
`;

  it("the failure, the failed snapshot and state commit, and the DAG diff: succeeded, failed with its error, not run", async () => {
    const p = project({ "main.lxm": failing() });
    const out = await p.apply();
    const result = out.result!;
    expect(result.status).toBe("failed");
    const rec = out.commits[0]!;
    const body = renderApplyFailedComment({ path: ".", commit: p.head(), plan: out.planned.plan, result, snapshot: rec.hash, stateCommit: rec.oid, runUrl: RUN });
    const lines = body.split("\n");
    expect(lines[0]).toBe(appliedCommentKey(".", p.head()));
    expect(lines[1]).toMatch(/^\*\*Apply failed\*\* \(failed\) in domain `db` at `db\/sim\.object\.main`: create db\/sim\.object\.main failed/);
    expect(body).toContain(`Snapshot \`${rec.hash}\` records what it is (state commit \`${rec.oid}\`)`);
    expect(body).toContain(`Plan \`${out.planned.plan.hash}\`, merged commit \`${p.head()}\`.`);
    expect(body).toContain("| 4 | 2 | 1 | 1 |");
    const section = (title: string) => body.slice(body.indexOf(`<summary>${title}`), body.indexOf("</details>", body.indexOf(`<summary>${title}`)));
    expect(section("Failed (1)")).toContain("- `+ db/sim.object.main` create: create db/sim.object.main failed");
    expect(section("Failed (1)")).toContain("injected error on create");
    expect(section("Succeeded (2)")).toContain('- `+ web/sim.object.svc["api"]` create');
    expect(section("Succeeded (2)")).toContain('- `+ web/sim.object.svc["worker"]` create');
    expect(section("Not run (1)")).toContain("- `+ db/sim.object.replica` create");
    expectWellFormed(body);
  });

  it("a failed apply with thousands of actions not run fits 65,536 characters and links the job summary", async () => {
    const names = Array.from({ length: 1500 }, (_, i) => `"a-service-with-a-rather-long-name-${String(i).padStart(4, "0")}"`).join(", ");
    const p = project({
      "main.lxm": `domain big {
  provider sim {
    world  = "world.json"
    faults = [{ op = "create", kind = "error", times = 99 }]
  }
  resource sim.object svc for name in [${names}] {
    kind = "svc"
    name = name
  }
}
`,
    });
    const out = await p.apply();
    const result = out.result!;
    expect(result.dag.notStarted.length).toBe(1499);
    const body = renderApplyFailedComment({ path: ".", commit: p.head(), plan: out.planned.plan, result, snapshot: out.commits[0]!.hash, stateCommit: out.commits[0]!.oid, runUrl: RUN });
    expectWellFormed(body);
    expect(body).toContain("| 1500 | 0 | 1 | 1499 |");
    expect(body).toMatch(/_\d+ more: see the \[job summary\]\(<https:/);
    expect(body).toContain("<summary>Failed (1)</summary>");
  });
});

// ---------------------------------------------------------------------------------------
// Property: whatever the text inside, every body is within the limit and well formed.

const fragments = ["```", "~~~", "`", "``", "<details>", "</details>", "<summary>", "<!--", "-->", "--!>", "\n", "\r\n", "<", ">", "&", "|", "*", "_", "[x](y)", "#", "\\", " ", "    ", "a", "é", "😀", "${", "\u0000", "\t"];
const hostileText = fc.array(fc.constantFrom(...fragments), { maxLength: 12 }).map((parts) => parts.join(""));
const SIZE = fc.integer({ min: 1, max: 3 });

function hostilePlan(domains: string[], keys: string[], contents: string[]): Plan {
  const all = domains.map((d, i) => {
    const rs = keys.map((k, j) => res(d, "fs.file", "f", { path: `p/${i}/${j}`, content: contents[(i + j) % contents.length]!, mode: "0644" }, { key: k }));
    return { d, rs };
  });
  // Half the resources exist with other content: updates (- and + lines) beside creates.
  const before = all.flatMap(({ rs }) => rs.filter((_, j) => j % 2 === 0).map((r) => rec({ ...r, attrs: { ...r.attrs, content: "old" + String(r.attrs["content"]) } })));
  const r = buildPlan({ programHash: PROGRAM_HASH, catalog: CATALOG, program: prog(...all.map(({ d, rs }) => dom(d, rs))), prior: prior(before) });
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.plan!;
}

const domainName = hostileText.map((s) => "d" + s.replace(/\//g, ""));

describe("every body is within 65,536 characters and never leaves a fence, <details> or comment open (property)", () => {
  it("plan and refused comments, whatever the values, keys, domain names, path and reason hold", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(domainName, { minLength: 1, maxLength: 3 }),
        fc.uniqueArray(hostileText, { minLength: 1, maxLength: 4 }),
        fc.array(hostileText, { minLength: 1, maxLength: 3 }),
        hostileText,
        hostileText,
        (domains, keys, contents, path, reason) => {
          const plan = hostilePlan(domains, keys, contents);
          const pin: Pin = { plan: plan.hash, program: plan.program, prior: plan.prior };
          const body = renderPlanComment({ plan, pin, path, headSha: "f".repeat(40), runUrl: RUN });
          expectWellFormed(body);
          expect(body.split("\n")[0]).toBe(planCommentKey(path));
          expect(countOutside(body, "<details")).toBe(plan.steps.flatMap((s) => s.domains).filter((d) => d.actions.some((a) => a.action !== "noop")).length);
          const refused = renderRefusedComment({ plan, pin, path, headSha: "f".repeat(40), runUrl: RUN, reason });
          expectWellFormed(refused);
        },
      ),
      { numRuns: 150, seed: 20240512 },
    );
  });

  it("big plans with hostile values: shortened, still whole", () => {
    fc.assert(
      fc.property(hostileText, SIZE, (content, scale) => {
        const keys = Array.from({ length: 400 * scale }, (_, i) => `k${i}${content}`);
        const plan = hostilePlan(["web", "db"], keys, [content.repeat(20)]);
        const body = renderPlanComment({ plan, pin: { plan: plan.hash, program: plan.program, prior: plan.prior }, path: ".", headSha: "f".repeat(40), runUrl: RUN });
        expectWellFormed(body);
      }),
      { numRuns: 12, seed: 7 },
    );
  });

  it("errors comments, whatever the messages, hints and source lines hold", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(hostileText, hostileText, hostileText, fc.nat(), fc.nat(3)), { minLength: 1, maxLength: 30 }), hostileText, (items, path) => {
        const sources = new SourceSet();
        const diagnostics: Diagnostic[] = items.map(([message, hint, text, at, len], i) => {
          const file = `f${i}.lxm`;
          sources.add(new SourceFile(file, text));
          const start = text.length === 0 ? 0 : at % text.length;
          const d = catalog.semantic.unknownName({ file, start, end: Math.min(text.length, start + len) }, message, hint === "" ? null : hint);
          return i % 3 === 0 ? { ...d, related: [{ span: { file, start: 0, end: 0 }, message: hint }] } : d;
        });
        for (const key of [undefined, planCommentKey(path)]) {
          const body = renderErrorsComment({ path, diagnostics, sources, toRepoPath: (f) => `${path}/${f}`, runUrl: RUN, omittedAnnotations: items.length, ...(key ? { key } : {}) });
          expectWellFormed(body);
        }
      }),
      { numRuns: 150, seed: 99 },
    );
  });

  it("failed-apply comments, whatever the errors and addresses hold", () => {
    fc.assert(
      fc.property(fc.uniqueArray(hostileText, { minLength: 2, maxLength: 6 }), hostileText, fc.nat(), (keys, error, cut) => {
        const plan = hostilePlan(["web"], keys, ["x"]);
        const addresses = plan.steps.flatMap((s) => s.domains.flatMap((d) => d.actions.filter((a) => a.action !== "noop").map((a) => a.address)));
        const failedAt = cut % addresses.length;
        const done = new Set(addresses.slice(0, failedAt));
        const failed = new Set([addresses[failedAt]!]);
        const trace: TraceEvent[] = [{ step: 1, domain: "web", seq: 0, phase: "failed", address: addresses[failedAt]!, message: error }];
        const result: RunResult = {
          status: "failed",
          resources: {},
          exports: {},
          domains: { web: "failed", [error]: "skipped" },
          trace,
          dag: dagDiff(plan, done, failed),
          failure: { address: addresses[failedAt]!, domain: "web", message: error },
        };
        const body = renderApplyFailedComment({ path: error, commit: "e".repeat(40), plan, result, snapshot: "sha256:" + "1".repeat(64), stateCommit: "2".repeat(40), runUrl: RUN });
        expectWellFormed(body);
        expect(body.split("\n")[0]).toBe(appliedCommentKey(error, "e".repeat(40)));
      }),
      { numRuns: 150, seed: 3 },
    );
  });
});

// ---------------------------------------------------------------------------------------
// Golden bodies: what a reviewer sees, reviewed like code (`LXM_UPDATE=1` rewrites them).

describe("golden comments (fixtures/host/)", () => {
  const root = fileURLToPath(new URL("../../fixtures/", import.meta.url));
  const load = (name: string): Plan => {
    const input = JSON.parse(readFileSync(`${root}plans/${name}/input.json`, "utf8")) as Omit<BuildPlanInput, "catalog">;
    const r = buildPlan({ ...input, catalog: CATALOG });
    expect(r.diagnostics).toEqual([]);
    return r.plan!;
  };
  const head = "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39";
  const pinFor = (plan: Plan): Pin => ({ plan: plan.hash, program: plan.program, prior: plan.prior });

  it("plan comments: a mixed plan in a project folder, a first plan, no changes, and a refused merge", () => {
    const mixed = load("mixed");
    const bodies: [string, string][] = [
      ["plan-mixed.md", renderPlanComment({ plan: mixed, pin: pinFor(mixed), path: "infra/prod", headSha: head, runUrl: RUN })],
      ["plan-first.md", renderPlanComment({ plan: load("first-apply"), pin: pinFor(load("first-apply")), path: ".", headSha: head, runUrl: RUN })],
      ["plan-no-changes.md", renderPlanComment({ plan: load("no-changes"), pin: pinFor(load("no-changes")), path: ".", headSha: head, runUrl: RUN })],
      ["refused.md", renderRefusedComment({ plan: mixed, pin: pinFor(mixed), path: ".", headSha: head, runUrl: RUN, reason: `the state moved: the plan was reviewed against snapshot none, the state branch is now at ${mixed.prior}` })],
    ];
    for (const [file, body] of bodies) {
      expectWellFormed(body);
      expectGolden(`${root}host/${file}`, body);
    }
  });

  it("errors, applied and failed-apply comments", () => {
    const sources = new SourceSet();
    const text = 'domain web {\n  resource fs.file page {\n    path    = "site/index.html"\n    content = title\n  }\n}\n';
    sources.add(new SourceFile("web/site.lxm", text));
    const at = text.indexOf("title");
    const diagnostics = [catalog.semantic.unknownName({ file: "web/site.lxm", start: at, end: at + 5 }, "title", "titles")];
    expectGolden(`${root}host/errors.md`, renderErrorsComment({ path: "infra", diagnostics, sources, toRepoPath: (f) => `infra/${f}`, runUrl: RUN, omittedAnnotations: 0, key: planCommentKey("infra") }));

    const mixed = load("mixed");
    const snapshot = "sha256:" + "9e".repeat(32);
    const stateCommit = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
    expectGolden(`${root}host/applied.md`, renderAppliedComment({ path: ".", commit: head, plan: mixed.hash, snapshot, stateCommit, status: "quiescent", runUrl: RUN }));
    const planned = mixed.steps.flatMap((s) => s.domains.flatMap((d) => d.actions.filter((a) => a.action !== "noop").map((a) => a.address)));
    const failedAt = planned.indexOf("storage/fs.symlink.current");
    const message = "replace storage/fs.symlink.current failed after 3 attempts: fs.EACCES: permission denied, symlink 'data/settings.v2.json'";
    const result: RunResult = {
      status: "failed",
      resources: {},
      exports: {},
      domains: { storage: "failed", web: "skipped" },
      trace: [{ step: 1, domain: "storage", seq: 9, phase: "failed", address: planned[failedAt]!, message }],
      dag: dagDiff(mixed, new Set(planned.slice(0, failedAt)), new Set([planned[failedAt]!])),
      failure: { address: planned[failedAt]!, domain: "storage", message },
    };
    const failed = renderApplyFailedComment({ path: ".", commit: head, plan: mixed, result, snapshot, stateCommit, runUrl: RUN });
    expectWellFormed(failed);
    expectGolden(`${root}host/apply-failed.md`, failed);
  });
});
