import { catalog } from "../diag/index.js";
import { formatAddress, parseAddress } from "../program/address.js";
import { buildEditTree, editProblems, editWords } from "../state/records.js";
import type { StateEdit } from "../state/snapshot.js";
import { writeStateCommit } from "../state/store.js";
import { findAddress } from "./address-lookup.js";
import { acquireApplyLock } from "./apply-lock.js";
import { journalName, pendingJournal } from "./recover-journal.js";
import { readStateHead } from "./state-head.js";

/** What a hand edit asks for, addresses as the user typed them (any form `lxm state show` takes). */
export type EditRequest = { readonly command: "rm"; readonly addresses: readonly string[] } | { readonly command: "mv"; readonly from: string; readonly to: string };

/** The edit recorded: the new state commit, its snapshot hash, and the edit with its addresses resolved. */
export interface EditOutcome {
  readonly oid: string;
  readonly hash: string;
  readonly edit: StateEdit;
  readonly words: string;
}

/**
 * Edits the state by hand, as Terraform's `state rm` and `state mv` do, recorded as one
 * commit on the state branch (an edit record, state/records.ts) that `lxm state verify` and
 * `lxm replay` rebuild from its parent. `rm` forgets records (the objects stay in the world,
 * no longer managed: the next plan creates what the code still declares, and the read before
 * a create refuses to overwrite an object that differs); `mv` records objects under new
 * addresses (what a `moved` block does through a plan). An address names one record, or a
 * `for` resource written without a key names every recorded instance of it (moved key by key).
 * A destination without a domain stays in the source's domain.
 *
 * Under the apply lock (LXM4214), never over a killed apply's journal (LXM4253),
 * compare-and-swap against the head it read (LXM4101); the commit's time is the head's, so
 * the same head and edit give the same commit id. LXM4210 without a snapshot, LXM4211 for
 * an address not recorded (with a suggestion), LXM4260 for an edit that cannot be made.
 */
export async function editState(opts: { gitdir: string; commondir: string; branch: string; request: EditRequest }): Promise<EditOutcome> {
  const { gitdir, branch } = opts;
  const release = await acquireApplyLock(opts.commondir, journalName(branch));
  try {
    const head = await readStateHead({ gitdir, branch });
    if (head === null) throw catalog.engine.noSuchSnapshot.error(branch);
    const pending = await pendingJournal(gitdir, branch, head.oid);
    if (pending) throw catalog.engine.interruptedRunPending.error(branch, pending);
    const known = Object.keys(head.loaded.snapshot.resources).sort();
    const edit = resolve(opts.request, known);
    const problem = editProblems(head.loaded, edit);
    if (problem !== null) throw catalog.engine.stateEditRefused.error(describe(opts.request), problem);
    const tree = buildEditTree({ parent: head.loaded, edit });
    const { oid } = await writeStateCommit({ gitdir, branch, expectedParent: head.oid, files: tree.files, message: tree.message, time: head.time });
    return { oid, hash: tree.hash, edit: tree.snapshot.kind === "edit" ? tree.snapshot.edit : edit, words: editWords(edit) };
  } finally {
    await release();
  }
}

function describe(r: EditRequest): string {
  return r.command === "rm" ? `forget ${r.addresses.join(", ")}` : `move ${r.from} to ${r.to}`;
}

/** The recorded addresses an address as typed names: one record, or every instance of a `for` resource named without a key. */
function recordsNamed(input: string, known: readonly string[]): string[] {
  const instances = known.filter((a) => {
    const p = parseAddress(a);
    if (p === null || p.key === null) return false;
    const base = formatAddress(p.domain, p.type, p.name, null);
    return base === input || base.slice(p.domain.length + 1) === input;
  });
  if (!input.includes("[") && instances.length > 0 && !known.includes(input)) {
    // A short form must name one domain's resource.
    const domains = new Set(instances.map((a) => a.slice(0, a.indexOf("/"))));
    if (domains.size === 1) return instances;
  }
  return [findAddress(input, known)];
}

function resolve(r: EditRequest, known: readonly string[]): StateEdit {
  if (r.command === "rm") {
    const addresses = [...new Set(r.addresses.flatMap((a) => recordsNamed(a, known)))].sort();
    return { command: "rm", addresses };
  }
  const from = recordsNamed(r.from, known);
  const first = parseAddress(from[0]!)!;
  // A destination without a domain stays in the source's.
  const toText = r.to.includes("/") ? r.to : `${first.domain}/${r.to}`;
  const single = from.length === 1 && (parseAddress(from[0]!)!.key === null || r.from.includes("["));
  if (single) {
    const to = parseAddress(toText);
    if (to === null) throw catalog.engine.stateEditRefused.error(describe(r), `${JSON.stringify(r.to)} is not a resource address (DOMAIN/PROVIDER.TYPE.NAME[KEY])`);
    return { command: "mv", moves: [{ from: from[0]!, to: formatAddress(to.domain, to.type, to.name, to.key) }] };
  }
  // Every instance, key by key, to a resource written without a key.
  const to = parseAddress(toText);
  if (to === null || to.key !== null) throw catalog.engine.stateEditRefused.error(describe(r), `${r.from} names ${from.length} instances: move them to a resource address without a key (DOMAIN/PROVIDER.TYPE.NAME)`);
  return { command: "mv", moves: from.map((a) => ({ from: a, to: formatAddress(to.domain, to.type, to.name, parseAddress(a)!.key) })) };
}
