import type { Json } from "../../program/types.js";
import type { Builtin } from "../builtins.js";
import { boundedCount, int, invalid, str } from "./args.js";

/** An IP prefix: address as a BigInt, its width (32 or 128 bits) and prefix length. */
interface Prefix {
  readonly addr: bigint;
  readonly bits: 32 | 128;
  readonly len: number;
}

function parseV4(s: string): bigint | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p.startsWith("0"))) return null;
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

function parseV6(s: string): bigint | null {
  let text = s;
  // An IPv4 tail (::ffff:1.2.3.4) is written as its two groups.
  const v4 = /(?:^|:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const x = parseV4(v4[1]!);
    if (x === null) return null;
    text = text.slice(0, text.length - v4[1]!.length) + `${(x >> 16n).toString(16)}:${(x & 0xffffn).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const group = (h: string): bigint[] => (h === "" ? [] : h.split(":").map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? BigInt("0x" + g) : -1n)));
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  if (head.includes(-1n) || rest.includes(-1n)) return null;
  const known = head.length + rest.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return null;
  return [...head, ...Array<bigint>(8 - known).fill(0n), ...rest].reduce((v, g) => (v << 16n) | g, 0n);
}

function parsePrefix(fn: string, s: string, at: number): Prefix {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return invalid(fn, at, `${JSON.stringify(s)} is not an address prefix in CIDR notation`);
  const v4 = parseV4(m[1]!);
  const v6 = v4 === null ? parseV6(m[1]!) : null;
  const bits = v4 !== null ? 32 : 128;
  const addr = v4 ?? v6;
  const len = Number(m[2]);
  if (addr === null || len > bits) return invalid(fn, at, `${JSON.stringify(s)} is not an address prefix in CIDR notation`);
  // The network: host bits cleared (Terraform reads 10.1.2.5/24 as 10.1.2.0/24).
  const host = (1n << BigInt(bits - len)) - 1n;
  return { addr: addr & ~host, bits, len };
}

function show(addr: bigint, bits: 32 | 128): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map((sh) => String((addr >> sh) & 0xffn)).join(".");
  const groups = Array.from({ length: 8 }, (_, i) => (addr >> BigInt(112 - 16 * i)) & 0xffffn);
  // RFC 5952: the longest run of two or more zero groups (the first of equals) becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0n) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0n) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hexs = groups.map((g) => g.toString(16));
  if (best < 0) return hexs.join(":");
  return hexs.slice(0, best).join(":") + "::" + hexs.slice(best + bestLen).join(":");
}

function subnet(fn: string, p: Prefix, newbits: number, num: bigint, at: number): Prefix {
  if (newbits < 0) return invalid(fn, at, "newbits must not be negative");
  const len = p.len + newbits;
  if (len > p.bits) return invalid(fn, at, `a /${p.len} prefix has no room for ${newbits} more bits (at most /${p.bits})`);
  if (num < 0n || num >= 1n << BigInt(newbits)) return invalid(fn, at + 1, `netnum ${num} does not fit in ${newbits} bits`);
  return { addr: p.addr | (num << BigInt(p.bits - len)), bits: p.bits, len };
}

/** IP network functions (cidrhost, cidrnetmask, cidrsubnet, cidrsubnets), IPv4 and IPv6. */
export const network: Builtin[] = [
  {
    name: "cidrhost",
    min: 2,
    max: 2,
    signature: "cidrhost(prefix, hostnum)",
    impl(a) {
      const p = parsePrefix("cidrhost", str("cidrhost", a, 0), 0);
      const n = BigInt(int("cidrhost", a, 1));
      const size = 1n << BigInt(p.bits - p.len);
      // A negative host number counts back from the end of the range.
      const host = n < 0n ? size + n : n;
      if (host < 0n || host >= size) return invalid("cidrhost", 1, `host number ${n} is outside a /${p.len} prefix`);
      return show(p.addr + host, p.bits);
    },
  },
  {
    name: "cidrnetmask",
    min: 1,
    max: 1,
    signature: "cidrnetmask(prefix)",
    impl(a) {
      const p = parsePrefix("cidrnetmask", str("cidrnetmask", a, 0), 0);
      if (p.bits !== 32) return invalid("cidrnetmask", 0, "only IPv4 prefixes have a netmask");
      return show(((1n << 32n) - 1n) ^ ((1n << BigInt(32 - p.len)) - 1n), 32);
    },
  },
  {
    name: "cidrsubnet",
    min: 3,
    max: 3,
    signature: "cidrsubnet(prefix, newbits, netnum)",
    impl(a) {
      const p = parsePrefix("cidrsubnet", str("cidrsubnet", a, 0), 0);
      const s = subnet("cidrsubnet", p, int("cidrsubnet", a, 1), BigInt(int("cidrsubnet", a, 2)), 1);
      return `${show(s.addr, s.bits)}/${s.len}`;
    },
  },
  {
    name: "cidrsubnets",
    min: 1,
    max: Infinity,
    signature: "cidrsubnets(prefix, newbits...)",
    impl(a) {
      const p = parsePrefix("cidrsubnets", str("cidrsubnets", a, 0), 0);
      boundedCount("cidrsubnets", a.length - 1);
      // Consecutive subnets, each aligned to its own size, as Terraform allocates them.
      let next = p.addr;
      const end = p.addr + (1n << BigInt(p.bits - p.len));
      const out: Json[] = [];
      for (let i = 1; i < a.length; i++) {
        const newbits = int("cidrsubnets", a, i);
        const len = p.len + newbits;
        if (newbits < 1 || len > p.bits) return invalid("cidrsubnets", i, `a /${p.len} prefix has no room for ${newbits} more bits`);
        const size = 1n << BigInt(p.bits - len);
        const start = ((next + size - 1n) / size) * size;
        if (start + size > end) return invalid("cidrsubnets", i, `not enough room left in ${str("cidrsubnets", a, 0)} for a /${len}`);
        out.push(`${show(start, p.bits)}/${len}`);
        next = start + size;
      }
      return out;
    },
  },
];

