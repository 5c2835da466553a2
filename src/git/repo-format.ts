/**
 * The repository format check made when a repository is opened (findRepo): Lexum's git
 * layer reads and writes SHA-1 object ids, loose and packed objects, and refs in files and
 * `packed-refs`. A repository whose config asks for anything else (`extensions.objectFormat
 * = sha256`, `extensions.refStorage = reftable`, a partial clone, an extension it does not
 * know, or `core.repositoryformatversion` above 1) is refused up front with LXM4120, before
 * anything is read or written, rather than failing later on an object or ref it misreads.
 *
 * Extensions accepted, and why:
 * - `noop`, `noop-v1`: defined by git to do nothing.
 * - `worktreeConfig`: per-worktree settings in `config.worktree`; Lexum reads no setting
 *   that a worktree could override (objects and refs live in the common dir either way).
 * - `preciousObjects`: forbids deleting objects; Lexum only adds objects, and git itself
 *   skips the deleting part of the `git gc` that `lxm state gc` runs.
 * - `objectFormat = sha1`, `refStorage = files`: git's defaults spelled out.
 * Unlike git, which ignores unknown extensions in a version-0 repository, Lexum refuses them
 * in any version: git versions disagree on which ones version 0 may carry.
 */
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { unsupportedRepoFormat } from "../diag/catalog/runtime.js";

/** The `section.key` → value pairs of a git config file that have no subsection (last one wins). Keys lowercased. */
export function parseGitConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let section: string | null = null;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/\r$/, "");
    // A value may continue on the next line after a trailing backslash.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!.replace(/\r$/, "");
    const t = line.trimStart();
    if (t === "" || t.startsWith("#") || t.startsWith(";")) continue;
    if (t.startsWith("[")) {
      const end = t.indexOf("]");
      if (end < 0) {
        section = null;
        continue;
      }
      const head = t.slice(1, end).trim();
      // `[section "sub"]` and the old `[section.sub]` name subsections, which are not read here.
      section = /[\s".]/.test(head) ? null : head.toLowerCase();
      const rest = t.slice(end + 1).trimStart();
      if (rest === "" || rest.startsWith("#") || rest.startsWith(";")) continue;
      lines[i] = rest; // `[core] bare = false` on one line
      i--;
      continue;
    }
    if (section === null) continue;
    const m = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=(.*))?$/.exec(t);
    if (!m) continue;
    out.set(`${section}.${m[1]!.toLowerCase()}`, m[2] === undefined ? "true" : configValue(m[2]));
  }
  return out;
}

/** A config value: quotes removed, escapes resolved, a trailing comment and outer blanks dropped. */
function configValue(raw: string): string {
  let out = "";
  let quoted = false;
  let pending = ""; // blanks kept only if something follows them
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === "\\") {
      const n = raw[++i] ?? "";
      out += pending + ({ n: "\n", t: "\t", b: "\b", '"': '"', "\\": "\\" } as Record<string, string>)[n]!;
      pending = "";
    } else if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "#" || c === ";")) break;
    else if (!quoted && (c === " " || c === "\t")) pending += c;
    else {
      out += (out === "" ? "" : pending) + c;
      pending = "";
    }
  }
  return out;
}

/** git's spelling of the extensions it documents (config keys are case-insensitive; messages use these). */
const SPELLING: Record<string, string> = {
  objectformat: "objectFormat",
  compatobjectformat: "compatObjectFormat",
  refstorage: "refStorage",
  partialclone: "partialClone",
  worktreeconfig: "worktreeConfig",
  preciousobjects: "preciousObjects",
  noop: "noop",
  "noop-v1": "noop-v1",
};

const HINTS: Record<string, string> = {
  objectFormat: "Lexum cannot read SHA-256 object ids; use a SHA-1 repository (made without --object-format=sha256)",
  compatObjectFormat: "Lexum does not maintain a second object format's mapping; use a repository without compatObjectFormat",
  refStorage: "convert it to the files backend (`git refs migrate --ref-format=files`) or use a clone made without --ref-format",
  partialClone: "Lexum does not fetch missing objects on demand; use a full clone (without --filter)",
};

/** Whether the extension (lowercased key) with this value is one Lexum handles. */
function handled(key: string, value: string): boolean {
  switch (key) {
    case "noop":
    case "noop-v1":
    case "worktreeconfig":
    case "preciousobjects":
      return true;
    case "objectformat":
      return value.toLowerCase() === "sha1";
    case "refstorage":
      return value.toLowerCase() === "files";
    default:
      return false;
  }
}

/**
 * Refuses (LXM4120) a repository whose `<commondir>/config` asks for a format Lexum does not
 * implement (see the module comment). A missing config reads as a plain version-0 repository.
 */
export async function checkRepoFormat(commondir: string): Promise<void> {
  const path = join(commondir, "config");
  let text: string;
  try {
    text = await fsp.readFile(path, "utf8");
  } catch {
    return;
  }
  const config = parseGitConfig(text);
  const version = config.get("core.repositoryformatversion");
  if (version !== undefined && !/^\s*[01]\s*$/.test(version)) {
    throw unsupportedRepoFormat.error("core.repositoryformatversion", version, path, "Lexum reads repository format versions 0 and 1");
  }
  for (const [k, value] of [...config].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!k.startsWith("extensions.")) continue;
    const key = k.slice("extensions.".length);
    if (handled(key, value)) continue;
    const name = SPELLING[key] ?? key;
    throw unsupportedRepoFormat.error(`extensions.${name}`, value, path, HINTS[name] ?? "Lexum does not implement this extension; use a clone without it");
  }
}
