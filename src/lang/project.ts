import { readdir, readFile, stat } from "node:fs/promises";
import { isMap, isScalar, parseDocument, visit } from "yaml";
import type { Span } from "../diag/span.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { SourceFile, SourceSet } from "../diag/source.js";
import * as host from "../diag/catalog/host.js";
import * as sem from "../diag/catalog/semantic.js";
import { readFileSync } from "node:fs";
import { loadTypeCatalog, plainProblem, precompiledValidator } from "../program/schemas.js";
import type { TypeCatalog } from "../program/schemas.js";
import type { Json, JsonObject } from "../program/types.js";
import { suggest } from "./suggest.js";
import { LIMITS } from "./values.js";
import { yamlTooDeepAt } from "./yaml-depth.js";

/**
 * Loading a project: every `.lxm` file below a directory (the I/O edge of the compiler),
 * and the project settings in lexum.yaml.
 */

export interface LoadedProject {
  /** Project-relative posix paths, sorted. */
  readonly files: { path: string; text: string }[];
  readonly sources: SourceSet;
  readonly diagnostics: Diagnostic[];
}

const SKIP = new Set([".git", "node_modules"]);
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads every `.lxm` file below `dir` (recursively, skipping .git and node_modules).
 * Missing directory → LXM5001, no files → LXM5002, unreadable → LXM5003, not UTF-8 → LXM5004.
 * Never throws for user input. `shown` is how messages name `dir` (e.g. relative to the
 * current directory); when given, file paths in messages are prefixed with it too.
 */
export async function loadProject(dir: string, shown?: string): Promise<LoadedProject> {
  const diagnostics: Diagnostic[] = [];
  const prefix = shown === undefined || shown === "." || shown === "" ? "" : `${shown}/`;
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error("not a directory");
  } catch {
    return { files: [], sources: new SourceSet(), diagnostics: [host.noSuchDirectory(undefined, shown ?? dir)] };
  }
  const found: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(rel === "" ? dir : `${dir}/${rel}`, { withFileTypes: true });
    } catch (e) {
      diagnostics.push(host.unreadableFile(undefined, prefix + (rel || "."), plainCause(e)));
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (!SKIP.has(e.name)) await walk(p);
      } else if ((e.name.endsWith(".lxm") || e.name === "lexum.yaml") && (e.isFile() || e.isSymbolicLink())) found.push(p);
    }
  };
  await walk("");
  // A folder with its own lexum.yaml is a project of its own.
  const mine = withoutNestedProjects(found.map((path) => ({ path }))).map((f) => f.path).filter((p) => p.endsWith(".lxm"));
  const raw: { path: string; bytes: Uint8Array }[] = [];
  for (const p of mine.sort()) {
    try {
      raw.push({ path: p, bytes: await readFile(`${dir}/${p}`) });
    } catch (e) {
      diagnostics.push(host.unreadableFile(undefined, prefix + p, plainCause(e)));
    }
  }
  if (mine.length === 0) diagnostics.push(host.noLxmFiles(undefined, shown ?? dir, nestedProjects(found)));
  const loaded = loadProjectFromFiles(raw);
  const loadDiags = prefix === "" ? loaded.diagnostics : loaded.diagnostics.map((d) => (d.code === host.invalidUtf8.code ? { ...d, message: prefix + d.message } : d));
  return { files: loaded.files, sources: loaded.sources, diagnostics: [...diagnostics, ...loadDiags] };
}

/** An I/O failure in plain words (errno names such as ENOENT mean little to a user). */
export function plainCause(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "it does not exist (a broken symbolic link?)";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a directory";
  if (code === "ELOOP") return "too many levels of symbolic links";
  return code ?? (e as Error).message;
}

