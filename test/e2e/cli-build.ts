import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { root } from "./helpers.js";

/**
 * A runnable copy of the `lxm` CLI for child processes (a real SIGKILL cannot be taken inside
 * the test runner). Node 20 cannot run TypeScript and dist/ may be stale while src/ is edited,
 * so the import closure of src/cli/main.ts is transpiled (no type check) into a temp folder
 * that mirrors the checkout: `schemas/`, `fixtures/` and `node_modules/` are linked, so
 * paths computed from `import.meta.url` resolve as they do from dist/.
 */
export interface CliBuild {
  /** Absolute path of the transpiled entry (run it with `node`). */
  readonly main: string;
  cleanup(): void;
}

/** `entry`: another module to build with its import closure (its `.js` is at `<dir of main>/../<path under src>`). */
export function buildCli(entry = "src/cli/main.ts"): CliBuild {
  const out = mkdtempSync(join(tmpdir(), "lexum-e2e-cli-"));
  const todo = [resolve(root, entry)];
  const seen = new Set<string>();
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const src = readFileSync(file, "utf8");
    // Static and dynamic relative imports; `.js` names a `.ts` or `.tsx` source.
    for (const m of src.matchAll(/(?:from\s+|import\s*\(\s*)"(\.{1,2}\/[^"]+)\.js"/g)) {
      const base = resolve(dirname(file), m[1]!);
      todo.push(existsSync(`${base}.ts`) ? `${base}.ts` : `${base}.tsx`);
    }
    const js = ts.transpileModule(src, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, jsx: ts.JsxEmit.ReactJSX, esModuleInterop: true },
    }).outputText;
    const dest = join(out, relative(root, file)).replace(/\.tsx?$/, ".js");
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, js);
  }
  for (const link of ["node_modules", "schemas", "fixtures"]) symlinkSync(join(root, link), join(out, link));
  cpSync(join(root, "package.json"), join(out, "package.json"));
  return { main: join(out, "src/cli/main.js"), cleanup: () => rmSync(out, { recursive: true, force: true }) };
}
