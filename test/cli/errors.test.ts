import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { jsonFlag } from "../../src/cli/args.js";
import { commands } from "../../src/cli/commands/index.js";
import { lxm } from "./capture.js";

describe("every error shown to a user has a code", () => {
  it("an unexpected exception (a bug) is LXM4021, says it is a bug, and exits 1 (JSON too)", async () => {
    commands["boom"] = { spec: { name: "boom", summary: "test only", maxPositionals: 0, flags: { ...jsonFlag } }, run: async () => { throw new Error("kaboom"); } };
    try {
      const r = await lxm(os.tmpdir(), ["boom"]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^error\[LXM4021\]: internal error: Error: kaboom/);
      expect(r.err).toContain("  hint: This is a bug in Lexum; nothing was written to the state branch by the failing step.");
      const j = await lxm(os.tmpdir(), ["boom", "--json"]);
      expect(j.code).toBe(1);
      expect((JSON.parse(j.out) as { error: { code: string } }).error.code).toBe("LXM4021");
    } finally {
      delete commands["boom"];
    }
  });

  it("lxm demo into a folder that is not empty is a usage error with its code", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lexum-demo-code-"));
    try {
      fs.writeFileSync(path.join(tmp, "x"), "");
      const r = await lxm(tmp, ["demo", "--dir", "."]);
      expect(r.code).toBe(1);
      expect(r.err).toContain("error[LXM5005]: demo: ");
      expect(r.err).toContain("is not empty; pass --dir with an empty or new folder");
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("one numbering of assertions everywhere", () => {
  it("the trace's plain lines number assertions from 1, as messages and apply do", async () => {
    const { eventLine } = await import("../../src/cli/ui/trace-lines.js");
    const e = { step: 1, domain: "web", seq: 4, phase: "assert" as const, goal: "served", index: 1, ok: false };
    expect(eventLine(4, e)).toContain("goal served, assertion 2 FAILED");
    const { assertionName } = await import("../../src/cli/progress.js");
    expect(assertionName(e)).toBe("goal web.served, assertion 2");
  });
});
