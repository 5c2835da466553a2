import path from "node:path";
import fs from "node:fs/promises";
import { findRepo, headCommit, readCommitInfo, readTreeFiles, resolveRev } from "../git/repo.js";
import type { Repo } from "../git/repo.js";
import { catalog } from "../diag/index.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import type { SourceSet } from "../diag/source.js";
import { loadProject, loadProjectFromFiles } from "../lang/index.js";
import { memoryFileReader, projectFileReader } from "../lang/file-reader.js";
import type { CommitTime } from "../state/store.js";

/**
 * The goal as the edges read it: a project directory inside a git repository, its .lxm
 * files either from the working tree or exactly as committed at a revision, and the goal
 * commit whose time stamps the state commit (so the same inputs give the same commit id).
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
  readonly readFile: (rel: string) => string | null;
  /** The project's lexum.yaml as of the goal (the working tree, or REV), null when absent. */
  readonly settingsText: string | null;
  /** The goal commit (REV, or HEAD for a working-tree run); null in a repository without commits. */
  readonly goal: { readonly commit: string | null; readonly time: CommitTime };
}

export async function openWorkspace(opts: { dir: string; rev?: string }): Promise<Workspace> {
  const projectDir = path.resolve(opts.dir);
  const stat = await fs.stat(projectDir).catch(() => null);
  if (!stat?.isDirectory()) throw catalog.host.noSuchDirectory.error(opts.dir);
  const repo = await findRepo(projectDir);
  const projectPath = path.relative(await fs.realpath(repo.workdir), await fs.realpath(projectDir)).split(path.sep).join("/");

  const base = { repo, projectDir, projectPath };
  if (opts.rev !== undefined) {
    const oid = await resolveRev({ gitdir: repo.gitdir, rev: opts.rev });
    const info = await readCommitInfo({ gitdir: repo.gitdir, oid });
    const all = await readTreeFiles({ gitdir: repo.gitdir, oid, subdir: projectPath });
    const loaded = loadProjectFromFiles(all.filter((f) => f.path.endsWith(".lxm")));
    const { files, sources, diagnostics } = loaded;
    const readFile = memoryFileReader(new Map(all.map((f) => [f.path, f.bytes] as const)));
    return { ...base, files, sources, diagnostics, readFile, settingsText: readFile("lexum.yaml"), goal: { commit: oid, time: info.time } };
  }

  // The files on disk and the HEAD commit are read concurrently (independent I/O).
  const headInfo = async () => {
    const head = await headCommit({ gitdir: repo.gitdir });
    return { head, time: head ? (await readCommitInfo({ gitdir: repo.gitdir, oid: head })).time : { seconds: 0, tzOffsetMinutes: 0 } };
  };
  const [{ files, sources, diagnostics }, { head, time }] = await Promise.all([loadProject(projectDir), headInfo()]);
  // HEAD is the goal commit only when the .lxm files are exactly as committed there;
  // otherwise the snapshot says "working tree" rather than name a commit it did not run.
  const commit = head && (await matchesCommit(repo.gitdir, head, projectPath, files)) ? head : null;
  const readFile = projectFileReader(projectDir);
  return { ...base, files, sources, diagnostics, readFile, settingsText: readFile("lexum.yaml"), goal: { commit, time } };
}

async function matchesCommit(gitdir: string, oid: string, projectPath: string, files: readonly { path: string; text: string }[]): Promise<boolean> {
  let committed;
  try {
    committed = await readTreeFiles({ gitdir, oid, subdir: projectPath, suffix: ".lxm" });
  } catch {
    return false;
  }
  if (committed.length !== files.length) return false;
  const decoder = new TextDecoder();
  return committed.every((f, i) => f.path === files[i]!.path && decoder.decode(f.bytes) === files[i]!.text);
}
