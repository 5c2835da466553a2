import fc from "fast-check";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LexumError } from "../../src/diag/diagnostic.js";
import type { Diagnostic } from "../../src/diag/diagnostic.js";
import { catalog } from "../../src/diag/index.js";
import { SourceFile, SourceSet } from "../../src/diag/source.js";
import { renderPlanMarkdown } from "../../src/plan/render/markdown.js";
import {
  SUMMARY_CUT_NOTICE,
  SUMMARY_LIMIT_BYTES,
  annotations,
  appendSummary,
  command,
  cutMarkdown,
  readInputs,
  readRunnerContext,
  setOutput,
} from "../../src/host/runner.js";
import { projectFactory } from "./project-fixtures.js";
import { markdownProblems } from "./markdown-check.js";

const project = projectFactory();
const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "lexum-runner-"));
  dirs.push(d);
  return d;
}

function thrown(f: () => unknown): LexumError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LexumError);
    return e as LexumError;
  }
  throw new Error("expected a LexumError");
}

async function rejected(p: Promise<unknown>): Promise<LexumError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(LexumError);
    return e as LexumError;
  }
  throw new Error("expected a LexumError");
}

describe("readInputs", () => {
  it("defaults when nothing (or only blanks) is given", () => {
    const expected = { path: ".", stateBranch: null, environment: null, mode: "auto", githubToken: "", requireReviewedPlan: true, comment: "on-change", parallelism: null };
    expect(readInputs({})).toEqual(expected);
    const blank = { INPUT_PATH: "  ", "INPUT_STATE-BRANCH": "", INPUT_MODE: " ", "INPUT_GITHUB-TOKEN": "", "INPUT_REQUIRE-REVIEWED-PLAN": "\n", INPUT_COMMENT: "", INPUT_PARALLELISM: "" };
    expect(readInputs(blank)).toEqual(expected);
  });

  it("reads INPUT_<NAME> upper-cased with hyphens kept, trimmed", () => {
    const env = {
      INPUT_PATH: " infra/prod ",
      "INPUT_STATE-BRANCH": "lexum/prod\n",
      INPUT_ENVIRONMENT: " production ",
      INPUT_MODE: "plan",
      "INPUT_GITHUB-TOKEN": " ghs_secret ",
      "INPUT_REQUIRE-REVIEWED-PLAN": "False",
      INPUT_COMMENT: "always",
      INPUT_PARALLELISM: "4",
    };
    expect(readInputs(env)).toEqual({ path: "infra/prod", stateBranch: "lexum/prod", environment: "production", mode: "plan", githubToken: "ghs_secret", requireReviewedPlan: false, comment: "always", parallelism: 4 });
    // Underscores are not hyphens: the runner keeps the hyphen.
    expect(readInputs({ INPUT_STATE_BRANCH: "x", INPUT_GITHUB_TOKEN: "t", INPUT_REQUIRE_REVIEWED_PLAN: "false" })).toMatchObject({ stateBranch: null, githubToken: "", requireReviewedPlan: true });
  });

  it("booleans as @actions/core's getBooleanInput: true/True/TRUE, false/False/FALSE, nothing else", () => {
    for (const v of ["true", "True", "TRUE"]) expect(readInputs({ "INPUT_REQUIRE-REVIEWED-PLAN": v }).requireReviewedPlan).toBe(true);
    for (const v of ["false", "False", "FALSE"]) expect(readInputs({ "INPUT_REQUIRE-REVIEWED-PLAN": v }).requireReviewedPlan).toBe(false);
    for (const v of ["yes", "no", "1", "0", "tRUE", "on"]) {
      const e = thrown(() => readInputs({ "INPUT_REQUIRE-REVIEWED-PLAN": v }));
      expect(e.code).toBe(catalog.runner.badInput.code);
      expect(e.message).toBe(`input require-reviewed-plan: ${JSON.stringify(v)} is not a boolean: true, True, TRUE, false, False or FALSE`);
      expect(e.hint).toContain("require-reviewed-plan");
    }
  });

  it("a bad mode, comment or parallelism names the input, the value and what is allowed", () => {
    const mode = thrown(() => readInputs({ INPUT_MODE: "deploy" }));
    expect(mode.code).toBe("LXM6030");
    expect(mode.message).toBe('input mode: "deploy" is not one of auto, plan, apply');
    expect(thrown(() => readInputs({ INPUT_MODE: "Auto" })).message).toContain("one of auto, plan, apply");
    expect(thrown(() => readInputs({ INPUT_COMMENT: "sometimes" })).message).toBe('input comment: "sometimes" is not one of always, on-change, never');
    for (const v of ["0", "-1", "2.5", "abc", "1e3", "99999999999999999999", "+3"]) {
      const e = thrown(() => readInputs({ INPUT_PARALLELISM: v }));
      expect(e.code).toBe("LXM6030");
      expect(e.message).toBe(`input parallelism: ${JSON.stringify(v)} is not a positive integer (1, 2, …)`);
    }
    expect(readInputs({ INPUT_PARALLELISM: " 12 " }).parallelism).toBe(12);
  });
});