/** The same from in-memory files (a git commit's tree): bytes or text by project-relative path. */
export function loadProjectFromFiles(files: readonly { path: string; bytes?: Uint8Array; text?: string }[]): LoadedProject {
  const diagnostics: Diagnostic[] = [];
  const out: { path: string; text: string }[] = [];
  const sources = new SourceSet();
  for (const f of [...files].filter((f) => f.path.endsWith(".lxm")).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    let text = f.text;
    if (text === undefined) {
      const d = decodeSource(f.path, f.bytes ?? new Uint8Array());
      if (d.text === null) {
        for (const x of d.diagnostics) diagnostics.push(x);
        if (d.source) sources.add(d.source);
        continue;
      }
      text = d.text;
    }
    out.push({ path: f.path, text });
    sources.add(new SourceFile(f.path, text));
  }
  return { files: out, sources, diagnostics };
}

/** Decodes invalid UTF-8 too (as U+FFFD), to show where a file stops being UTF-8. */
const lenient = new TextDecoder("utf-8");

/**
 * Decodes one source's bytes as UTF-8 (any name: `<stdin>` too). Invalid bytes are LXM5004
 * located at the first one; `source` is then the text decoded leniently (the bad bytes as
 * U+FFFD), for the diagnostic's caret.
 */
export function decodeSource(path: string, bytes: Uint8Array): { text: string | null; diagnostics: Diagnostic[]; source?: SourceFile } {
  try {
    return { text: decoder.decode(bytes), diagnostics: [] };
  } catch {
    // The text before the first bad byte is valid, so its length in the leniently decoded
    // text (where the byte became U+FFFD) is the byte's offset there.
    const bad = firstBadByte(bytes);
    const at = lenient.decode(bytes.subarray(0, bad)).length;
    return { text: null, diagnostics: [host.invalidUtf8({ file: path, start: at, end: at + 1 }, path, bad)], source: new SourceFile(path, lenient.decode(bytes)) };
  }
}

/** Offset of the first byte that makes the input invalid UTF-8 (a structural check of lead and continuation bytes). */
function firstBadByte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k]! & 0xc0) !== 0x80) return i;
    // Overlong 3/4-byte forms, surrogates and code points above U+10FFFF.
    const c1 = b[i + 1] ?? 0;
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 >= 0xa0) || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 >= 0x90)) return i;
    i += n + 1;
  }
  return b.length;
}

/** Project settings (lexum.yaml), defaults filled. */
export interface ProjectSettings {
  /** As lexum.yaml sets it, else `lexum/state`; a project's branch is projectStateBranch's. */
  readonly state_branch: string;
  /** Present when lexum.yaml sets `state_branch` (otherwise the branch is derived from the project's path). */
  readonly stateBranchSet?: true;
  readonly parallelism: number;
  /** Default configuration by provider name, without the reserved `package` key. */
  readonly providers: { readonly [provider: string]: JsonObject };
  /** The inputs `input("name")` reads: type and optional default. */
  readonly inputs: { readonly [name: string]: InputDecl };
  /** Named environments: input values and state branch. */
  readonly environments: { readonly [name: string]: EnvironmentSettings };
}

export type InputType = "string" | "number" | "bool" | "list" | "object" | "any";

export interface InputDecl {
  readonly type: InputType;
  readonly default?: Json;
}

export interface EnvironmentSettings {
  readonly inputs?: JsonObject;
  readonly state_branch?: string;
}

/**
 * Several projects in one repository: a folder with a lexum.yaml below a project is a project
 * of its own, with its own state branch; its files are not part of the enclosing project.
 */

/** The folders (relative, posix, sorted) holding a lexum.yaml among `paths` (files relative to a folder), the folder itself excluded. */
export function nestedProjects(paths: readonly string[]): string[] {
  return [...new Set(paths.filter((p) => p.endsWith("/lexum.yaml")).map((p) => p.slice(0, -"/lexum.yaml".length)))].sort();
}

/** `files` without those that lie in a nested project (nestedProjects of `paths`, by default the files' own). */
export function withoutNestedProjects<T extends { readonly path: string }>(files: readonly T[], paths: readonly string[] = files.map((f) => f.path)): T[] {
  const nested = nestedProjects(paths);
  if (nested.length === 0) return [...files];
  return files.filter((f) => !nested.some((n) => f.path.startsWith(n + "/")));
}

/**
 * The projects under a folder, from the paths of its files (relative, posix): the folder
 * itself ("") when it holds a lexum.yaml or `.lxm` files outside its nested projects, then
 * each nested project, sorted. [] when there is none.
 */
