import { existsSync, promises as fs, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { LexumError } from "../diag/diagnostic.js";
import { readTreeFiles } from "../git/repo.js";
import { templateSource } from "../lang/template-source.js";
import type { TemplateLibrary } from "../lang/template-source.js";

/**
 * Loading the template sources a project names (`template NAME from "SOURCE"`), at the edge:
 * a folder of the repository (read at the goal: the commit's tree for --rev, the Action, the
 * agent and replay; the working tree otherwise, each file then an input compared with HEAD),
 * or an npm package installed for the project (found in node_modules from the project folder
 * upward, like provider packages, and declared in the nearest package.json, so that the
 * lockfile pins it). The compiler looks the templates up (lang/template-imports.ts).
 */

/** A folder's `.lxm` files (not its subfolders'), by name, sorted; null when the folder is not there. */
export type FolderReader = (repoPath: string) => Promise<readonly { name: string; text: string }[] | null>;

/** Where the project sits: its folder on disk and its path in the repository ("" at the top). */
export interface ProjectPlace {
  readonly projectDir: string;
  readonly projectPath: string;
  /** Reads a folder of the repository at the goal. */
  readonly folder: FolderReader;
  /** Where it reads, in words, for a folder that is not there (`at commit 0123456789ab`); absent for the working tree. */
  readonly at?: string;
}

const IMPORT = /^[ \t]*template[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]+from[ \t]+"([^"\\\n]*)"/gm;

/**
 * Every source the project's files name, loaded (keyed by TemplateSource.key); sources the
 * compiler will refuse anyway (not a folder or a package name) are left out. A cheap scan of
 * the texts finds them (a commented-out declaration loads a source for nothing; only those
 * the parser finds are used). Empty when no file names one.
 */
export async function loadTemplateLibraries(files: readonly { path: string; text: string }[], place: ProjectPlace): Promise<Map<string, TemplateLibrary>> {
  const out = new Map<string, TemplateLibrary>();
  for (const f of files) {
    if (!f.text.includes("from")) continue;
    for (const m of f.text.matchAll(IMPORT)) {
      const src = templateSource(f.path, m[1]!);
      if ("problem" in src || out.has(src.key)) continue;
      out.set(src.key, src.kind === "folder" ? await folderLibrary(src.path, place) : packageLibrary(src.name, src.folder, place.projectDir));
    }
  }
  return out;
}

async function folderLibrary(rel: string, place: ProjectPlace): Promise<TemplateLibrary> {
  const repoPath = path.posix.normalize(path.posix.join(place.projectPath || ".", rel));
  if (repoPath === ".." || repoPath.startsWith("../")) return { problem: "the path leaves the repository" };
  const read = await place.folder(repoPath === "." ? "" : repoPath);
  if (read === null) return { problem: `there is no folder ${rel} in the repository${place.at ? ` ${place.at}` : ""}` };
  if (read.length === 0) return { problem: `the folder ${rel} holds no .lxm file` };
  return { files: read.map((f) => ({ path: path.posix.join(rel, f.name), text: f.text })) };
}

function packageLibrary(name: string, folder: string, projectDir: string): TemplateLibrary {
  const declared = declaringPackageJson(projectDir, name);
  if (declared === null) return { problem: `the package ${name} is not declared in the project's package.json (dependencies): the lockfile pins only what it declares (npm install --save ${name})` };
  let root: string | null = null;
  for (let dir = path.resolve(projectDir); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", ...name.split("/"));
    if (existsSync(path.join(candidate, "package.json"))) {
      root = candidate;
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  if (root === null) return { problem: `the package ${name} is not installed (run npm install in the project)` };
  const dir = folder === "" ? root : path.join(root, ...folder.split("/"));
  let names: string[];
  try {
    names = readdirLxm(dir);
  } catch {
    return { problem: `the package ${name} has no folder ${folder}` };
  }
  if (names.length === 0) return { problem: `${folder === "" ? `the package ${name}` : `the folder ${folder} of the package ${name}`} holds no .lxm file` };
  const rel = path.relative(projectDir, dir).split(path.sep).join("/");
  return { files: names.map((n) => ({ path: path.posix.join(rel, n), text: readFileSync(path.join(dir, n), "utf8") })) };
}

/** The `.lxm` files directly in `dir` (files only: a folder named `x.lxm` is not a source), sorted; throws when `dir` is not a folder. */
function readdirLxm(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".lxm"))
    .map((e) => e.name)
    .sort();
}

/** The nearest package.json from `dir` upward that declares `name` among its dependencies; null when the nearest does not. */
function declaringPackageJson(dir: string, name: string): string | null {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const file = path.join(d, "package.json");
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, "utf8")) as Record<string, Record<string, string> | undefined>;
        const has = ["dependencies", "devDependencies", "optionalDependencies"].some((k) => pkg[k] && Object.prototype.hasOwnProperty.call(pkg[k], name));
        return has ? file : null;
      } catch {
        return null;
      }
    }
    if (path.dirname(d) === d) return null;
  }
}

/** A folder of the repository as the commit `oid` holds it. */
export function commitFolderReader(gitdir: string, oid: string): FolderReader {
  return async (repoPath) => {
    try {
      const files = await readTreeFiles({ gitdir, oid, subdir: repoPath, suffix: ".lxm" });
      const decoder = new TextDecoder();
      return files.filter((f) => !f.path.includes("/")).map((f) => ({ name: f.path, text: decoder.decode(f.bytes) })).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch (e) {
      if (e instanceof LexumError) return null;
      throw e;
    }
  };
}

/** A folder of the repository as the working tree holds it (`workdir` the repository's top); `seen` receives each file read (repo-relative path → bytes). */
export function diskFolderReader(workdir: string, seen?: Map<string, Uint8Array>): FolderReader {
  return async (repoPath) => {
    const dir = path.join(workdir, ...repoPath.split("/").filter((p) => p !== ""));
    let names: string[];
    try {
      names = readdirLxm(dir);
    } catch {
      return null;
    }
    const files: { name: string; text: string }[] = [];
    for (const name of names) {
      const bytes = await fs.readFile(path.join(dir, name));
      seen?.set(path.posix.join(repoPath, name), bytes);
      files.push({ name, text: new TextDecoder().decode(bytes) });
    }
    return files;
  };
}
