import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Json } from "../../../src/program/types.js";
import { call, problem } from "./call.js";


describe("encoding functions (Terraform's reference examples)", () => {
  it("urlencode", () => {
    expect(call("urlencode", "Hello World!")).toBe("Hello+World%21");
    expect(call("urlencode", "☃")).toBe("%E2%98%83");
    expect(call("urlencode", "foo:bar@localhost?foo=bar&bar=baz")).toBe("foo%3Abar%40localhost%3Ffoo%3Dbar%26bar%3Dbaz");
    expect(call("urlencode", "a-b_c.d~e")).toBe("a-b_c.d~e");
  });
  it("textencodebase64 and textdecodebase64", () => {
    expect(call("textencodebase64", "Hello World", "UTF-16LE")).toBe("SABlAGwAbABvACAAVwBvAHIAbABkAA==");
    expect(call("textdecodebase64", "SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE")).toBe("Hello World");
    expect(call("textencodebase64", "hé", "UTF-16BE")).toBe("AGgA6Q==");
    expect(call("textencodebase64", "hé", "ISO-8859-1")).toBe("aOk=");
    expect(call("textdecodebase64", "aOk=", "iso-8859-1")).toBe("hé");
    expect(problem("textencodebase64", "x", "EBCDIC")).toContain("not one Lexum knows");
    expect(problem("textencodebase64", "☃", "ISO-8859-1")).toContain("cannot hold");
    expect(problem("textdecodebase64", "/w==", "UTF-8")).toContain("not valid UTF-8");
  });
  it("base64gzip: gzip of the text, the same bytes every time", () => {
    const out = call("base64gzip", "test") as string;
    expect(gunzipSync(Buffer.from(out, "base64")).toString("utf8")).toBe("test");
    expect(out).toBe(call("base64gzip", "test"));
    expect(Buffer.from(out, "base64")[9]).toBe(255);
  });
  it("csvdecode", () => {
    expect(call("csvdecode", "a,b,c\n1,2,3\n4,5,6")).toEqual([
      { a: "1", b: "2", c: "3" },
      { a: "4", b: "5", c: "6" },
    ]);
    expect(call("csvdecode", 'name,quote\r\n"Smith, J","said ""hi"""\r\n')).toEqual([{ name: "Smith, J", quote: 'said "hi"' }]);
    expect(call("csvdecode", "a,b\n")).toEqual([]);
    expect(problem("csvdecode", "a,b\n1,2,3")).toContain("line 2 has 3 fields, the header 2");
    expect(problem("csvdecode", 'a\n"open')).toContain("not closed");
  });
  it("round trips (fast-check): base64, text encodings, JSON", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 20 }), (s) => {
        expect(call("base64decode", call("base64encode", s))).toBe(s);
        for (const e of ["UTF-8", "UTF-16LE", "UTF-16BE"]) expect(call("textdecodebase64", call("textencodebase64", s, e), e)).toBe(s);
      }),
      { seed: 9, numRuns: 200 },
    );
    const value: fc.Arbitrary<Json> = fc.letrec<{ v: Json }>((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        fc.string({ maxLength: 6 }),
        fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x) || Number.isSafeInteger(x)),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("v"), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 4 }), tie("v"), { maxKeys: 4 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        expect(call("jsondecode", call("jsonencode", v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { seed: 13, numRuns: 300 },
    );
  });
});
