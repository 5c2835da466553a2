/**
 * Alternate object stores (`objects/info/alternates`): a clone made with `git clone --shared`
 * or `--reference` (common in CI caches) keeps few or no objects of its own and borrows the
 * rest from the object directories that file names. git reads them; isomorphic-git does not,
 * so every read Lexum makes resolves through here (safe-fs.ts for isomorphic-git's reads,
 * `hasObject` for ref checks; `git cat-file --batch` reads them natively). Lexum never writes
 * to an alternate: new objects go to the repository's own `objects/`.
 */
import { promises as fsp } from "node:fs";
import { isAbsolute, resolve } from "node:path";

/** git follows alternates of alternates this deep (its own limit). */
const MAX_DEPTH = 5;

/** One object directory a repository borrows from, and whether it is there. */
export interface AlternateDir {
  /** Absolute path of the borrowed `objects` directory. */
  readonly path: string;
  /** False when the directory does not exist or cannot be read (a deleted CI cache, say). */
  readonly present: boolean;
}

/** git's C-style quoting of a path in the alternates file (`"…"` with `\\`, `\"`, `\t`, `\n`, octal). */
function unquote(line: string): string {
  if (!line.startsWith('"') || !line.endsWith('"') || line.length < 2) return line;
  const body = line.slice(1, -1);
  const bytes: number[] = [];
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '"': 34, "\\": 92 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      for (const b of Buffer.from(c, "utf8")) bytes.push(b);
      continue;
    }
    const n = body[i + 1] ?? "";
    if (/^[0-3][0-7]{2}$/.test(body.slice(i + 1, i + 4))) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else if (n in simple) {
      bytes.push(simple[n]!);
      i += 1;
    } else bytes.push(92);
  }
  return Buffer.from(bytes).toString("utf8");
}

/** The directories named by `<objectsDir>/info/alternates`, absolute, in file order; [] without the file. */
async function listedIn(objectsDir: string): Promise<string[]> {
  let text: string;
  try {
    text = await fsp.readFile(resolve(objectsDir, "info", "alternates"), "utf8");
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "" || line.startsWith("#")) continue;
    const p = unquote(line);
    // Relative entries are relative to the objects directory holding the file (gitrepository-layout(5)).
    out.push(isAbsolute(p) ? resolve(p) : resolve(objectsDir, p));
  }
  return out;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Every object directory `objectsDir` borrows from, followed recursively (depth ≤ 5, as git),
 * without duplicates or `objectsDir` itself, in git's search order. Deterministic.
 */
export async function alternateDirs(objectsDir: string): Promise<AlternateDir[]> {
  const seen = new Set<string>([resolve(objectsDir)]);
  const out: AlternateDir[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) return;
    for (const alt of await listedIn(dir)) {
      if (seen.has(alt)) continue;
      seen.add(alt);
      const present = await isDir(alt);
      out.push({ path: alt, present });
      if (present) await visit(alt, depth + 1);
    }
  };
  await visit(resolve(objectsDir), 0);
  return out;
}

/** The alternates of a repository's object store (`<commondir>/objects`) that are missing or unreadable. */
export async function missingAlternates(commondir: string): Promise<string[]> {
  return (await alternateDirs(resolve(commondir, "objects"))).filter((a) => !a.present).map((a) => a.path);
}
