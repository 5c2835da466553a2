import { makeRepo } from "../e2e/helpers.js";
import type { E2eRepo } from "../e2e/helpers.js";

/**
 * A small two-domain sim project taken through three applies, each a real commit:
 *   v1: creates base/db, then app/api and app/worker (worker depends on api; app imports base) → quiescent
 *   v2: updates api, whose update always fails (halt) → failed
 *   v3: updates api (succeeds) and worker (always fails) under on_failure = "rollback"
 *       → a failed commit, then a rolled-back commit restoring api
 * Latency 0 and no retries keep it fast; everything is deterministic.
 */
export interface TraceFixture {
  readonly repo: E2eRepo;
  /** State commit ids, oldest first. */
  readonly quiescent: string;
  readonly halted: string;
  readonly failedBeforeRollback: string;
  readonly rolledBack: string;
}

export const BASE_LXM = `domain base {
  provider sim {
    world   = "world.json"
    latency = 0ms
  }

  resource sim.object db {
    kind = "database"
    name = "main"
    spec = { size = "small" }
  }

  export db
}
`;

function app(opts: { replicas: number; size: number; fault: string | null; onFailure: string }): string {
  const faults = opts.fault ? `\n    faults  = [{ op = "update", address = "${opts.fault}", kind = "error", times = 9 }]` : "";
  return `domain app {
  provider sim {
    world   = "world.json"
    latency = 0ms${faults}
  }
  import base.db

  resource sim.object api {
    kind = "service"
    name = "api"
    spec = { replicas = ${opts.replicas}, db = db.name }
  }

  resource sim.object worker {
    kind = "service"
    name = "worker"
    spec = { api = api.name, size = ${opts.size} }
  }

  policy {
    retries    = 0
    on_failure = "${opts.onFailure}"
  }
}
`;
}

/** The app.lxm text of v1 (the quiescent run's source). */
export const APP_V1_LXM = app({ replicas: 1, size: 1, fault: null, onFailure: "halt" });

function head(repo: E2eRepo): string {
  return repo.git("rev-parse", "lexum/state");
}

/** Builds the fixture repository (four state commits); throws when an apply does not end as expected. */
export async function makeTraceFixture(): Promise<TraceFixture> {
  const repo = makeRepo({ ".gitignore": "world.json\n", "base.lxm": BASE_LXM, "app.lxm": APP_V1_LXM });
  const expectCode = async (code: number): Promise<void> => {
    const r = await repo.lxm(["apply", "--yes"]);
    if (r.code !== code) throw new Error(`apply exited ${r.code}, expected ${code}\n${r.out}\n${r.err}`);
  };
  await expectCode(0);
  const quiescent = head(repo);
  repo.write({ "app.lxm": app({ replicas: 2, size: 1, fault: "app/sim.object.api", onFailure: "halt" }) });
  repo.commit("v2: api update fails");
  await expectCode(1);
  const halted = head(repo);
  repo.write({ "app.lxm": app({ replicas: 2, size: 2, fault: "app/sim.object.worker", onFailure: "rollback" }) });
  repo.commit("v3: worker update fails, rollback");
  await expectCode(1);
  const rolledBack = head(repo);
  const failedBeforeRollback = repo.git("rev-parse", "lexum/state~1");
  return { repo, quiescent, halted, failedBeforeRollback, rolledBack };
}

/** A project whose domain `api` is an instance of template `host`, and whose file was renamed from `web/fs.file.motd`. */
export const TEMPLATE_LXM = `template host(size: number) {
  provider sim { world = "world.json" }
  resource sim.object app {
    kind = "vm"
    name = "app"
    spec = { size = size }
  }
}

domain api = host(size = 2)

domain web {
  provider fs { root = "out" }
  resource fs.file greeting {
    path    = "motd"
    content = "hi"
  }
}
`;
export const BEFORE_LXM = TEMPLATE_LXM.replace("fs.file greeting", "fs.file motd");
export const MOVED_LXM = `${TEMPLATE_LXM}
moved {
  from = web/fs.file.motd
  to   = web/fs.file.greeting
}
`;
