import { catalog } from "../../diag/index.js";
import { readStateHead } from "../../engine/state-head.js";
import { suggest } from "../../lang/suggest.js";
import { canonicalize } from "../../program/canonical.js";
import { compareNatural } from "../../program/address.js";
import type { Json } from "../../program/types.js";
import { branchFlag, dirFlag, jsonFlag, parse, projectFlag } from "../args.js";
import type { CommandSpec } from "../args.js";
import type { Io } from "../io.js";
import { locate } from "./state.js";

/** `lxm output`'s arguments and flags (parser, usage and --help). */
export const outputSpec = {
  name: "output",
  summary: "The exports of the last snapshot (`domain.name = value`); one name prints its value alone.",
  args: "[DOMAIN[.NAME]]",
  maxPositionals: 1,
  flags: { ...dirFlag, ...projectFlag, ...branchFlag, ...jsonFlag },
  notes: [
    "Sensitive values are never shown: they print as (sensitive) (in --json, the string \"(sensitive)\").",
    "--json: an object from `domain.name` to value; with DOMAIN.NAME, the value alone.",
  ],
} as const satisfies CommandSpec;

/** What a sensitive export is recorded as: a keyed digest, never the value. */
const DIGEST = /^hmac-sha256:[0-9a-f]{64}$/;

/** The value as shown: recorded digests (sensitive values) become `(sensitive)`. */
function shown(v: Json): Json {
  if (typeof v === "string") return DIGEST.test(v) ? "(sensitive)" : v;
  if (Array.isArray(v)) return v.map(shown);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shown(x)]));
  return v;
}

/** One value on one line: canonical JSON, a sensitive value as the bare word (sensitive). */
function line(v: Json): string {
  return typeof v === "string" && DIGEST.test(v) ? "(sensitive)" : canonicalize(shown(v));
}

/**
 * `lxm output [DOMAIN[.NAME]]`: the exports recorded by the last snapshot, like `terraform
 * output`. No argument: every `domain.name = value` line in natural order; DOMAIN: that
 * domain's; DOMAIN.NAME: the value alone. An unknown name is LXM5022 with a did-you-mean.
 */
export async function outputCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, outputSpec);
  const { repo, branch } = await locate(io, values.dir, values.branch, values.project);
  const head = await readStateHead({ gitdir: repo.gitdir, branch });
  const exports = head?.loaded.snapshot.exports ?? {};
  const names = Object.keys(exports).sort(compareNatural);
  const want = positionals[0];
  if (want !== undefined && Object.hasOwn(exports, want)) {
    const v = exports[want]!;
    io.out(values.json ? JSON.stringify(shown(v), null, 2) + "\n" : (typeof v === "string" && DIGEST.test(v) ? "(sensitive)" : JSON.stringify(shown(v), null, 2)) + "\n");
    return 0;
  }
  const picked = want === undefined ? names : names.filter((n) => n.startsWith(want + "."));
  if (want !== undefined && picked.length === 0) {
    const domains = [...new Set(names.map((n) => n.slice(0, n.indexOf("."))))];
    throw catalog.host.noSuchOutput.error(want, suggest(want, [...names, ...domains].sort()));
  }
  if (values.json) {
    io.out(JSON.stringify(Object.fromEntries(picked.map((n) => [n, shown(exports[n]!)])), null, 2) + "\n");
  } else {
    for (const n of picked) io.out(`${n} = ${line(exports[n]!)}\n`);
    if (!head) io.err(`no snapshot on ${branch} yet\n`);
  }
  return 0;
}
