import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

/**
 * An ajv instance for draft 2020-12 with formats and Lexum's keywords registered: the one
 * configuration every Lexum validator is built with (the precompiled ones in
 * validators.generated.ts included). `validateSchema: false` skips checking schemas against
 * the meta-schema when compiling; `standalone` makes ajv keep each validator's source for
 * ajv's standalone code generation. Validation results are the same with either option.
 * Built-in schemas run on the precompiled code (the validator generator and the tests create
 * one); only provider packages' schemas are compiled at run time (schema-compile.ts).
 */
export function newAjv(opts: { readonly validateSchema?: boolean; readonly standalone?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    useDefaults: false,
    verbose: true,
    validateSchema: opts.validateSchema ?? true,
    ...(opts.standalone ? { code: { source: true, esm: true, lines: true } } : {}),
  });
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => void;
  addFormats(ajv);
  ajv.addKeyword({ keyword: "x-lexum-identity", schemaType: "array" });
  ajv.addKeyword({ keyword: "x-lexum-replace-on", schemaType: "array" });
  ajv.addKeyword({ keyword: "x-lexum-sensitive", schemaType: "boolean" });
  return ajv;
}
