import { describe, expect, it } from "vitest";
import { call, problem } from "./call.js";


describe("format, with Terraform's verbs, flags, widths and argument indexes", () => {
  it("gives the reference's examples", () => {
    expect(call("format", "Hello, %s!", "Ander")).toBe("Hello, Ander!");
    expect(call("format", "There are %d lights", 4)).toBe("There are 4 lights");
  });
  it("%v and %#v", () => {
    expect(call("format", "%v %v %v %v", "a", 1.5, true, null)).toBe("a 1.5 true null");
    expect(call("format", "%v", [1, "b"])).toBe('[1,"b"]');
    expect(call("format", "%#v", "hello")).toBe('"hello"');
    expect(call("format", "%#v %#v", { b: 1, a: [true] }, 2)).toBe('{"a":[true],"b":1} 2');
  });
  it("integers: %d %b %o %x %X with width, zero padding, sign and #", () => {
    expect(call("format", "%02d", 5)).toBe("05");
    expect(call("format", "%5d|%-5d|%+d|% d", 42, 42, 42, 42)).toBe("   42|42   |+42| 42");
    expect(call("format", "%05d", -42)).toBe("-0042");
    expect(call("format", "%b %o %x %X", 5, 8, 255, 255)).toBe("101 10 ff FF");
    expect(call("format", "%#x %#o %#b", 255, 8, 5)).toBe("0xff 010 0b101");
    expect(call("format", "%.3d", 7)).toBe("007");
    expect(call("format", "%d", "12")).toBe("12");
    expect(problem("format", "%d", 1.5)).toContain("an integer");
  });
  it("floats: %f %e %E %g %G", () => {
    expect(call("format", "%f", 3.14159)).toBe("3.141590");
    expect(call("format", "%.2f|%8.3f|%-8.1f|", 3.14159, 3.14159, 2.5)).toBe("3.14|   3.142|2.5     |");
    expect(call("format", "%e %E", 1234.5678, 0.000123)).toBe("1.234568e+03 1.230000E-04");
    expect(call("format", "%g %g %g %g", 100000, 1e21, 0.00001, 0.1)).toBe("100000 1e+21 1e-05 0.1");
    expect(call("format", "%.3g %G", 1234.5678, 1e-7)).toBe("1.23e+03 1E-07");
  });
  it("strings: %s %q %t, precision cuts characters", () => {
    expect(call("format", "%s|%10s|%-6s|%.2s", "x", "right", "left", "héllo")).toBe("x|     right|left  |hé");
    expect(call("format", "%q", 'say "hi"')).toBe('"say \\"hi\\""');
    expect(call("format", "%t %t", true, "false")).toBe("true false");
    expect(call("format", "%s %s", 1, true)).toBe("1 true");
  });
  it("explicit argument indexes", () => {
    expect(call("format", "%[2]s %[1]s", "a", "b")).toBe("b a");
    expect(call("format", "%[1]s %[1]s %s", "a", "b")).toBe("a a b");
  });
  it("errors: unknown verb, missing or extra values, a huge width", () => {
    expect(problem("format", "%y", 1)).toContain("unknown verb %y");
    expect(problem("format", "%s %s", "a")).toContain("%s has no matching value");
    expect(problem("format", "%s", "a", "b")).toContain("1 value left without a verb");
    expect(problem("format", "%[3]s", "a")).toContain("(argument [3])");
    expect(problem("format", "%999999999d", 1)).toContain("the width 999999999 is larger than 10000");
    expect(problem("format", "%.99999f", 1)).toContain("the precision 99999 is larger than 10000");
    expect(problem("format", "100%")).toContain("ends in the middle of a verb");
  });
});

describe("formatlist", () => {
  it("gives the reference's examples", () => {
    expect(call("formatlist", "Hello, %s!", ["Valentina", "Ander", "Olivia", "Sam"])).toEqual(["Hello, Valentina!", "Hello, Ander!", "Hello, Olivia!", "Hello, Sam!"]);
    expect(call("formatlist", "%s, %s!", "Salutations", ["Valentina", "Ander", "Olivia", "Sam"])).toEqual([
      "Salutations, Valentina!",
      "Salutations, Ander!",
      "Salutations, Olivia!",
      "Salutations, Sam!",
    ]);
  });
  it("iterates lists together and refuses lists of different lengths", () => {
    expect(call("formatlist", "%s=%d", ["a", "b"], [1, 2])).toEqual(["a=1", "b=2"]);
    expect(problem("formatlist", "%s=%d", ["a", "b"], [1])).toContain("different lengths (2 and 1)");
    expect(call("formatlist", "%s", [])).toEqual([]);
  });
});

describe("format: precisions past 100 digits and %f of huge numbers (found by the fuzz test)", () => {
  it("prints the exact digits, as Go does, instead of throwing a RangeError out of the compiler", () => {
    // toExponential and toPrecision take at most 100 digits: `%.150e` threw, `%.120f` was cut at 100.
    expect(call("format", "%.150e", 1.5)).toBe(`1.5${"0".repeat(149)}e+00`);
    expect(call("format", "%.120f", 0.1)).toBe(`0.1000000000000000055511151231257827021181583404541015625${"0".repeat(65)}`);
    expect(call("format", "%.105g", 1e-300)).toBe("1.00000000000000002505909183520875968569614680770370524992534231990046604318405148467630281218195010089496e-300");
    expect(call("format", "%.101E", -2.5)).toBe(`-2.5${"0".repeat(100)}E+00`);
    expect(call("format", "%+.101f", 0)).toBe(`+0.${"0".repeat(101)}`);
    expect(call("format", "%.110g", 123456)).toBe("123456");
    // Rounding at the last digit is Go's: to nearest, a tie to even.
    expect(call("format", "%.101f", 0.5)).toBe(`0.5${"0".repeat(100)}`);
    expect((call("format", "%.10000f", 1) as string).length).toBe(10_002);
    // toFixed writes 1e21 and more with an exponent; Go writes every digit.
    expect(call("format", "%f", 1e21)).toBe("1000000000000000000000.000000");
    expect(call("format", "%.2f", -1.7976931348623157e308)).toBe(`-179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.00`);
  });
});
