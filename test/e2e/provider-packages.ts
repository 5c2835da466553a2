import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./helpers.js";

/** The fixture provider package (fixtures/provider-kv) and its npm name. */
export const KV_FIXTURE = join(root, "fixtures/provider-kv");
export const KV_PACKAGE = "@lexum-fixtures/provider-kv";

/** Runs the real npm, offline and quiet (no registry is reached: every install is a local tarball). */
export function npm(cwd: string, ...args: string[]): string {
  return execFileSync("npm", [...args, "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, npm_config_update_notifier: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();
}

/** `npm pack` of a package folder into `dest`; the tarball's absolute path. */
export function pack(dir: string, dest: string): string {
  const name = npm(dest, "pack", "--silent", "--pack-destination", dest, dir).split("\n").pop()!;
  return join(dest, name);
}

/** `npm install` of tarballs into `dir` (a package.json is made when there is none). */
export function install(dir: string, ...tarballs: string[]): void {
  npm(dir, "install", ...tarballs);
}

/** Writes a package folder: package.json (ESM, entry index.js) and the given files. */
export function writePackage(dir: string, name: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version: "1.0.0", type: "module", exports: "./index.js" }, null, 2) + "\n");
  for (const [rel, text] of Object.entries(files)) writeFileSync(join(dir, rel), text);
  return dir;
}

/** A minimal provider `name` (types `<name>.widget`) as package source, with parts replaced by `over`. */
export function acmeSource(over: { name?: string; types?: string[]; widget?: object; providerSchema?: object; configure?: string; extra?: string } = {}): string {
  const widget = over.widget ?? { type: "object", additionalProperties: false, required: ["id"], "x-lexum-identity": ["id"], properties: { id: { type: "string" }, size: { type: "integer" } } };
  const providerSchema = over.providerSchema ?? { type: "object", additionalProperties: false, properties: {} };
  const configure =
    over.configure ??
    `() { return { async read() { return null; }, async create(_t, a) { return a; }, async update(_t, _p, a) { return a; }, async delete() {}, async close() {} }; }`;
  return [
    `export const provider = { name: ${JSON.stringify(over.name ?? "acme")}, types: ${JSON.stringify(over.types ?? ["acme.widget"])}, configure${configure} };`,
    `export const schemas = { provider: ${JSON.stringify(providerSchema)}, "acme.widget": ${JSON.stringify(widget)} };`,
    over.extra ?? "",
  ].join("\n");
}
