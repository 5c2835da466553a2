/** The git layer: repository discovery, revisions, commit reading, crash-safe objects and refs, git over a remote. */
export { findRepo, resolveRev, headCommit, readCommitInfo, readTreeFiles, readTreeEntries } from "./repo.js";
export type { Repo, CommitInfo, TreeFile } from "./repo.js";
export { readRef, readRefValue, updateRefCAS, deleteRef, branchRef, isValidRefName } from "./refs.js";
export type { ReflogEntry } from "./refs.js";
export { hashObject, encodeObject, encodeTree, encodeCommit, formatTz, deflateObject, toBytes, writeLooseObjects, writeObjects, PACK_THRESHOLD, WRITE_CONCURRENCY } from "./objects.js";
export type { EncodedObject, ObjectType, Signature, TreeEntryIn, TreeMode } from "./objects.js";
export { createSafeFs, writeFileAtomic, syncDir } from "./safe-fs.js";
export type { SafeFs } from "./safe-fs.js";
export { commonDir } from "./common-dir.js";
export { encodePack, writePack } from "./pack.js";
export { listIndexFiles, listUntrackedFiles, listTreeBlobs } from "./worktree.js";
export type { GitFile, TreeBlob, WorktreeArgs } from "./worktree.js";
export { tokenAuth, redactUrl, remoteUrl, lsRemote, fetchRefs, pushRef, pushRefsAtomic, deleteRemoteRef, observeRemoteGit, DEFAULT_TIMEOUT_MS, DEFAULT_STALL_SECONDS } from "./remote.js";
export type { Remote, RemoteAuth, PushResult, GitSpawnObserver } from "./remote.js";
export { listRemoteRefs } from "./ls-refs.js";
export { firstParentCommits } from "./rev-list.js";
export type { ListRemoteRefsOptions } from "./ls-refs.js";
