import { createHash } from "node:crypto";

/**
 * Rendezvous (highest random weight) hashing: each repository goes to the live replica with
 * the highest weight hash(replica, repository). A replica joining takes only the repositories
 * it now weighs highest for; one leaving gives up only its own. Pure and deterministic: the
 * weight is the first 8 bytes of sha256 of `replica \n repository`, ties (never seen in
 * practice) broken by the replica's id in code-unit order.
 */
export function weight(replica: string, repository: string): bigint {
  return createHash("sha256").update(`${replica}\n${repository}`).digest().readBigUInt64BE(0);
}

/** The replica that owns `repository` among `replicas` (null when there is none). */
export function ownerOf(repository: string, replicas: readonly string[]): string | null {
  let best: string | null = null;
  let bestWeight = -1n;
  for (const r of replicas) {
    const w = weight(r, repository);
    if (w > bestWeight || (w === bestWeight && best !== null && r < best)) {
      best = r;
      bestWeight = w;
    }
  }
  return best;
}

/** Every repository's owner, by replica (each replica listed, with [] when it owns none); repositories in input order. */
export function assign(repositories: readonly string[], replicas: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>([...replicas].sort().map((r) => [r, [] as string[]]));
  for (const repo of repositories) {
    const o = ownerOf(repo, replicas);
    if (o !== null) out.get(o)!.push(repo);
  }
  return out;
}
