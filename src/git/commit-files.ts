import { encodeCommit, encodeObject, encodeTree, writeObjects } from "./objects.js";
import type { EncodedObject, Signature, TreeEntryIn } from "./objects.js";

/**
 * Writes a commit of exactly `files` (posix paths, regular files) on top of `parent` into the
 * repository's object store, and returns its id; no ref moves and no work tree is touched.
 * The same files, parent, author and message give the same commit id.
 */
export async function commitFiles(a: {
  readonly gitdir: string;
  readonly files: readonly { readonly path: string; readonly content: string | Uint8Array }[];
  readonly parent: string | null;
  readonly message: string;
  readonly author: Signature;
}): Promise<string> {
  const objects: EncodedObject[] = [];
  interface Dir {
    files: Map<string, string>;
    dirs: Map<string, Dir>;
  }
  const root: Dir = { files: new Map(), dirs: new Map() };
  for (const f of a.files) {
    const parts = f.path.split("/");
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      let sub = dir.dirs.get(part);
      if (!sub) dir.dirs.set(part, (sub = { files: new Map(), dirs: new Map() }));
      dir = sub;
    }
    const blob = encodeObject("blob", f.content);
    objects.push(blob);
    dir.files.set(parts[parts.length - 1]!, blob.oid);
  }
  const writeTree = (dir: Dir): string => {
    const entries: TreeEntryIn[] = [];
    for (const [name, oid] of dir.files) entries.push({ name, mode: "100644", oid });
    for (const [name, sub] of dir.dirs) entries.push({ name, mode: "040000", oid: writeTree(sub) });
    const tree = encodeTree(entries);
    objects.push(tree);
    return tree.oid;
  };
  const commit = encodeCommit({ tree: writeTree(root), parents: a.parent ? [a.parent] : [], author: a.author, committer: a.author, message: a.message });
  objects.push(commit);
  await writeObjects(a.gitdir, objects);
  return commit.oid;
}
