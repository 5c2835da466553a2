import path from "node:path";
import fs from "node:fs/promises";
import fsSync from "node:fs";
import { findRepo, headCommit, readCommitInfo, readTreeFiles, resolveRev } from "../git/repo.js";
import type { Repo } from "../git/repo.js";
import { hashObject } from "../git/objects.js";
import { listIndexFiles, listTreeBlobs, listUntrackedFiles } from "../git/worktree.js";
import { commitFolderReader, diskFolderReader } from "./template-sources.js";
import type { FolderReader } from "./template-sources.js";
import type { TreeBlob } from "../git/worktree.js";
import { LexumError } from "../diag/diagnostic.js";
import { catalog } from "../diag/index.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import type { SourceSet } from "../diag/source.js";
import { loadProject, loadProjectFromFiles } from "../lang/index.js";
import type { LoadedProject } from "../lang/index.js";
import { nestedProjects, plainCause, withoutNestedProjects } from "../lang/project.js";
import { memoryFileReader, memoryProjectFiles, projectFileBytes } from "../lang/file-reader.js";
import type { ProjectFiles } from "../lang/file-reader.js";
import type { CommitTime } from "../state/store.js";

/** How an input of a working-tree run differs from the goal commit. */
export type ChangeKind = "modified" | "added" | "deleted" | "untracked";

/** One input of a working-tree run that differs from the goal commit (HEAD). */
export interface InputChange {
  /** Project-relative posix path. */
  readonly path: string;
  readonly kind: ChangeKind;
  /**
   * True when the run read it (a project `.lxm` file, lexum.yaml, a file read by file()), so
   * the run is not the commit's; false for an untracked `.lxm` file, which is not part of
   * the project and is named only so that its absence does not surprise.
   */
  readonly input: boolean;
}

/**
 * The goal as the edges read it: a project directory inside a git repository, its .lxm
 * files either from the working tree or exactly as committed at a revision, and the goal
 * commit whose time stamps the state commit (so the same inputs give the same commit id).
 *
 * The project's `.lxm` files are the ones git tracks under the project folder: the index
 * for a working-tree run (their contents as on disk), the commit's tree for `--rev`.
 */
export interface Workspace {
  readonly repo: Repo;
  /** Absolute project directory. */
  readonly projectDir: string;
  /** Project directory relative to the repository's top, posix, "" for the top itself. */
  readonly projectPath: string;
  readonly files: { path: string; text: string }[];
  readonly sources: SourceSet;
  readonly diagnostics: Diagnostic[];
  /** The `file()` reader; in a working-tree run it remembers every path asked for (see `changes`). */
  readonly readFile: (rel: string) => string | null;
  /**
   * The goal's files for fileexists, fileset, filebase64 and the file hashes: the commit's
   * tree for `--rev`; for a working-tree run the files git tracks or would track (untracked,
   * not ignored) as on disk, each one read or listed counted among the inputs (see `changes`).
   */
  readonly tree: ProjectFiles;
  /**
   * A folder of the repository at the goal (`template NAME from "../shared"`): the commit's
   * tree for `--rev`; for a working-tree run the working tree, each file read counted among
   * the inputs (see `changes`, which names it relative to the project: `../shared/svc.lxm`).
   */
  readonly folder: FolderReader;
  /** The project's lexum.yaml as of the goal (the working tree, or REV), null when absent. */
  readonly settingsText: string | null;
  /** The goal commit (REV, or HEAD for a working-tree run); null in a repository without commits. */
  readonly goal: { readonly commit: string | null; readonly time: CommitTime };
  /** True for `--rev` runs: the inputs are the commit's, nothing to compare. */
  readonly committed: boolean;
  /**
   * The inputs read so far that differ from the goal commit — project `.lxm` files,
   * lexum.yaml and every file read through `readFile` — and the untracked `.lxm` files under
   * the project folder; sorted by path. Call it after compiling (file() reads happen then).
   * Always empty for `--rev` runs.
   */
  changes(): Promise<InputChange[]>;
}

