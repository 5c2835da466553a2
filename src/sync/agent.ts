import { performance } from "node:perf_hooks";
import { branchRef, listRemoteRefs, tokenAuth } from "../git/index.js";
import type { Remote } from "../git/remote.js";
import { redactUrl } from "../git/remote.js";
import { openClone } from "./clone.js";
import type { SyncConfig, SyncRepository } from "./config.js";
import { checkDrift, FETCH_ATTEMPTS, PushRefused, reconcileGoal } from "./reconcile.js";
import type { HeadInfo, Reconciled, ReconcileHooks, Target } from "./reconcile.js";
import { pollMatches, repositoryKey } from "./match.js";
import { pollDelay } from "./schedule.js";
import type { AgentEvent, AgentHandle, PollMatch, RepoStatus, StatusError } from "./types.js";
import type { LeaseEvent, Replica, ReplicaStatus } from "./coordination/replica.js";
import { Fence } from "./fence.js";
import { leaseLost } from "../diag/catalog/sync.js";
import { LexumError } from "../diag/diagnostic.js";

/**
 * The agent's loop. Entries that share a remote (the same repository and credentials) are
 * polled together: one ref exchange asks for every watched branch and state branch of them.
 * When a goal moved, the entries are reconciled one after the other, and the remote is polled
 * again at once (commits pushed during an apply are not lost: the newest is the next goal).
 * Otherwise the next poll is an interval away (±10 %), or further after errors (exponential
 * backoff per remote, never sooner than the interval). At most `max_concurrent_per_host`
 * remotes of one host are worked on at a time.
 *
 * With a replica (the coordination section), the agent works only on the entries whose lease
 * the replica holds: a group none of whose entries it holds is not even polled. Before the
 * first work under a lease it takes the remote's fence for the lease's epoch; every provider
 * call is refused and every push fenced once the lease is lost.
 */

export type LogFn = (level: "info" | "warn" | "error", event: string, fields: Record<string, unknown>) => void;

export interface AgentOptions {
  readonly config: SyncConfig;
  /** The environment the projects' secrets come from. */
  readonly env: NodeJS.ProcessEnv;
  readonly log: LogFn;
  /** Told of every event (the metrics). */
  readonly onEvent?: (e: AgentEvent) => void;
  /** Wall clock in ms (tests control it); scheduling and status only. */
  readonly now?: () => number;
  /** [0, 1) for the jitter. */
  readonly random?: () => number;
  /** Replicas share the entries: only those whose lease this replica holds are worked on (lease key: the entry's name). */
  readonly replica?: Replica;
}

/** How long a trigger waits for others to fold into the same poll. */
const DEBOUNCE_MS = 250;
/** Goal commits remembered as passed over, per entry. */
const SKIPPED_KEPT = 20;

interface Watched {
  readonly target: Target;
  readonly group: Group;
  goal: string | null;
  /** The goal last brought to a final result (applied, unchanged or recorded as failed): not reconciled again. */
  done: string | null;
  applied: string | null;
  head: HeadInfo | null;
  skipped: string[];
  drift: number | null;
  nextDrift: number;
  lastError: StatusError | null;
  fetchFailures: { goal: string; count: number } | null;
  phase: RepoStatus["phase"];
  /** The remote's fence for the lease held now (taken before the first work under it). */
  fence: Fence | null;
  /** The next apply reads the world back (a lease was taken: its previous holder may have changed it). */
  refreshNext: boolean;
}

interface Group {
  readonly key: string;
  readonly host: string;
  readonly remote: Remote;
  readonly gitdir: string;
  readonly intervalMs: number;
  readonly members: Watched[];
  failures: number;
  lastPoll: number | null;
  lastAttempt: number | null;
  nextPoll: number | null;
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
  /** A trigger arrived while it ran: poll once more right after. */
  again: boolean;
}

export class Agent implements AgentHandle {
  private readonly groups: Group[] = [];
  private readonly watched: Watched[] = [];
  /** The same by entry name (the lease key): the replica asks about them on every tick. */
  private readonly byName = new Map<string, Watched>();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly slots = new Map<string, { busy: number; waiting: (() => void)[] }>();
  private stopping = false;
  private started = false;

  constructor(private readonly opts: AgentOptions) {
    this.now = opts.now ?? (() => Date.now());
    this.random = opts.random ?? Math.random;
  }

