import fs from "node:fs";
import path from "node:path";
import { expect } from "vitest";

/**
 * Compares `actual` with the golden file; `LXM_UPDATE=1` rewrites the file instead (review
 * the diff like code). A missing golden file fails unless updating.
 */
export function expectGolden(file: string, actual: string): void {
  if (process.env.LXM_UPDATE === "1") {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  if (!fs.existsSync(file)) throw new Error(`golden file ${file} is missing; run with LXM_UPDATE=1 to create it, then review it`);
  expect(actual).toBe(fs.readFileSync(file, "utf8"));
}
