import { code } from "./define.js";

// ── Provider packages named in lexum.yaml (src/providers/package-*.ts): LXM4340–LXM4359 ──
// Located at the `package` value in lexum.yaml; nothing is compiled, planned or applied.

export const packageNotInstalled = code(
  "LXM4340",
  "provider package not installed",
  "lexum.yaml names a provider package (`providers: { acme: { package: \"@acme/lexum-provider\" } }`) that Node cannot resolve from the project directory upward (its node_modules, then each parent's). Install it in the project (`npm install @acme/lexum-provider`) and commit the lockfile; check the spelling, and that the package's `exports` has a `default` (or `require`) condition or a `main`.",
  (provider: string, pkg: string, projectDir: string, cause: string) => ({
    message: `provider ${provider}: package ${pkg} is not installed where ${projectDir} can see it (${cause})`,
    hint: `run \`npm install ${pkg}\` in the project directory, or fix the package name`,
  }),
);

export const packageLoadFailed = code(
  "LXM4341",
  "provider package failed to load",
  "The provider package was found but importing it threw (a syntax error, a missing dependency of its own, code that needs a newer Node). The message quotes the error. Reinstall the package, upgrade it, or report the error to its authors.",
  (provider: string, pkg: string, file: string, cause: string) => ({
    message: `provider ${provider}: importing package ${pkg} (${file}) threw: ${cause}`,
    hint: "reinstall or upgrade the package; the error above is the package's own",
  }),
);

export const packageNotAProvider = code(
  "LXM4342",
  "not a Lexum provider package",
  "A provider package must export `provider` (name, types, configure(config, env) returning read/create/update/delete/close functions) and `schemas` (a JSON Schema per resource type and one under `provider` for its block), as docs/provider-sdk.md describes. The message names what is missing or of the wrong kind.",
  (provider: string, pkg: string, problem: string) => ({
    message: `provider ${provider}: package ${pkg} is not a Lexum provider package: ${problem}`,
    hint: "a provider package exports `provider` and `schemas` (see docs/provider-sdk.md)",
  }),
);

export const packageNameMismatch = code(
  "LXM4343",
  "provider package name mismatch",
  "The key under `providers:` is the provider's name in .lxm files, so it must be a name (letters, digits, `_`, not starting with a digit), equal the package's `provider.name`, and prefix every type it manages (`acme.widget` for `acme`). Rename the key in lexum.yaml, or use the package meant for it.",
  (provider: string, pkg: string, problem: string) => ({
    message: `provider ${provider}: package ${pkg} ${problem}`,
    hint: "the key under `providers:` must be the package's provider name",
  }),
);

export const packageShadowsBuiltin = code(
  "LXM4344",
  "provider package shadows a built-in provider",
  "A package cannot take the name of a provider built into Lexum (`fs`, `sim`, …): .lxm files would no longer say which one they mean. Publish the package's provider under another name and use that key in lexum.yaml.",
  (provider: string, pkg: string, builtins: readonly string[]) => ({
    message: `provider ${provider}: package ${pkg} would replace the built-in provider ${provider} (built-in: ${builtins.join(", ")})`,
    hint: "a package provider needs a name of its own",
  }),
);

export const packageSchemaInvalid = code(
  "LXM4345",
  "invalid provider package schema",
  "A schema the provider package exports is not usable: it does not compile as a strict JSON Schema draft 2020-12, a Lexum keyword is malformed (`x-lexum-identity` and `x-lexum-replace-on` list properties, `x-lexum-sensitive` is a boolean on a property), a property takes a reserved name (depends_on, import, protect, provider), or the types in `provider.types` and the keys of `schemas` differ. Fix the package (its authors can run the conformance kit and its schema check in their tests).",
  (provider: string, pkg: string, schema: string, problem: string) => ({
    message: `provider ${provider}: package ${pkg}: schema ${schema} ${problem}`,
    hint: "the package's schemas must follow docs/provider-sdk.md; upgrade or fix the package",
  }),
);

export const packageConfigureFailed = code(
  "LXM4346",
  "provider package could not be configured",
  "A provider package's `configure` threw something other than a Lexum error while binding a provider block (its own check of the settings, most often). The message quotes it. Fix the block's settings as the package's documentation says, or report the error to its authors.",
  (provider: string, pkg: string, cause: string) => ({
    message: `provider ${provider} (package ${pkg}): configure failed: ${cause}`,
    hint: "check the provider block's settings against the package's documentation",
  }),
);
