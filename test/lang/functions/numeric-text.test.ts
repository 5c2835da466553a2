import { describe, expect, it } from "vitest";
import { call, problem } from "./call.js";


describe("numeric functions (Terraform's reference examples)", () => {
  it("log, pow, signum, sum", () => {
    expect(call("log", 50, 10)).toBe(1.6989700043360185);
    expect(call("log", 16, 2)).toBe(4);
    expect(call("pow", 3, 2)).toBe(9);
    expect(call("pow", 4, 0)).toBe(1);
    expect(call("signum", -13)).toBe(-1);
    expect(call("signum", 0)).toBe(0);
    expect(call("signum", 344)).toBe(1);
    expect(call("sum", [10, 13, 6, 4.5])).toBe(33.5);
    expect(problem("sum", [])).toContain("empty list");
    expect(problem("log", 0, 10)).toContain("greater than zero");
    expect(problem("pow", 2, 1024)).toContain("not a finite number");
    expect(problem("pow", 2, 60)).toContain("outside the exact number range");
  });
  it("parseint", () => {
    expect(call("parseint", "100", 10)).toBe(100);
    expect(call("parseint", "FF", 16)).toBe(255);
    expect(call("parseint", "-10", 16)).toBe(-16);
    expect(call("parseint", "1011111011101111", 2)).toBe(48879);
    expect(call("parseint", "aA", 62)).toBe(656);
    expect(problem("parseint", "12", 2)).toContain('"12" is not a valid number in base 2');
    expect(problem("parseint", "1", 1)).toContain("between 2 and 62");
  });
});

describe("string functions (Terraform's reference examples)", () => {
  it("chomp, trimspace, trimprefix, trimsuffix", () => {
    expect(call("chomp", "hello\n")).toBe("hello");
    expect(call("chomp", "hello\r\n")).toBe("hello");
    expect(call("chomp", "hello\n\n")).toBe("hello");
    expect(call("trimspace", "  hello\n\n")).toBe("hello");
    expect(call("trimprefix", "helloworld", "hello")).toBe("world");
    expect(call("trimprefix", "helloworld", "cat")).toBe("helloworld");
    expect(call("trimsuffix", "helloworld", "world")).toBe("hello");
  });
  it("startswith, endswith, strcontains", () => {
    expect(call("startswith", "hello world", "hello")).toBe(true);
    expect(call("startswith", "hello world", "world")).toBe(false);
    expect(call("endswith", "hello world", "world")).toBe(true);
    expect(call("endswith", "hello world", "hello")).toBe(false);
    expect(call("strcontains", "hello world", "wor")).toBe(true);
    expect(call("strcontains", "hello world", "wod")).toBe(false);
  });
  it("strrev and substr count characters (grapheme clusters)", () => {
    expect(call("strrev", "hello")).toBe("olleh");
    expect(call("strrev", "a ☃")).toBe("☃ a");
    expect(call("strrev", "e\u0301a")).toBe("ae\u0301");
    expect(call("substr", "hello world", 1, 4)).toBe("ello");
    expect(call("substr", "🤔🤷", 0, 1)).toBe("🤔");
    expect(call("substr", "hello world", -5, -1)).toBe("world");
    expect(call("substr", "hello", 2, 100)).toBe("llo");
    expect(problem("substr", "hello", 9, 1)).toContain("offset 9 is outside a string of 5 characters");
  });
  it("title and indent", () => {
    expect(call("title", "hello world")).toBe("Hello World");
    expect(call("title", "o'neil snake_case x-ray")).toBe("O'Neil Snake_case X-Ray");
    expect(call("indent", 2, "[\n  foo,\n  bar,\n]\n")).toBe("[\n    foo,\n    bar,\n  ]\n  ");
    expect(problem("indent", 1e6, "x")).toContain("between 0 and 10000");
  });
});
