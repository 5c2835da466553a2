import { mkdirSync, readFileSync, statSync } from "node:fs";
import { request } from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import { createServer } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { frameAt } from "../../src/viewer/model.js";
import type { Frame, RunView } from "../../src/viewer/model.js";
import { loadRunView } from "../../src/viewer/load.js";
import { serveTrace, startViewer } from "../../src/viewer/server.js";
import type { Viewer } from "../../src/viewer/server.js";
import { STATUS_COLOURS } from "../../src/viewer/page/shell.js";
import { launchChromium } from "../browser.js";
import { cleanupRepos, makeRepo, root } from "./helpers.js";
import { BEFORE_LXM, MOVED_LXM } from "../viewer/fixture.js";
import type { E2eRepo } from "./helpers.js";

// One project, three runs on its state branch: v1 applies cleanly (quiescent); v2 breaks
// the web domain's goal, so that run fails and is rolled back (failed, then rolled-back).
function goal(page: string, minSize: number): string {
  return `domain storage {
  provider fs { root = "out" }
  resource fs.dir data { path = "data" }
  resource fs.file settings {
    path    = "\${data.path}/settings.json"
    content = "v1"
  }
  export settings
}

domain web {
  provider fs { root = "out" }
  import storage.settings
  resource fs.file page {
    path    = "site/index.html"
    content = "${page}"
  }
  goal served {
    assert page.size > ${minSize} : "page too small"
  }
  policy { on_failure = "rollback" }
}
`;
}

const BRANCH = "lexum/state";
const outDir = join(root, "test-output");

let repo: E2eRepo;
let gitdir: string;
let browser: Browser;
let page: Page;
let viewer: Viewer;
/** The three runs, oldest first: quiescent, failed, rolled-back. */
let runs: { ok: RunView; failed: RunView; rolledBack: RunView };

beforeAll(async () => {
  repo = makeRepo({ ".gitignore": "out/\n", "app.lxm": goal("hello", 0) });
  expect((await repo.lxm(["apply", "--yes"])).code).toBe(0);
  repo.write({ "app.lxm": goal("hello2", 100) });
  repo.commit("goal v2: a goal the page cannot meet");
  const r = await repo.lxm(["apply", "--yes"]);
  expect(r.code).toBe(1);
  gitdir = join(repo.dir, ".git");
  runs = {
    ok: await loadRunView({ gitdir, branch: BRANCH, ref: `${BRANCH}~2` }),
    failed: await loadRunView({ gitdir, branch: BRANCH, ref: `${BRANCH}~1` }),
    rolledBack: await loadRunView({ gitdir, branch: BRANCH }),
  };
  expect([runs.ok.status, runs.failed.status, runs.rolledBack.status]).toEqual(["quiescent", "failed", "rolled-back"]);
  mkdirSync(outDir, { recursive: true });
  viewer = await startViewer({ gitdir, branch: BRANCH, port: 0 });
});

let pageProblems: () => string[] = () => [];

afterAll(async () => {
  await viewer?.close();
  cleanupRepos();
});

/** A page of the browser that fails the test on any foreign request, page error or console error (see pageProblems). */
async function newPage(url: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const p = await browser.newPage({ viewport });
  // Anything the page asks for beyond its own server is a failure (it must need no network).
  const foreign: string[] = [];
  p.on("request", (req) => {
    if (!req.url().startsWith(url)) foreign.push(req.url());
  });
  const errors: string[] = [];
  p.on("pageerror", (e) => errors.push(e.message));
  p.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  const before = pageProblems;
  pageProblems = () => [...before(), ...foreign, ...errors];
  return p;
}

// ---- helpers -----------------------------------------------------------------------------

