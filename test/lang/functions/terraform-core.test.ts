import { describe, expect, it } from "vitest";
import { compile } from "../../../src/lang/compile.js";
import { call, problem } from "./call.js";

/**
 * Every example on the pages of Terraform's function reference for the functions Lexum had
 * first (https://developer.hashicorp.com/terraform/language/functions/<name>), each written as
 * on the page and evaluated by the compiler: expression → value, or → the diagnostic Lexum
 * gives where Terraform gives an error. Examples in the page's prose (a rule it states, such
 * as `range`'s 1,024 numbers or `jsonencode`'s escapes) are here too. Where Lexum differs on
 * purpose, the test asserts Lexum's behaviour, says so, and docs/functions.md says so in that
 * function's row.
 */
/** An expression (with optional lets before it) through the compiler: its value, or its diagnostics as "CODE message". */
function tf(expr: string, lets = ""): unknown {
  const r = compile([{ path: "main.lxm", text: `domain d {\n${lets}  let x = ${expr}\n  export x\n}\n` }]);
  if (r.diagnostics.length > 0) return r.diagnostics.map((d) => `${d.code} ${d.message}`);
  return (r.program!.domains["d"]!.exports["x"] as { value: unknown }).value;
}
const page = (name: string) => `https://developer.hashicorp.com/terraform/language/functions/${name}`;

describe("Terraform's reference examples: collection functions", () => {
  // https://developer.hashicorp.com/terraform/language/functions/length
  it(page("length"), () => {
    expect(tf("length([])")).toBe(0);
    expect(tf('length(["a", "b"])')).toBe(2);
    expect(tf('length({"a" = "b"})')).toBe(1);
    expect(tf('length("hello")')).toBe(5);
    // "the number of characters, rather than the number of bytes or Unicode sequences that
    // form them": a character is a grapheme cluster (UAX #29). 👾🕹️ is 👾, then 🕹 with VS16.
    expect(tf('length("👾🕹️")')).toBe(2);
    expect(call("length", "👾🕹️")).toBe(2);
    // Not on the page, Terraform's behaviour all the same: a skin-tone modifier joins its emoji.
    expect(call("length", "💃🏾")).toBe(1);
    expect(call("length", "e\u0301")).toBe(1);
    expect(call("length", "a\r\nb")).toBe(3);
    // `len` is Lexum's first name for the same function.
    expect(tf('len("👾🕹️")')).toBe(2);
    expect(call("len", "💃🏾")).toBe(1);
    expect(call("len", ["a", "b"])).toBe(2);
  });

  // https://developer.hashicorp.com/terraform/language/functions/keys
  it(page("keys"), () => {
    expect(tf("keys({a=1, c=2, d=3})")).toEqual(["a", "c", "d"]);
    // "lexicographical order": Lexum's is canonical JSON's (UTF-16 code units); Terraform's
    // (UTF-8 bytes) differs only between characters above U+FFFF and U+E000–U+FFFF.
    expect(tf('keys({"\\uff01" = 1, "😀" = 2})')).toEqual(["😀", "！"]);
  });

  // https://developer.hashicorp.com/terraform/language/functions/values
  it(page("values"), () => {
    expect(tf("values({a=3, c=2, d=1})")).toEqual([3, 2, 1]);
  });

  // https://developer.hashicorp.com/terraform/language/functions/concat
  it(page("concat"), () => {
    expect(tf('concat(["a", ""], ["b", "c"])')).toEqual(["a", "", "b", "c"]);
    // "Can do multiple lists of mixed types, arguments can also be empty lists".
    expect(tf('concat([], [1, "a"], [[3], "c"])')).toEqual([1, "a", [3], "c"]);
  });

  // https://developer.hashicorp.com/terraform/language/functions/merge
  it(page("merge"), () => {
    expect(tf('merge({a="b", c="d"}, {e="f", c="z"})')).toEqual({ a: "b", c: "z", e: "f" });
    expect(tf('merge({a="b"}, {a=[1,2], c="z"}, {d=3})')).toEqual({ a: [1, 2], c: "z", d: 3 });
    expect(tf('merge([{a="b", c="d"}, {}, {e="f", c="z"}]...)')).toEqual({ a: "b", c: "z", e: "f" });
  });

  // https://developer.hashicorp.com/terraform/language/functions/contains
  it(page("contains"), () => {
    expect(tf('contains(["a", "b", "c"], "a")')).toBe(true);
    expect(tf('contains(["a", "b", "c"], "d")')).toBe(false);
  });

  // https://developer.hashicorp.com/terraform/language/functions/range
  it(page("range"), () => {
    expect(tf("range(3)")).toEqual([0, 1, 2]);
    expect(tf("range(1, 4)")).toEqual([1, 2, 3]);
    expect(tf("range(1, 8, 2)")).toEqual([1, 3, 5, 7]);
    expect(tf("range(1, 4, 0.5)")).toEqual([1, 1.5, 2, 2.5, 3, 3.5]);
    expect(tf("range(4, 1)")).toEqual([4, 3, 2]);
    expect(tf("range(10, 5, -2)")).toEqual([10, 8, 6]);
    // The page's `expanded_names` example (a variable's default as a let).
    const lets = '  let name_counts = {\n    "foo" = 2\n    "bar" = 4\n  }\n';
    expect(tf('{\n    for name, count in name_counts : name => [\n      for i in range(count) : format("%s%02d", name, i)\n    ]\n  }', lets)).toEqual({
      bar: ["bar00", "bar01", "bar02", "bar03"],
      foo: ["foo00", "foo01"],
    });
    // The page: "Terraform imposes an artificial limit of 1024 numbers". Lexum's limit is
    // LIMITS.elements (1,000,000), as for every list a function builds.
    expect(call("range", 1025)).toHaveLength(1025);
    expect(tf("range(1000001)")).toEqual(["LXM2047 the range exceeds the limit of 1000000"]);
  });
});

