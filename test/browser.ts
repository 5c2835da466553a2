import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";

/**
 * The Chromium the browser tests drive: `LXM_CHROMIUM` when set, Debian's `/usr/bin/chromium`
 * when installed, otherwise the real Chromium shipped inside the `@sparticuz/chromium` npm
 * package (a dev dependency), so a fresh machine with only Node and git runs these tests too.
 */
export async function chromiumPath(): Promise<string> {
  const fromEnv = process.env["LXM_CHROMIUM"];
  if (fromEnv) return fromEnv;
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  const packaged = (await import("@sparticuz/chromium")).default;
  return packaged.executablePath();
}

/** Headless Chromium with no network of its own (its background connections are refused here). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumPath(),
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