/** A raw HTTP request to the viewer (the path is sent exactly as given, never normalised). */
function raw(path: string, opts: { method?: string; host?: string; port?: number; address?: string } = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const port = opts.port ?? viewer.port;
    const req = request(
      { host: opts.address ?? "127.0.0.1", port, path, agent: false, method: opts.method ?? "GET", headers: { Host: opts.host ?? `127.0.0.1:${port}` } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

function rgb(hex: string): string {
  const n = (k: number) => parseInt(hex.slice(1 + 2 * k, 3 + 2 * k), 16);
  return `rgb(${n(0)}, ${n(1)}, ${n(2)})`;
}

async function openRun(run: RunView): Promise<void> {
  await page.locator(`#history button[data-commit="${run.commit}"]`).click();
  await page.waitForSelector(`body[data-commit="${run.commit}"][data-index="0"]`);
}

async function slideTo(index: number): Promise<void> {
  await page.locator("#slider").fill(String(index));
  await page.waitForSelector(`body[data-index="${index}"]`);
}

/** What the page shows for each node: its status attribute and its painted fill colour. */
async function nodes(): Promise<Record<string, { status: string; fill: string }>> {
  return page.$$eval("#graph g.node", (gs) => {
    const out: Record<string, { status: string; fill: string }> = {};
    for (const g of gs) {
      const rect = g.querySelector("rect")!;
      out[g.getAttribute("data-address")!] = { status: g.getAttribute("data-status")!, fill: getComputedStyle(rect).fill };
    }
    return out;
  });
}

async function diffRows(): Promise<string[][]> {
  return page.$$eval("#diff-table tr[data-attr]", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));
}

function indexOf(run: RunView, pred: (e: RunView["events"][number]) => boolean): number {
  const i = run.events.findIndex(pred);
  expect(i).toBeGreaterThanOrEqual(0);
  return i;
}

// ---- the server's refusals (real HTTP) ------------------------------------------------------

describe("lxm trace --web: the read-only server", () => {
  it("binds to 127.0.0.1 only and serves one self-contained page with a strict policy", async () => {
    expect(viewer.url).toBe(`http://127.0.0.1:${viewer.port}/`);
    const res = await raw("/");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    // Nothing is loaded from anywhere: no src/href attributes at all, one inline script.
    expect(res.body).not.toMatch(/\s(src|href)=/i);
    expect(res.body.match(/<script/g)).toHaveLength(1);
    // A non-loopback address of this machine does not answer.
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === "IPv4" && !a.internal);
    if (external) await expect(raw("/", { address: external.address })).rejects.toThrow(/ECONNREFUSED/);
  });

  it("refuses every method but GET with 405", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]) {
      const res = await raw("/api/runs", { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe("GET");
    }
    expect((await raw(`/api/run/${runs.ok.commit}`, { method: "POST" })).status).toBe(405);
  });

  it("answers 404 to every other path, path traversal included, and leaks no file", async () => {
    const c = runs.ok.commit;
    const paths = [
      "/../../../../etc/passwd",
      "/..%2f..%2f..%2fetc%2fpasswd",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/index.html",
      "/.git/config",
      "/api",
      "/api/runs/",
      "/api/run/",
      `/api/run/${c}/../../../.git/config`,
      `/api/run/${c}/`,
      `/api/run/${c}/frame/`,
      `/api/run/${c}/frame/-1`,
      `/api/run/${c}/frame/01`,
      `/api/run/${c}/frame/${runs.ok.events.length}`,
      `/api/run/${c}/frame/0/x`,
      `/api/run/${c.toUpperCase()}`,
      `/api/run/${c.slice(0, 12)}`,
      `/api/run/${"0".repeat(40)}`,
      `/api/run/${repo.git("rev-parse", "main")}`, // a commit of the repository, not of the state branch
      "//etc/passwd",
      "/\\..\\..\\etc\\passwd",
    ];
    for (const p of paths) {
      const res = await raw(p);
      expect(res.status, p).toBe(404);
      expect(res.body, p).not.toMatch(/root:|\[core\]|domain storage/);
    }
  });

  it("resolves a deep link's run (a revision or a snapshot hash prefix) to its state commit, and nothing else", async () => {
    const resolve = async (ref: string) => {
      const res = await raw(`/api/resolve?ref=${encodeURIComponent(ref)}`);
      return res.status === 200 ? (JSON.parse(res.body) as { commit: string }).commit : res.status;
    };
    expect(await resolve(`${BRANCH}~1`)).toBe(runs.failed.commit);
    expect(await resolve(runs.ok.snapshot.slice("sha256:".length, "sha256:".length + 12))).toBe(runs.ok.commit);
    expect(await resolve(runs.rolledBack.commit)).toBe(runs.rolledBack.commit);
    expect(await resolve("main")).toBe(404); // a commit of the repository, not a run
    expect(await resolve("--output=/tmp/x")).toBe(404);
    expect(await resolve("deadbeefdeadbeef")).toBe(404);
    expect((await raw("/api/resolve")).status).toBe(404);
    expect((await raw("/api/resolve?ref=a", { method: "POST" })).status).toBe(405);
  });

  it("refuses a request naming another host (DNS rebinding) with 403", async () => {
    expect((await raw("/api/runs", { host: "evil.example" })).status).toBe(403);
    expect((await raw("/api/runs", { host: `evil.example:${viewer.port}` })).status).toBe(403);
    expect((await raw("/api/runs", { host: `localhost:${viewer.port}` })).status).toBe(200);
  });

  it("serves the history, a run's summary and frames equal to the model's frameAt", async () => {
    const runsRes = JSON.parse((await raw("/api/runs")).body) as { branch: string; selected: string; runs: { commit: string; status: string }[] };
    expect(runsRes.branch).toBe(BRANCH);
    expect(runsRes.selected).toBe(runs.rolledBack.commit);
    expect(runsRes.runs.map((r) => [r.commit, r.status])).toEqual([
      [runs.rolledBack.commit, "rolled-back"],
      [runs.failed.commit, "failed"],
      [runs.ok.commit, "quiescent"],
    ]);
    const summary = JSON.parse((await raw(`/api/run/${runs.failed.commit}`)).body) as { total: number; firstFailure: number; status: string };
    expect(summary.status).toBe("failed");
    expect(summary.total).toBe(runs.failed.events.length);
    expect(runs.failed.events[summary.firstFailure]!.phase).toBe("assert");
    for (let i = 0; i < runs.failed.events.length; i++) {
      const f = JSON.parse((await raw(`/api/run/${runs.failed.commit}/frame/${i}`)).body) as Frame;
      expect(f).toEqual(frameAt(runs.failed, i));
    }
  });
});

