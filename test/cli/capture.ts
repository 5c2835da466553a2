import type { Io } from "../../src/cli/io.js";
import { run } from "../../src/cli/main.js";

/** Runs `lxm ARGS` in-process at `cwd` with no TTY and no colour (and `stdin` as standard input); returns exit code and output. */
export async function lxm(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}, stdin = ""): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    color: false,
    isTTY: false,
    cwd,
    env: { ...process.env, NO_COLOR: "1", ...env },
    readStdin: async () => Buffer.from(stdin, "utf8"),
  };
  const code = await run(args, io);
  return { code, out, err };
}
