import { describe, expect, it } from "vitest";
import { compile } from "../../../src/lang/compile.js";
import { formatSource } from "../../../src/lang/format.js";
import { evaluateResidual } from "../../../src/lang/residual.js";
import type { Residual } from "../../../src/program/types.js";

type Files = Record<string, string>;
function compiled(expr: string, lets = "", files: Files = {}) {
  const text = `domain d {\n${lets}  let x = ${expr}\n  export x\n}\n`;
  return compile([{ path: "main.lxm", text }], { readFile: (p) => files[p] ?? null });
}
/** The exported value of `x`, or the diagnostics (code, message, where). */
function value(expr: string, lets = "", files: Files = {}): unknown {
  const r = compiled(expr, lets, files);
  if (r.diagnostics.length > 0) return r.diagnostics.map((d) => `${d.code} ${d.message} @${d.span?.file}`);
  return (r.program!.domains["d"]!.exports["x"] as { value: unknown }).value;
}

describe("string templates: directives and strip markers (Terraform's examples)", () => {
  it("%{ if } … %{ else } … %{ endif }", () => {
    const tpl = '"Hello, %{ if name != "" }${name}%{ else }unnamed%{ endif }!"';
    expect(value(tpl, '  let name = "Juan"\n')).toBe("Hello, Juan!");
    expect(value(tpl, '  let name = ""\n')).toBe("Hello, unnamed!");
    expect(value('"%{ if true }yes%{ endif }|%{ if false }yes%{ endif }"')).toBe("yes|");
  });
  it("%{ for } over a list and over an object (key, value)", () => {
    expect(value('"%{ for ip in ips }server ${ip}\\n%{ endfor }"', '  let ips = ["10.1.16.154", "10.1.16.1"]\n')).toBe("server 10.1.16.154\nserver 10.1.16.1\n");
    expect(value('"%{ for i, v in ["a", "b"] }${i}=${v};%{ endfor }"')).toBe("0=a;1=b;");
    expect(value('"%{ for k, v in { b = 2, a = 1 } }${k}:${v} %{ endfor }"')).toBe("a:1 b:2 ");
    expect(value('"[%{ for x in [] }${x}%{ endfor }]"')).toBe("[]");
  });
  it("strip markers remove the white space (line breaks too) on their side", () => {
    const heredoc = `"""
    %{ for ip in ips ~}
    server \${ip}
    %{ endfor ~}
    """`;
    expect(value(heredoc, '  let ips = ["10.1.16.154", "10.1.16.1", "10.1.16.34"]\n')).toBe("server 10.1.16.154\nserver 10.1.16.1\nserver 10.1.16.34\n");
    expect(value('"a \\n  ${~ "b" ~}  \\t c"')).toBe("abc");
    expect(value('"x   %{~ if true ~}   y   %{~ endif ~}   z"')).toBe("xyz");
    expect(value('"x   %{ if true ~}   y   %{~ endif }   z"')).toBe("x   y   z");
  });
  it("%%{ and $${ are a literal %{ and ${", () => {
    expect(value('"100%%{x} and $${y}"')).toBe("100%{x} and ${y}");
    expect(value('"50% and %"')).toBe("50% and %");
  });
  it("nests, and a value known only at apply makes the whole string a residual", () => {
    expect(value('"%{ for r in rows }%{ if r.on }[${r.n}]%{ endif }%{ endfor }"', '  let rows = [{ n = 1, on = true }, { n = 2, on = false }, { n = 3, on = true }]\n')).toBe("[1][3]");
    const r = compiled('"%{ for t in split(",", secret("TAGS")) }<${t}>%{ endfor }"');
    expect(r.diagnostics).toEqual([]);
    const ex = r.program!.domains["d"]!.exports["x"] as { kind: string; value: { expr: Residual; sensitive: boolean } };
    expect(ex.kind).toBe("deferred");
    expect(ex.value.sensitive).toBe(true);
    expect(evaluateResidual(ex.value.expr, { ref: () => undefined, res: () => undefined, secret: () => "a,b" })).toEqual({ value: "<a><b>" });
  });
  it("reports misplaced, unclosed and unknown directives, and a condition that is not a bool", () => {
    expect(value('"%{ if true }x"')).toEqual(["LXM1061 `%{ if }` is never closed @main.lxm"]);
    expect(value('"x%{ endfor }"')).toEqual(["LXM1060 `%{ endfor }` has no `%{ for }` to close @main.lxm"]);
    expect(value('"%{ if true }a%{ endfor }%{ endif }"')).toEqual(["LXM1060 `%{ endfor }` inside an open `%{ if }` @main.lxm"]);
    expect(value('"%{ else }"')).toEqual(["LXM1060 `%{ else }` has no `%{ if }` to belong to @main.lxm"]);
    expect(value('"%{ foo }"')).toEqual(["LXM1062 `%{` starts a template directive (if, else, endif, for, endfor), not `foo` @main.lxm"]);
    expect(value('"%{ if 1 }a%{ endif }"')).toEqual(["LXM2030 the condition of `%{ if }` must be a bool, got number @main.lxm"]);
  });
  it("lxm fmt keeps templates exactly as written", () => {
    const src = 'domain d {\n  let x = "%{ for i in [1, 2] ~}\\n${i}%{ endfor }"\n  let y = """\n    %{ if true ~}\n    yes\n    %{~ endif }\n    """\n}\n';
    const f = formatSource("m.lxm", src);
    expect(f.diagnostics).toEqual([]);
    expect(f.text).toBe(src);
  });
});

