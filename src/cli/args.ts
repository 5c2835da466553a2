import path from "node:path";
import { catalog } from "../diag/index.js";
import { suggest } from "../lang/suggest.js";

/**
 * Command-line parsing for every `lxm` command, from one option table per command: the same
 * table drives the parser, the usage line and `--help`. Usage errors are LXM5005 in Lexum's
 * words (unknown flag with a did-you-mean, a missing value, conflicting flags), never the
 * text of Node's parser.
 */

/** One flag of a command. */
export interface Flag {
  readonly type: "boolean" | "string";
  /** One-letter alias (`-C`). */
  readonly short?: string;
  /** May be given more than once (values collected in order). */
  readonly multiple?: boolean;
  /** Placeholder of the value in usage and help (`FILE`, `N`). */
  readonly value?: string;
  /** The only values accepted. */
  readonly choices?: readonly string[];
  /** A whole number within [min, max]; `words` says so in an error (default: "a whole number ≥ min"). */
  readonly integer?: { readonly min: number; readonly max?: number; readonly words?: string };
  /** One line for `--help`. */
  readonly description: string;
}

/** One command (or subcommand): its name as typed after `lxm`, its arguments and flags. */
export interface CommandSpec {
  /** `plan`, `state show`. */
  readonly name: string;
  /** One line: what the command does. */
  readonly summary: string;
  /** The positional arguments as shown in usage, e.g. `[REF|HASH] [ADDRESS]`. */
  readonly args?: string;
  /** How many positionals are accepted (Infinity: any). */
  readonly maxPositionals: number;
  readonly flags: { readonly [name: string]: Flag };
  /** Flags that cannot be given together. */
  readonly conflicts?: readonly (readonly [string, string])[];
  /** flag → the flag it needs (`port` needs `web`). */
  readonly requires?: { readonly [flag: string]: string };
  /** Extra help lines after the flags. */
  readonly notes?: readonly string[];
}

/** A command made of subcommands (`lxm state log|show|…`). */
export interface GroupSpec {
  readonly name: string;
  readonly summary: string;
  readonly subcommands: { readonly [name: string]: CommandSpec };
}

export type Values<F extends { readonly [name: string]: Flag }> = {
  [K in keyof F]: F[K]["type"] extends "boolean" ? boolean | undefined : F[K]["multiple"] extends true ? string[] | undefined : string | undefined;
};

/** `--dir DIR` / `-C DIR`: the project folder, on every command that works on a project. */
export const dirFlag = {
  dir: { type: "string", short: "C", value: "DIR", description: "the project folder (default: the current directory)" },
} as const satisfies Record<string, Flag>;

/** `--project PATH`: one of the projects under the folder (a subfolder with its own lexum.yaml). */
export const projectFlag = {
  project: { type: "string", value: "PATH", description: "the project, when the folder holds several (a subfolder with its own lexum.yaml)" },
} as const satisfies Record<string, Flag>;

/** `--env NAME`: one of lexum.yaml's `environments` (its inputs and its state branch). */
export const envFlag = {
  env: { type: "string", value: "NAME", description: "the environment (lexum.yaml `environments`): its input values and its state branch" },
} as const satisfies Record<string, Flag>;

/** `--json`: one JSON document on stdout (on failure: the error document of schemas/error.json). */
export const jsonFlag = {
  json: { type: "boolean", description: "machine-readable output: one JSON document on stdout" },
} as const satisfies Record<string, Flag>;

/** `--branch NAME`: the state branch (default: lexum.yaml's state_branch, else the one derived from the project's path). */
export const branchFlag = {
  branch: { type: "string", value: "NAME", description: "the state branch (default: lexum.yaml's state_branch, else the one derived from the project's path: lexum/state at the repository's top)" },
} as const satisfies Record<string, Flag>;

/** True when argv asks for help (`--help`/`-h` before any `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === "--") return false;
    if (a === "--help" || a === "-h") return true;
  }
  return false;
}

/**
 * Parses one command's arguments against its table. Flags and positionals may be mixed;
 * `--` ends the flags; `-` alone is a positional. Throws LXM5005 for an unknown flag (with
 * the closest known one), a missing or unexpected value, a value outside its choices or
 * range, two conflicting flags, a flag given without the one it needs, or a surplus argument.
 */
