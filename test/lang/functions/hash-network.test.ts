import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EvalFailure } from "../../../src/lang/values.js";
import { call, problem } from "./call.js";


describe("hash functions (Terraform's reference examples)", () => {
  it("md5, sha1, sha256, sha512, base64sha256, base64sha512", () => {
    expect(call("md5", "hello world")).toBe("5eb63bbbe01eeed093cb22bb8f5acdc3");
    expect(call("sha1", "hello world")).toBe("2aae6c35c94fcfb415dbe95f408b9ce91ee846ed");
    expect(call("sha256", "hello world")).toBe("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
    expect(call("sha512", "hello world")).toBe("309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f");
    expect(call("base64sha256", "hello world")).toBe("uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=");
    expect(call("base64sha512", "hello world")).toBe("MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw==");
  });
  it("uuidv5", () => {
    expect(call("uuidv5", "dns", "www.terraform.io")).toBe("a5008fae-b28c-5ba5-96cd-82b4c53552d6");
    expect(call("uuidv5", "url", "https://www.terraform.io/")).toBe("9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5");
    expect(call("uuidv5", "oid", "1.3.6.1.4")).toBe("af9d40a5-7a36-5c07-b23a-851cd99fbfa5");
    expect(call("uuidv5", "x500", "CN=Example,C=GB")).toBe("84e09961-4aa4-57f8-95b7-03edb1073253");
    expect(call("uuidv5", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.terraform.io")).toBe("a5008fae-b28c-5ba5-96cd-82b4c53552d6");
    expect(problem("uuidv5", "ftp", "x")).toContain("dns, url, oid, x500 or a UUID");
  });
});

describe("IP network functions (Terraform's reference examples)", () => {
  it("cidrhost", () => {
    expect(call("cidrhost", "10.12.112.0/20", 16)).toBe("10.12.112.16");
    expect(call("cidrhost", "10.12.112.0/20", 268)).toBe("10.12.113.12");
    expect(call("cidrhost", "fd00:fd12:3456:7890:00a2::/72", 34)).toBe("fd00:fd12:3456:7890::22");
    expect(call("cidrhost", "10.0.0.0/24", -1)).toBe("10.0.0.255");
    expect(problem("cidrhost", "10.0.0.0/24", 256)).toContain("outside a /24 prefix");
  });
  it("cidrnetmask", () => {
    expect(call("cidrnetmask", "172.16.0.0/12")).toBe("255.240.0.0");
    expect(problem("cidrnetmask", "fd00::/8")).toContain("only IPv4");
  });
  it("cidrsubnet", () => {
    expect(call("cidrsubnet", "172.16.0.0/12", 4, 2)).toBe("172.18.0.0/16");
    expect(call("cidrsubnet", "10.1.2.0/24", 4, 15)).toBe("10.1.2.240/28");
    expect(call("cidrsubnet", "fd00:fd12:3456:7890::/56", 16, 162)).toBe("fd00:fd12:3456:7800:a200::/72");
    expect(problem("cidrsubnet", "10.1.2.0/24", 4, 16)).toContain("netnum 16 does not fit in 4 bits");
    expect(problem("cidrsubnet", "10.1.2.0/30", 4, 0)).toContain("no room");
    expect(problem("cidrsubnet", "10.1.2/24", 4, 0)).toContain("not an address prefix");
  });
  it("cidrsubnets", () => {
    expect(call("cidrsubnets", "10.1.0.0/16", 4, 4, 8, 4)).toEqual(["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"]);
    expect(call("cidrsubnets", "fd00:fd12:3456:7890::/56", 16, 16, 16, 32)).toEqual([
      "fd00:fd12:3456:7800::/72",
      "fd00:fd12:3456:7800:100::/72",
      "fd00:fd12:3456:7800:200::/72",
      "fd00:fd12:3456:7800:300::/88",
    ]);
    expect(problem("cidrsubnets", "10.0.0.0/30", 1, 1, 1)).toContain("not enough room left");
  });
  it("cidrsubnets: the subnets do not overlap and lie inside the parent (fast-check)", () => {
    const toRange = (c: string): [bigint, bigint] => {
      const [ip, len] = c.split("/");
      const v = ip!.split(".").reduce((x, p) => (x << 8n) | BigInt(p), 0n);
      return [v, v + (1n << BigInt(32 - Number(len)))];
    };
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 24 }), fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }), (len, bits) => {
        const parent = `10.0.0.0/${len}`;
        let subs: string[];
        try {
          subs = call("cidrsubnets", parent, ...bits) as string[];
        } catch (e) {
          if (e instanceof EvalFailure) return; // no room: refused, not wrong
          throw e;
        }
        const [ps, pe] = toRange(parent);
        const ranges = subs.map(toRange).sort((x, y) => (x[0] < y[0] ? -1 : 1));
        for (const [s, e] of ranges) expect(s >= ps && e <= pe).toBe(true);
        for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0] >= ranges[i - 1]![1]).toBe(true);
      }),
      { seed: 11, numRuns: 300 },
    );
  });
});
