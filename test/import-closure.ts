import { existsSync, readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");

/**
 * The modules a source file loads when it is imported: every `import … from` and
 * `export … from` that is not type-only, followed through relative paths (`.js` names a
 * `.ts`/`.tsx` source). `files` are repository-relative paths, sorted; `external` the
 * package and `node:` specifiers reached. Dynamic `import()` is not followed: it loads only
 * when called.
 */
export function importClosure(entry: string): { files: string[]; external: string[] } {
  const seen = new Set<string>();
  const external = new Set<string>();
  const todo = [resolve(root, entry)];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, "utf8").matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+"([^"]+)"/gms)) {
      const spec = m[1]!;
      if (!spec.startsWith(".")) {
        external.add(spec);
        continue;
      }
      const base = resolve(dirname(file), spec.replace(/\.js$/, ""));
      todo.push(existsSync(`${base}.ts`) ? `${base}.ts` : `${base}.tsx`);
    }
  }
  const sorted = (xs: Iterable<string>): string[] => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { files: sorted([...seen].map((f) => relative(root, f))), external: sorted(external) };
}