export function parse<F extends { readonly [name: string]: Flag }>(
  argv: readonly string[],
  spec: CommandSpec & { readonly flags: F },
): { values: Values<F>; positionals: string[] } {
  const command = `lxm ${spec.name}`;
  const values: Record<string, string | boolean | string[]> = {};
  const given: string[] = [];
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, f] of Object.entries(spec.flags)) if (f.short) byShort.set(f.short, name);

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-" || !arg.startsWith("-")) {
      positionals.push(arg);
      continue;
    }
    let name: string | undefined;
    let inline: string | undefined;
    let shown: string;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      shown = eq >= 0 ? arg.slice(0, eq) : arg;
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      name = Object.hasOwn(spec.flags, shown.slice(2)) ? shown.slice(2) : undefined;
    } else {
      shown = arg.slice(0, 2);
      inline = arg.length > 2 ? arg.slice(arg[2] === "=" ? 3 : 2) : undefined;
      name = byShort.get(arg.slice(1, 2));
    }
    if (name === undefined) throw catalog.host.usage.error({ kind: "unknown-flag", flag: shown, command, suggestion: suggestFlag(shown, spec) });
    const flag = spec.flags[name]!;
    let value: string | boolean;
    if (flag.type === "boolean") {
      if (inline !== undefined) throw catalog.host.usage.error({ kind: "unexpected-value", flag: `--${name}`, command });
      value = true;
    } else if (inline !== undefined) {
      value = inline;
    } else {
      const next = argv[i + 1];
      // A following flag is not a value: `--out --json` forgot the file name.
      if (next === undefined || (next.startsWith("-") && next !== "-" && !/^-\d/.test(next))) {
        throw catalog.host.usage.error({ kind: "missing-value", flag: `--${name}`, value: flag.value ?? "VALUE", command });
      }
      value = next;
      i++;
    }
    if (typeof value === "string") checkValue(name, flag, value, command);
    if (flag.multiple) values[name] = [...((values[name] as string[] | undefined) ?? []), value as string];
    else values[name] = value;
    if (!given.includes(name)) given.push(name);
  }

  for (const [a, b] of spec.conflicts ?? []) {
    if (given.includes(a) && given.includes(b)) {
      const [first, second] = given.indexOf(a) < given.indexOf(b) ? [a, b] : [b, a];
      throw catalog.host.usage.error({ kind: "conflict", a: `--${first}`, b: `--${second}`, command });
    }
  }
  for (const [flag, needs] of Object.entries(spec.requires ?? {})) {
    if (given.includes(flag) && !given.includes(needs)) throw catalog.host.usage.error({ kind: "requires", flag: `--${flag}`, needs: `--${needs}`, command });
  }
  if (positionals.length > spec.maxPositionals) {
    throw catalog.host.usage.error({ kind: "extra-argument", arg: positionals[spec.maxPositionals]!, command, usage: usageLine(spec) });
  }
  return { values: values as Values<F>, positionals };
}

