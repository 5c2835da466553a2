import { afterEach, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHmac } from "node:crypto";
import { compile } from "../../src/lang/index.js";
import { secretAccess, secretNames } from "../../src/engine/secrets.js";

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), "lexum-secrets-"));
  dirs.push(d);
  return d;
}

describe("secretAccess", () => {
  it("reads secrets only from LXM_SECRET_<NAME>", () => {
    const s = secretAccess({ commondir: scratch(), env: { LXM_SECRET_DB: "hunter2", DB: "wrong" } });
    expect(s.secret("DB")).toBe("hunter2");
    expect(s.secret("OTHER")).toBeUndefined();
  });

  it("digests with HMAC-SHA256 under LXM_STATE_KEY: stable, value- and key-dependent, never the value", () => {
    const dir = scratch();
    const a = secretAccess({ commondir: dir, env: { LXM_STATE_KEY: "k1" } });
    const d = a.digest("hunter2");
    expect(d).toBe("hmac-sha256:" + createHmac("sha256", Buffer.from("k1")).update("hunter2").digest("hex"));
    expect(a.digest("hunter2")).toBe(d);
    expect(a.digest("hunter3")).not.toBe(d);
    expect(secretAccess({ commondir: dir, env: { LXM_STATE_KEY: "k2" } }).digest("hunter2")).not.toBe(d);
    expect(d).not.toContain("hunter2");
    // The env key is used as is: no key file is created.
    expect(existsSync(join(dir, "lexum", "state.key"))).toBe(false);
  });

  it("creates a private key file on first use and reuses it in later processes", () => {
    const dir = scratch();
    const first = secretAccess({ commondir: dir, env: {} }).digest("v");
    const file = join(dir, "lexum", "state.key");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const hex = readFileSync(file, "utf8").trim();
    expect(hex).toMatch(/^[0-9a-f]{64}$/);
    expect(first).toBe("hmac-sha256:" + createHmac("sha256", Buffer.from(hex, "hex")).update("v").digest("hex"));
    expect(secretAccess({ commondir: dir, env: {} }).digest("v")).toBe(first);
  });

  it("with createKey false, writes nothing (and a later run cannot match its digests)", () => {
    const dir = scratch();
    secretAccess({ commondir: dir, env: {}, createKey: false }).digest("v");
    expect(existsSync(join(dir, "lexum"))).toBe(false);
  });
});

describe("secretNames", () => {
  it("lists every secret the resources read, sorted and unique", () => {
    const text = `
domain a {
  provider sim { world = "w.json" }
  resource sim.object x {
    kind = "k"
    name = "x"
    secret = secret("ZED")
  }
  resource sim.object y {
    kind = "k"
    name = "y"
    spec = { token = secret("ALPHA") }
    secret = secret("ZED")
  }
}
`;
    const r = compile([{ path: "main.lxm", text }]);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(secretNames(r.program!)).toEqual(["ALPHA", "ZED"]);
  });
});
