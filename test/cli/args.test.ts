import path from "node:path";
import { describe, expect, it } from "vitest";
import { commands } from "../../src/cli/commands/index.js";
import { lxm } from "./capture.js";

/** The command line itself: --help from the option tables, did-you-mean, conflicts, --dir. */

const root = path.resolve(import.meta.dirname, "../..");
const demo = path.join(root, "fixtures/demo/v1");

describe("usage errors in Lexum's words (LXM5005), never Node's parser text", () => {
  it.each([
    [["pln"], "unknown command 'pln' (did you mean 'plan'?)"],
    [["plan", "--jsn"], "unknown flag '--jsn' for 'lxm plan' (did you mean '--json'?)"],
    [["state", "log", "-d", "x"], "unknown flag '-d' for 'lxm state log' (did you mean '--dir'?)"],
    [["state", "shw"], "unknown command 'shw' for 'lxm state' (did you mean 'show'?)"],
    [["plan", "--out"], "flag '--out' needs a value: --out FILE"],
    [["plan", "--out", "--refresh"], "flag '--out' needs a value: --out FILE"],
    [["trace", "--port", "0"], "--port needs --web"],
    [["show", "p.json", "--markdown", "--json"], "--markdown and --json cannot be used together"],
    [["check", "--json=yes"], "flag '--json' takes no value"],
    [["graph", "--format", "mermaidd"], "--format takes dot or mermaid, got 'mermaidd' (did you mean 'mermaid'?)"],
    [["apply", "--parallelism", "0"], "--parallelism takes a whole number ≥ 1, got '0'"],
    [["state", "log", "extra"], "unexpected argument 'extra' for 'lxm state log'"],
    [["check", "a", "--dir", "b"], "the project folder is given twice, as 'a' and with --dir 'b'"],
    [["show"], "'lxm show' needs a plan file (PLANFILE, written by `lxm plan --out`)"],
  ])("lxm %j", async (args, message) => {
    const r = await lxm(demo, args);
    expect(r.code).toBe(1);
    const json = args.includes("--json");
    if (json) {
      expect(r.err).toBe("");
      expect(JSON.parse(r.out).error.message).toBe(message);
      return;
    }
    expect(r.out).toBe("");
    expect(r.err.split("\n")[0]).toBe(`error[LXM5005]: ${message}`);
    expect(r.err).toMatch(/\n {2}hint: \S/);
    expect(r.err).not.toMatch(/Unknown option|positional argument|ERR_PARSE_ARGS/);
  });

  it("conflicting flags with --json: the error document", async () => {
    for (const [args, message] of [
      [["plan", "--json", "--markdown"], "--json and --markdown cannot be used together"],
      [["trace", "--web", "--json"], "--web and --json cannot be used together"],
    ] as const) {
      const r = await lxm(demo, [...args]);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.out).error).toEqual({ code: "LXM5005", message, hint: expect.stringMatching(/\S/) });
    }
  });

  it("with --json a usage error is the error document on stdout", async () => {
    const r = await lxm(demo, ["plan", "--jsn", "--json"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("");
    expect(JSON.parse(r.out)).toEqual({
      error: { code: "LXM5005", message: "unknown flag '--jsn' for 'lxm plan' (did you mean '--json'?)", hint: "run `lxm plan --help` for usage" },
      diagnostics: [],
    });
  });

  it("flags take --flag=value, -C DIR, and `--` ends them", async () => {
    expect((await lxm(root, ["check", "--dir=fixtures/demo/v1"])).code).toBe(0);
    expect((await lxm(root, ["check", "-C", "fixtures/demo/v1"])).code).toBe(0);
    expect((await lxm(root, ["check", "--", "fixtures/demo/v1"])).code).toBe(0);
  });
});

describe("--help", () => {
  it("lxm plan --help and lxm help plan print usage, the summary and every flag with a description", async () => {
    const a = await lxm(demo, ["plan", "--help"]);
    expect(a.code).toBe(0);
    expect(a.out).toBe((await lxm(demo, ["help", "plan"])).out);
    const lines = a.out.split("\n");
    expect(lines[0]).toBe("usage: lxm plan [--dir DIR] [--project PATH] [--env NAME] [--rev REV] [--refresh] [--out FILE] [--detailed-exitcode] [--json | --markdown]");
    expect(lines[2]).toBe(commands["plan"]!.spec.summary);
    for (const flag of ["-C, --dir DIR", "--rev REV", "--refresh", "--out FILE", "--json", "--markdown", "-h, --help"]) {
      expect(lines.find((l) => l.trimStart().startsWith(flag))).toMatch(new RegExp(`${flag.replace(/[-,]/g, "\\$&")}\\s{2,}\\S`));
    }
  });

  it("every command's help lists every flag of its option table", async () => {
    for (const [name, cmd] of Object.entries(commands)) {
      const specs = "subcommands" in cmd.spec ? Object.values(cmd.spec.subcommands) : [cmd.spec];
      for (const spec of specs) {
        const r = await lxm(demo, [...spec.name.split(" "), "--help"]);
        expect(r.code, name).toBe(0);
        expect(r.out.startsWith(`usage: lxm ${spec.name}`)).toBe(true);
        for (const flag of Object.keys(spec.flags)) expect(r.out, `${spec.name} --${flag}`).toMatch(new RegExp(`\\n {2}(-\\w, )? *--${flag}\\b[^\\n]* {2,}\\S`));
      }
    }
  });

  it("lxm state --help lists the subcommands; lxm state show --help its flags", async () => {
    const group = await lxm(demo, ["state", "--help"]);
    expect(group.code).toBe(0);
    for (const sub of ["list", "log", "show", "verify", "gc"]) expect(group.out).toMatch(new RegExp(`\\n  ${sub} +\\S`));
    const show = await lxm(demo, ["state", "show", "--help"]);
    expect(show.out).toMatch(/^usage: lxm state show \[REF\|HASH\] \[ADDRESS\] \[--dir DIR\]/);
    expect(show.out).toMatch(/--at STEP +every resource as it stood after trace step STEP/);
    expect((await lxm(demo, ["help", "state", "show"])).out).toBe(show.out);
  });

  it("lxm --help names every command, including state list's siblings output and show", async () => {
    const r = await lxm(demo, ["--help"]);
    for (const name of ["check", "fmt", "plan", "apply", "show", "output", "graph", "state", "replay", "trace", "demo"]) expect(r.out).toMatch(new RegExp(`\\n  ${name} +\\S`));
  });
});