describe("readRunnerContext", () => {
  const sha = "0123456789abcdef0123456789abcdef01234567";
  function jobEnv(event: unknown = { action: "opened", number: 7 }): NodeJS.ProcessEnv {
    const d = tmp();
    const file = join(d, "event.json");
    writeFileSync(file, typeof event === "string" ? event : JSON.stringify(event));
    return { GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: file, GITHUB_REPOSITORY: "acme/infra", GITHUB_SHA: sha, GITHUB_REF: "refs/pull/7/merge", GITHUB_RUN_ID: "4242" };
  }

  it("reads the job's variables and the event file, with the runner's defaults", () => {
    const env = jobEnv();
    expect(readRunnerContext(env)).toEqual({
      eventName: "pull_request",
      event: { action: "opened", number: 7 },
      repository: "acme/infra",
      sha,
      ref: "refs/pull/7/merge",
      apiUrl: "https://api.github.com",
      serverUrl: "https://github.com",
      workspace: process.cwd(),
      runId: 4242,
      runAttempt: 1,
    });
    const ghes = readRunnerContext({ ...env, GITHUB_API_URL: "http://127.0.0.1:8080/api/v3/", GITHUB_SERVER_URL: "https://ghe.example.com/", GITHUB_WORKSPACE: "/w", GITHUB_RUN_ATTEMPT: "3" });
    expect(ghes).toMatchObject({ apiUrl: "http://127.0.0.1:8080/api/v3", serverUrl: "https://ghe.example.com", workspace: "/w", runAttempt: 3 });
    const { GITHUB_REF: _, ...noRef } = env;
    expect(readRunnerContext(noRef).ref).toBe("");
    // A runner always sets it; without it the run is anonymous (its apply lock is aged, never taken as its own).
    const { GITHUB_RUN_ID: __, ...noRun } = env;
    expect(readRunnerContext(noRun).runId).toBeNull();
  });

  it("outside a job: names every missing variable and says the Action runs inside a GitHub Actions job", () => {
    const e = thrown(() => readRunnerContext({}));
    expect(e.code).toBe("LXM6031");
    expect(e.message).toBe("GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_SHA are not set: the Lexum Action runs inside a GitHub Actions job");
    const { GITHUB_SHA: _, ...noSha } = jobEnv();
    expect(thrown(() => readRunnerContext(noSha)).message).toBe("GITHUB_SHA is not set: the Lexum Action runs inside a GitHub Actions job");
  });

  it("an event file that is missing, not JSON or not an object is a clear error", () => {
    const missing = thrown(() => readRunnerContext({ ...jobEnv(), GITHUB_EVENT_PATH: join(tmp(), "nope.json") }));
    expect(missing.code).toBe("LXM6032");
    expect(missing.message).toMatch(/^cannot read the event payload .*nope\.json: ENOENT$/);
    const bad = thrown(() => readRunnerContext(jobEnv("{ not json")));
    expect(bad.code).toBe("LXM6032");
    expect(bad.message).toContain("not JSON (");
    expect(thrown(() => readRunnerContext(jobEnv("[1, 2]"))).message).toMatch(/: not a JSON object$/);
    expect(thrown(() => readRunnerContext(jobEnv("null"))).message).toMatch(/: not a JSON object$/);
  });

  it("malformed runner variables are refused by name", () => {
    const cases: [string, string][] = [
      ["GITHUB_REPOSITORY", "acme"],
      ["GITHUB_REPOSITORY", "acme/infra/x"],
      ["GITHUB_SHA", "HEAD"],
      ["GITHUB_SHA", sha.toUpperCase()],
      ["GITHUB_RUN_ID", "12a"],
      ["GITHUB_RUN_ID", "0"],
      ["GITHUB_RUN_ATTEMPT", "-1"],
      ["GITHUB_API_URL", "not a url"],
      ["GITHUB_SERVER_URL", "ftp://github.com"],
    ];
    for (const [name, value] of cases) {
      const e = thrown(() => readRunnerContext({ ...jobEnv(), [name]: value }));
      expect(e.code).toBe("LXM6033");
      expect(e.message.startsWith(`${name}=${JSON.stringify(value)} is not `)).toBe(true);
    }
  });
});

