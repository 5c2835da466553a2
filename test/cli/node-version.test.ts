import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { Io } from "../../src/cli/io.js";
import { run } from "../../src/cli/main.js";
import { importClosure } from "../import-closure.js";
import { NODE_ENGINES, checkNodeVersion, requiredNodeVersion } from "../../src/cli/node-version.js";

const root = resolve(import.meta.dirname, "../..");

function capture(): { io: Io; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), color: false, isTTY: false, cwd: root, env: { NO_COLOR: "1" } };
  return { io, out: () => out, err: () => err };
}

describe("the supported Node.js versions", () => {
  it("are package.json's engines.node, word for word", () => {
    const pkg = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(NODE_ENGINES);
  });

  it.each([
    ["16.20.2", "20.19.0"],
    ["18.20.4", "20.19.0"],
    ["20.0.0", "20.19.0"],
    ["20.14.0", "20.19.0"],
    ["20.15.0", "20.19.0"],
    ["20.18.3", "20.19.0"],
    ["v20.18.3", "20.19.0"],
    ["21.7.3", "22.12.0"],
    ["22.0.0", "22.12.0"],
    ["22.11.9", "22.12.0"],
  ])("%s is too old: it needs %s", (version, needed) => {
    expect(requiredNodeVersion(version)).toBe(needed);
  });

  it.each(["20.19.0", "v20.19.0", "20.19.5", "20.20.2", "22.12.0", "22.21.1", "23.0.0", "24.11.0", "25.2.1", "100.0.0", "24.0.0-nightly20250101"])(
    "%s is supported",
    (version) => {
      expect(requiredNodeVersion(version)).toBeUndefined();
    },
  );

  it("the running Node is supported (the test runner needs the same floor)", () => {
    expect(requiredNodeVersion(process.versions.node)).toBeUndefined();
  });

  it("names what is needed and what is running, with a hint, as LXM5050", () => {
    const e = checkNodeVersion("20.18.1")!;
    expect(e.code).toBe("LXM5050");
    expect(e.message).toBe("lxm needs Node.js >= 20.19.0 (this is v20.18.1)");
    expect(e.hint).toMatch(/20\.19\.0.*22\.12\.0/);
    expect(checkNodeVersion("22.3.0")!.message).toBe("lxm needs Node.js >= 22.12.0 (this is v22.3.0)");
    expect(checkNodeVersion("20.19.0")).toBeUndefined();
  });
});

describe("lxm on an unsupported Node.js", () => {
  it.each([["check"], ["--version"], ["help"], ["plan", "--json"]])("`lxm %s` stops with LXM5050 and exit 1 before doing anything", async (...argv) => {
    const c = capture();
    expect(await run(argv, c.io, "20.18.0")).toBe(1);
    if (argv.includes("--json")) {
      expect(JSON.parse(c.out())).toEqual({ diagnostics: [], error: { code: "LXM5050", message: "lxm needs Node.js >= 20.19.0 (this is v20.18.0)", hint: expect.any(String) } });
    } else {
      expect(c.out()).toBe("");
      expect(c.err()).toMatch(/^error\[LXM5050\]: lxm needs Node\.js >= 20\.19\.0 \(this is v20\.18\.0\)\n  hint: .*nvm install --lts/);
    }
  });

  it("runs as usual on a supported one", async () => {
    const c = capture();
    expect(await run(["--version"], c.io, "22.12.0")).toBe(0);
    expect(c.out()).toMatch(/^lxm \d+\.\d+\.\d+/);
  });

  // The check can only speak if the entry loads on the old Node: its static imports must not
  // reach modules that need a newer one (`crc32` from node:zlib fails to link below 20.15).
  it("the entry's static imports stay within src/cli's entry, io and the diagnostic catalog", () => {
    const seen = importClosure("src/cli/main.ts").files;
    const outside = seen.filter((f) => !/^src\/(diag\/|cli\/(main|io|node-version)\.ts$)/.test(f));
    expect(outside).toEqual([]);
  });
});
