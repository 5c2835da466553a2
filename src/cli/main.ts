#!/usr/bin/env node
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { InternalError, LexumError } from "../diag/diagnostic.js";
import { catalog } from "../diag/index.js";
import { processIo, printError } from "./io.js";
import type { Io } from "./io.js";
import { commands, helpText } from "./commands/index.js";

/** Runs one `lxm` invocation; returns the exit code (0 success, 1 error, 2 changes from `lxm plan --detailed-exitcode`). */
export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes("--json");
  try {
    if (name === undefined || name === "help" || name === "--help" || name === "-h") {
      io.out(helpText());
      return name === undefined ? 1 : 0;
    }
    if (name === "--version" || name === "version") {
      io.out(`lxm ${await version()}\n`);
      return 0;
    }
    const cmd = commands[name];
    if (!cmd) throw catalog.host.usage.error(`unknown command '${name}'`);
    if (rest.includes("--help") || rest.includes("-h")) {
      io.out(`usage: ${cmd.usage}\n\n${cmd.summary}\n`);
      return 0;
    }
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof LexumError) return printError(io, e, json);
    const err = e instanceof InternalError ? e : new InternalError((e as Error)?.stack ?? String(e));
    return printError(io, catalog.engine.internalError.error(err.message), json);
  }
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
