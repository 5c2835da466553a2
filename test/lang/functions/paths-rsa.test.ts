import { constants, generateKeyPairSync, publicEncrypt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { compile } from "../../../src/lang/compile.js";
import { call, problem } from "./call.js";


describe("basename and dirname (Terraform's examples, Go's path rules, `/` everywhere)", () => {
  it("basename", () => {
    expect(call("basename", "foo/bar/baz.txt")).toBe("baz.txt");
    expect(call("basename", "foo/bar/")).toBe("bar");
    expect(call("basename", "")).toBe(".");
    expect(call("basename", "///")).toBe("/");
    expect(call("basename", "baz.txt")).toBe("baz.txt");
  });
  it("dirname", () => {
    expect(call("dirname", "foo/bar/baz.txt")).toBe("foo/bar");
    expect(call("dirname", "baz.txt")).toBe(".");
    expect(call("dirname", "/foo")).toBe("/");
    expect(call("dirname", "a/./b/../c/d")).toBe("a/c");
    expect(call("dirname", "../x")).toBe("..");
  });
});

describe("rsadecrypt", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pkcs1 = privateKey.export({ type: "pkcs1", format: "pem" }) as string;
  const pkcs8 = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  const encrypt = (text: string) => publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(text)).toString("base64");
  it("decrypts PKCS #1 v1.5 ciphertext with a PKCS #1 or PKCS #8 key", () => {
    expect(call("rsadecrypt", encrypt("Hello, World"), pkcs1)).toBe("Hello, World");
    expect(call("rsadecrypt", encrypt("pässwörd"), pkcs8)).toBe("pässwörd");
  });
  it("refuses what it cannot decrypt, without quoting the key", () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }) as string;
    expect(problem("rsadecrypt", encrypt("x"), other)).toContain("decryption failed");
    expect(problem("rsadecrypt", "not base64!", pkcs1)).toContain("not valid base64");
    expect(problem("rsadecrypt", "AAAA", pkcs1)).toContain("the key's size is 256");
    const bad = problem("rsadecrypt", encrypt("x"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    expect(bad).toContain("not a PEM-encoded private key");
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    expect(problem("rsadecrypt", encrypt("x"), ec)).toContain("not an RSA private key");
  });
});

describe("functions Lexum refuses or has nothing to do for", () => {
  it("abspath and pathexpand depend on the machine: refused with LXM2200", () => {
    for (const f of ['abspath("x")', 'pathexpand("~/x")']) {
      const r = compile([{ path: "main.lxm", text: `domain d {\n  let x = ${f}\n}\n` }]);
      expect(r.diagnostics.map((d) => d.code)).toEqual(["LXM2200"]);
    }
  });
  it("ephemeralasnull: Lexum has no ephemeral values, so the value itself", () => {
    expect(call("ephemeralasnull", { a: 1 })).toEqual({ a: 1 });
  });
});