export async function openWorkspace(opts: { dir: string; rev?: string }): Promise<Workspace> {
  const projectDir = path.resolve(opts.dir);
  const stat = await fs.stat(projectDir).catch(() => null);
  if (!stat?.isDirectory()) throw catalog.host.noSuchDirectory.error(opts.dir);
  const repo = await findRepo(projectDir);
  const projectPath = await projectPathIn(repo, projectDir);

  const base = { repo, projectDir, projectPath };
  if (opts.rev !== undefined) {
    const oid = await resolveRev({ gitdir: repo.gitdir, rev: opts.rev });
    const info = await readCommitInfo({ gitdir: repo.gitdir, oid });
    // A folder with its own lexum.yaml is a project of its own: its files are not this one's.
    const all = withoutNestedProjects(await readTreeFiles({ gitdir: repo.gitdir, oid, subdir: projectPath }));
    const loaded = loadProjectFromFiles(all.filter((f) => f.path.endsWith(".lxm")));
    const { files, sources, diagnostics } = loaded;
    const blobs = new Map(all.map((f) => [f.path, f.bytes] as const));
    const readFile = memoryFileReader(blobs);
    const changes = async (): Promise<InputChange[]> => [];
    const folder = commitFolderReader(repo.gitdir, oid);
    return { ...base, files, sources, diagnostics, readFile, tree: memoryProjectFiles(blobs), folder, settingsText: readFile("lexum.yaml"), goal: { commit: oid, time: info.time }, committed: true, changes };
  }

  // The index, the untracked files and HEAD are read concurrently (independent I/O).
  const headInfo = async () => {
    const head = await headCommit({ gitdir: repo.gitdir });
    if (!head) return { head, time: { seconds: 0, tzOffsetMinutes: 0 }, tree: new Map<string, TreeBlob>() };
    const [info, tree] = await Promise.all([readCommitInfo({ gitdir: repo.gitdir, oid: head }), listTreeBlobs({ gitdir: repo.gitdir, oid: head, subdir: projectPath })]);
    return { head, time: info.time, tree };
  };
  const [tracked, { head, time, tree }] = await Promise.all([readTrackedProject(repo, projectDir, projectPath), headInfo()]);
  const { loaded, untrackedLxm, bytes } = tracked;

  const diskBytes = projectFileBytes(projectDir);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  // Every path the run reads besides its .lxm files (lexum.yaml, file()), compared at the end.
  const read = new Set<string>();
  const readFile = (rel: string): string | null => {
    read.add(path.posix.normalize(rel));
    const b = diskBytes(rel);
    if (b === null) return null;
    try {
      return decoder.decode(b);
    } catch {
      return null;
    }
  };
  const settingsText = readFile("lexum.yaml");
  let listed: string[] | undefined;
  const goalFiles: ProjectFiles = {
    bytes(rel) {
      read.add(path.posix.normalize(rel));
      return diskBytes(rel);
    },
    list() {
      if (listed) return listed;
      const onDisk = tracked.index.filter((p) => fsSync.statSync(path.join(projectDir, ...p.split("/")), { throwIfNoEntry: false })?.isFile() === true);
      listed = [...new Set([...onDisk, ...tracked.untracked])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      // What a listing shows is an input as much as what is read.
      for (const p of listed) read.add(p);
      return listed;
    },
  };

  // Template source folders outside the project, as read from the working tree (repo path → bytes).
  const outside = new Map<string, Uint8Array>();
  const folder = diskFolderReader(repo.workdir, outside);

  const changes = async (): Promise<InputChange[]> => {
    const out = new Map<string, InputChange>();
    // A template file outside the project that differs from HEAD's (named relative to the project).
    for (const [repoPath, b] of [...outside].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
      const rel = path.posix.relative(projectPath, repoPath);
      const dir = path.posix.dirname(repoPath);
      const committed = head ? (await listTreeBlobs({ gitdir: repo.gitdir, oid: head, subdir: dir === "." ? "" : dir }).catch(() => new Map<string, TreeBlob>())).get(path.posix.basename(repoPath)) : undefined;
      if (!committed) out.set(rel, { path: rel, kind: "untracked", input: true });
      else if (hashObject("blob", b) !== committed.oid) out.set(rel, { path: rel, kind: "modified", input: true });
    }
    const inHead = (p: string): TreeBlob | undefined => {
      const e = tree.get(p);
      // A symlink or submodule is not a file as `--rev` (and replay) read the commit.
      return e && e.mode !== "120000" && e.mode !== "160000" ? e : undefined;
    };
    for (const [p, b] of bytes) {
      const link = tracked.links.get(p);
      if (link !== undefined) {
        // A tracked symlink is compared as git stores it: its target, not what it points at.
        const e = tree.get(p);
        if (!e) out.set(p, { path: p, kind: "added", input: true });
        else if (e.mode !== "120000" || hashObject("blob", link) !== e.oid) out.set(p, { path: p, kind: "modified", input: true });
        continue;
      }
      const committed = inHead(p);
      if (!committed) out.set(p, { path: p, kind: "added", input: true });
      else if (hashObject("blob", b) !== committed.oid) out.set(p, { path: p, kind: "modified", input: true });
    }
    // A nested project's files (a folder with its own lexum.yaml, then or now) are not this project's.
    const nested = nestedProjects([...tree.keys(), ...tracked.allPaths]);
    for (const [p, e] of tree) {
      if (p.endsWith(".lxm") && e.mode !== "160000" && !bytes.has(p) && !nested.some((n) => p.startsWith(n + "/"))) out.set(p, { path: p, kind: "deleted", input: true });
    }
    const index = new Set(tracked.index);
    for (const p of [...read].sort()) {
      if (out.has(p) || bytes.has(p)) continue;
      const b = diskBytes(p);
      const committed = inHead(p);
      if (b === null && !committed) continue;
      if (b === null) out.set(p, { path: p, kind: "deleted", input: true });
      else if (!committed) out.set(p, { path: p, kind: index.has(p) ? "added" : "untracked", input: true });
      else if (hashObject("blob", b) !== committed.oid) out.set(p, { path: p, kind: "modified", input: true });
    }
    for (const p of untrackedLxm) if (!out.has(p)) out.set(p, { path: p, kind: "untracked", input: false });
    return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  };

  const { files, sources, diagnostics } = loaded;
  return { ...base, files, sources, diagnostics, readFile, tree: goalFiles, folder, settingsText, goal: { commit: head, time }, committed: false, changes };
}

async function projectPathIn(repo: Repo, projectDir: string): Promise<string> {
  return path.relative(await fs.realpath(repo.workdir), await fs.realpath(projectDir)).split(path.sep).join("/");
}

/** A working tree's project: its tracked .lxm files as on disk, and what git says about the folder. */
interface TrackedProject {
  readonly loaded: LoadedProject;
  /** The tracked .lxm files' bytes as read from disk, by project-relative path. */
  readonly bytes: Map<string, Uint8Array>;
  /** Every tracked path under the project folder (nested projects' left out). */
  readonly index: readonly string[];
  /** Every tracked or untracked path under the folder, nested projects' included (to find them). */
  readonly allPaths: readonly string[];
  /** Untracked, not ignored .lxm files under the project folder: not part of the project. */
  readonly untrackedLxm: readonly string[];
  /** Every untracked, not ignored file under the project folder. */
  readonly untracked: readonly string[];
  /** The tracked .lxm files that are symbolic links (read through, as before): path → link target. */
  readonly links: Map<string, string>;
}

/**
 * The `.lxm` files git tracks under the project folder (the index), read from disk; a
 * tracked file deleted from disk is left out (it is a deletion). Unreadable → LXM5003, not
 * UTF-8 → LXM5004, none tracked → LXM5010 when untracked ones exist, else LXM5002.
 * `shown` names the folder in messages (and prefixes file paths there), as loadProject does.
 */
async function readTrackedProject(repo: Repo, projectDir: string, projectPath: string, shown?: string): Promise<TrackedProject> {
  const args = { gitdir: repo.gitdir, workdir: repo.workdir, subdir: projectPath };
  const [allIndex, allUntracked] = await Promise.all([listIndexFiles(args), listUntrackedFiles(args)]);
  // A folder with its own lexum.yaml is a project of its own: its files are not this one's.
  const paths = [...allIndex.map((f) => f.path), ...allUntracked];
  const index = withoutNestedProjects(allIndex, paths);
  const untracked = withoutNestedProjects(allUntracked.map((path) => ({ path })), paths).map((f) => f.path);
  const prefix = shown === undefined || shown === "." || shown === "" ? "" : `${shown}/`;
  const diagnostics: Diagnostic[] = [];
  const raw: { path: string; bytes: Uint8Array }[] = [];
  const bytes = new Map<string, Uint8Array>();
  const links = new Map<string, string>();
  const lxm = index.filter((f) => f.path.endsWith(".lxm") && f.mode !== "160000");
  await Promise.all(
    lxm.map(async (f) => {
      const abs = path.join(projectDir, ...f.path.split("/"));
      try {
        if (f.mode === "120000") links.set(f.path, await fs.readlink(abs));
        const b = await fs.readFile(abs);
        raw.push({ path: f.path, bytes: b });
        bytes.set(f.path, b);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // Deleted from disk but still in the index: the working tree deletes it.
        if ((code === "ENOENT" || code === "ENOTDIR") && !links.has(f.path)) return;
        diagnostics.push(catalog.host.unreadableFile(undefined, prefix + f.path, plainCause(e)));
      }
    }),
  );
  const untrackedLxm = untracked.filter((p) => p.endsWith(".lxm"));
  if (raw.length === 0 && diagnostics.length === 0) {
    diagnostics.push(untrackedLxm.length > 0 ? catalog.host.noTrackedLxmFiles(undefined, shown ?? projectDir, untrackedLxm) : catalog.host.noLxmFiles(undefined, shown ?? projectDir, nestedProjects(paths)));
  }
  const loaded = loadProjectFromFiles(raw);
  const loadDiags = prefix === "" ? loaded.diagnostics : loaded.diagnostics.map((d) => (d.code === catalog.host.invalidUtf8.code ? { ...d, message: prefix + d.message } : d));
  return {
    loaded: { files: loaded.files, sources: loaded.sources, diagnostics: [...diagnostics, ...loadDiags] },
    bytes,
    index: index.map((f) => f.path),
    allPaths: paths,
    untrackedLxm,
    untracked,
    links,
  };
}

/**
 * The project's `.lxm` files in the working tree, for the commands that compile without
 * planning (`lxm check`, `lxm graph`): inside a git repository, the files git tracks under
 * the folder (as plan and apply take them); outside one, every `.lxm` file below it.
 * `shown` is how messages name the folder. Untracked `.lxm` files are named in warnings
 * (LXM5011). Never throws for user input.
 */
export async function loadWorkingProject(dir: string, shown?: string): Promise<LoadedProject> {
  const projectDir = path.resolve(dir);
  const stat = await fs.stat(projectDir).catch(() => null);
  if (!stat?.isDirectory()) return loadProject(projectDir, shown);
  let repo: Repo;
  try {
    repo = await findRepo(projectDir);
  } catch (e) {
    if (e instanceof LexumError) return loadProject(projectDir, shown);
    throw e;
  }
  const tracked = await readTrackedProject(repo, projectDir, await projectPathIn(repo, projectDir), shown);
  const prefix = shown === undefined || shown === "." || shown === "" ? "" : `${shown}/`;
  // Named, so that a file left out is no surprise (LXM5010 already names them when none is tracked).
  const untracked = tracked.loaded.files.length > 0 ? tracked.untrackedLxm.map((p) => catalog.host.untrackedLxmFile(undefined, prefix + p)) : [];
  return { ...tracked.loaded, diagnostics: [...tracked.loaded.diagnostics, ...untracked] };
}

/** `InputChange` in words, as banners and errors list them: `modified: main.lxm`. `shown` maps the project-relative path for display. */
export function describeChange(c: InputChange, shown: (p: string) => string = (p) => p): string {
  if (!c.input) return `untracked, not part of the project: ${shown(c.path)} — \`git add\` it`;
  return `${c.kind}: ${shown(c.path)}`;
}