describe("templatefile and templatestring (Terraform's examples)", () => {
  const files: Files = {
    "backends.tftpl": "%{ for addr in ip_addrs ~}\nbackend ${addr}:${port}\n%{ endfor ~}\n",
    "config.tftpl": "%{ for config_key, config_value in config }\nset ${config_key} = ${config_value}\n%{ endfor ~}\n",
    "json.tftpl": '${jsonencode({ "backends": [for addr in ip_addrs : "${addr}:${port}"] })}',
    "nested/a.tftpl": "${file(\"b.txt\")}-${n}",
    "nested/b.txt": "B",
    "bad.tftpl": "line one\n${ nope }\n",
    "rec.tftpl": '${templatefile("rec.tftpl", {})}',
    "broken.tftpl": "ok\n%{ if x }never closed\n",
  };
  it("renders a file with the variables passed, and nothing else in scope", () => {
    expect(value('templatefile("backends.tftpl", { port = 8080, ip_addrs = ["10.0.0.1", "10.0.0.2"] })', "", files)).toBe("backend 10.0.0.1:8080\nbackend 10.0.0.2:8080\n");
    expect(value('templatefile("config.tftpl", { config = { "x" = "y", "foo" = "bar", "key" = "value" } })', "", files)).toBe("\nset foo = bar\n\nset key = value\n\nset x = y\n");
    expect(value('templatefile("json.tftpl", { port = 8080, ip_addrs = ["10.0.0.1", "10.0.0.2"] })', "", files)).toBe('{"backends":["10.0.0.1:8080","10.0.0.2:8080"]}');
    // Paths inside a template are relative to the template file.
    expect(value('templatefile("nested/a.tftpl", { n = 1 })', "", files)).toBe("B-1");
    // A template file has no `\\` escapes.
    expect(value('templatefile("t.tftpl", {})', "", { "t.tftpl": "a\\nb" })).toBe("a\\nb");
  });
  it("points a finding inside a template file into that file, noting where it is rendered", () => {
    const r = compiled('templatefile("bad.tftpl", { port = 1 })', '  let port = 1\n', files);
    expect(r.diagnostics.map((d) => [d.code, d.message, d.span?.file, d.related?.map((x) => [x.message, x.span.file])])).toEqual([
      ["LXM2223", "the template uses `nope`, which is not among its variables (`port`)", "bad.tftpl", [["the template is rendered here", "main.lxm"]]],
    ]);
    expect(r.sources.get("bad.tftpl")?.text).toBe(files["bad.tftpl"]);
    expect(value('templatefile("broken.tftpl", {})', "", files)).toEqual(["LXM1061 `%{ if }` is never closed @broken.tftpl"]);
    expect(value('templatefile("rec.tftpl", {})', "", files)).toEqual(["LXM2222 `templatefile` cannot be called from inside a template @rec.tftpl"]);
    expect(value('templatefile("none.tftpl", {})', "", files)).toEqual(['LXM2043 file("none.tftpl"): no such file in the project @main.lxm']);
    expect(value('templatefile("../x.tftpl", {})', "", files)).toEqual(['LXM2042 file("../x.tftpl") points outside the project @main.lxm']);
    expect(value('templatefile("backends.tftpl", { "not a name" = 1 })', "", files)).toEqual(['LXM2221 template variables: "not a name" is not a name @main.lxm']);
  });
  it("templatestring renders a template held in a named value", () => {
    const lets = '  let tpl = "Hello, $${name}! %%{ if loud }!!%%{ endif }"\n';
    expect(value('templatestring(tpl, { name = "Alice", loud = true })', lets)).toBe("Hello, Alice! !!");
    expect(value('templatestring(cfg.greeting, { name = "Bob" })', '  let cfg = { greeting = "Hi $${upper(name)}" }\n')).toBe("Hi BOB");
    expect(value('templatestring("Hello", {})')).toEqual(["LXM2220 `templatestring` renders a template held in a named value, not one written in place @main.lxm"]);
    expect(value("templatestring(t, {})", '  let t = "line\\n$${oops}"\n')).toEqual([
      "LXM2223 the template uses `oops`, which is not among its variables (none were passed) (line 2, column 3 of the template) @main.lxm",
    ]);
  });
});