  /** Opens (or creates) every entry's clone under data_dir; polls nothing yet. */
  async open(): Promise<void> {
    const byKey = new Map<string, Group>();
    for (const entry of this.opts.config.repositories) {
      const clone = await openClone(this.opts.config.dataDir, entry);
      const remote: Remote = { url: entry.url, ...(entry.token !== null ? { auth: tokenAuth(entry.token) } : {}) };
      const key = `${repositoryKey(entry.url)}\n${entry.token ?? ""}`;
      let group = byKey.get(key);
      if (!group) {
        group = { key, host: hostOf(entry.url), remote, gitdir: clone.gitdir, intervalMs: entry.intervalMs, members: [], failures: 0, lastPoll: null, lastAttempt: null, nextPoll: null, timer: null, running: null, again: false };
        byKey.set(key, group);
        this.groups.push(group);
      }
      (group as { intervalMs: number }).intervalMs = Math.min(group.intervalMs, entry.intervalMs);
      const target: Target = { name: entryName(entry), entry, remote, clone, env: this.opts.env };
      const w: Watched = { target, group, goal: null, done: null, applied: null, head: null, skipped: [], drift: null, nextDrift: 0, lastError: null, fetchFailures: null, phase: "idle", fence: null, refreshNext: false };
      group.members.push(w);
      this.watched.push(w);
      this.byName.set(target.name, w);
    }
  }

  /** Starts polling every remote (the first poll at once). */
  start(): void {
    this.started = true;
    for (const g of this.groups) this.schedule(g, 0);
  }

  /** One poll and reconcile of every remote, then returns (`lxm-sync --once`). */
  async once(): Promise<void> {
    this.started = true;
    await Promise.all(this.groups.map((g) => this.cycle(g, { drift: false })));
  }

  /** No new work; waits for what is in flight (an apply finishes and is recorded and pushed). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const g of this.groups) {
      if (g.timer) clearTimeout(g.timer);
      g.timer = null;
      g.nextPoll = null;
    }
    await Promise.all(this.groups.map((g) => g.running?.catch(() => undefined)));
  }

  alive(): boolean {
    return this.started && !this.stopping;
  }

  status(): RepoStatus[] {
    return this.watched.map((w) => {
      const e = w.target.entry;
      const g = w.group;
      return {
        repo: w.target.name,
        url: redactUrl(e.url),
        branch: e.branch,
        path: e.path,
        stateBranch: e.stateBranch,
        goal: w.goal,
        applied: w.applied,
        lastSnapshot: w.head ? { hash: w.head.hash, commit: w.head.oid, status: w.head.status, goal: w.head.goal, kind: w.head.kind } : null,
        skipped: [...w.skipped],
        drift: w.drift,
        lastError: w.lastError,
        lastPoll: g.lastPoll === null ? null : new Date(g.lastPoll).toISOString(),
        nextPoll: g.nextPoll === null ? null : new Date(g.nextPoll).toISOString(),
        failures: g.failures,
        phase: w.phase,
        lease: this.leaseStatus(w),
      };
    });
  }

  /** The replica's view (members, assignment, leases); null without coordination. */
  replica(): ReplicaStatus | null {
    return this.opts.replica?.status() ?? null;
  }

  /** Whether work on the entry named `repo` is in flight (its lease is kept until it ends). */
  busy(repo: string): boolean {
    const w = this.byName.get(repo);
    return w !== undefined && (w.phase === "reconciling" || w.phase === "checking-drift");
  }

  /** A lease taken or lost by the replica: the entry starts afresh under a new one, polled at once. */
  leaseChanged(e: LeaseEvent): void {
    const w = this.byName.get(e.repo);
    this.emit({ type: "lease", repo: e.repo, held: e.type === "taken", epoch: e.epoch, taken: e.type === "taken" });
    if (!w) return;
    w.fence = null;
    if (e.type !== "taken") return;
    w.done = null;
    w.refreshNext = true;
    const g = w.group;
    if (!this.started || this.stopping) return;
    if (g.running) g.again = true;
    else if (g.nextPoll === null || g.nextPoll - this.now() > DEBOUNCE_MS) this.schedule(g, 0);
  }

  private leaseStatus(w: Watched): RepoStatus["lease"] {
    const r = this.opts.replica;
    if (!r) return null;
    const l = r.lease(w.target.name);
    return { held: l !== null, epoch: l?.epoch ?? null, expiresAt: l?.expiresAt ?? null };
  }

  private holds(w: Watched): boolean {
    return !this.opts.replica || this.opts.replica.lease(w.target.name) !== null;
  }

  /** The entry's target for one reconcile or drift check: with its lease and fence when replicas share the work. */
  private async leased(w: Watched): Promise<Target> {
    const r = this.opts.replica;
    if (!r) return w.target;
    const name = w.target.name;
    const l = r.lease(name);
    if (l === null) throw leaseLost.error(name, 0, "this replica does not hold it");
    const epoch = l.epoch;
    if (w.fence?.epoch !== epoch) {
      w.fence = null;
      w.fence = await Fence.take({ gitdir: w.target.clone.gitdir, remote: w.target.remote, stateBranch: w.target.entry.stateBranch, repo: name, epoch, replica: r.id, confirm: () => r.confirm(name, epoch) });
      this.opts.log("info", "lease.fenced", { repo: name, epoch });
    }
    const refresh = w.refreshNext;
    w.refreshNext = false;
    return {
      ...w.target,
      lease: {
        epoch,
        replica: r.id,
        fence: w.fence,
        refresh,
        lost: () => (r.lease(name)?.epoch === epoch ? null : leaseLost.error(name, epoch, "it was not renewed within its TTL, or another replica took it")),
      },
    };
  }