describe("Terraform's reference examples: string functions", () => {
  // https://developer.hashicorp.com/terraform/language/functions/lower
  it(page("lower"), () => {
    expect(tf('lower("HELLO")')).toBe("hello");
    expect(tf('lower("ΓΕΙΑ ΣΟΥ")')).toBe("γεια σου");
    // "Unicode's definition of letters and of upper- and lowercase": Lexum applies Unicode's
    // full case mapping (a word-final Σ lowers to ς); Terraform maps each character alone (σ).
    expect(call("lower", "ΟΔΟΣ")).toBe("οδος");
  });

  // https://developer.hashicorp.com/terraform/language/functions/upper
  it(page("upper"), () => {
    expect(tf('upper("hello")')).toBe("HELLO");
    expect(tf('upper("алло!")')).toBe("АЛЛО!");
    // Full case mapping again: ß becomes SS (Terraform keeps ß).
    expect(call("upper", "ß")).toBe("SS");
  });

  // https://developer.hashicorp.com/terraform/language/functions/trim
  it(page("trim"), () => {
    expect(tf('trim("?!hello?!", "!?")')).toBe("hello");
    expect(tf('trim("foobar", "far")')).toBe("oob");
    expect(tf('trim("   hello! world.!  ", "! ")')).toBe("hello! world.");
  });

  // https://developer.hashicorp.com/terraform/language/functions/join
  it(page("join"), () => {
    expect(tf('join("-", ["foo", "bar", "baz"])')).toBe("foo-bar-baz");
    expect(tf('join(", ", ["foo", "bar", "baz"])')).toBe("foo, bar, baz");
    expect(tf('join(", ", ["foo"])')).toBe("foo");
  });

  // https://developer.hashicorp.com/terraform/language/functions/split
  it(page("split"), () => {
    expect(tf('split(",", "foo,bar,baz")')).toEqual(["foo", "bar", "baz"]);
    expect(tf('split(",", "foo")')).toEqual(["foo"]);
    expect(tf('split(",", "")')).toEqual([""]);
  });

  // https://developer.hashicorp.com/terraform/language/functions/replace
  it(page("replace"), () => {
    expect(tf('replace("1 + 2 + 3", "+", "-")')).toBe("1 - 2 - 3");
    expect(tf('replace("hello world", "/w.*d/", "everybody")')).toBe("hello everybody");
  });
});

