import fs from "node:fs";
import path from "node:path";
import { describe, it } from "vitest";
import { lxm } from "../cli/capture.js";
import { expectGolden } from "../golden.js";

/**
 * Each folder under fixtures/diagnostics is a small project and `expected.txt`, the exact
 * output of `lxm check` run inside it (stderr, then stdout, then the exit code).
 */
const dir = path.resolve(__dirname, "../../fixtures/diagnostics");
const cases = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => fs.statSync(path.join(dir, n)).isDirectory()).sort() : [];

describe("diagnostic golden cases", () => {
  it("has at least 50 cases", () => {
    if (cases.length < 50) throw new Error(`only ${cases.length} cases under fixtures/diagnostics`);
  });
  for (const name of cases) {
    it(name, async () => {
      const caseDir = path.join(dir, name);
      const args = fs.existsSync(path.join(caseDir, "args")) ? fs.readFileSync(path.join(caseDir, "args"), "utf8").trim().split(/\s+/) : ["check"];
      const r = await lxm(caseDir, args);
      expectGolden(path.join(caseDir, "expected.txt"), `${r.err}${r.out}exit: ${r.code}\n`);
    });
  }
});
