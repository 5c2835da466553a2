import { describe, expect, test } from "vitest";
import { BUILTINS } from "../../src/lang/builtins.js";
import { compile } from "../../src/lang/compile.js";
import { evaluateResidual } from "../../src/lang/residual.js";
import type { ResidualEnv } from "../../src/lang/residual.js";
import type { Json, Residual } from "../../src/program/types.js";

// A value no message may contain, whole or in part: it is what `secret("TOKEN")` returns.
const MARKER = "Zq7xW9kP3mV";

const env: ResidualEnv = {
  ref: () => undefined,
  res: () => undefined,
  secret: (n) => (n === "TOKEN" ? MARKER : n === "JSONISH" ? `{"k": "${MARKER}"` : undefined),
};

/** True when `text` holds the marker, any 3-character piece of it, or any of its characters quoted alone. */
function leaks(text: string): boolean {
  for (let i = 0; i + 3 <= MARKER.length; i++) if (text.includes(MARKER.slice(i, i + 3))) return true;
  return [...MARKER].some((c) => text.includes(`"${c}"`) || text.includes(`'${c}'`) || text.includes(`\`${c}\``));
}

/** The residual of `content = EXPR` in a one-resource program (the compiler defers anything fed by secret()). */
function residualOf(expr: string): Residual {
  const r = compile([{ path: "m.lxm", text: `domain d {\n  provider fs { root = "o" }\n  resource fs.file f {\n    path = "f"\n    content = ${expr}\n  }\n}\n` }]);
  expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  const deferred = r.program!.domains["d"]!.resources["d/fs.file.f"]!.deferred["content"];
  expect(deferred?.sensitive).toBe(true);
  return deferred!.expr;
}

describe("a secret never reaches an error message", () => {
  const cases = [
    'tostring(tonumber(secret("TOKEN")))',
    'tostring(jsondecode(secret("TOKEN")))',
    'tostring(jsondecode(secret("JSONISH")))',
    'tostring(len(range(0, tonumber(secret("TOKEN")))))',
    'base64encode(tostring(tonumber("x${secret("TOKEN")}")))',
    'jsonencode([for c in split("", secret("TOKEN")): tonumber(c)])',
    'jsonencode({for c in split("", secret("TOKEN")): c => tonumber(c)})',
    'jsonencode({for c in split("", "aa${secret("TOKEN")}"): c => 1})',
    'jsonencode({ a = 1 }[secret("TOKEN")])',
    'tostring(secret("TOKEN") * 2)',
    'tostring(-secret("TOKEN"))',
    'tostring(secret("TOKEN") ? 1 : 2)',
    'base64decode(secret("TOKEN"))',
    'yamlencode(yamldecode(secret("JSONISH")))',
    'tostring(secret("TOKEN")[3])',
    'tostring(secret("TOKEN").x)',
    'tostring(max(tonumber(secret("TOKEN")), 1))',
    'replace(secret("TOKEN"), "", "x") == "" ? "a" : "b"',
  ];
  for (const expr of cases) {
    test(expr, () => {
      const r = evaluateResidual(residualOf(expr), env);
      expect("error" in r).toBe(true);
      const error = (r as { error: string }).error;
      expect(leaks(error), error).toBe(false);
      expect(error).toMatch(/failed on a sensitive \w+ \(from [^)]*secret\("(TOKEN|JSONISH)"\)/);
    });
  }

  test("every built-in, with the secret in every argument position: any error names the type and origin only", () => {
    const fillers: Json[] = ["", "a", 0, 2, -1, true, null, [], ["a", 1], {}, { a: 1 }];
    let failures = 0;
    for (const b of BUILTINS.values()) {
      if (b.compileTimeOnly) continue;
      const max = Math.min(b.max, 3);
      for (let n = Math.max(b.min, 1); n <= max; n++) {
        for (let pos = 0; pos < n; pos++) {
          for (const filler of fillers) {
            const args: Residual[] = Array.from({ length: n }, (_, i) => (i === pos ? { op: "secret", name: "TOKEN" } : { op: "lit", value: filler }));
            const r = evaluateResidual({ op: "call", fn: b.name, args }, env);
            if (!("error" in r)) continue;
            failures += 1;
            expect(leaks(r.error), `${b.name} #${pos + 1}: ${r.error}`).toBe(false);
            // nonsensitive refuses a secret by name (LXM2202); every other failure names the operation.
            expect(r.error).toContain(b.name === "nonsensitive" ? "`nonsensitive` cannot uncover a value computed from secret(\"TOKEN\")" : `\`${b.name}\` failed on a sensitive`);
          }
        }
      }
    }
    // The sweep did exercise error paths (most built-ins refuse a secret in some position).
    expect(failures).toBeGreaterThan(50);
  });

  test("a value read from a sensitive attribute is sensitive too", () => {
    const sensitiveEnv: ResidualEnv = {
      ref: (a, attr) => (a === "d/fs.file.t" && attr === "content" ? MARKER : undefined),
      res: () => undefined,
      secret: () => undefined,
      sensitive: (a, attr) => a === "d/fs.file.t" && attr === "content",
    };
    const r = evaluateResidual({ op: "call", fn: "tonumber", args: [{ op: "ref", address: "d/fs.file.t", attr: "content" }] }, sensitiveEnv);
    expect(r).toEqual({ error: expect.stringContaining("failed on a sensitive string (from d/fs.file.t.content)") });
    expect(leaks((r as { error: string }).error)).toBe(false);
  });

  test("an error with no sensitive operand keeps its own words", () => {
    const expr: Residual = {
      op: "binary",
      o: "+",
      l: { op: "call", fn: "tonumber", args: [{ op: "lit", value: "nope" }] },
      r: { op: "secret", name: "TOKEN" },
    };
    expect(evaluateResidual(expr, env)).toEqual({ error: expect.stringContaining('"nope"') });
  });
});
