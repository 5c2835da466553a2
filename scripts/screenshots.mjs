#!/usr/bin/env node
// Regenerates the trace viewer's screenshots in docs/ from real runs: `npm run screenshots`
// (it builds dist/ first). Each run is made in a scratch git repository with the built
// `lxm`, served by the built viewer on a free loopback port, and photographed in headless
// Chromium: LXM_CHROMIUM when set, else /usr/bin/chromium, else the Chromium inside the
// @sparticuz/chromium dev dependency (the same choice as the browser tests).
//
//   docs/trace-viewer.png            the demo project (plus a page and a goal it cannot meet): the failed run at its broken assertion
//   docs/trace-viewer-instances.png  a run of 1,000 sim instances, folded and filtered
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const lxmBin = join(root, "dist/cli/main.js");
if (!existsSync(lxmBin)) throw new Error("dist/ is missing: run `npm run build` (or `npm run screenshots`, which does)");
const { startViewer } = await import(join(root, "dist/viewer/server.js"));
const { chromium } = await import("playwright-core");

// Fixed identities and dates: the same runs, the same commit ids, every time.
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: "Lexum Docs",
  GIT_AUTHOR_EMAIL: "docs@lexum.invalid",
  GIT_COMMITTER_NAME: "Lexum Docs",
  GIT_COMMITTER_EMAIL: "docs@lexum.invalid",
  GIT_AUTHOR_DATE: "2026-01-01T12:00:00Z",
  GIT_COMMITTER_DATE: "2026-01-01T12:00:00Z",
  NO_COLOR: "1",
};

function sh(cwd, cmd, args, okCodes = [0]) {
  try {
    return execFileSync(cmd, args, { cwd, env: gitEnv, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    if (okCodes.includes(e.status)) return e.stdout;
    throw new Error(`${cmd} ${args.join(" ")} exited ${e.status}\n${e.stdout}\n${e.stderr}`);
  }
}

const scratch = [];
function repo() {
  const dir = mkdtempSync(join(tmpdir(), "lexum-screenshots-"));
  scratch.push(dir);
  sh(dir, "git", ["init", "-q", "-b", "main"]);
  return dir;
}
function commit(dir, message) {
  sh(dir, "git", ["add", "-A"]);
  sh(dir, "git", ["commit", "-q", "-m", message]);
}
function apply(dir, code) {
  sh(dir, "node", [lxmBin, "apply", "--yes"], [code]);
}
function edit(text, from, to) {
  if (!text.includes(from)) throw new Error(`screenshots: '${from}' not found; the demo project changed`);
  return text.replace(from, to);
}

async function chromiumPath() {
  if (process.env.LXM_CHROMIUM) return process.env.LXM_CHROMIUM;
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  return (await import("@sparticuz/chromium")).default.executablePath();
}

async function photograph(gitdir, shots) {
  const viewer = await startViewer({ gitdir, branch: "lexum/state", port: 0 });
  const browser = await chromium.launch({
    executablePath: await chromiumPath(),
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"],
  });
  try {
    for (const shot of shots) {
      const page = await browser.newPage({ viewport: shot.viewport });
      await page.goto(`${viewer.url}#${shot.hash}`);
      await page.waitForSelector("body[data-index]");
      await shot.act(page);
      await page.screenshot({ path: join(root, shot.file) });
      console.log(`wrote ${shot.file}`);
      await page.close();
    }
  } finally {
    await browser.close();
    await viewer.close();
  }
}

try {
  // 1. The demo project: v1, v2 (quiescent), then v2 with a third page and a goal the index
  //    page cannot meet, under on_failure = "rollback" (failed, then rolled back).
  const demo = repo();
  cpSync(join(root, "fixtures/demo/v1"), demo, { recursive: true });
  writeFileSync(join(demo, ".gitignore"), "out/\n");
  commit(demo, "goal v1");
  apply(demo, 0);
  cpSync(join(root, "fixtures/demo/v2"), demo, { recursive: true });
  commit(demo, "goal v2");
  apply(demo, 0);
  let web = readFileSync(join(demo, "web.lxm"), "utf8");
  web = edit(web, 'let pages = ["index", "contact"]', 'let pages = ["index", "contact", "faq"]');
  web = edit(web, 'assert len(page) == 2                 : "two pages expected"', 'assert len(page) == 3                 : "three pages expected"');
  web = edit(web, 'assert page["index"].size > 0 ', 'assert page["index"].size > 999 ');
  web = edit(web, 'on_failure = "halt"', 'on_failure = "rollback"');
  writeFileSync(join(demo, "web.lxm"), web);
  commit(demo, "goal v3: a faq page, and an index page of at least 1,000 bytes");
  apply(demo, 1);
  await photograph(join(demo, ".git"), [
    {
      file: "docs/trace-viewer.png",
      viewport: { width: 1280, height: 760 },
      hash: "run=lexum/state~1",
      act: async (page) => {
        const first = await page.evaluate(() => window.lexumViewer.run.firstFailure);
        await page.keyboard.press("f");
        await page.waitForSelector(`body[data-index="${first}"]`);
      },
    },
  ]);

  // 2. 1,000 sim instances: one folded node in the graph, then filtered by address.
  const fleet = repo();
  writeFileSync(join(fleet, ".gitignore"), "world.json\n");
  writeFileSync(
    join(fleet, "fleet.lxm"),
    `domain fleet {
  provider sim {
    world   = "world.json"
    latency = 0ms
  }

  resource sim.object hub {
    kind = "hub"
    name = "hub"
    spec = { region = "eu-west" }
  }

  resource sim.object node for i in range(1000) {
    kind = "node"
    name = "n\${i}"
    spec = { i = i, hub = hub.name }
  }
}
`,
  );
  commit(fleet, "a fleet of 1,000 nodes");
  apply(fleet, 0);
  await photograph(join(fleet, ".git"), [
    {
      file: "docs/trace-viewer-instances.png",
      viewport: { width: 1280, height: 760 },
      hash: "run=lexum/state&event=1201",
      act: async (page) => {
        await page.waitForSelector('body[data-index="1200"]');
        await page.locator("#search").fill("node[40");
        await page.locator('#graph g.node[data-address="fleet/sim.object.node[40]"]').waitFor();
        await page.locator("#search").blur();
      },
    },
  ]);
} finally {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
}
