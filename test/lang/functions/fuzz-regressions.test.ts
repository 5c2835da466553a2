import { describe, expect, it } from "vitest";
import { compile } from "../../../src/lang/compile.js";
import { call, problem } from "./call.js";

/**
 * What the function-library fuzz test (fuzz.test.ts) found, each pinned by the input that
 * showed it. (format's precisions past 100 digits are in format.test.ts.)
 */
function diagnostics(expr: string): string[] {
  const r = compile([{ path: "main.lxm", text: `domain d {\n  let x = ${expr}\n  export x\n}\n` }]);
  return r.diagnostics.map((d) => `${d.code} ${d.message}`);
}
const segmenter = new Intl.Segmenter("und", { granularity: "grapheme" });
const wholeCount = (s: string) => [...segmenter.segment(s)].length;
const wholeClusters = (s: string) => [...segmenter.segment(s)].map((g) => g.segment);

describe("grapheme clusters are counted a window at a time (V8's segmenter is quadratic on long text)", () => {
  it("length of 200,000 non-ASCII characters (took 8 s, 3 minutes for a million)", () => {
    expect(call("length", "é".repeat(200_000))).toBe(200_000);
    expect(call("length", "💃🏾".repeat(100_000))).toBe(100_000);
  });
  it("clusters across the windows' ends are the whole text's", () => {
    // Every offset of a cluster that straddles a window end (256 code units), with surrogate
    // pairs, skin tones, ZWJ sequences, flags, CR LF and a cluster longer than a window.
    const pieces = ["💃🏾", "👨‍👩‍👧‍👦", "🇫🇷🇩🇪🇫", "\r\n", "e\u0301", "a" + "\u0301".repeat(700), "ก\u0e33", "\u0600a", "x"];
    for (const piece of pieces) {
      for (let pad = 240; pad < 260; pad++) {
        const s = "é".repeat(pad) + piece + "b" + piece.repeat(3);
        expect(call("length", s)).toBe(wholeCount(s));
        expect(call("strrev", s)).toBe(wholeClusters(s).reverse().join(""));
        expect(call("substr", s, pad - 1, 3)).toBe(wholeClusters(s).slice(pad - 1, pad + 2).join(""));
      }
    }
  });
});

describe("replace counts its matches before building the result", () => {
  it("a result past the limit is refused before it is built (26 nested doubling replaces took seconds and gigabytes, then ran out of memory)", () => {
    // 5,000,000 matches that would make 70,000,000 characters: refused from the count alone.
    expect(diagnostics(`length(replace(join("", [for i in range(500000): "xxxxxxxxxx"]), "x", "${"x".repeat(14)}"))`)).toEqual([
      "LXM2047 the result of `replace` exceeds the limit of 67108864",
    ]);
    const nested = (n: number) => `${"replace(".repeat(n)}"xx"${', "x", "xx")'.repeat(n)}`;
    expect(diagnostics(`length(${nested(20)})`)).toEqual([]);
  });
  it("many matches give the same result as few (joined a few thousand pieces at a time)", () => {
    const s = "a-b".repeat(100_000);
    expect(call("replace", s, "-", "$1$")).toBe("a$1$b".repeat(100_000));
    expect(call("replace", "a$b", "$", "$$")).toBe("a$$b");
    expect(call("replace", "aaaa", "aa", "b")).toBe("bb");
    expect(call("replace", "x".repeat(70_000) + "y", "xx", "")).toBe("y");
    expect(problem("replace", "x".repeat(1 << 20), "x", "x".repeat(65))).toBe("the result of `replace` exceeds the limit of 67108864");
  });
});
