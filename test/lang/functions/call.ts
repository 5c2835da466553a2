import { callBuiltin } from "../../../src/lang/builtins.js";
import type { CallContext } from "../../../src/lang/builtins.js";
import { EvalFailure } from "../../../src/lang/values.js";
import type { Json } from "../../../src/program/types.js";

/** A built-in called directly (from main.lxm unless the context says otherwise), and the located problem it gives. */
export function caller(ctx: Partial<CallContext> = {}) {
  const call = (fn: string, ...args: Json[]): Json => callBuiltin(fn, args, { file: "main.lxm", ...ctx });
  /** The message of the problem a call gives, or a test failure when it gives a value. */
  const problem = (fn: string, ...args: Json[]): string => {
    try {
      call(fn, ...args);
    } catch (e) {
      if (e instanceof EvalFailure) return e.text;
      throw e;
    }
    throw new Error(`${fn} gave a value`);
  };
  return { call, problem };
}

export const { call, problem } = caller();