export function discoverProjects(paths: readonly string[]): string[] {
  const nested = nestedProjects(paths);
  const own = paths.includes("lexum.yaml") || paths.some((p) => p.endsWith(".lxm") && !nested.some((n) => p.startsWith(n + "/")));
  return [...(own ? [""] : []), ...nested];
}

/** An input as compiled: its type and the value of the chosen environment (or the default); no value when neither gives one. */
export interface InputValue {
  readonly type: InputType;
  readonly value?: Json;
}

/** The environment whose state branch is `branch` (replay and verify read a state branch, not a flag); null when none is. */
export function environmentForBranch(settings: ProjectSettings, branch: string, projectPath = ""): string | null {
  for (const env of Object.keys(settings.environments).sort()) if (environmentOf(settings, env, projectPath).stateBranch === branch) return env;
  return null;
}

/** The type name of a JSON value as input types name it. */
function inputTypeOf(v: Json): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  if (typeof v === "object") return "object";
  return typeof v === "boolean" ? "bool" : typeof v;
}

/** Whether a value fits an input type (null fits every type, as an unset value). */
export function fitsInputType(v: Json, type: InputType): boolean {
  return type === "any" || v === null || inputTypeOf(v) === type;
}

/**
 * The state branch of a project without a `state_branch` setting, derived from its path in
 * the repository (stable: it depends on nothing else): `lexum/state` at the repository's top,
 * else `lexum/state-<path>` with each `/` written `.` and every character but letters,
 * digits, `-` and `_` percent-encoded (`infra/web` → `lexum/state-infra.web`,
 * `example.com` → `lexum/state-example%2Ecom`). Distinct paths give distinct names, and no
 * name is a folder of another (git cannot hold `a` and `a/b` as branches).
 */
export function defaultStateBranch(projectPath: string): string {
  const p = projectPath === "." ? "" : projectPath.replace(/^\/+|\/+$/g, "");
  if (p === "") return DEFAULT_SETTINGS.state_branch;
  const bytes = new TextEncoder();
  const slug = p
    .split("/")
    .map((seg) => [...seg].map((ch) => (/^[A-Za-z0-9_-]$/.test(ch) ? ch : [...bytes.encode(ch)].map((b) => "%" + b.toString(16).toUpperCase().padStart(2, "0")).join(""))).join(""))
    .join(".");
  return `${DEFAULT_SETTINGS.state_branch}-${slug}`;
}

/** The state branch of the project at `projectPath` (lexum.yaml's `state_branch`, else defaultStateBranch). */
export function projectStateBranch(settings: ProjectSettings, projectPath: string): string {
  return settings.stateBranchSet ? settings.state_branch : defaultStateBranch(projectPath);
}

/**
 * The inputs and state branch of an environment (null: none chosen) of the project at
 * `projectPath`. An environment's state branch is its `state_branch`, else
 * `<the project's state branch>/<name>`.
 */
export function environmentOf(settings: ProjectSettings, env: string | null, projectPath = ""): { inputs: { [name: string]: InputValue }; stateBranch: string } {
  const given = env === null ? {} : (settings.environments[env]?.inputs ?? {});
  const inputs: { [name: string]: InputValue } = {};
  for (const name of Object.keys(settings.inputs).sort()) {
    const d = settings.inputs[name]!;
    const value = Object.prototype.hasOwnProperty.call(given, name) ? given[name] : d.default;
    inputs[name] = value === undefined ? { type: d.type } : { type: d.type, value };
  }
  const base = projectStateBranch(settings, projectPath);
  const stateBranch = env === null ? base : (settings.environments[env]?.state_branch ?? `${base}/${env}`);
  return { inputs, stateBranch };
}

/** The reserved key of a `providers:` entry naming the npm package that implements the provider. */
export const PACKAGE_KEY = "package";

/** A provider lexum.yaml names as an npm package (`providers: { acme: { package: "@acme/lexum-provider" } }`). */
export interface ProviderPackageRef {
  /** The provider's name: its key under `providers:`. */
  readonly name: string;
  /** The npm package name. */
  readonly package: string;
  /** The `package` value in lexum.yaml. */
  readonly span: Span;
}