function checkValue(name: string, flag: Flag, value: string, command: string): void {
  if (flag.choices && !flag.choices.includes(value)) {
    const near = suggest(value, flag.choices);
    const expected = flag.choices.length === 1 ? flag.choices[0]! : `${flag.choices.slice(0, -1).join(", ")} or ${flag.choices.at(-1)}`;
    throw catalog.host.usage.error({ kind: "bad-value", flag: `--${name}`, expected, got: value, suggestion: near, command });
  }
  if (flag.integer) {
    const { min, max } = flag.integer;
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(Number.isSafeInteger(n) && n >= min && (max === undefined || n <= max))) {
      const expected = flag.integer.words ?? (max === undefined ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`);
      throw catalog.host.usage.error({ kind: "bad-value", flag: `--${name}`, expected, got: value, suggestion: null, command });
    }
  }
}

/** The closest known flag to an unknown one (`--jsn` → `--json`, `-d` → `--dir`). */
function suggestFlag(shown: string, spec: CommandSpec): string | null {
  const longs = Object.keys(spec.flags).map((n) => `--${n}`);
  if (shown.startsWith("--")) {
    const near = suggest(shown.slice(2), Object.keys(spec.flags));
    if (near) return `--${near}`;
    // A long flag typed with its short letter's case wrong, or a prefix of one flag.
    const prefixed = longs.filter((l) => l.startsWith(shown));
    return prefixed.length === 1 ? prefixed[0]! : null;
  }
  // `-d`: the one long flag that starts with that letter, if only one does.
  const starts = Object.keys(spec.flags).filter((n) => n.startsWith(shown.slice(1).toLowerCase()));
  return starts.length === 1 ? `--${starts[0]}` : null;
}

/**
 * The project folder of a command that takes `--dir DIR` (and, for check/plan/apply/graph,
 * the older positional DIR): absolute, resolved against the current directory. Giving both
 * is a usage error.
 */
export function projectDir(cwd: string, dir: string | undefined, positional: string | undefined, command: string): string {
  if (dir !== undefined && positional !== undefined) throw catalog.host.usage.error({ kind: "dir-twice", positional, dir, command: `lxm ${command}` });
  return path.resolve(cwd, dir ?? positional ?? ".");
}

function flagUsage(name: string, f: Flag): string {
  return f.type === "boolean" ? `--${name}` : `--${name} ${f.value ?? "VALUE"}`;
}

/** The usage line, built from the table: `lxm plan [--dir DIR] … [--json | --markdown]`. */
export function usageLine(spec: CommandSpec): string {
  const parts = [`lxm ${spec.name}`];
  if (spec.args) parts.push(spec.args);
  const done = new Set<string>();
  for (const name of Object.keys(spec.flags)) {
    if (done.has(name)) continue;
    done.add(name);
    // Conflicting booleans read as alternatives: `[--json | --markdown]`.
    const alts = [name];
    for (const [a, b] of spec.conflicts ?? []) {
      const other = a === name ? b : b === name ? a : null;
      if (other && !done.has(other) && spec.flags[other]) {
        alts.push(other);
        done.add(other);
      }
    }
    if (spec.requires?.[name]) continue; // shown inside the flag it needs
    // Flags that only make sense with another nest inside it: `[--web [--port N]]`.
    const withNested = (n: string): string =>
      flagUsage(n, spec.flags[n]!) +
      Object.entries(spec.requires ?? {})
        .filter(([, needs]) => needs === n)
        .map(([dep]) => ` [${flagUsage(dep, spec.flags[dep]!)}]`)
        .join("");
    parts.push(`[${alts.map(withNested).join(" | ")}]`);
  }
  return parts.join(" ");
}

/** `lxm CMD --help`: usage, the summary, and every flag with its one-line description. */
export function renderHelp(spec: CommandSpec): string {
  const rows: [string, string][] = Object.entries(spec.flags).map(([name, f]) => {
    const left = `${f.short ? `-${f.short}, ` : "    "}${flagUsage(name, f)}`;
    let desc = f.description;
    if (f.choices) desc += ` (${f.choices.join(" or ")})`;
    const needs = spec.requires?.[name];
    if (needs) desc += ` (with --${needs})`;
    return [left, desc];
  });
  rows.push(["-h, --help", "show this help"]);
  const width = Math.max(...rows.map(([l]) => l.length));
  const lines = [`usage: ${usageLine(spec)}`, "", spec.summary, "", "flags:", ...rows.map(([l, d]) => `  ${l.padEnd(width)}  ${d}`)];
  const conflicts = (spec.conflicts ?? []).map(([a, b]) => `--${a} and --${b} cannot be used together.`);
  if (spec.notes?.length || conflicts.length) lines.push("", ...conflicts, ...(spec.notes ?? []));
  return lines.join("\n") + "\n";
}

/** `lxm state --help`: the group's usage, summary and subcommands. */
export function renderGroupHelp(group: GroupSpec): string {
  const names = Object.keys(group.subcommands);
  const width = Math.max(...names.map((n) => n.length));
  return [
    `usage: lxm ${group.name} <command> [flags]`,
    "",
    group.summary,
    "",
    "commands:",
    ...names.map((n) => `  ${n.padEnd(width)}  ${group.subcommands[n]!.summary}`),
    "",
    `Run \`lxm ${group.name} <command> --help\` for a command's flags.`,
    "",
  ].join("\n");
}

/** The subcommand a group's argv names, or a usage error with the closest name. */
export function pickSubcommand(group: GroupSpec, name: string | undefined): CommandSpec {
  if (name === undefined) throw catalog.host.usage.error({ kind: "missing-command", group: `lxm ${group.name}`, choices: Object.keys(group.subcommands) });
  const sub = Object.hasOwn(group.subcommands, name) ? group.subcommands[name] : undefined;
  if (!sub) throw catalog.host.usage.error({ kind: "unknown-command", name, group: `lxm ${group.name}`, suggestion: suggest(name, Object.keys(group.subcommands)) });
  return sub;
}
