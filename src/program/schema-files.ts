import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { JsonObject } from "./types.js";

/**
 * The provider schemas Lexum ships (schemas/providers/*.json), read from the package. The
 * Action's single-file bundle replaces this module with one holding the same files
 * embedded (scripts/build-action.mjs), so nothing is read beside the bundle.
 */

/** The directory holding schemas/ (works from src/ under vitest and from dist/ once built). */
export function schemasDir(): string {
  return fileURLToPath(new URL("../../schemas/", import.meta.url));
}

/** Every `schemas/providers/*.json`, as [file name, parsed schema], sorted by file name. */
export function providerSchemaFiles(): [string, JsonObject][] {
  const dir = schemasDir() + "providers/";
  return readdirSync(dir)
    .filter((n) => n.endsWith(".json"))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(dir + f, "utf8")) as JsonObject]);
}
