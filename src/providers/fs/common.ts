import type { Stats } from "node:fs";
import { lstat } from "node:fs/promises";
import type { Json, JsonObject } from "../../program/types.js";
import { badAttr, ioError } from "./errors.js";

/** What sits at a path, in words used by error messages. */
export type EntryKind = "file" | "directory" | "symlink" | "special file";

/** The kind of an lstat result. */
export function kindOf(st: Stats): EntryKind {
  if (st.isSymbolicLink()) return "symlink";
  if (st.isDirectory()) return "directory";
  if (st.isFile()) return "file";
  return "special file";
}

/** lstat that returns null when nothing is there (ENOENT); other failures become ProviderErrors. */
export async function lstatOrNull(abs: string, rel: string): Promise<Stats | null> {
  try {
    return await lstat(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw ioError(rel, "inspect", err);
  }
}

/** Permission bits as four octal digits ("0644"), the form the schemas use. */
export function formatMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, "0");
}

/** Parses a four-octal-digit mode ("0644"); throws a ProviderError on anything else. */
export function parseMode(type: string, value: Json | undefined, fallback: string): number {
  const s = value === undefined || value === null ? fallback : value;
  if (typeof s !== "string" || !/^[0-7]{4}$/.test(s)) throw badAttr(type, "mode", `must be four octal digits like "0644", got ${JSON.stringify(s)}`);
  return parseInt(s, 8);
}

/** A string attribute, or `fallback` when absent; throws a ProviderError on another type. */
export function stringAttr(type: string, attrs: JsonObject, name: string, fallback?: string): string {
  const v = attrs[name];
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  if (typeof v !== "string") throw badAttr(type, name, `must be a string`);
  return v;
}
