import { performance } from "node:perf_hooks";
import { ownerOf } from "./rendezvous.js";
import type { Coordination, Lease, Member } from "./types.js";

/**
 * One replica's side of the coordination: every third of the TTL it heartbeats, reads the
 * live replicas, works out by rendezvous which repositories are its own, gives up the leases
 * of those that are no longer its own (once no work on them is in flight), and takes or
 * renews the leases of its own in one statement. After a start or a failed tick, one tick
 * only heartbeats and renews, so that the others' heartbeats are in before it takes anything.
 *
 * A lease is trusted locally only until the TTL has passed since the renewal was *sent*
 * (less a tenth for the two clocks' rates): the server's expiry is later than that, so a
 * replica never believes it holds a lease the server considers expired. The local clock is
 * monotonic: a process paused past its lease sees the lease gone the moment it resumes.
 */

export interface ReplicaOptions {
  readonly coordination: Coordination;
  readonly id: string;
  /** Where the replica's HTTP endpoints are reached (a function: the listen port may be known only once it listens). */
  readonly address: string | (() => string);
  readonly ttlMs: number;
  /** The lease keys of the repositories this replica may work on (every replica lists the same). */
  readonly repositories: readonly string[];
  /** Whether work on a repository is in flight: its lease is not given up before it ends. */
  readonly busy?: (repo: string) => boolean;
  /** Told of every lease taken (with the epoch it got) and lost. */
  readonly onLease?: (e: LeaseEvent) => void;
  readonly log?: (level: "info" | "warn" | "error", event: string, fields: Record<string, unknown>) => void;
  /** Monotonic milliseconds (tests control it). */
  readonly clock?: () => number;
}

export type LeaseEvent =
  | { readonly type: "taken"; readonly repo: string; readonly epoch: number }
  | { readonly type: "lost"; readonly repo: string; readonly epoch: number; readonly why: string }
  | { readonly type: "released"; readonly repo: string; readonly epoch: number };

/** A lease as this replica holds it. */
export interface HeldLease {
  readonly epoch: number;
  /** The server's expiry (ISO), as the last renewal returned it. */
  readonly expiresAt: string;
  /** Until when (this replica's monotonic clock) it is trusted. */
  readonly deadline: number;
}

export interface ReplicaStatus {
  readonly id: string;
  readonly address: string;
  readonly ttlMs: number;
  /** The live replicas at the last heartbeat (empty before it). */
  readonly members: readonly Member[];
  /** The repositories rendezvous gives this replica. */
  readonly assigned: readonly string[];
  /** The leases it holds, by repository. */
  readonly leases: readonly { readonly repo: string; readonly epoch: number; readonly expiresAt: string }[];
  /** The last error talking to the coordination server, null after a good tick. */
  readonly error: string | null;
}

export class Replica {
  private readonly held = new Map<string, HeldLease>();
  /** Epochs this replica stopped trusting by its own clock: never taken back as they are (see tick). */
  private readonly lostEpochs = new Map<string, number>();
  private members: Member[] = [];
  private assigned: string[] = [];
  private error: string | null = null;
  /** False at start and after a failed tick: the next tick only heartbeats and renews (see tick). */
  private settled = false;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  private readonly clock: () => number;

  constructor(private readonly opts: ReplicaOptions) {
    this.clock = opts.clock ?? (() => performance.now());
  }

  get id(): string {
    return this.opts.id;
  }

  /** How often the replica heartbeats and renews: a third of the TTL. */
  get intervalMs(): number {
    return Math.floor(this.opts.ttlMs / 3);
  }

  /** Ticks now, then every interval until stop(). */
  start(): void {
    const loop = (): void => {
      if (this.stopped) return;
      this.ticking = this.tick().finally(() => {
        this.ticking = null;
        if (!this.stopped) this.timer = setTimeout(loop, this.intervalMs);
      });
    };
    loop();
  }