// ---- the page in headless Chromium ------------------------------------------------------------

describe("lxm trace --web: the page in headless Chromium", () => {
  // Only the page needs a browser: the server's tests above never launch one.
  beforeAll(async () => {
    browser = await launchChromium();
    page = await newPage(viewer.url);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("opens on the branch head and lists the history", async () => {
    await page.goto(viewer.url);
    await page.waitForSelector(`body[data-commit="${runs.rolledBack.commit}"][data-index="0"]`);
    const history = await page.$$eval("#history button", (bs) => bs.map((b) => [b.getAttribute("data-commit"), b.classList.contains("selected")]));
    expect(history).toEqual([
      [runs.rolledBack.commit, true],
      [runs.failed.commit, false],
      [runs.ok.commit, false],
    ]);
    const legend = await page.$$eval("#legend .badge", (bs) => bs.map((b) => [b.textContent, getComputedStyle(b).backgroundColor]));
    expect(legend).toEqual([
      ["pending", rgb(STATUS_COLOURS.pending)],
      ["running", rgb(STATUS_COLOURS.running)],
      ["done", rgb(STATUS_COLOURS.done)],
      ["deleted", rgb(STATUS_COLOURS.deleted)],
      ["failed", rgb(STATUS_COLOURS.failed)],
      ["rolled back", rgb(STATUS_COLOURS["rolled-back"])],
      ["unchanged", rgb(STATUS_COLOURS.unchanged)],
      ["drifted", rgb(STATUS_COLOURS.drifted)],
    ]);
  });

  it("colours the nodes and shows the diff and source as the slider moves through a clean run", async () => {
    const run = runs.ok;
    await openRun(run);
    // Domains are columns by step, every planned resource a node, imports an edge.
    const domains = await page.$$eval("#graph g.domain", (gs) => gs.map((g) => [g.getAttribute("data-domain"), g.getAttribute("data-step")]));
    expect(domains).toEqual([
      ["storage", "1"],
      ["web", "2"],
    ]);
    const edges = await page.$$eval("#graph path.edge", (ps) => ps.map((p) => `${p.getAttribute("class")}:${p.getAttribute("data-from")}->${p.getAttribute("data-to")}`).sort());
    expect(edges).toEqual(["edge dep:storage/fs.dir.data->storage/fs.file.settings", "edge import:storage->web"]);

    const dirDone = indexOf(run, (e) => e.phase === "done" && e.address === "storage/fs.dir.data");
    await slideTo(dirDone);
    expect(await nodes()).toEqual({
      "storage/fs.dir.data": { status: "done", fill: rgb(STATUS_COLOURS.done) },
      "storage/fs.file.settings": { status: "pending", fill: rgb(STATUS_COLOURS.pending) },
      "web/fs.file.page": { status: "pending", fill: rgb(STATUS_COLOURS.pending) },
    });

    const settingsStart = indexOf(run, (e) => e.phase === "start" && e.address === "storage/fs.file.settings");
    await page.keyboard.press("ArrowRight");
    await page.waitForSelector(`body[data-index="${dirDone + 1}"]`);
    expect(dirDone + 1).toBe(settingsStart);
    expect((await nodes())["storage/fs.file.settings"]).toEqual({ status: "running", fill: rgb(STATUS_COLOURS.running) });
    // The causal chain: the directory it depends on, outlined in the picture, with its edge.
    expect(await page.$$eval("#graph .cause", (es) => es.map((e) => e.getAttribute("data-address") ?? `${e.getAttribute("data-from")}->${e.getAttribute("data-to")}`).sort())).toEqual([
      "storage/fs.dir.data",
      "storage/fs.dir.data->storage/fs.file.settings",
    ]);
    expect(await page.locator("#graph g.node.current").getAttribute("data-address")).toBe("storage/fs.file.settings");

    const settingsDone = indexOf(run, (e) => e.phase === "done" && e.address === "storage/fs.file.settings");
    await slideTo(settingsDone);
    const rows = await diffRows();
    expect(rows).toContainEqual(["content", "(absent)", '"v1"']);
    expect(rows).toContainEqual(["path", "(absent)", '"data/settings.json"']);
    // The source pane: the whole file, the resource's lines (4-7) marked.
    expect(await page.locator("#source-title").textContent()).toBe("Source · app.lxm:4");
    expect(await page.$$eval("#source .marked .n", (ns) => ns.map((n) => n.textContent))).toEqual(["4", "5", "6", "7"]);
    expect(await page.locator("#event").textContent()).toContain("done  create  storage/fs.file.settings");

    await page.locator("#last").click();
    await page.waitForSelector(`body[data-index="${run.events.length - 1}"]`);
    const end = await nodes();
    expect(Object.values(end).map((n) => n.status)).toEqual(["done", "done", "done"]);
    expect(await page.$$eval("#graph g.domain", (gs) => gs.map((g) => g.getAttribute("data-status")))).toEqual(["quiescent", "quiescent"]);
  });

  it("jumps to the first failure of the failed run and shows the broken assertion", async () => {
    const run = runs.failed;
    await openRun(run);
    const failure = indexOf(run, (e) => e.phase === "assert" && e.ok === false);
    await page.keyboard.press("f");
    await page.waitForSelector(`body[data-index="${failure}"]`);
    const event = page.locator("#event");
    // Numbered from 1 like the counter; the assertion numbered from 1 too.
    expect(await event.textContent()).toContain(`#${failure + 1}  step 2  web  assert  goal served, assertion 1 FAILED`);
    expect(await page.locator("#position").textContent()).toBe(`event ${failure + 1} / ${run.events.length}`);
    expect(await event.textContent()).toContain("page too small");
    expect(await event.getAttribute("class")).toContain("bad");
    // The page was updated before the goal was checked; storage's resources did not change.
    expect(await nodes()).toEqual({
      "storage/fs.dir.data": { status: "unchanged", fill: rgb(STATUS_COLOURS.unchanged) },
      "storage/fs.file.settings": { status: "unchanged", fill: rgb(STATUS_COLOURS.unchanged) },
      "web/fs.file.page": { status: "done", fill: rgb(STATUS_COLOURS.done) },
    });
    expect(await page.$$eval("#source .marked .n", (ns) => ns.map((n) => n.textContent))).toEqual(["19"]);

    const pageDone = indexOf(run, (e) => e.phase === "done" && e.address === "web/fs.file.page");
    await slideTo(pageDone);
    expect(await diffRows()).toEqual([
      ["content", '"hello"', '"hello2"'],
      ["sha256", expect.stringMatching(/^"[0-9a-f]{64}"$/), expect.stringMatching(/^"[0-9a-f]{64}"$/)],
      ["size", "5", "6"],
    ]);

    await page.keyboard.press("End");
    await page.waitForSelector(`body[data-index="${run.events.length - 1}"]`);
    expect(await page.locator('#graph g.domain[data-domain="web"]').getAttribute("data-status")).toBe("failed");
    await page.screenshot({ path: join(outDir, "viewer-failed.png") });
  });

  it("shows a failed assertion's location, expression and operands, as the terminal view does", async () => {
    // The runtime records `expr` and `operands` on assert events; here they are laid over this run's.
    const run = runs.failed;
    const failure = indexOf(run, (e) => e.phase === "assert" && e.ok === false);
    const events = run.events.map((e, i) => (i === failure ? { ...e, expr: "page.size > 100", operands: [{ text: "page.size", value: 6 }] } : e));
    const frame = frameAt({ ...run, events }, failure);
    expect(frame.detail).toEqual(["location: app.lxm:19:5", "expression: page.size > 100", "  page.size = 6"]);
    const p = await newPage(viewer.url);
    await p.route(`${viewer.url}api/run/${run.commit}/frame/${failure}`, (route) => route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(frame) }));
    await p.goto(`${viewer.url}#run=${run.commit}&event=${failure + 1}`);
    await p.waitForSelector(`body[data-commit="${run.commit}"][data-index="${failure}"]`);
    expect(await p.locator("#event").textContent()).toBe(
      [`#${failure + 1}  step 2  web  assert  goal served, assertion 1 FAILED`, "goal web.served, assertion 1 failed: page too small", ...frame.detail].join("\n"),
    );
    await p.close();
  });

  it("shows the compensating run: the page restored and coloured rolled back", async () => {
    const run = runs.rolledBack;
    await openRun(run);
    expect(await nodes()).toEqual({ "web/fs.file.page": { status: "running", fill: rgb(STATUS_COLOURS.running) } });
    const restored = indexOf(run, (e) => e.phase === "done" && e.address === "web/fs.file.page");
    await slideTo(restored);
    expect(await nodes()).toEqual({ "web/fs.file.page": { status: "rolled-back", fill: rgb(STATUS_COLOURS["rolled-back"]) } });
    expect(await diffRows()).toEqual([
      ["content", '"hello2"', '"hello"'],
      ["sha256", expect.stringMatching(/^"[0-9a-f]{64}"$/), expect.stringMatching(/^"[0-9a-f]{64}"$/)],
      ["size", "6", "5"],
    ]);
    await page.locator("#prev").click();
    await page.waitForSelector(`body[data-index="${restored - 1}"]`);
    await page.keyboard.press("Home");
    await page.waitForSelector('body[data-index="0"]');
    // No failure in the compensating run: the button is disabled.
    expect(await page.locator("#failure").isDisabled()).toBe(true);
    await page.keyboard.press("End");
    await page.waitForSelector(`body[data-index="${run.events.length - 1}"]`);
    expect(await page.locator('#graph g.domain[data-domain="web"]').getAttribute("data-status")).toBe("rolled-back");
    const shot = join(outDir, "viewer-rolled-back.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(readFileSync(shot).subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  });

  it("shows at every step of every run exactly the model's frameAt (the terminal view's data)", async () => {
    for (const run of [runs.ok, runs.failed, runs.rolledBack]) {
      await openRun(run);
      for (let i = 0; i < run.events.length; i++) {
        if (i > 0) {
          await page.keyboard.press("l");
          await page.waitForSelector(`body[data-index="${i}"]`);
        }
        const expected = frameAt(run, i);
        const shown = await page.evaluate(() => (window as unknown as { lexumViewer: { frame: unknown } }).lexumViewer.frame);
        expect(shown).toEqual(expected);
        // And the picture agrees with it, node by node.
        const painted = Object.fromEntries(Object.entries(await nodes()).map(([a, n]) => [a, n.status]));
        expect(painted).toEqual(expected.resources);
        expect(await page.$$eval("#diff-table tr[data-attr]", (trs) => trs.map((tr) => tr.getAttribute("data-attr")))).toEqual(expected.diff.map((d) => d.attr));
      }
    }
    expect(pageProblems()).toEqual([]);
  });
});

// ---- a run of 1,000 resources ------------------------------------------------------------------

// One sim domain: a hub and `node` instances. v1 creates 1,000 nodes; v2 keeps 990 (ten
// deletes) and rewrites the hub's note (a sentence long enough to wrap in the diff).
function fleet(nodes: number, note: string): string {
  return `domain fleet {
  provider sim {
    world   = "world.json"
    latency = 0ms
  }

  resource sim.object hub {
    kind = "hub"
    name = "hub"
    spec = { note = "${note}" }
  }

  resource sim.object node for i in range(${nodes}) {
    kind = "node"
    name = "n\${i}"
    spec = { i = i, hub = hub.name }
  }
}
`;
}

const NOTE_V2 = "the quick brown fox jumps over the lazy dog while the operators watch the fleet converge on its goal, " + "one careful step after another, ".repeat(3) + "sha256:" + "0123456789abcdef".repeat(4);

describe("lxm trace --web: a run of 1,000 resources in headless Chromium", () => {
  let big: E2eRepo;
  let bigViewer: Viewer;
  let bigRun: RunView;
  let bigPage: Page;

  beforeAll(async () => {
    big = makeRepo({ ".gitignore": "world.json\n", "fleet.lxm": fleet(1000, "v1") });
    expect((await big.lxm(["apply", "--yes"])).code).toBe(0);
    big.write({ "fleet.lxm": fleet(990, NOTE_V2) });
    big.commit("v2: ten nodes fewer, a long note");
    expect((await big.lxm(["apply", "--yes"])).code).toBe(0);
    const bigGitdir = join(big.dir, ".git");
    bigRun = await loadRunView({ gitdir: bigGitdir, branch: BRANCH });
    bigViewer = await startViewer({ gitdir: bigGitdir, branch: BRANCH, port: 0 });
    browser = await launchChromium();
    bigPage = await newPage(bigViewer.url, { width: 1100, height: 800 });
  });
  afterAll(async () => {
    await browser?.close();
    await bigViewer?.close();
  });

  const shownFrame = (p: Page) => p.evaluate(() => (window as unknown as { lexumViewer: { frame: unknown } }).lexumViewer.frame);

  it("loads with the instances folded into one node, unfolds and folds them on click", async () => {
    await bigPage.goto(bigViewer.url);
    await bigPage.waitForSelector(`body[data-commit="${bigRun.commit}"][data-index="0"]`);
    // Two nodes, not a 1,000-row column: the hub and the folded group of nodes.
    expect(await bigPage.$$eval("#graph g.node", (gs) => gs.map((g) => g.getAttribute("data-address") ?? `group:${g.getAttribute("data-base")}:${g.getAttribute("data-count")}`))).toEqual([
      "fleet/sim.object.hub",
      "group:fleet/sim.object.node:1000",
    ]);
    expect(Number(await bigPage.locator("#graph").getAttribute("height"))).toBeLessThan(300);
    expect(await bigPage.locator("#matches").textContent()).toBe("1001 resources");
    const group = bigPage.locator('#graph g.node.group[data-base="fleet/sim.object.node"]');
    await group.click();
    const instances = await bigPage.$$eval("#graph g.node[data-address^='fleet/sim.object.node[']", (gs) => gs.map((g) => g.getAttribute("data-address")));
    expect(instances).toHaveLength(1000);
    // Natural order: node[2] before node[10].
    expect(instances.slice(0, 3)).toEqual(["fleet/sim.object.node[0]", "fleet/sim.object.node[1]", "fleet/sim.object.node[2]"]);
    expect(instances[999]).toBe("fleet/sim.object.node[999]");
    await group.click();
    expect(await bigPage.locator("#graph g.node").count()).toBe(2);
  });

  it("moves exactly N events for N key presses sent without waiting, numbered like the counter", async () => {
    await bigPage.locator("#first").click();
    await bigPage.waitForSelector('body[data-index="0"]');
    for (let k = 0; k < 10; k++) await bigPage.keyboard.press("ArrowRight");
    await bigPage.waitForSelector('body[data-index="10"]');
    expect(await bigPage.locator("#position").textContent()).toBe(`event 11 / ${bigRun.events.length}`);
    expect(await bigPage.locator("#event").textContent()).toMatch(/^#11  step 1  fleet  /);
    expect(await shownFrame(bigPage)).toEqual(frameAt(bigRun, 10));
    expect(await bigPage.evaluate(() => location.hash)).toBe(`#run=${bigRun.commit}&event=11`);
    for (let k = 0; k < 4; k++) await bigPage.keyboard.press("h");
    await bigPage.waitForSelector('body[data-index="6"]');
    expect(await shownFrame(bigPage)).toEqual(frameAt(bigRun, 6));
  });

  it("filters by address, colours a finished delete as a delete, and a click selects the resource's last event", async () => {
    await bigPage.locator("#search").fill("node[99");
    // node[99] and node[990] … node[999]: few enough to be listed under their folded node.
    const matched = await bigPage.$$eval("#graph g.node[data-address]", (gs) => gs.map((g) => g.getAttribute("data-address")));
    expect(matched).toEqual(["fleet/sim.object.node[99]", ...Array.from({ length: 10 }, (_, k) => `fleet/sim.object.node[${990 + k}]`)]);
    expect(await bigPage.locator("#matches").textContent()).toBe("11 of 1001 match");
    // Typing in the filter does not step.
    expect(await bigPage.locator("body").getAttribute("data-index")).toBe("6");

    const gone = "fleet/sim.object.node[995]";
    const last = bigRun.events.map((e) => e.address).lastIndexOf(gone);
    expect(bigRun.events[last]!.phase).toBe("done");
    expect(bigRun.events[last]!.action).toBe("delete");
    await bigPage.locator(`#graph g.node[data-address="${gone}"]`).click();
    await bigPage.waitForSelector(`body[data-index="${last}"]`);
    const node = bigPage.locator(`#graph g.node[data-address="${gone}"]`);
    expect(await node.getAttribute("data-status")).toBe("deleted");
    expect(await node.locator("rect").evaluate((r) => getComputedStyle(r).fill)).toBe(rgb(STATUS_COLOURS.deleted));
    expect(rgb(STATUS_COLOURS.deleted)).not.toBe(rgb(STATUS_COLOURS.done));
    expect(await bigPage.locator("#event").textContent()).toContain(`#${last + 1}  step 1  fleet  done  delete  ${gone}`);
    await bigPage.locator("#search").fill("");
    expect(await bigPage.locator("#graph g.node").count()).toBe(2);
  });

  it("shows an observation's call, attempt and result as the terminal view does", async () => {
    const i = bigRun.events.findIndex((e) => e.phase === "observe" && e.address === "fleet/sim.object.hub");
    await bigPage.locator("#slider").fill(String(i));
    await bigPage.waitForSelector(`body[data-index="${i}"]`);
    const f = frameAt(bigRun, i);
    expect(f.detail[0]).toMatch(/^observation: (read|update), attempt 1$/);
    expect(f.detail[1]).toMatch(/^result: \{/);
    const text = (await bigPage.locator("#event").textContent())!;
    for (const line of f.detail) expect(text).toContain(line);
  });

  it("wraps long values in the diff between words, breaking only tokens too long for a line", async () => {
    const i = bigRun.events.findIndex((e) => e.phase === "done" && e.address === "fleet/sim.object.hub");
    await bigPage.locator("#slider").fill(String(i));
    await bigPage.waitForSelector(`body[data-index="${i}"]`);
    const cell = bigPage.locator('#diff-table tr[data-attr="spec"] td.after');
    expect(await cell.evaluate((td) => [getComputedStyle(td).wordBreak, getComputedStyle(td).overflowWrap])).toEqual(["normal", "break-word"]);
    // The note wraps over several lines, and no word of it is split across two.
    const layout = await cell.evaluate((td) => {
      const lines = new Set<number>();
      const split: string[] = [];
      const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent ?? "";
        for (const m of text.matchAll(/[a-z]+/g)) {
          const r = document.createRange();
          r.setStart(n, m.index!);
          r.setEnd(n, m.index! + m[0].length);
          const tops = new Set([...r.getClientRects()].map((c) => Math.round(c.top)));
          if ((n.parentElement as HTMLElement).classList.contains("long")) continue;
          if (tops.size > 1) split.push(m[0]);
          for (const t of tops) lines.add(t);
        }
      }
      return { lines: lines.size, split, long: [...td.querySelectorAll(".long")].map((e) => getComputedStyle(e).overflowWrap) };
    });
    expect(layout.lines).toBeGreaterThan(2);
    expect(layout.split).toEqual([]);
    expect(layout.long).toEqual(["anywhere"]);
  });

  it("opens the run and event a deep link names (#run=<ref>&event=<n>) and keeps the link in step", async () => {
    const older = await loadRunView({ gitdir: join(big.dir, ".git"), branch: BRANCH, ref: `${BRANCH}~1` });
    const p = await newPage(bigViewer.url);
    await p.goto(`${bigViewer.url}#run=${encodeURIComponent(`${BRANCH}~1`)}&event=5`);
    await p.waitForSelector(`body[data-commit="${older.commit}"][data-index="4"]`);
    expect(await p.locator("#position").textContent()).toBe(`event 5 / ${older.events.length}`);
    expect(await shownFrame(p)).toEqual(frameAt(older, 4));
    expect(await p.evaluate(() => location.hash)).toBe(`#run=${older.commit}&event=5`);
    await p.keyboard.press("ArrowRight");
    await p.waitForSelector('body[data-index="5"]');
    expect(await p.evaluate(() => location.hash)).toBe(`#run=${older.commit}&event=6`);
    // A link pasted into the open page is followed too.
    await p.evaluate((c) => (location.hash = `#run=${c}&event=3`), bigRun.commit);
    await p.waitForSelector(`body[data-commit="${bigRun.commit}"][data-index="2"]`);
    await p.close();
    expect(pageProblems()).toEqual([]);
  });
});

// ---- the command -------------------------------------------------------------------------------

describe("lxm trace --web: the command", () => {
  it("prints its address, serves until stopped, then refuses connections", async () => {
    let printed = "";
    let stop: () => void = () => {};
    const stopped = new Promise<void>((r) => (stop = r));
    const serving = serveTrace({ gitdir, branch: BRANCH, ref: `${BRANCH}~2`, port: "0", out: (t) => void (printed += t), stop: stopped });
    await expect.poll(() => printed, { timeout: 60_000 }).toMatch(/^Lexum trace viewer on http:\/\/127\.0\.0\.1:\d+\/\n/);
    const port = Number(/:(\d+)\//.exec(printed)![1]);
    const runsRes = JSON.parse((await raw("/api/runs", { port })).body) as { selected: string };
    expect(runsRes.selected).toBe(runs.ok.commit);
    stop();
    expect(await serving).toBe(0);
    await expect(raw("/", { port })).rejects.toThrow(/ECONNREFUSED/);
  });

  it("rejects a bad --port, a taken port and an unknown run through the CLI (exit 1)", async () => {
    let r = await repo.lxm(["trace", "--web", "--port", "70000"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[LXM5005]: --port takes a number from 0 to 65535");

    const busy = createServer();
    await new Promise<void>((res) => busy.listen(0, "127.0.0.1", res));
    const port = (busy.address() as { port: number }).port;
    try {
      r = await repo.lxm(["trace", "--web", "--port", String(port)]);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`port ${port} is already in use on 127.0.0.1`);
    } finally {
      busy.close();
    }

    r = await repo.lxm(["trace", "--web", "--port", "0", "deadbeefdeadbeef"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[LXM4104]: unknown revision: deadbeefdeadbeef");
  });
});

describe("lxm trace --web: a template instance and a renamed resource in headless Chromium", () => {
  let tpl: E2eRepo;
  let tplViewer: Viewer;
  let tplRun: RunView;
  let tplPage: Page;

  beforeAll(async () => {
    tpl = makeRepo({ ".gitignore": "out/\nworld.json\n", "main.lxm": BEFORE_LXM });
    expect((await tpl.lxm(["apply", "--yes"])).code).toBe(0);
    tpl.write({ "main.lxm": MOVED_LXM });
    tpl.commit("rename motd");
    expect((await tpl.lxm(["apply", "--yes"])).code).toBe(0);
    const tplGitdir = join(tpl.dir, ".git");
    tplRun = await loadRunView({ gitdir: tplGitdir, branch: BRANCH });
    tplViewer = await startViewer({ gitdir: tplGitdir, branch: BRANCH, port: 0 });
    browser = await launchChromium();
    tplPage = await newPage(tplViewer.url);
  });
  afterAll(async () => {
    await browser?.close();
    await tplViewer?.close();
  });

  it("titles the instance's domain with its template, and shows the old address of the moved resource", async () => {
    await tplPage.goto(tplViewer.url);
    await tplPage.waitForSelector(`body[data-commit="${tplRun.commit}"][data-index="0"]`);
    expect(await tplPage.$$eval("#graph g.domain text.title", (ts) => ts.map((t) => t.textContent))).toEqual(["api (template host)", "web"]);
    const i = tplRun.events.findIndex((e) => e.phase === "start" && e.address === "web/fs.file.greeting");
    await tplPage.locator("#slider").fill(String(i));
    await tplPage.waitForSelector(`body[data-index="${i}"]`);
    expect(await tplPage.locator("#event").textContent()).toContain("moved from: web/fs.file.motd");
    expect(await tplPage.locator("#event").textContent()).toContain("moved  web/fs.file.greeting");
  });
});
