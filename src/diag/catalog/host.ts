import { code } from "./define.js";

export const noSuchDirectory = code(
  "LXM5001",
  "no such directory",
  "The project directory given on the command line does not exist or is not a directory. Pass the folder that holds your .lxm files.",
  (dir: string) => ({ message: `no such directory: ${dir}`, hint: "pass the folder that holds your .lxm files" }),
);

export const noLxmFiles = code(
  "LXM5002",
  "no .lxm files",
  "The project directory holds no .lxm file at any depth. Add one, or point the command at the right folder.",
  (dir: string, nested: readonly string[] = []) =>
    nested.length === 0
      ? { message: `no .lxm files in ${dir}`, hint: "a project is a directory with at least one .lxm file below it" }
      : {
          message: `no .lxm files in ${dir} outside the projects below it (${nested.join(", ")}: folders with their own lexum.yaml)`,
          hint: "run it on one of them (lxm: --project PATH; lxm-sync: an entry with its path)",
        },
);

export const unreadableFile = code(
  "LXM5003",
  "unreadable file",
  "A .lxm file could not be read (permissions, a broken link). Fix its permissions or remove it.",
  (path: string, cause: string) => ({ message: `cannot read ${path}: ${cause}`, hint: "fix the file's permissions or link target, or remove it" }),
);

export const invalidUtf8 = code(
  "LXM5004",
  "file is not valid UTF-8",
  "A .lxm file must be UTF-8 text. Re-save it as UTF-8 (without other encodings' bytes).",
  (path: string, offset: number) => ({
    message: `${path} is not valid UTF-8 (first bad byte at offset ${offset})`,
    hint: "re-save the file as UTF-8",
  }),
);

/** A command line Lexum could not understand (LXM5005), as data: the catalog words it. */
export type UsageProblem =
  | { readonly kind: "unknown-command"; readonly name: string; readonly group?: string; readonly suggestion: string | null }
  | { readonly kind: "missing-command"; readonly group: string; readonly choices: readonly string[] }
  | { readonly kind: "unknown-flag"; readonly flag: string; readonly command: string; readonly suggestion: string | null }
  | { readonly kind: "missing-value"; readonly flag: string; readonly value: string; readonly command: string }
  | { readonly kind: "unexpected-value"; readonly flag: string; readonly command: string }
  | { readonly kind: "bad-value"; readonly flag: string; readonly expected: string; readonly got: string; readonly suggestion: string | null; readonly command: string }
  | { readonly kind: "conflict"; readonly a: string; readonly b: string; readonly command: string }
  | { readonly kind: "requires"; readonly flag: string; readonly needs: string; readonly command: string }
  | { readonly kind: "extra-argument"; readonly arg: string; readonly command: string; readonly usage: string }
  | { readonly kind: "missing-argument"; readonly what: string; readonly command: string }
  | { readonly kind: "dir-twice"; readonly positional: string; readonly dir: string; readonly command: string };

const helpOf = (command: string) => `run \`${command} --help\` for usage`;

function usageWords(p: UsageProblem): { message: string; hint: string } {
  const didYouMean = (s: string | null) => (s ? ` (did you mean '${s}'?)` : "");
  switch (p.kind) {
    case "unknown-command":
      return p.group
        ? { message: `unknown command '${p.name}' for '${p.group}'${didYouMean(p.suggestion)}`, hint: helpOf(p.group) }
        : { message: `unknown command '${p.name}'${didYouMean(p.suggestion)}`, hint: "run `lxm --help` for the list of commands" };
    case "missing-command":
      return { message: `'${p.group}' needs a command: ${p.choices.join(", ")}`, hint: helpOf(p.group) };
    case "unknown-flag":
      return { message: `unknown flag '${p.flag}' for '${p.command}'${didYouMean(p.suggestion)}`, hint: helpOf(p.command) };
    case "missing-value":
      return { message: `flag '${p.flag}' needs a value: ${p.flag} ${p.value}`, hint: helpOf(p.command) };
    case "unexpected-value":
      return { message: `flag '${p.flag}' takes no value`, hint: helpOf(p.command) };
    case "bad-value":
      return { message: `${p.flag} takes ${p.expected}, got '${p.got}'${didYouMean(p.suggestion)}`, hint: helpOf(p.command) };
    case "conflict":
      return { message: `${p.a} and ${p.b} cannot be used together`, hint: `pass only one of them (${helpOf(p.command)})` };
    case "requires":
      return { message: `${p.flag} needs ${p.needs}`, hint: `add ${p.needs}, or drop ${p.flag}` };
    case "extra-argument":
      return { message: `unexpected argument '${p.arg}' for '${p.command}'`, hint: `usage: ${p.usage}` };
    case "missing-argument":
      return { message: `'${p.command}' needs ${p.what}`, hint: helpOf(p.command) };
    case "dir-twice":
      return {
        message: `the project folder is given twice, as '${p.positional}' and with --dir '${p.dir}'`,
        hint: `pass it once: ${p.command} --dir DIR`,
      };
  }
}