/** The runner's reading of GITHUB_OUTPUT: `name=value` lines, or `name<<DELIM`, lines, `DELIM`. */
function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (!heredoc) throw new Error(`line ${i + 1} is not name<<DELIM: ${line}`);
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]!);
    if (i >= lines.length) throw new Error(`delimiter ${heredoc[2]} never closes`);
    out[heredoc[1]!] = value.join("\n");
  }
  return out;
}

describe("setOutput", () => {
  it("appends name<<DELIM heredocs the runner reads back exactly, with a delimiter absent from the value", async () => {
    const file = join(tmp(), "output");
    const env = { GITHUB_OUTPUT: file };
    await setOutput(env, "plan-hash", "sha256:" + "ab".repeat(32));
    await setOutput(env, "summary", "Plan: 1 to create\nline two\n");
    await setOutput(env, "tricky", "x\nghadelimiter_lexum\nghadelimiter_lexum_1\ny");
    await setOutput(env, "empty", "");
    const text = readFileSync(file, "utf8");
    expect(text.startsWith(`plan-hash<<ghadelimiter_lexum\nsha256:${"ab".repeat(32)}\nghadelimiter_lexum\n`)).toBe(true);
    expect(text).toContain("tricky<<ghadelimiter_lexum_2\n");
    expect(parseOutputFile(text)).toEqual({
      "plan-hash": "sha256:" + "ab".repeat(32),
      summary: "Plan: 1 to create\nline two\n",
      tricky: "x\nghadelimiter_lexum\nghadelimiter_lexum_1\ny",
      empty: "",
    });
  });

  it("writes nothing without GITHUB_OUTPUT, and a file it cannot append to is LXM6034", async () => {
    await expect(setOutput({}, "x", "y")).resolves.toBeUndefined();
    const dir = tmp();
    const e = await rejected(setOutput({ GITHUB_OUTPUT: dir }, "x", "y"));
    expect(e.code).toBe("LXM6034");
    expect(e.message).toBe(`cannot append to GITHUB_OUTPUT (${dir}): EISDIR`);
  });
});

