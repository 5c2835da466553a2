import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readWorld } from "../../src/providers/sim/world.js";

// A real SIGKILL cannot be taken inside the test runner, so the sim provider runs in a child
// `node` process. Node 20 cannot run TypeScript: the provider's import closure is
// transpiled (no type check) into a temp folder first, imports already carry `.js`.
const repo = resolve(import.meta.dirname, "../..");
let dir: string;
let build: string;

function transpileClosure(entry: string, out: string): void {
  const todo = [resolve(repo, entry)];
  const seen = new Set<string>();
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const src = readFileSync(file, "utf8");
    for (const m of src.matchAll(/from\s+"(\.{1,2}\/[^"]+)\.js"/g)) todo.push(resolve(dirname(file), `${m[1]}.ts`));
    const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const dest = join(out, relative(repo, file)).replace(/\.ts$/, ".js");
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, js);
  }
  writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));
}

function driver(faults: unknown[]): string {
  const script = join(dir, `driver-${faults.length}.mjs`);
  writeFileSync(
    script,
    `import { simProvider } from ${JSON.stringify(join(build, "src/providers/sim/provider.js"))};
const p = simProvider.configure({ world: "world.json", latency: 2, faults: ${JSON.stringify(faults)} }, { projectDir: ${JSON.stringify(dir)} });
const ctx = { signal: new AbortController().signal, attempt: 1 };
for (let i = 1; i <= 5; i++) {
  const o = await p.create("sim.object", { kind: "k", name: "n" + i, spec: { i } }, { ...ctx, address: "d/sim.object.n" + i });
  console.log("created", o.name, o.generation);
}
await p.close();
`,
  );
  return script;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lexum-simcrash-"));
  build = join(dir, "build");
  transpileClosure("src/providers/sim/provider.ts", build);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("sim crash fault (real SIGKILL)", () => {
  it("kills the process mid-apply, leaves a complete world, and a rerun converges without duplicates", () => {
    const crash = spawnSync(process.execPath, [driver([{ address: "d/sim.object.n3", kind: "crash" }])], { cwd: dir, encoding: "utf8" });
    expect(crash.stderr).toBe("");
    expect(crash.signal).toBe("SIGKILL");
    expect(crash.stdout.trim().split("\n")).toEqual(["created n1 1", "created n2 1"]);
    // The killed process never closed its world: its changes are in the change log, whole.
    expect(existsSync(join(dir, "world.json"))).toBe(false);
    const world = readWorld(join(dir, "world.json"));
    expect(typeof world === "string" ? world : [...world.keys()]).toEqual(["k/n1", "k/n2"]);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    const rerun = spawnSync(process.execPath, [driver([])], { cwd: dir, encoding: "utf8" });
    expect(rerun.status).toBe(0);
    // n1 and n2 already existed identical: accepted with generation 1, not duplicated or bumped.
    expect(rerun.stdout.trim().split("\n")).toEqual(["created n1 1", "created n2 1", "created n3 1", "created n4 1", "created n5 1"]);
    // The rerun applied the log on opening and folded it into the file on closing.
    const after = JSON.parse(readFileSync(join(dir, "world.json"), "utf8"));
    expect(after.format).toBe("lexum.sim/v1");
    expect(Object.keys(after.objects)).toEqual(["k/n1", "k/n2", "k/n3", "k/n4", "k/n5"]);
    expect(existsSync(join(dir, "world.json.log"))).toBe(false);
  });
});
