import { createHash, createPrivateKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import type { Builtin } from "../builtins.js";
import { invalid, str } from "./args.js";

const hex = (alg: string) => (s: string): string => createHash(alg).update(s, "utf8").digest("hex");
const b64 = (alg: string) => (s: string): string => createHash(alg).update(s, "utf8").digest("base64");

const NAMESPACES: Record<string, string> = {
  dns: "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
  url: "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
  oid: "6ba7b812-9dad-11d1-80b4-00c04fd430c8",
  x500: "6ba7b814-9dad-11d1-80b4-00c04fd430c8",
};

const fromB64url = (s: string): bigint => BigInt(`0x${Buffer.from(s, "base64url").toString("hex") || "0"}`);

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * RSA PKCS #1 v1.5 decryption, as Terraform's rsadecrypt. Done with the key's numbers rather
 * than crypto.privateDecrypt, which Node refuses for this padding (CVE-2023-46809, a timing
 * attack that needs a decryption oracle: the compiler is none, its input is the commit).
 */
function rsaDecrypt(ciphertext: string, pem: string): string {
  const fn = "rsadecrypt";
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(ciphertext) || ciphertext.length % 4 !== 0) return invalid(fn, 0, "the ciphertext is not valid base64");
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    return invalid(fn, 1, "not a PEM-encoded private key");
  }
  if (key.asymmetricKeyType !== "rsa") return invalid(fn, 1, "not an RSA private key");
  const jwk = key.export({ format: "jwk" });
  const n = fromB64url(jwk.n!);
  const d = fromB64url(jwk.d!);
  const size = Math.ceil(n.toString(16).length / 2);
  const c = Buffer.from(ciphertext, "base64");
  if (c.length !== size) return invalid(fn, 0, `the ciphertext is ${c.length} bytes, the key's size is ${size}`);
  const m = Buffer.from(modPow(BigInt(`0x${c.toString("hex") || "0"}`), d, n).toString(16).padStart(size * 2, "0"), "hex");
  const sep = m.indexOf(0, 2);
  if (m[0] !== 0 || m[1] !== 2 || sep < 10) return invalid(fn, 0, "decryption failed: the ciphertext was not made for this key");
  try {
    return utf8.decode(m.subarray(sep + 1));
  } catch {
    return invalid(fn, 0, "the decrypted bytes are not UTF-8 text");
  }
}

/** Hash and crypto functions (md5, sha1, sha256, sha512, base64sha256, base64sha512, uuidv5). */
export const hashing: Builtin[] = [
  { name: "sha256", min: 1, max: 1, signature: "sha256(string)", impl: (a) => hex("sha256")(str("sha256", a, 0)) },
  { name: "md5", min: 1, max: 1, signature: "md5(string)", impl: (a) => hex("md5")(str("md5", a, 0)) },
  { name: "sha1", min: 1, max: 1, signature: "sha1(string)", impl: (a) => hex("sha1")(str("sha1", a, 0)) },
  { name: "sha512", min: 1, max: 1, signature: "sha512(string)", impl: (a) => hex("sha512")(str("sha512", a, 0)) },
  { name: "base64sha256", min: 1, max: 1, signature: "base64sha256(string)", impl: (a) => b64("sha256")(str("base64sha256", a, 0)) },
  { name: "base64sha512", min: 1, max: 1, signature: "base64sha512(string)", impl: (a) => b64("sha512")(str("base64sha512", a, 0)) },
  { name: "rsadecrypt", min: 2, max: 2, signature: "rsadecrypt(ciphertext, privatekey)", impl: (a) => rsaDecrypt(str("rsadecrypt", a, 0), str("rsadecrypt", a, 1)) },
  {
    name: "uuidv5",
    min: 2,
    max: 2,
    signature: "uuidv5(namespace, name)",
    impl(a) {
      const ns = str("uuidv5", a, 0);
      const name = str("uuidv5", a, 1);
      const id = NAMESPACES[ns] ?? ns;
      if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(id)) {
        return invalid("uuidv5", 0, `the namespace must be dns, url, oid, x500 or a UUID, not ${JSON.stringify(ns)}`);
      }
      // RFC 4122 §4.3: SHA-1 of the namespace's bytes then the name's, version 5, variant 10.
      const h = createHash("sha1").update(Buffer.from(id.replace(/-/g, ""), "hex")).update(name, "utf8").digest();
      h[6] = (h[6]! & 0x0f) | 0x50;
      h[8] = (h[8]! & 0x3f) | 0x80;
      const x = h.subarray(0, 16).toString("hex");
      return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
    },
  },
];