describe("appendSummary", () => {
  it("appends Markdown (ending each append with a line break); nothing without GITHUB_STEP_SUMMARY", async () => {
    const file = join(tmp(), "summary.md");
    await appendSummary({ GITHUB_STEP_SUMMARY: file }, "### one");
    await appendSummary({ GITHUB_STEP_SUMMARY: file }, "two\n");
    expect(readFileSync(file, "utf8")).toBe("### one\ntwo\n");
    await expect(appendSummary({}, "x")).resolves.toBeUndefined();
  });

  it("never lets the summary pass 1 MiB: real plans appended until full are cut at a line, their blocks closed, and then nothing more is written", async () => {
    const names = Array.from({ length: 1500 }, (_, i) => `"service-${i}-ü"`).join(", ");
    const p = project({
      "main.lxm": `domain web {
  provider sim { world = "world.json" }
  resource sim.object svc for name in [${names}] {
    kind = "svc"
    name = name
    spec = { image = "registry.example.com/team/\${name}:1.2.3", note = "é😀" }
  }
}
`,
    });
    const md = renderPlanMarkdown((await p.plan()).plan);
    expect(Buffer.byteLength(md)).toBeGreaterThan(200_000);
    const file = join(tmp(), "summary.md");
    const env = { GITHUB_STEP_SUMMARY: file };
    const appends = Math.ceil(SUMMARY_LIMIT_BYTES / Buffer.byteLength(md)) + 2;
    let before = 0;
    let cutAt = -1;
    for (let i = 0; i < appends; i++) {
      await appendSummary(env, md);
      const size = statSync(file).size;
      expect(size).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
      if (cutAt < 0 && size - before < Buffer.byteLength(md)) cutAt = i;
      else if (cutAt >= 0) expect(size).toBe(before); // full: later appends write nothing
      before = size;
    }
    expect(cutAt).toBeGreaterThan(0);
    const text = readFileSync(file, "utf8");
    expect(text.endsWith("\n" + SUMMARY_CUT_NOTICE + "\n")).toBe(true);
    expect(text.split(SUMMARY_CUT_NOTICE)).toHaveLength(2);
    // The cut append is whole: its fence and <details> are closed.
    expect(markdownProblems(text, { allowRawHtml: true })).toEqual([]);
    expect(SUMMARY_LIMIT_BYTES - Buffer.byteLength(text)).toBeLessThan(2000); // cut near the limit, not far before
  });

  it("a line longer than what is left is not split: the append becomes the cut notice, and once cut the summary takes nothing more", async () => {
    const file = join(tmp(), "summary.md");
    const env = { GITHUB_STEP_SUMMARY: file };
    await appendSummary(env, "# head\n");
    await appendSummary(env, "<details><summary>x</summary>\n\n```\n" + "y".repeat(SUMMARY_LIMIT_BYTES) + "\n```\n</details>\n");
    expect(readFileSync(file, "utf8")).toBe("# head\n<details><summary>x</summary>\n\n```\n```\n\n</details>\n\n" + SUMMARY_CUT_NOTICE + "\n");
    await appendSummary(env, "small\n");
    expect(readFileSync(file, "utf8").endsWith(SUMMARY_CUT_NOTICE + "\n")).toBe(true);
    expect(readFileSync(file, "utf8")).not.toContain("small");
  });

  it("cutMarkdown: whole lines, within the bytes, open fences, comments and <details> closed (property)", () => {
    const line = fc.oneof(
      fc.constantFrom("```", "````diff", "~~~", "   ```", "    ```", "<details><summary>x</summary>", "</details>", "<!-- a", "-->", "<!-- b -->", "text `code` é😀", "", "| a | b |", "```js `x`"),
      fc.string({ maxLength: 30 }).map((s) => s.replace(/\n/g, " ")),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), fc.integer({ min: 0, max: 2000 }), (lines, max) => {
        const text = lines.join("\n") + "\n";
        const cut = cutMarkdown(text, max);
        expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(max);
        if (cut === "") {
          expect(Buffer.byteLength("\n" + SUMMARY_CUT_NOTICE + "\n")).toBeGreaterThan(max);
          return;
        }
        expect(cut.endsWith(SUMMARY_CUT_NOTICE + "\n")).toBe(true);
        // Nothing the kept lines opened is left open (stray closers in the input are its own).
        expect(markdownProblems(cut, { allowRawHtml: true }).filter((p) => p.includes("never closed"))).toEqual([]);
        // What was kept is a prefix of whole lines of the text.
        const kept = cut.slice(0, cut.length - (SUMMARY_CUT_NOTICE.length + 1));
        let prefix = "";
        for (const l of text.split(/(?<=\n)/)) {
          if (!kept.startsWith(prefix + l)) break;
          prefix += l;
        }
        const closers = kept.slice(prefix.length);
        expect(closers).toMatch(/^(-->\n)?([`~]{3,}\n)?(\n<\/details>\n)*\n$/);
      }),
      { numRuns: 400, seed: 11 },
    );
  });
});

describe("command", () => {
  it("formats workflow commands with the runner's escaping", () => {
    expect(command("error", { file: "infra/main.lxm", line: 3, col: 5, title: "LXM1234" }, "bad thing")).toBe("::error file=infra/main.lxm,line=3,col=5,title=LXM1234::bad thing");
    expect(command("notice", {}, "50% done\r\nnext")).toBe("::notice::50%25 done%0D%0Anext");
    expect(command("warning", { file: "a,b:c%.lxm", title: "x: y, z" }, "m: n, o")).toBe("::warning file=a%2Cb%3Ac%25.lxm,title=x%3A y%2C z::m: n, o");
    expect(command("error", { file: "f", line: 1, col: 2, endLine: 3, endColumn: 4 }, "")).toBe("::error file=f,line=1,col=2,endLine=3,endColumn=4::");
    expect(command("debug", {}, "::set-output name=x::y")).toBe("::debug::::set-output name=x::y");
  });
});

/** Parses a workflow command line back (the runner's unescaping). */
function parseCommand(line: string): { kind: string; props: Record<string, string>; message: string } {
  const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!m) throw new Error(`not a command: ${line}`);
  const unData = (s: string) => s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
  const unProp = (s: string) => unData(s.replace(/%3A/g, ":").replace(/%2C/g, ","));
  const props: Record<string, string> = {};
  for (const kv of (m[2] ?? "").split(",").filter((s) => s !== "")) {
    const eq = kv.indexOf("=");
    props[kv.slice(0, eq)] = unProp(kv.slice(eq + 1));
  }
  return { kind: m[1]!, props, message: unData(m[3]!) };
}

describe("annotations", () => {
  it("real compile errors land on their file, line and column, titled with the code, message and hint in the text", async () => {
    const main = `domain web {
  provider sim { world = "world.json" }
  resource sim.object x {
    kind = "svc"
    name = nope
  }
}
`;
    const p = project({ "main.lxm": main });
    const failed = await p.fail();
    expect(failed.diagnostics).toHaveLength(1);
    const { lines, rest } = annotations(failed.diagnostics, (f) => `infra/${f}`, failed.sources);
    expect(rest).toEqual([]);
    expect(lines).toHaveLength(1);
    const c = parseCommand(lines[0]!);
    const col = main.split("\n")[4]!.indexOf("nope") + 1;
    expect(c).toEqual({
      kind: "error",
      props: { file: "infra/main.lxm", line: "5", col: String(col), endColumn: String(col + 3), title: "LXM2003" },
      message: failed.diagnostics[0]!.message + (failed.diagnostics[0]!.hint ? `\nhint: ${failed.diagnostics[0]!.hint}` : ""),
    });
  });

  it("errors before warnings, at most 10 of each; the rest returned in their order", () => {
    const sources = new SourceSet();
    const text = "line one\n\tsecond, line: here\r\nthird\n";
    sources.add(new SourceFile("a.lxm", text));
    const ds: Diagnostic[] = [];
    for (let i = 0; i < 14; i++) ds.push(catalog.host.untrackedLxmFile({ file: "a.lxm", start: 0, end: 4 }, `w${i}.lxm`));
    for (let i = 0; i < 13; i++) ds.push(catalog.semantic.unknownName({ file: "a.lxm", start: 10 + (i % 3), end: 14 }, `n${i}`, null));
    const { lines, rest } = annotations(ds, (f) => f, sources);
    expect(lines).toHaveLength(20);
    expect(lines.slice(0, 10).every((l) => l.startsWith("::error "))).toBe(true);
    expect(lines.slice(10).every((l) => l.startsWith("::warning "))).toBe(true);
    expect(parseCommand(lines[0]!).message).toBe("unknown name `n0`");
    expect(parseCommand(lines[10]!).message).toContain("w0.lxm");
    expect(rest).toEqual(ds.filter((_, i) => (i >= 10 && i < 14) || i >= 24));
    expect(rest.map((d) => d.severity)).toEqual(["warning", "warning", "warning", "warning", "error", "error", "error"]);
    // Line 2 starts after "line one\n" (offset 9); a tab counts as one column; endColumn is the span's last.
    expect(parseCommand(lines[0]!).props).toMatchObject({ line: "2", col: "2", endColumn: "5" });
    expect(parseCommand(lines[10]!).props).toMatchObject({ line: "1", col: "1", endColumn: "4" });
  });

  it("a span over several lines gives its start only; no span, no location; notes name their place", () => {
    const sources = new SourceSet();
    sources.add(new SourceFile("m.lxm", "a\nbcd\nef\n"));
    const multi = catalog.semantic.unknownName({ file: "m.lxm", start: 3, end: 7 }, "x", "y");
    const whole: Diagnostic = catalog.host.noLxmFiles(undefined, "dir");
    const related = catalog.semantic.unknownName.withRelated({ file: "m.lxm", start: 0, end: 1 }, [{ span: { file: "m.lxm", start: 6, end: 7 }, message: "declared here" }], "z", null);
    const unknownFile = catalog.semantic.unknownName({ file: "gone.lxm", start: 0, end: 1 }, "q", null);
    const { lines } = annotations([multi, whole, related, unknownFile], (f) => `p/${f}`, sources);
    expect(parseCommand(lines[0]!)).toEqual({ kind: "error", props: { file: "p/m.lxm", line: "2", col: "2", title: "LXM2003" }, message: "unknown name `x`\nhint: did you mean `y`?" });
    expect(parseCommand(lines[1]!)).toEqual({ kind: "error", props: { title: "LXM5002" }, message: `${whole.message}\nhint: ${whole.hint}` });
    expect(parseCommand(lines[2]!).message).toBe("unknown name `z`\nnote: declared here (p/m.lxm:3:1)");
    expect(parseCommand(lines[3]!).props).toEqual({ file: "p/gone.lxm", title: "LXM2003" });
  });
});
