import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** GitHub's documented example payloads of `event` (@octokit/webhooks-examples, api.github.com), as published. */
export function githubExamples(event: string): Record<string, any>[] {
  const root = dirname(createRequire(import.meta.url).resolve("@octokit/webhooks-examples/package.json"));
  const sets = JSON.parse(readFileSync(join(root, "api.github.com/index.json"), "utf8")) as { name: string; examples: Record<string, any>[] }[];
  const found = sets.find((s) => s.name === event);
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${event} examples`);
  return found.examples;
}
