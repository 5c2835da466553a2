import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { AgentEvent } from "./types.js";

/**
 * The lxm-sync agent's Prometheus metrics, named after Flux's (`gotk_reconcile_*`) and
 * Argo CD's (`argocd_app_info`, `argocd_git_request_total`) so their dashboards and alerts
 * translate: the agent reports AgentEvents, `observe` turns them into series. Each agent has
 * its own Registry (never prom-client's global one), so two agents in one process (tests)
 * never share a count.
 */
export interface Metrics {
  /** Counts an event of the agent. */
  observe(e: AgentEvent): void;
  /** The exposition text (`/metrics`). */
  text(): Promise<string>;
  /** The content type of `text()` (Prometheus text format 0.0.4). */
  readonly contentType: string;
}

/**
 * The buckets of `lexum_reconcile_duration_seconds`: a reconcile takes from a fraction of a
 * second (nothing to apply) to minutes (a large apply), bounded by Node's timers at neither end.
 */
export const RECONCILE_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

/** A fresh registry with the agent's series and the process_* / nodejs_* defaults. */
export function createMetrics(): Metrics {
  const register = new Registry();
  collectDefaultMetrics({ register });
  const registers = [register];
  const reconciles = new Counter({
    name: "lexum_reconcile_total",
    help: "Reconciles of a watched repository entry, by result (applied, unchanged, failed, drift-reported, drift-corrected, conflict, error).",
    labelNames: ["repo", "result"] as const,
    registers,
  });
  const duration = new Histogram({
    name: "lexum_reconcile_duration_seconds",
    help: "How long a reconcile took, from reading the goal commit to recording its snapshot, in seconds.",
    buckets: RECONCILE_BUCKETS,
    registers,
  });
  const gitRequests = new Counter({
    name: "lexum_git_request_total",
    help: "Requests the agent made to a repository's git remote, by type (ls-refs, fetch, push), failed ones included.",
    labelNames: ["repo", "request_type"] as const,
    registers,
  });
  const gitErrors = new Counter({
    name: "lexum_git_request_errors_total",
    help: "Requests to a repository's git remote that failed (unreachable, refused, timed out), by type (ls-refs, fetch, push).",
    labelNames: ["repo", "request_type"] as const,
    registers,
  });
  const conflicts = new Counter({
    name: "lexum_state_push_conflicts_total",
    help: "Snapshot pushes refused because the state branch had moved under them (another writer); the agent re-reads and retries.",
    registers,
  });
  const drift = new Gauge({
    name: "lexum_drift",
    help: "Resources out of step with the goal at the repository entry's last drift check (0: in sync).",
    labelNames: ["repo"] as const,
    registers,
  });
  const info = new Gauge({
    name: "lexum_repo_info",
    help: "Always 1, one series per repository entry: the goal commit last seen on its branch and the goal commit its state branch last applied (empty: none yet).",
    labelNames: ["repo", "goal_revision", "applied_revision"] as const,
    registers,
  });
  const owned = new Gauge({
    name: "lexum_owned_repos",
    help: "Repository entries whose lease this replica holds (replicas sharing the work through coordination).",
    registers,
  });
  const leaseHeld = new Gauge({
    name: "lexum_lease_held",
    help: "1 while this replica holds the repository entry's lease, 0 once it lost or gave it up.",
    labelNames: ["repo"] as const,
    registers,
  });
  const takeovers = new Counter({
    name: "lexum_lease_takeovers_total",
    help: "Leases this replica took at a new epoch (a free, expired or reassigned lease; renewals are not counted).",
    registers,
  });
  const held = new Set<string>();
  // The label set each repository's info series has now, to remove when a revision changes.
  const infoLabels = new Map<string, { repo: string; goal_revision: string; applied_revision: string }>();

  return {
    contentType: register.contentType,
    text: () => register.metrics(),
    observe(e) {
      switch (e.type) {
        case "reconcile":
          reconciles.inc({ repo: e.repo, result: e.result });
          // A negative or non-finite duration is a clock bug, not a reconcile to average in.
          if (Number.isFinite(e.seconds) && e.seconds >= 0) duration.observe(e.seconds);
          return;
        case "git-request":
          gitRequests.inc({ repo: e.repo, request_type: e.request });
          // Created at zero on the first request, so `rate(errors) / rate(requests)` has both series.
          if (e.ok) gitErrors.inc({ repo: e.repo, request_type: e.request }, 0);
          else gitErrors.inc({ repo: e.repo, request_type: e.request });
          return;
        case "push-conflict":
          conflicts.inc();
          return;
        case "drift":
          drift.set({ repo: e.repo }, e.resources);
          return;
        case "lease":
          if (e.held) held.add(e.repo);
          else held.delete(e.repo);
          leaseHeld.set({ repo: e.repo }, e.held ? 1 : 0);
          owned.set(held.size);
          if (e.taken) takeovers.inc();
          return;
        case "revision": {
          const labels = { repo: e.repo, goal_revision: e.goal ?? "", applied_revision: e.applied ?? "" };
          const old = infoLabels.get(e.repo);
          if (old && (old.goal_revision !== labels.goal_revision || old.applied_revision !== labels.applied_revision)) info.remove(old);
          infoLabels.set(e.repo, labels);
          info.set(labels, 1);
          return;
        }
      }
    },
  };
}