export const usage = code(
  "LXM5005",
  "command-line usage",
  "The command line could not be understood: an unknown command or flag, a flag without its value, two flags that cannot be used together, or a surplus argument. Run `lxm <command> --help`.",
  (what: string | UsageProblem) => (typeof what === "string" ? { message: what, hint: "run `lxm --help` for usage" } : usageWords(what)),
);

export const applyFailed = code(
  "LXM5020",
  "apply failed",
  "`lxm apply` ran but the world did not reach the goal: an action failed (after its retries) or a goal's assertion did not hold. The failed (or rolled-back) snapshot is recorded on the state branch; `lxm trace` shows the failing step.",
  (status: string, domain: string, address: string | null, why: string) => ({
    message: `apply ${status === "rolled-back" ? "failed and was rolled back" : "failed"} in domain ${domain}${address ? ` at ${address}` : ""}: ${why}`,
    hint: "`lxm trace` shows the failing step; fix the cause and apply again",
  }),
);

export const notFormatted = code(
  "LXM5021",
  "file not formatted",
  "`lxm fmt --check` found a .lxm file that is not in canonical layout; the location is the first line that differs. Run `lxm fmt` to rewrite it.",
  (file: string) => ({ message: `${file} is not formatted`, hint: `run \`lxm fmt ${file}\`` }),
);

export const noSuchOutput = code(
  "LXM5022",
  "no such output",
  "`lxm output NAME` names an export the last snapshot does not record. Exports are named `domain.name`; `lxm output` lists them all.",
  (name: string, suggestion: string | null) => ({
    message: `the last snapshot records no output ${name}`,
    hint: suggestion ? `did you mean ${suggestion}?` : "run `lxm output` to list the outputs",
  }),
);

export const ambiguousAddress = code(
  "LXM5023",
  "ambiguous address",
  "A short resource address (without its domain) matches resources in several domains. Write the full address, `domain/type.name[key]`.",
  (address: string, matches: readonly string[]) => ({
    message: `${address} matches ${matches.length} resources: ${matches.join(", ")}`,
    hint: `write the full address, e.g. ${matches[0]}`,
  }),
);

export const nodeTooOld = code(
  "LXM5050",
  "Node.js too old",
  "lxm runs on Node.js ^20.19.0 || >=22.12.0 (package.json `engines`): Node 20 from 20.19.0, or 22.12.0 and later. Install a current LTS release and run it again.",
  (needed: string, current: string) => ({
    message: `lxm needs Node.js >= ${needed} (this is ${current})`,
    hint: "lxm runs on Node.js 20.19.0 or later on the 20 line, or 22.12.0 and later: install a current LTS release (e.g. `nvm install --lts`) and run it again",
  }),
);

export const noTrackedLxmFiles = code(
  "LXM5010",
  "no tracked .lxm files",
  "A project's `.lxm` files are the ones git tracks under the project folder; this folder has `.lxm` files, but git tracks none of them. `git add` them (and commit, for `lxm apply`).",
  (dir: string, untracked: readonly string[]) => ({
    message: `no .lxm file in ${dir} is tracked by git (untracked, not part of the project: ${untracked.join(", ")})`,
    hint: `\`git add\` ${untracked.length === 1 ? "it" : "them"}: the project's .lxm files are the ones git tracks`,
  }),
);

export const untrackedLxmFile = code(
  "LXM5011",
  "untracked .lxm file",
  "A `.lxm` file under the project folder is not tracked by git, so it is not part of the project: `lxm check` and `lxm graph` leave it out, as plan and apply do (apply refuses to run while it is there, LXM4220). `git add` it, or ignore it in .gitignore.",
  (path: string) => ({ message: `untracked, not part of the project: ${path} — \`git add\` it`, hint: "the project's .lxm files are the ones git tracks; ignore the file in .gitignore if it is not meant to be" }),
  "warning",
);

export const projectChoice = code(
  "LXM5024",
  "which project?",
  "The folder holds several projects (folders with a lexum.yaml, each with its own state branch) and the command works on one, or `--project` names none of them. `lxm check` and `lxm plan` take every project at once; apply, graph, replay, trace and the state commands take one: name it with `--project PATH` (relative to the folder), or run from inside it.",
  (problem: string, projects: readonly string[]) => ({
    message: `${problem}; the projects here: ${projects.map((p) => (p === "" ? "." : p)).join(", ")}`,
    hint: `choose one with --project (e.g. --project ${projects.find((p) => p !== "") ?? "."})`,
  }),
);
