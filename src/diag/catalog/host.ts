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
  (dir: string) => ({ message: `no .lxm files in ${dir}`, hint: "a project is a directory with at least one .lxm file below it" }),
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

export const usage = code(
  "LXM5005",
  "command-line usage",
  "The command line could not be understood: an unknown command or flag, or a missing argument. Run `lxm --help`.",
  (what: string) => ({ message: what, hint: "run `lxm --help` for usage" }),
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
