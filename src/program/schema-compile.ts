import { newAjv } from "./ajv.js";
import type { PrecompiledValidator } from "./schemas.js";

/**
 * Compiles schemas at run time, for the types of provider packages (a built-in type uses
 * its precompiled validator instead). One compiler per package: its schemas share one ajv
 * instance, with the options and Lexum keywords of every Lexum validator (newAjv), so a
 * package's types validate exactly as a built-in type with the same schema would.
 */
export function newSchemaCompiler(): (schema: unknown) => { validate: PrecompiledValidator } | { problem: string } {
  const ajv = newAjv();
  return (schema) => {
    try {
      return { validate: ajv.compile(schema as object) as PrecompiledValidator };
    } catch (e) {
      return { problem: (e instanceof Error ? e.message : String(e)).split("\n")[0]! };
    }
  };
}