export const DEFAULT_SETTINGS: ProjectSettings = { state_branch: "lexum/state", parallelism: 10, providers: {}, inputs: {}, environments: {} };

/**
 * Reads `dir/lexum.yaml` (absent → defaults). Bad YAML → LXM2140 with line and column in
 * the file; schema violations → LXM2141 in plain words. Settings are the defaults when any
 * diagnostic is returned.
 */
export function loadProjectSettings(dir: string): { settings: ProjectSettings; diagnostics: Diagnostic[] } {
  let text: string;
  try {
    text = readFileSync(`${dir}/lexum.yaml`, "utf8");
  } catch {
    return { settings: DEFAULT_SETTINGS, diagnostics: [] };
  }
  return parseProjectSettings(text);
}

/** Where in lexum.yaml a schema error is: the offending value, or an unknown key itself. */
function settingSpan(doc: ReturnType<typeof parseDocument>, instancePath: string, extraKey: string | null): Span | undefined {
  const path = instancePath
    .split("/")
    .slice(1)
    .map((seg) => seg.replace(/~1/g, "/").replace(/~0/g, "~"));
  let node: unknown = path.length ? doc.getIn(path, true) : doc.contents;
  if (extraKey !== null && isMap(node)) node = node.items.find((pair) => isScalar(pair.key) && pair.key.value === extraKey)?.key;
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  return range ? { file: "lexum.yaml", start: range[0], end: Math.max(range[1], range[0] + 1) } : undefined;
}

/**
 * What the schema cannot say: `state_branch` must be a branch name git accepts (as `git
 * check-ref-format --branch` would), and every provider default must name a known provider
 * and only settings that provider has, checked against its configuration schema.
 */
function checkSettingValues(doc: ReturnType<typeof parseDocument>, v: Partial<ProjectSettings>, catalog: TypeCatalog): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (v.state_branch !== undefined) {
    const problem = branchNameProblem(v.state_branch);
    if (problem) out.push(sem.settingsInvalid(settingSpan(doc, "/state_branch", null), `state_branch ${JSON.stringify(v.state_branch)} ${problem}`, null));
  }
  const inputs = v.inputs ?? {};
  const names = Object.keys(inputs).sort();
  for (const name of names) {
    const d = inputs[name]!;
    if (d.default !== undefined && !fitsInputType(d.default, d.type)) {
      out.push(sem.settingsInvalid(settingSpan(doc, `/inputs/${name}/default`, null), `inputs.${name}: the default must be ${d.type === "any" ? "any value" : `a ${d.type}`}, got ${inputTypeOf(d.default)}`, null));
    }
  }
  for (const env of Object.keys(v.environments ?? {}).sort()) {
    const e = v.environments![env]!;
    if (e.state_branch !== undefined) {
      const problem = branchNameProblem(e.state_branch);
      if (problem) out.push(sem.settingsInvalid(settingSpan(doc, `/environments/${env}/state_branch`, null), `environments.${env}.state_branch ${JSON.stringify(e.state_branch)} ${problem}`, null));
    }
    for (const name of Object.keys(e.inputs ?? {}).sort()) {
      const d = inputs[name];
      const value = e.inputs![name]!;
      if (!d) out.push(sem.settingsInvalid(settingSpan(doc, `/environments/${env}/inputs`, name), `environments.${env}.inputs: \`${name}\` is not declared under \`inputs\` (declared: ${names.length === 0 ? "none" : names.join(", ")})`, suggest(name, names)));
      else if (!fitsInputType(value, d.type)) out.push(sem.settingsInvalid(settingSpan(doc, `/environments/${env}/inputs/${name}`, null), `environments.${env}.inputs.${name} must be a ${d.type}, got ${inputTypeOf(value)}`, null));
    }
  }
  const known = [...catalog.providers.keys()].sort();
  for (const name of Object.keys(v.providers ?? {}).sort()) {
    const info = catalog.providers.get(name);
    // A package provider not loaded (settings read for the state branch alone) is checked when it is.
    if (!info && typeof v.providers![name]![PACKAGE_KEY] === "string") continue;
    if (!info) {
      out.push(sem.settingsInvalid(settingSpan(doc, "/providers", name), `providers: unknown provider \`${name}\` (known: ${known.join(", ")})`, suggest(name, known)));
      continue;
    }
    const config = withoutPackage(v.providers![name]!);
    const before = out.length;
    for (const key of Object.keys(config).sort()) {
      if (!info.properties.includes(key)) {
        out.push(sem.settingsInvalid(settingSpan(doc, `/providers/${name}`, key), `providers.${name}: \`${key}\` is not a setting of the ${name} provider (its settings: ${info.properties.join(", ")})`, suggest(key, info.properties)));
      }
    }
    if (out.length === before) {
      // Defaults are partial: a required setting may come from the provider block.
      for (const p of info.validate(config).filter((p) => p.keyword !== "required")) out.push(sem.settingsInvalid(settingSpan(doc, `/providers/${name}`, null), `providers.${name}: ${p.problem}`, null));
    }
  }
  return out;
}