describe("Terraform's reference examples: numeric functions", () => {
  // https://developer.hashicorp.com/terraform/language/functions/min
  it(page("min"), () => {
    expect(tf("min(12, 54, 3)")).toBe(3);
    expect(tf("min([12, 54, 3]...)")).toBe(3);
  });

  // https://developer.hashicorp.com/terraform/language/functions/max
  it(page("max"), () => {
    expect(tf("max(12, 54, 3)")).toBe(54);
    expect(tf("max([12, 54, 3]...)")).toBe(54);
  });

  // https://developer.hashicorp.com/terraform/language/functions/abs
  it(page("abs"), () => {
    expect(tf("abs(23)")).toBe(23);
    expect(tf("abs(0)")).toBe(0);
    expect(tf("abs(-12.4)")).toBe(12.4);
    // The page's use case: a variable `num` of -10 (a let here).
    expect(tf("abs(num)", "  let num = -10\n")).toBe(10);
  });

  // https://developer.hashicorp.com/terraform/language/functions/floor
  it(page("floor"), () => {
    expect(tf("floor(5)")).toBe(5);
    expect(tf("floor(4.9)")).toBe(4);
  });

  // https://developer.hashicorp.com/terraform/language/functions/ceil
  it(page("ceil"), () => {
    expect(tf("ceil(5)")).toBe(5);
    expect(tf("ceil(5.1)")).toBe(6);
  });
});

describe("Terraform's reference examples: type conversion functions", () => {
  // https://developer.hashicorp.com/terraform/language/functions/tostring
  it(page("tostring"), () => {
    expect(tf('tostring("hello")')).toBe("hello");
    expect(tf("tostring(1)")).toBe("1");
    expect(tf("tostring(true)")).toBe("true");
    expect(tf("tostring(null)")).toBeNull();
    expect(tf('tostring(null) == null ? "is null" : "not null"')).toBe("is null");
    // Terraform: Invalid value for "v" parameter: cannot convert tuple to string.
    expect(tf("tostring([])")).toEqual(["LXM2031 argument 1 of `tostring` must be a string, number or bool, got list"]);
    expect(problem("tostring", [])).toBe("argument 1 of `tostring` must be a string, number or bool, got list");
  });

  // https://developer.hashicorp.com/terraform/language/functions/tonumber
  it(page("tonumber"), () => {
    expect(tf("tonumber(1)")).toBe(1);
    expect(tf('tonumber("1")')).toBe(1);
    expect(tf("tonumber(null)")).toBeNull();
    // Terraform: cannot convert "no" to number: string must be a decimal representation of a number.
    expect(tf('tonumber("no")')).toEqual(['LXM2044 `tonumber`: "no" is not a number']);
    expect(problem("tonumber", "no")).toBe('`tonumber`: "no" is not a number');
  });
});

