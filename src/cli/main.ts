#!/usr/bin/env node
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { InternalError, LexumError } from "../diag/diagnostic.js";
import { catalog } from "../diag/index.js";
import { processIo, printError } from "./io.js";
import type { Io } from "./io.js";
import { checkNodeVersion } from "./node-version.js";

/**
 * Runs one `lxm` invocation; returns the exit code (0 success, 1 error, 2 changes from `lxm plan --detailed-exitcode`).
 * First checks that `nodeVersion` (the running Node's, unless a test passes another) is one
 * Lexum supports (LXM5050, exit 1). The commands are imported only after that check: some of
 * their modules fail to load on an older Node, before any message could be printed.
 */
export async function run(argv: string[], io: Io, nodeVersion: string = process.versions.node): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.slice(0, rest.includes("--") ? rest.indexOf("--") : rest.length).includes("--json");
  try {
    const tooOld = checkNodeVersion(nodeVersion);
    if (tooOld) throw tooOld;
    const cli = await loadCommands();
    const { helpText, wantsHelp } = cli;
    const command = (n: string) => commandNamed(cli, n);
    const helpFor = (n: string, r: readonly string[]) => helpOf(cli, n, r);
    if (name === undefined || name === "--help" || name === "-h") {
      io.out(helpText());
      return name === undefined ? 1 : 0;
    }
    if (name === "help") {
      // `lxm help [COMMAND [SUBCOMMAND]]`
      if (rest.length === 0) {
        io.out(helpText());
        return 0;
      }
      io.out(helpFor(rest[0]!, rest.slice(1)));
      return 0;
    }
    if (name === "--version" || name === "version") {
      io.out(`lxm ${await version()}\n`);
      return 0;
    }
    if (wantsHelp(rest)) {
      io.out(helpFor(name, rest));
      return 0;
    }
    return await command(name).run(rest, io);
  } catch (e) {
    if (e instanceof LexumError) return printError(io, e, json);
    const err = e instanceof InternalError ? e : new InternalError((e as Error)?.stack ?? String(e));
    return printError(io, catalog.engine.internalError.error(err.message), json);
  }
}

type Commands = Awaited<ReturnType<typeof loadCommands>>;

async function loadCommands() {
  const [index, args, { suggest }] = await Promise.all([import("./commands/index.js"), import("./args.js"), import("../lang/suggest.js")]);
  return { ...index, ...args, suggest };
}

/** The command named `name`, or a usage error with the closest command's name. */
function commandNamed({ commands, suggest }: Commands, name: string) {
  const cmd = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!cmd) throw catalog.host.usage.error({ kind: "unknown-command", name, suggestion: name.startsWith("-") ? null : suggest(name, Object.keys(commands)) });
  return cmd;
}

/** `lxm CMD --help` / `lxm help CMD [SUB]`: a command's help, a group's subcommands, or a subcommand's flags. */
function helpOf(cli: Commands, name: string, rest: readonly string[]): string {
  const { isGroup, renderHelp, renderGroupHelp, suggest } = cli;
  const spec = commandNamed(cli, name).spec;
  if (!isGroup(spec)) return renderHelp(spec);
  const sub = rest.find((a) => !a.startsWith("-"));
  if (sub !== undefined && Object.hasOwn(spec.subcommands, sub)) return renderHelp(spec.subcommands[sub]!);
  if (sub !== undefined) {
    throw catalog.host.usage.error({ kind: "unknown-command", name: sub, group: `lxm ${spec.name}`, suggestion: suggest(sub, Object.keys(spec.subcommands)) });
  }
  return renderGroupHelp(spec);
}

async function version(): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function isMain(): boolean {
  try {
    return realpathSync(process.argv[1] ?? "") === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  // A reader that stops early (`lxm trace | head`) closes the pipe: stop quietly, like git.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  run(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(String(e?.stack ?? e) + "\n");
      process.exitCode = 1;
    },
  );
}