  /** Stops ticking and gives every lease up, so that the others take them at their next tick. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    for (const [repo, l] of [...this.held]) {
      this.held.delete(repo);
      try {
        await this.opts.coordination.release(repo, this.opts.id, l.epoch);
        this.opts.onLease?.({ type: "released", repo, epoch: l.epoch });
      } catch {
        // The database is gone: the lease expires by itself.
      }
    }
  }

  /** One heartbeat, assignment and renewal. Never throws (an error is logged and kept for status). */
  async tick(): Promise<void> {
    const c = this.opts.coordination;
    this.expire();
    try {
      await c.heartbeat({ id: this.opts.id, address: this.address() });
      this.members = await c.members();
      // Right after a start or an outage the other replicas' heartbeats may not be in yet (after
      // the database was down, none is): a replica that saw itself alone would take every
      // lease, only to hand most back. One tick of heartbeats first; what it holds is renewed.
      const settling = !this.settled;
      this.settled = true;
      const ids = this.members.map((m) => m.id);
      if (!ids.includes(this.opts.id)) ids.push(this.opts.id);
      this.assigned = this.opts.repositories.filter((r) => ownerOf(r, ids) === this.opts.id);
      const mine = new Set(this.assigned);
      for (const [repo, l] of [...this.held]) {
        if (settling || mine.has(repo) || this.opts.busy?.(repo)) continue;
        this.held.delete(repo);
        await c.release(repo, this.opts.id, l.epoch);
        this.opts.onLease?.({ type: "released", repo, epoch: l.epoch });
        this.opts.log?.("info", "lease.released", { repo, epoch: l.epoch, to: ownerOf(repo, ids) });
      }
      // Leases still held for work in flight are renewed with the assigned ones.
      const wanted = settling ? [...this.held.keys()] : [...new Set([...this.assigned, ...this.held.keys()])];
      const sent = this.clock();
      const got = new Map((await c.acquireAll(wanted, this.opts.id)).map((l) => [l.repository, l] as const));
      this.error = null;
      for (const repo of wanted) {
        const before = this.held.get(repo);
        let l = got.get(repo);
        if (l !== undefined && this.lostEpochs.get(repo) === l.epoch) {
          // The server still had it at an epoch this replica gave up by its own clock (work
          // under it was stopped, and its unpushed records are to be dropped): taken again at a
          // new epoch, so that nothing written under the old one is ever pushed.
          await c.release(repo, this.opts.id, l.epoch);
          l = (await c.acquire(repo, this.opts.id)) ?? undefined;
        }
        if (l === undefined) {
          if (before) this.lose(repo, before.epoch, "another replica holds it");
          continue;
        }
        this.lostEpochs.delete(repo);
        this.keep(repo, l, sent, before);
      }
    } catch (e) {
      this.settled = false;
      this.error = e instanceof Error ? e.message : String(e);
      this.opts.log?.("warn", "coordination.failed", { error: this.error, held: this.held.size });
    }
    this.expire();
  }

  /** Leases not renewed in time are gone, whatever the server says later. */
  private expire(): void {
    for (const [repo, l] of [...this.held]) if (this.clock() >= l.deadline) this.lose(repo, l.epoch, "not renewed within its TTL");
  }

  /** The lease on `repo` this replica holds now, by its own clock; null when none. */
  lease(repo: string): HeldLease | null {
    const l = this.held.get(repo);
    if (!l) return null;
    if (this.clock() >= l.deadline) {
      this.lose(repo, l.epoch, "not renewed within its TTL");
      return null;
    }
    return l;
  }

  /** Asks the server whether `repo`'s lease is still this replica's at `epoch` (before a push). */
  async confirm(repo: string, epoch: number): Promise<boolean> {
    if (this.lease(repo)?.epoch !== epoch) return false;
    return this.opts.coordination.holds(repo, this.opts.id, epoch);
  }

  status(): ReplicaStatus {
    return {
      id: this.opts.id,
      address: this.address(),
      ttlMs: this.opts.ttlMs,
      members: [...this.members],
      assigned: [...this.assigned],
      leases: [...this.held].map(([repo, l]) => ({ repo, epoch: l.epoch, expiresAt: l.expiresAt })),
      error: this.error,
    };
  }

  private address(): string {
    const a = this.opts.address;
    return typeof a === "string" ? a : a();
  }

  private keep(repo: string, l: Lease, sent: number, before: HeldLease | undefined): void {
    this.held.set(repo, { epoch: l.epoch, expiresAt: l.expiresAt, deadline: sent + this.opts.ttlMs * 0.9 });
    if (before?.epoch === l.epoch) return;
    if (before) this.opts.onLease?.({ type: "lost", repo, epoch: before.epoch, why: `its lease expired and was taken again at epoch ${l.epoch}` });
    this.opts.onLease?.({ type: "taken", repo, epoch: l.epoch });
    this.opts.log?.("info", "lease.taken", { repo, epoch: l.epoch });
  }

  private lose(repo: string, epoch: number, why: string): void {
    if (this.held.get(repo)?.epoch !== epoch) return;
    this.held.delete(repo);
    this.lostEpochs.set(repo, epoch);
    this.opts.onLease?.({ type: "lost", repo, epoch, why });
    this.opts.log?.("warn", "lease.lost", { repo, epoch, why });
  }
}