function providerDefaults(providers: { readonly [provider: string]: JsonObject }): { [provider: string]: JsonObject } {
  const out: { [provider: string]: JsonObject } = {};
  for (const name of Object.keys(providers).sort()) out[name] = withoutPackage(providers[name]!);
  return out;
}

/**
 * Why `name` cannot be a state branch, in words, or null when it can: git's branch-name
 * rules (`git check-ref-format --branch`), plus no `refs/...` name (a branch is named
 * without it) and not `HEAD`.
 */
export function branchNameProblem(name: string): string | null {
  if (name === "HEAD" || name === "@") return "is not a branch name git allows (it names HEAD)";
  if (name.startsWith("-")) return "is not a branch name git allows (it starts with '-')";
  if (name.startsWith("refs/")) return "must be a branch name without `refs/` (e.g. lexum/state)";
  if (name.endsWith("/") || name.endsWith(".") || name.includes("..") || name.includes("//") || name.includes("@{"))
    return "is not a branch name git allows (no '..', '//', '@{', and no '/' or '.' at the end)";
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return "is not a branch name git allows (no spaces, control characters or any of ~ ^ : ? * [ \\)";
  for (const part of name.split("/")) {
    if (part.startsWith(".") || part.endsWith(".lock")) return "is not a branch name git allows (no part may start with '.' or end with '.lock')";
  }
  return null;
}

/** The most alias expansions lexum.yaml may make (the `yaml` package's maxAliasCount). */
const SETTINGS_MAX_ALIASES = 100;
/** How deep lexum.yaml may nest: as deep as any value (docs/language.md, "Limits"). */
const SETTINGS_MAX_DEPTH = LIMITS.depth;

/**
 * Where resolving lexum.yaml's aliases failed: the first alias without an anchor before it,
 * else the first alias (an alias bomb expands from there), else the whole file.
 */