  trigger(match: PollMatch): string[] {
    const hit = this.watched.filter((w) => pollMatches(match, w.target.entry, w.target.name));
    const groups = new Set(hit.map((w) => w.group));
    for (const g of groups) {
      if (this.stopping) break;
      if (g.running) {
        g.again = true;
        continue;
      }
      // A remote in error keeps its backoff: never sooner than its interval after the last attempt.
      const earliest = g.failures > 0 && g.lastAttempt !== null ? g.lastAttempt + g.intervalMs - this.now() : 0;
      const wait = Math.max(DEBOUNCE_MS, earliest);
      if (g.nextPoll !== null && g.nextPoll - this.now() <= wait) continue;
      this.schedule(g, wait);
    }
    this.opts.log("info", "poll.triggered", { repos: hit.map((w) => w.target.name) });
    return hit.map((w) => w.target.name);
  }

  private schedule(g: Group, delayMs: number): void {
    if (this.stopping) return;
    if (g.timer) clearTimeout(g.timer);
    g.nextPoll = this.now() + delayMs;
    g.timer = setTimeout(() => {
      g.timer = null;
      g.nextPoll = null;
      g.running = this.cycle(g, { drift: true }).finally(() => {
        g.running = null;
        if (this.stopping) return;
        if (g.again) {
          g.again = false;
          this.schedule(g, g.failures > 0 ? pollDelay({ intervalMs: g.intervalMs, failures: g.failures, random: this.random }) : 0);
        } else if (g.timer === null) {
          this.schedule(g, pollDelay({ intervalMs: g.intervalMs, failures: g.failures, random: this.random }));
        }
      });
    }, delayMs);
  }

  /** Polls the remote once and works on what moved. Never throws. */
  private async cycle(g: Group, o: { drift: boolean }): Promise<void> {
    const release = await this.slot(g.host);
    try {
      if (this.stopping) return;
      const members = g.members.filter((w) => this.holds(w));
      for (const w of g.members) if (!members.includes(w)) w.phase = "standby";
      if (members.length === 0) return;
      g.lastAttempt = this.now();
      for (const w of members) w.phase = "polling";
      const refs = [...new Set(members.flatMap((w) => [branchRef(w.target.entry.branch), branchRef(w.target.entry.stateBranch)]))].sort();
      let tips: Map<string, string>;
      try {
        tips = await listRemoteRefs(g.remote, refs, { gitdir: g.gitdir });
        this.emit({ type: "git-request", repo: members[0]!.target.name, request: "ls-refs", ok: true });
      } catch (e) {
        this.emit({ type: "git-request", repo: members[0]!.target.name, request: "ls-refs", ok: false });
        g.failures += 1;
        for (const w of members) {
          w.lastError = this.error(refusedBy(e) ? "remote-refused" : "remote-unreachable", e, null);
          w.phase = "backing-off";
        }
        this.opts.log("warn", "poll.failed", { repo: members.map((w) => w.target.name), failures: g.failures, error: messageOf(e) });
        return;
      }
      g.lastPoll = this.now();
      let moved = false;
      let failed = false;
      for (const w of members) {
        if (this.stopping) break;
        if (!this.holds(w)) {
          w.phase = "standby";
          continue;
        }
        const goal = tips.get(branchRef(w.target.entry.branch)) ?? null;
        const stateTip = tips.get(branchRef(w.target.entry.stateBranch)) ?? null;
        if (goal !== w.goal) this.opts.log("info", "goal.seen", { repo: w.target.name, goal, previous: w.goal });
        w.goal = goal;
        if (goal === null) {
          w.phase = "idle";
          continue;
        }
        if (goal !== w.done) {
          const r = await this.run(w, "reconciling", (t) => reconcileGoal(t, goal, stateTip, this.hooks(), w.fetchFailures?.goal === goal ? w.fetchFailures.count : 0));
          if (r === null) {
            failed = true;
            continue;
          }
          moved ||= r.result !== "unchanged";
          w.done = goal;
          w.nextDrift = this.now() + w.target.entry.driftIntervalMs;
          continue;
        }
        if (o.drift && w.target.entry.drift !== "off" && w.applied === goal && this.now() >= w.nextDrift) {
          const r = await this.run(w, "checking-drift", (t) => checkDrift(t, goal, stateTip, this.hooks()));
          if (r === null) failed = true;
          w.nextDrift = this.now() + w.target.entry.driftIntervalMs;
        }
        w.phase = "idle";
      }
      g.failures = failed ? g.failures + 1 : 0;
      // Commits may have arrived while an apply ran: look again now rather than an interval later.
      if (moved && !failed) g.again = true;
    } finally {
      release();
    }
  }

