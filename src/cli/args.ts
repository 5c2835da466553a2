import { parseArgs } from "node:util";
import { catalog } from "../diag/index.js";

type OptionSpec = { type: "boolean" | "string"; short?: string; multiple?: boolean };

/** Parses one command's arguments; unknown flags and surplus positionals become a usage error (LXM5005). */
export function parse<T extends Record<string, OptionSpec>>(
  argv: string[],
  options: T,
  maxPositionals: number,
  usage: string,
): { values: { [K in keyof T]: T[K]["type"] extends "boolean" ? boolean | undefined : T[K]["multiple"] extends true ? string[] | undefined : string | undefined }; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: options as never, allowPositionals: true, strict: true });
  } catch (e) {
    throw catalog.host.usage.error(`${(e as Error).message.replace(/\.$/, "")}\nusage: ${usage}`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw catalog.host.usage.error(`unexpected argument '${parsed.positionals[maxPositionals]}'\nusage: ${usage}`);
  }
  return parsed as never;
}
