/**
 * Runs the benchmarks: `npm run bench` (all) or `npm run bench -- compile plan` (some).
 * Each prints its figures as ratios against a baseline measured in the same run; none
 * asserts a timing (machines are shared and noisy).
 */
const all: Record<string, () => Promise<{ main(): Promise<void> }>> = {
  compile: () => import("./compile.js"),
  plan: () => import("./plan.js"),
  hashing: () => import("./hashing.js"),
  "snapshot-commit": () => import("./snapshot-commit.js"),
  apply: () => import("./apply.js"),
  "bad-input": () => import("./bad-input.js"),
  action: () => import("./action.js"),
  sync: () => import("./sync.js"),
  "sync-replicas": () => import("./sync-replicas.js"),
  "functions-fuzz": () => import("./functions-fuzz.js"),
};

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(all)) {
  const load = all[name];
  if (!load) {
    process.stderr.write(`unknown benchmark '${name}' (known: ${Object.keys(all).join(", ")})\n`);
    process.exitCode = 1;
    continue;
  }
  process.stdout.write(`\n## ${name}\n`);
  await (await load()).main();
}