describe("Terraform's reference examples: encoding functions", () => {
  // https://developer.hashicorp.com/terraform/language/functions/jsonencode
  it(page("jsonencode"), () => {
    expect(tf('jsonencode({"hello"="world"})')).toBe('{"hello":"world"}');
    // The page: Terraform escapes <, >, &, U+2028 and U+2029 as \u003c, \u003e, \u0026,
    // \u2028 and \u2029. Lexum writes canonical JSON (RFC 8785), which keeps them as they are.
    expect(call("jsonencode", "<b> & \u2028\u2029")).toBe('"<b> & \u2028\u2029"');
  });

  // https://developer.hashicorp.com/terraform/language/functions/jsondecode
  it(page("jsondecode"), () => {
    expect(tf('jsondecode("{\\"hello\\": \\"world\\"}")')).toEqual({ hello: "world" });
    expect(tf('jsondecode("true")')).toBe(true);
  });

  // https://developer.hashicorp.com/terraform/language/functions/yamlencode
  it(page("yamlencode"), () => {
    expect(tf('yamlencode({"a":"b", "c":"d"})')).toBe('"a": "b"\n"c": "d"\n');
    expect(tf('yamlencode({"foo":[1, 2, 3], "bar": "baz"})')).toBe('"bar": "baz"\n"foo":\n- 1\n- 2\n- 3\n');
    expect(tf('yamlencode({"foo":[1, {"a":"b","c":"d"}, 3], "bar": "baz"})')).toBe('"bar": "baz"\n"foo":\n- 1\n- "a": "b"\n  "c": "d"\n- 3\n');
    // "always uses YAML's block style for mappings and sequences, unless the mapping or sequence is empty".
    expect(tf('yamlencode({"a": [], "b": {}})')).toBe('"a": []\n"b": {}\n');
  });

  // https://developer.hashicorp.com/terraform/language/functions/yamldecode
  it(page("yamldecode"), () => {
    expect(tf('yamldecode("hello: world")')).toEqual({ hello: "world" });
    expect(tf('yamldecode("true")')).toBe(true);
    expect(tf('yamldecode("{a: &foo [1, 2, 3], b: *foo}")')).toEqual({ a: [1, 2, 3], b: [1, 2, 3] });
    // Terraform: cannot refer to anchor "foo" from inside its own definition.
    expect(tf('yamldecode("{a: &foo [1, *foo, 3]}")')).toEqual(["LXM2044 `yamldecode`: the alias *foo sits inside the node it names (a recursive structure)"]);
    // Terraform: unsupported tag "!not-supported".
    expect(tf('yamldecode("{a: !not-supported foo}")')).toEqual([
      "LXM2044 `yamldecode`: the tag !not-supported is not one of the YAML 1.2 core schema's (!!str, !!int, !!float, !!bool, !!null, !!seq, !!map)",
    ]);
    // The page's YAML 1.1 booleans: Terraform decodes an unquoted `on` key as "true"
    // ({"true" = 1}). Lexum reads YAML 1.2's core schema, where `on` is a string.
    expect(tf('yamldecode("{on: 1}")')).toEqual({ on: 1 });
    expect(tf('yamldecode("{\\"on\\": 1}")')).toEqual({ on: 1 });
    // "Only one YAML document is permitted": a second document is an error, as in Terraform.
    expect(tf('yamldecode("a: 1\\n---\\nb: 2")')).toEqual(["LXM2044 `yamldecode`: only a single document is allowed, and the text holds 2 (each `---` starts one)"]);
    expect(problem("yamldecode", "a: 1\n---\n")).toBe("`yamldecode`: only a single document is allowed, and the text holds 2 (each `---` starts one)");
    expect(call("yamldecode", "---\na: 1\n...\n")).toEqual({ a: 1 });
    // The page's table of tags, written explicitly. `!!binary` is "a string containing
    // base64-encoded representation": the text itself, checked (it was bytes, which no value
    // holds, and came out as an object of byte values).
    expect(call("yamldecode", "!!binary aGk=")).toBe("aGk=");
    expect(call("yamldecode", "a: !!binary |\n  aGVsbG8g\n  d29ybGQ=\n")).toEqual({ a: "aGVsbG8g\nd29ybGQ=\n" });
    expect(problem("yamldecode", "!!binary aGk")).toBe('`yamldecode`: "aGk" is not a value of its tag !!binary');
    // `!!int` and `!!float` are numbers however written (the core schema alone took `!!float 1`
    // for an unknown tag); `!!bool` and `!!null` take their core spellings.
    expect(call("yamldecode", "[!!float 1, !!int 1.5, !!int 0x10, !!bool TRUE, !!null ~, !!str 1]")).toEqual([1, 1.5, 16, true, null, "1"]);
    expect(problem("yamldecode", "!!int abc")).toBe('`yamldecode`: "abc" is not a value of its tag !!int');
    expect(problem("yamldecode", "!!bool yes")).toBe('`yamldecode`: "yes" is not a value of its tag !!bool');
    expect(problem("yamldecode", "!!int 9007199254740993")).toBe(
      "`yamldecode`: the number 9007199254740993 cannot be represented exactly (integers must lie within ±2^53, and numbers must be finite)",
    );
    // Terraform turns `!!timestamp` (and an unquoted date) into an RFC 3339 string; in the
    // core schema a date is a string as written, and the tag is refused.
    expect(call("yamldecode", "2001-12-14")).toBe("2001-12-14");
    expect(problem("yamldecode", "!!timestamp 2001-12-14")).toBe("`yamldecode`: the tag !!timestamp is not supported: write the time as a plain string");
  });

  // https://developer.hashicorp.com/terraform/language/functions/base64encode
  it(page("base64encode"), () => {
    expect(tf('base64encode("Hello World")')).toBe("SGVsbG8gV29ybGQ=");
  });

  // https://developer.hashicorp.com/terraform/language/functions/base64decode
  it(page("base64decode"), () => {
    expect(tf('base64decode("SGVsbG8gV29ybGQ=")')).toBe("Hello World");
    // "If the bytes after Base64 decoding are not valid UTF-8, this function produces an error."
    expect(tf('base64decode("/w==")')).toEqual(["LXM2044 `base64decode`: the decoded bytes are not UTF-8 text"]);
  });
});