function firstAliasSpan(doc: ReturnType<typeof parseDocument>, text: string): Span {
  const anchors = new Set<string>();
  let first: [number, number] | undefined;
  let unresolved: [number, number] | undefined;
  visit(doc, {
    Node(_, node) {
      if (node.anchor) anchors.add(node.anchor);
    },
    Alias(_, node) {
      const r = node.range;
      if (!r) return;
      first ??= [r[0], r[1]];
      if (!anchors.has(node.source)) {
        unresolved = [r[0], r[1]];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  const at = unresolved ?? first ?? [0, text.length];
  return { file: "lexum.yaml", start: at[0], end: Math.max(at[1], at[0] + 1) };
}

/** A provider's default configuration without the reserved `package` key. */
function withoutPackage(config: JsonObject): JsonObject {
  if (!(PACKAGE_KEY in config)) return config;
  const { [PACKAGE_KEY]: _package, ...rest } = config;
  return rest;
}

/**
 * The providers lexum.yaml names as npm packages, sorted by provider name, each with the
 * span of its `package` value. A lexum.yaml that does not parse or breaks its schema (a
 * `package` that is not a package name) names none: parseProjectSettings reports why.
 */
export function providerPackageRefs(text: string): ProviderPackageRef[] {
  // Most projects name no package: no YAML parse for them.
  if (!text.includes(PACKAGE_KEY) || yamlTooDeepAt(text, SETTINGS_MAX_DEPTH) !== null) return [];
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) return [];
  try {
    if (!precompiledValidator("lexum.yaml.json")(doc.toJS({ maxAliasCount: SETTINGS_MAX_ALIASES }) ?? {})) return [];
  } catch {
    return [];
  }
  const providers = doc.get("providers", true);
  if (!isMap(providers)) return [];
  const out: ProviderPackageRef[] = [];
  for (const pair of providers.items) {
    if (!isScalar(pair.key) || typeof pair.key.value !== "string" || !isMap(pair.value)) continue;
    const value = pair.value.get(PACKAGE_KEY, true);
    if (!isScalar(value) || typeof value.value !== "string" || !value.range) continue;
    out.push({ name: pair.key.value, package: value.value, span: { file: "lexum.yaml", start: value.range[0], end: Math.max(value.range[1], value.range[0] + 1) } });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Parses lexum.yaml text (see loadProjectSettings). Spans point into "lexum.yaml".
 * `catalog` holds the providers the defaults are checked against: the built-ins, plus the
 * project's package providers once they are loaded.
 */
export function parseProjectSettings(text: string, catalog: TypeCatalog = loadTypeCatalog()): { settings: ProjectSettings; diagnostics: Diagnostic[] } {
  // Measured before parsing: the parser recurses per level, and running out of stack can
  // abort the process instead of throwing (see yamlTooDeepAt).
  const deep = yamlTooDeepAt(text, SETTINGS_MAX_DEPTH);
  if (deep !== null) {
    const problem = `the document nests too deeply (more than ${SETTINGS_MAX_DEPTH} levels)`;
    return { settings: DEFAULT_SETTINGS, diagnostics: [sem.settingsSyntax({ file: "lexum.yaml", start: deep, end: deep + 1 }, problem)] };
  }
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const [start, end] = e.pos;
    const span = { file: "lexum.yaml", start, end: Math.max(end, start) };
    return { settings: DEFAULT_SETTINGS, diagnostics: [sem.settingsSyntax(span, e.message.split("\n")[0]!)] };
  }
  let value: unknown;
  try {
    // Few aliases: an alias bomb (anchors expanding into anchors) is refused, not expanded.
    value = (doc.toJS({ maxAliasCount: SETTINGS_MAX_ALIASES }) ?? {}) as unknown;
  } catch (e) {
    return { settings: DEFAULT_SETTINGS, diagnostics: [sem.settingsSyntax(firstAliasSpan(doc, text), (e as Error).message.split("\n")[0]!)] };
  }
  const validator = precompiledValidator("lexum.yaml.json");
  if (!validator(value)) {
    const props = ["state_branch", "parallelism", "providers", "inputs", "environments"];
    const diagnostics = (validator.errors ?? []).map((err) => {
      const p = plainProblem(err);
      const extra = err.keyword === "additionalProperties" ? String(err.params["additionalProperty"]) : null;
      const problem = extra && err.instancePath === "" ? `unknown setting \`${extra}\`` : p.problem;
      return sem.settingsInvalid(settingSpan(doc, err.instancePath, extra), problem, extra && err.instancePath === "" ? suggest(extra, props) : null);
    });
    return { settings: DEFAULT_SETTINGS, diagnostics };
  }
  const v = value as Partial<ProjectSettings>;
  const diagnostics = checkSettingValues(doc, v, catalog);
  if (diagnostics.length) return { settings: DEFAULT_SETTINGS, diagnostics };
  return {
    settings: {
      state_branch: v.state_branch ?? DEFAULT_SETTINGS.state_branch,
      ...(v.state_branch !== undefined ? { stateBranchSet: true as const } : {}),
      parallelism: v.parallelism ?? DEFAULT_SETTINGS.parallelism,
      providers: providerDefaults(v.providers ?? {}),
      inputs: v.inputs ?? {},
      environments: v.environments ?? {},
    },
    diagnostics: [],
  };
}