  /** Runs one reconcile or drift check with its bookkeeping; null when it threw (recorded as the entry's error). */
  private async run(w: Watched, phase: RepoStatus["phase"], fn: (t: Target) => Promise<Reconciled>): Promise<Reconciled | null> {
    w.phase = phase;
    const started = performance.now();
    const repo = w.target.name;
    try {
      const r = await fn(await this.leased(w));
      const seconds = (performance.now() - started) / 1000;
      this.emit({ type: "reconcile", repo, result: r.result, seconds });
      w.head = r.head ?? w.head;
      if (r.applied !== null) w.applied = r.applied;
      if (r.drift !== undefined) w.drift = r.drift;
      if (r.skipped?.length) w.skipped = [...w.skipped, ...r.skipped].slice(-SKIPPED_KEPT);
      w.fetchFailures = null;
      w.lastError = r.result === "failed" ? { reason: r.reason ?? "apply-failed", message: r.message ?? "failed", code: null, commit: r.goal, at: this.iso() } : r.result === "conflict" ? w.lastError : null;
      this.emit({ type: "revision", repo, goal: w.goal, applied: w.applied });
      this.opts.log(r.result === "failed" ? "error" : "info", `reconcile.${r.result}`, { repo, goal: r.goal, snapshot: r.head?.hash ?? null, seconds: round(seconds), ...(r.reason ? { reason: r.reason } : {}) });
      w.phase = "idle";
      return r;
    } catch (e) {
      const seconds = (performance.now() - started) / 1000;
      this.emit({ type: "reconcile", repo, result: "error", seconds });
      const goal = w.goal;
      const lost = e instanceof LexumError && e.code === leaseLost.code;
      if (lost) {
        // Nothing more under that lease: the replica that holds it now does the work.
        w.fence = null;
        w.lastError = this.error("lease-lost", e, goal);
        w.phase = this.holds(w) ? "backing-off" : "standby";
        this.opts.log("warn", "lease.stopped", { repo, goal, error: messageOf(e) });
        return null;
      }
      if (phase === "reconciling" && goal !== null && !(e instanceof PushRefused)) {
        w.fetchFailures = w.fetchFailures?.goal === goal ? { goal, count: w.fetchFailures.count + 1 } : { goal, count: 1 };
      }
      w.lastError = this.error(e instanceof PushRefused ? "push-failed" : "internal", e, goal);
      this.opts.log("error", phase === "reconciling" ? "reconcile.error" : "drift.error", { repo, goal, error: w.lastError.message, reason: w.lastError.reason, ...(w.fetchFailures ? { attempts: w.fetchFailures.count, of: FETCH_ATTEMPTS } : {}) });
      w.phase = "backing-off";
      return null;
    }
  }

  private hooks(): ReconcileHooks {
    return { emit: (e) => this.emit(e), log: this.opts.log };
  }

  private emit(e: AgentEvent): void {
    this.opts.onEvent?.(e);
  }

  private error(reason: StatusError["reason"], e: unknown, commit: string | null): StatusError {
    const code = (e as { code?: unknown } | null)?.code;
    return { reason, message: messageOf(e), code: typeof code === "string" && /^LXM\d{4}$/.test(code) ? code : null, commit, at: this.iso() };
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Waits for one of the host's `max_concurrent_per_host` slots. */
  private async slot(host: string): Promise<() => void> {
    let s = this.slots.get(host);
    if (!s) this.slots.set(host, (s = { busy: 0, waiting: [] }));
    const state = s;
    if (state.busy >= this.opts.config.maxConcurrentPerHost) await new Promise<void>((resolve) => state.waiting.push(resolve));
    else state.busy += 1;
    return () => {
      const next = state.waiting.shift();
      if (next) next();
      else state.busy -= 1;
    };
  }
}

/** The `repo` label of an entry: its URL without userinfo, branch, project path and `@environment` when it has one. */
export function entryName(entry: SyncRepository): string {
  return `${redactUrl(entry.url)}#${entry.branch}:${entry.path}${entry.environment === null ? "" : `@${entry.environment}`}`;
}

function hostOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^/:?#]+)/i.exec(url);
  return m ? m[1]!.toLowerCase() : "local";
}

/** The remote answered, and said no: bad credentials, or no such repository. */
function refusedBy(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === "LXM4132" || code === "LXM4133";
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function round(s: number): number {
  return Math.round(s * 1000) / 1000;
}
