import { afterAll, describe, expect, it } from "vitest";
import { cleanupRepos, expectHealthyState, makeRepo } from "./helpers.js";

afterAll(cleanupRepos);

const goal = `domain d {
  provider sim { world = "world.json" }
  resource sim.object a {
    kind   = "thing"
    name   = "a"
    spec   = { n = 1 }
    secret = secret("DB_PASSWORD")
  }
}
`;

describe("sensitive values end to end", () => {
  it("an applied secret plans as no change (with and without --refresh); a new secret plans as an update", async () => {
    const repo = makeRepo({ ".gitignore": "world.json\n", "m.lxm": goal });
    expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
    const plain = await repo.lxm(["plan"]);
    expect(plain.out).toMatch(/No changes\. The goal matches the last snapshot sha256:[0-9a-f]{64}; reality was not read \(--refresh reads it\)\./);
    expect(plain.code).toBe(0);
    const refreshed = await repo.lxm(["plan", "--refresh"]);
    expect(refreshed.out).toMatch(/No changes\. The goal matches the last snapshot sha256:[0-9a-f]{64} and what the providers read back\./);
    expect(refreshed.code).toBe(0);

    const changed = await repo.lxm(["plan", "--detailed-exitcode"], { LXM_SECRET_DB_PASSWORD: "another-one" });
    expect(changed.code).toBe(2);
    expect(changed.out).toContain("~ secret = (sensitive)");
    expect(changed.out).not.toContain("another-one");
    const r = await repo.lxm(["apply", "--yes"], { LXM_SECRET_DB_PASSWORD: "another-one" });
    expect(r.code).toBe(0);
    expect(repo.world()["thing/a"]!.generation).toBe(2);
    expect((await repo.lxm(["plan", "--refresh"], { LXM_SECRET_DB_PASSWORD: "another-one" })).code).toBe(0);
    for (const f of ["snapshot.json", "plan.json", "trace.jsonl", "resources/d/sim.object.a.json"]) {
      const text = repo.git("show", `lexum/state:${f}`);
      expect(text).not.toContain("another-one");
      expect(text).not.toContain("hunter2-e2e");
    }
    await expectHealthyState(repo);
  });
});

describe("an error about a sensitive value", () => {
  const MARKER = "MRKv4r1ant9z";
  const pieces = (s: string): boolean => {
    for (let i = 0; i + 3 <= MARKER.length; i++) if (s.includes(MARKER.slice(i, i + 3))) return true;
    return [...MARKER].some((c) => s.includes(`"${c}"`));
  };
  const expressions = [
    'tostring(tonumber(secret("TOKEN")))',
    'tostring(jsondecode(secret("TOKEN")))',
    'tostring(len(range(0, tonumber(secret("TOKEN")))))',
    'base64encode(tostring(tonumber("x${secret("TOKEN")}")))',
    'jsonencode([for c in split("", secret("TOKEN")): tonumber(c)])',
  ];
  it("names the type and origin, never the value: not on the terminal, not in any git object of the repository", async () => {
    const resources = expressions
      .map((e, i) => `  resource fs.file f${i} {\n    path    = "f${i}.txt"\n    content = ${e}\n  }\n`)
      .join("");
    const repo = makeRepo({ ".gitignore": "out/\n", "m.lxm": `domain d {\n  provider fs { root = "out" }\n${resources}}\n` });
    const r = await repo.lxm(["apply", "--yes"], { LXM_SECRET_TOKEN: MARKER });
    expect(r.code).toBe(1);
    expect(r.out + r.err).toMatch(/failed on a sensitive string \(from secret\("TOKEN"\)\)/);
    expect(pieces(r.out + r.err), r.out + r.err).toBe(false);
    // Every object git holds, loose or packed, the state branch's snapshot and trace included.
    const all = repo.git("cat-file", "--batch-all-objects", "--batch");
    expect(all).toContain("lexum.snapshot/v1");
    expect(pieces(all)).toBe(false);
    const shown = await repo.lxm(["state", "show"]);
    expect(pieces(shown.out + shown.err)).toBe(false);
    const trace = await repo.lxm(["trace", "--json"]);
    expect(trace.out).toContain("failed on a sensitive");
    expect(pieces(trace.out)).toBe(false);
  });
});

describe("a secret fed through every built-in function", () => {
  it("appears in no output, trace, snapshot or git object, whether the call succeeds or fails", async () => {
    const { BUILTINS } = await import("../../src/lang/builtins.js");
    const MARKER = "QxZ8vKw2pLm7";
    const pieces = (s: string): string[] => {
      const found: string[] = [];
      for (let i = 0; i + 3 <= MARKER.length; i++) if (s.includes(MARKER.slice(i, i + 3))) found.push(MARKER.slice(i, i + 3));
      return found;
    };
    // One domain per built-in (domains run independently: a failing call does not stop the others).
    // (Not a splat's `[*]`, which no one calls, nor nonsensitive, which refuses a secret at compile time: LXM2202.)
    const domains = [...BUILTINS.values()]
      .filter((b) => !b.compileTimeOnly && /^[a-z]/.test(b.name) && b.name !== "nonsensitive")
      .map((b) => {
        const args = ['secret("TOKEN")', ...Array.from({ length: Math.max(0, b.min - 1) }, () => '"a"')].join(", ");
        return `domain f_${b.name} {\n  provider fs { root = "out" }\n  resource fs.file out {\n    path    = "${b.name}.txt"\n    content = jsonencode(${b.name}(${args}))\n  }\n}\n`;
      });
    expect(domains.length).toBeGreaterThan(20);
    const repo = makeRepo({ ".gitignore": "out/\n", "m.lxm": domains.join("\n") });
    const r = await repo.lxm(["apply", "--yes"], { LXM_SECRET_TOKEN: MARKER });
    // Some calls succeed (upper, base64encode, …), others fail on a string (abs, range, …).
    expect(r.code).toBe(1);
    expect(r.out + r.err).toContain("failed on a sensitive string (from secret(\"TOKEN\"))");
    expect(pieces(r.out + r.err)).toEqual([]);
    const all = repo.git("cat-file", "--batch-all-objects", "--batch");
    expect(all).toContain("lexum.snapshot/v1");
    expect(pieces(all)).toEqual([]);
    for (const args of [["trace", "--json"], ["state", "show"], ["state", "list"], ["output"], ["plan"], ["plan", "--refresh"]]) {
      const o = await repo.lxm(args, { LXM_SECRET_TOKEN: MARKER });
      expect({ args, found: pieces(o.out + o.err) }).toEqual({ args, found: [] });
    }
  });
});
