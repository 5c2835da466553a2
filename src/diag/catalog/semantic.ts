import { code } from "./define.js";
/**
 * 2xxx: names, evaluation, types, schemas, authority, policy, project settings.
 * LXM2001–2029 names and the domain graph · 2030–2079 evaluation · 2080–2119 schemas and
 * authority · 2120–2139 policy · 2140–2159 lexum.yaml · 2160–2169 evaluation bounds.
 */

const didYouMean = (s: string | null | undefined): string | undefined => (s ? `did you mean \`${s}\`?` : undefined);

// ------------------------------------------------------------------ names (2001–2029)

export const duplicateDomain = code(
  "LXM2001",
  "duplicate domain",
  "A domain is declared twice in the program (possibly in two files). A domain is one bounded authority: merge the two blocks or rename one.",
  (name: string) => ({ message: `domain \`${name}\` is declared more than once`, hint: "merge the two blocks or rename one" }),
);

export const duplicateName = code(
  "LXM2002",
  "duplicate name",
  "Two declarations in one domain (let, resource, export value, provider alias) use the same name. Rename one.",
  (name: string, what: string) => ({ message: `\`${name}\` is already declared in this domain (as ${what})`, hint: "rename one of them" }),
);

export const unknownName = code(
  "LXM2003",
  "unknown name",
  "A reference names nothing visible in this domain: no let, resource, loop variable or import alias of that name. Check the spelling or declare it.",
  (name: string, suggestion: string | null) => ({ message: `unknown name \`${name}\``, hint: didYouMean(suggestion) }),
);

export const notImported = code(
  "LXM2004",
  "name of another domain used without import",
  "The name exists in another domain but there is no global scope: import it (and export it from its domain if it is not exported yet).",
  (name: string, importLine: string, exportLine: string | null, owner: string) => ({
    message: `\`${name}\` belongs to domain \`${owner}\` and is not imported here`,
    hint: exportLine ? `add \`${importLine}\` to this domain and \`${exportLine}\` to domain \`${owner}\`` : `add \`${importLine}\` to this domain`,
  }),
);

export const unknownDomain = code(
  "LXM2005",
  "unknown domain",
  "An import names a domain that no file of the program declares. Check the spelling.",
  (name: string, suggestion: string | null) => ({ message: `unknown domain \`${name}\``, hint: didYouMean(suggestion) }),
);

export const notExported = code(
  "LXM2006",
  "import of a name that is not exported",
  "An import names something its domain does not export (or does not declare at all). Add the export to the owning domain, or fix the name.",
  (domain: string, name: string, declared: boolean, suggestion: string | null) => ({
    message: declared ? `domain \`${domain}\` does not export \`${name}\`` : `domain \`${domain}\` has no export \`${name}\``,
    hint: declared ? `add \`export ${name}\` to domain \`${domain}\`` : didYouMean(suggestion),
  }),
);

export const importCollision = code(
  "LXM2007",
  "import alias collision",
  "An import binds a local name that another import or declaration of the domain already uses. Give it another name with `as`.",
  (name: string) => ({ message: `import binds \`${name}\`, which is already used in this domain`, hint: "choose another local name with `as NAME`" }),
);

export const unknownFunction = code(
  "LXM2008",
  "unknown function",
  "Only built-in functions exist (see docs/functions.md). Check the spelling.",
  (name: string, suggestion: string | null) => ({ message: `unknown function \`${name}\``, hint: didYouMean(suggestion) ?? "see docs/functions.md for the built-in functions" }),
);

export const wrongArgCount = code(
  "LXM2009",
  "wrong number of arguments",
  "A built-in function was called with too few or too many arguments. See its signature in docs/functions.md.",
  (name: string, expected: string, got: number) => ({ message: `\`${name}\` takes ${expected}, got ${got}`, hint: `see \`${name}\` in docs/functions.md` }),
);

export const exportUnknown = code(
  "LXM2010",
  "export of an unknown name",
  "`export NAME` must name a let, resource or import of the same domain. Declare it, fix the spelling, or write `export NAME = EXPR`.",
  (name: string, suggestion: string | null) => ({ message: `cannot export \`${name}\`: nothing of that name in this domain`, hint: didYouMean(suggestion) }),
);

export const importCycle = code(
  "LXM2011",
  "domain dependency cycle",
  "Domains form a graph through imports (and cross-domain depends_on); it must have no cycle, since a domain starts only after those it imports from. Remove one import of the cycle.",
  (cycle: string) => ({ message: `domain dependency cycle: ${cycle}`, hint: "remove one of these imports" }),
);

export const referenceCycle = code(
  "LXM2012",
  "reference cycle",
  "Lets, exports and resources refer to each other in a loop, so none of them can be computed. Break the loop.",
  (cycle: string) => ({ message: `reference cycle: ${cycle}`, hint: "break the loop: one of these must not depend on the others" }),
);

export const notAValue = code(
  "LXM2013",
  "provider alias used as a value",
  "A provider alias names a provider block, which is not a value; it may only appear as `provider = ALIAS` in a resource body.",
  (name: string) => ({ message: `\`${name}\` is a provider block, not a value`, hint: "use it only as `provider = " + name + "` in a resource body" }),
);

export const duplicateExport = code(
  "LXM2014",
  "duplicate export",
  "A domain exports the same name twice. Remove one.",
  (name: string) => ({ message: `\`${name}\` is exported more than once` }),
);

export const duplicateGoal = code(
  "LXM2015",
  "duplicate goal",
  "Two goals of one domain have the same name. Rename or merge them.",
  (name: string) => ({ message: `goal \`${name}\` is declared more than once in this domain`, hint: "rename or merge the goals" }),
);

export const duplicatePolicy = code(
  "LXM2016",
  "more than one policy block",
  "A domain has at most one `policy { … }` block. Merge them.",
  () => ({ message: "this domain already has a policy block", hint: "merge the two policy blocks" }),
);

export const duplicateAttribute = code(
  "LXM2017",
  "duplicate attribute",
  "The same attribute is set twice in one block. Remove one.",
  (name: string) => ({ message: `attribute \`${name}\` is set more than once in this block` }),
);

export const duplicateLoopVar = code(
  "LXM2018",
  "duplicate loop variable",
  "The two variables of `for k, v in …` must have different names.",
  (name: string) => ({ message: `loop variable \`${name}\` is declared twice` }),
);

// ------------------------------------------------------------------ evaluation (2030–2079)

export const typeMismatch = code(
  "LXM2030",
  "type mismatch",
  "An operator or construct got a value of the wrong type. The message names the expected and the actual type.",
  (what: string, expected: string, got: string) => ({ message: `${what} must be ${expected}, got ${got}` }),
);

export const argumentType = code(
  "LXM2031",
  "argument of the wrong type",
  "A built-in function got an argument of the wrong type. See its signature in docs/functions.md.",
  (fn: string, n: number, expected: string, got: string) => ({ message: `argument ${n} of \`${fn}\` must be ${expected}, got ${got}` }),
);

export const numberOutOfRange = code(
  "LXM2032",
  "number out of range",
  "An arithmetic result is not a finite number, or an integer result exceeds 2^53 (where numbers lose precision). Use smaller values.",
  (op: string, result: string) => ({ message: `\`${op}\` gives ${result}, outside the exact number range`, hint: "integers must stay within ±2^53 and results must be finite" }),
);

export const divisionByZero = code(
  "LXM2033",
  "division by zero",
  "The right operand of `/` or `%` is zero.",
  (op: string) => ({ message: `division by zero in \`${op}\`` }),
);

export const badInterpolation = code(
  "LXM2034",
  "value cannot be interpolated",
  "Only strings, numbers and bools can be placed in a string with ${…}. Convert lists and objects with jsonencode(…); null has no text.",
  (got: string) => ({ message: `cannot interpolate a ${got} into a string`, hint: got === "null" ? "use a conditional to choose a text for null" : "use jsonencode(…) to turn it into text" }),
);

export const noSuchAttribute = code(
  "LXM2035",
  "no such attribute",
  "The object (or resource) has no attribute of that name. Check the spelling.",
  (name: string, suggestion: string | null) => ({ message: `no attribute \`${name}\` here`, hint: didYouMean(suggestion) }),
);

export const indexOutOfRange = code(
  "LXM2036",
  "index out of range",
  "A list index is negative, fractional or not below the list's length.",
  (index: string, length: number) => ({ message: `index ${index} is out of range for a list of length ${length}` }),
);

export const noSuchKey = code(
  "LXM2037",
  "no such key",
  "An object or `for` resource has no entry with that key. Check the key, or use a conditional with contains(keys(m), k).",
  (key: string, suggestion: string | null) => ({ message: `no key ${key} here`, hint: suggestion ? `did you mean ${suggestion}?` : undefined }),
);

export const duplicateForKey = code(
  "LXM2038",
  "duplicate instance key",
  "The elements of a `for` resource's list are its instance keys and must be unique. Remove the duplicate element.",
  (key: string, first: number, second: number) => ({
    message: `duplicate instance key ${key}: elements ${first + 1} and ${second + 1} are equal`,
    hint: "instance keys must be unique: remove one of the elements",
  }),
);

export const badForKey = code(
  "LXM2039",
  "invalid instance key",
  "A `for` resource over a list uses each element as its instance key, so elements must be strings or numbers.",
  (got: string) => ({ message: `instance keys must be strings or numbers, got ${got}`, hint: "iterate over a list of names, or over an object with `for k, v in m`" }),
);

export const unknownForSource = code(
  "LXM2040",
  "value needed at compile time",
  "This value must be known when the program is compiled (a `for` collection, a file name, a secret name, an identity attribute), but it depends on a value only known after apply.",
  (what: string) => ({ message: `${what} must be known at compile time, but depends on values known only after apply` }),
);

export const forVarCount = code(
  "LXM2041",
  "wrong number of loop variables",
  "A `for` resource over a list takes one variable (the element, which is the key); over an object it takes one (the key) or two (key, value).",
  (what: string) => ({ message: what }),
);

export const fileEscapes = code(
  "LXM2042",
  "file() outside the project",
  "file() reads only files inside the project, relative to the calling .lxm file. Absolute paths and `..` steps above the project root are refused.",
  (path: string) => ({ message: `file(${JSON.stringify(path)}) points outside the project`, hint: "use a path relative to this .lxm file that stays inside the project" }),
);

export const fileNotFound = code(
  "LXM2043",
  "file() cannot read the file",
  "file() names a file that does not exist in the project (or cannot be read as UTF-8 text).",
  (path: string) => ({ message: `file(${JSON.stringify(path)}): no such file in the project`, hint: "paths are relative to the .lxm file that calls file()" }),
);

export const invalidArgument = code(
  "LXM2044",
  "invalid argument",
  "A built-in function got an argument of the right type but an unusable value (bad JSON for jsondecode, a zero range step, a format verb without an argument, …).",
  (fn: string, problem: string) => ({ message: `\`${fn}\`: ${problem}` }),
);

export const assertionFailed = code(
  "LXM2045",
  "assertion fails at compile time",
  "A goal's assertion uses only values known at compile time and is false, so the program can never reach its goal. Fix the values or the assertion.",
  (message: string | null) => ({ message: message ? `assertion failed: ${message}` : "assertion failed" }),
);

export const duplicateObjectKey = code(
  "LXM2046",
  "duplicate object key",
  "An object literal or object comprehension produces the same key twice.",
  (key: string) => ({ message: `duplicate key ${key} in object` }),
);

export const tooLarge = code(
  "LXM2047",
  "value too large",
  "Evaluation stays bounded: a list, string or range beyond the size limit is refused.",
  (what: string, limit: number) => ({ message: `${what} exceeds the limit of ${limit}` }),
);

export const notIterable = code(
  "LXM2048",
  "cannot iterate",
  "`for` iterates over a list or an object only.",
  (got: string) => ({ message: `cannot iterate over a ${got}`, hint: "iterate over a list or an object" }),
);

export const residualUnavailable = code(
  "LXM2050",
  "value not available at apply time",
  "A value computed after apply needs something that is not there: an attribute the provider did not return, an unset secret, or a function that only runs at compile time.",
  (what: string) => ({ message: `${what} is not available` }),
);

export const sensitiveOperandFailed = code(
  "LXM2170",
  "an operation on a sensitive value failed",
  "An expression evaluated at apply time failed on a value that comes from a secret (or from a sensitive attribute). The message names the operation, the type of the value and where it came from, never the value or any part of it, so that it can be shown, traced and recorded. Check the secret's value.",
  (what: string, type: string, origins: readonly string[]) => ({
    message: `${what} failed on a sensitive ${type} (from ${origins.join(", ")}); the value and the details are not shown`,
    hint: "check the value of the secret in your environment (LXM_SECRET_<NAME>) against what the expression expects",
  }),
);

// ------------------------------------------------------------------ schemas, authority (2080–2119)

export const unknownProvider = code(
  "LXM2080",
  "unknown provider",
  "No provider of that name exists. The message lists the known providers.",
  (name: string, known: string[], suggestion: string | null) => ({
    message: `unknown provider \`${name}\``,
    hint: (suggestion ? `did you mean \`${suggestion}\`? ` : "") + `known providers: ${known.join(", ")}`,
  }),
);

export const unknownResourceType = code(
  "LXM2081",
  "unknown resource type",
  "The provider has no resource type of that name. The message lists its types.",
  (type: string, known: string[], suggestion: string | null) => ({
    message: `unknown resource type \`${type}\``,
    hint: (suggestion ? `did you mean \`${suggestion}\`? ` : "") + `known types: ${known.join(", ")}`,
  }),
);

export const missingProviderBlock = code(
  "LXM2082",
  "no provider block",
  "A resource needs a provider block of its provider in its own domain (provider configuration is per domain).",
  (provider: string, example: string) => ({ message: `domain has no \`provider ${provider}\` block for this resource`, hint: `add \`${example}\` to this domain` }),
);

export const unknownProviderAlias = code(
  "LXM2083",
  "unknown provider alias",
  "`provider = ALIAS` must name a provider block of the same domain (its alias, or the provider name for an unaliased block).",
  (alias: string, suggestion: string | null) => ({ message: `no provider block \`${alias}\` in this domain`, hint: didYouMean(suggestion) }),
);

export const unknownAttribute = code(
  "LXM2084",
  "unknown attribute",
  "The resource type (or provider) has no attribute of that name; its JSON Schema lists the allowed ones.",
  (name: string, type: string, suggestion: string | null) => ({ message: `\`${type}\` has no attribute \`${name}\``, hint: didYouMean(suggestion) }),
);

export const missingAttribute = code(
  "LXM2085",
  "missing required attribute",
  "The resource type (or provider) requires an attribute that the block does not set.",
  (name: string, type: string) => ({ message: `missing required attribute \`${name}\` of \`${type}\`` }),
);

export const invalidAttribute = code(
  "LXM2086",
  "invalid attribute value",
  "An attribute's value does not satisfy the type's JSON Schema. The message says what is expected.",
  (problem: string) => ({ message: problem }),
);

export const readOnlyAttribute = code(
  "LXM2087",
  "read-only attribute set",
  "The attribute is computed by the provider (readOnly in its schema) and cannot be set. Remove it; read it from the resource instead.",
  (name: string, type: string) => ({ message: `\`${name}\` of \`${type}\` is computed by the provider and cannot be set`, hint: "remove it; other expressions may read it as `resource.attr`" }),
);

export const badMetaAttribute = code(
  "LXM2088",
  "invalid meta-attribute",
  "depends_on takes a list of resources, provider takes a provider alias, protect and import take a bool.",
  (name: string, expected: string) => ({ message: `\`${name}\` must be ${expected}` }),
);

export const authorityConflict = code(
  "LXM2090",
  "authority conflict",
  "Two resources claim the same real-world object (the same provider scope and identity, e.g. the same file path under the same root). Exactly one may own it: remove or rename one.",
  (identity: string, other: string) => ({ message: `authority conflict: ${identity} is also claimed by ${other}`, hint: "exactly one resource may own a real-world object" }),
);

export const providerMismatch = code(
  "LXM2091",
  "provider alias of another provider",
  "`provider = ALIAS` selected a block of a different provider than the resource type's.",
  (alias: string, aliasProvider: string, provider: string) => ({ message: `provider block \`${alias}\` configures \`${aliasProvider}\`, but this resource needs \`${provider}\`` }),
);

export const metaAsProviderAttribute = code(
  "LXM2092",
  "meta-attribute in a provider block",
  "depends_on, provider, protect and import are resource meta-attributes; they are not provider configuration.",
  (name: string) => ({ message: `\`${name}\` is not allowed in a provider block` }),
);

export const metaPrefixOnAttribute = code(
  "LXM2093",
  "`meta` on an attribute that is not a meta-attribute",
  "The `meta` prefix marks a resource meta-attribute line (`meta import = true`); depends_on, provider, protect and import are the meta-attributes. Example: `meta path = \"a\"`. Fix: drop `meta`, or name a meta-attribute.",
  (name: string) => ({
    message: `\`meta\` marks a meta-attribute, and \`${name}\` is not one`,
    hint: "drop `meta` before a provider attribute; the meta-attributes are depends_on, provider, protect and import",
  }),
);

// ------------------------------------------------------------------ policy (2120–2139)

export const unknownPolicyKey = code(
  "LXM2120",
  "unknown policy setting",
  "A policy block accepts timeout, retries, on_failure and prune.",
  (name: string, suggestion: string | null) => ({ message: `unknown policy setting \`${name}\``, hint: didYouMean(suggestion) ?? "known settings: timeout, retries, on_failure, prune" }),
);

export const badPolicyValue = code(
  "LXM2121",
  "invalid policy value",
  "timeout is a positive duration, retries an integer 0..10, on_failure \"halt\" or \"rollback\", prune a bool.",
  (name: string, expected: string, got: string) => ({ message: `policy \`${name}\` must be ${expected}, got ${got}` }),
);

// ------------------------------------------------------------------ lexum.yaml (2140–2149)

export const settingsSyntax = code(
  "LXM2140",
  "lexum.yaml is not valid YAML",
  "The project settings file could not be parsed as YAML. Fix the syntax at the given line.",
  (problem: string) => ({ message: `lexum.yaml: ${problem}` }),
);

export const settingsInvalid = code(
  "LXM2141",
  "invalid project setting",
  "lexum.yaml holds a setting that its schema (schemas/lexum.yaml.json) does not allow.",
  (problem: string, suggestion: string | null) => ({ message: `lexum.yaml: ${problem}`, hint: didYouMean(suggestion) }),
);

export const unknownEnvironment = code(
  "LXM2142",
  "unknown environment",
  "`--env NAME` names an environment that lexum.yaml does not declare under `environments:`. Example: `lxm plan --env prod` with `environments: { production: … }`. Fix: use a declared name.",
  (env: string, known: readonly string[], suggestion: string | null) => ({
    message: `lexum.yaml declares no environment \`${env}\` (declared: ${known.length === 0 ? "none" : known.map((k) => `\`${k}\``).join(", ")})`,
    hint: didYouMean(suggestion) ?? (known.length === 0 ? "declare it under `environments:` in lexum.yaml" : "use one of the declared environments"),
  }),
);

export const environmentRequired = code(
  "LXM2143",
  "no environment chosen",
  "A project whose lexum.yaml declares `environments` is planned and applied one environment at a time, each with its own state branch: say which with `--env NAME`. Example: `lxm plan` in a project with staging and production. Fix: add `--env staging` (or another).",
  (known: readonly string[]) => ({ message: `this project has environments (${known.map((k) => `\`${k}\``).join(", ")}): choose one`, hint: `add --env ${known[0] ?? "NAME"}` }),
);

// ------------------------------------------------------------------ assertion types (2150–2159)

export const assertionNotBool = code(
  "LXM2150",
  "assertion is not a bool",
  "A goal's assertion must give a bool, and this one's type is known at compile time to be something else, although its value is only known after apply (e.g. `assert f.size`: a file's `size` is an integer, read back by the provider). It would fail after the world changed. Compare the value instead: `assert f.size > 0`, `assert f.sha256 != \"\"`, `assert len(xs) > 0`.",
  (what: string, type: string, example: string) => ({
    message: `an assertion must be a bool, but ${what} is ${type}`,
    hint: `compare it, e.g. \`${example}\``,
  }),
);

// ------------------------------------------------------------------ evaluation bounds (2160–2169)

export const evaluationBudget = code(
  "LXM2160",
  "evaluation budget exceeded",
  "A program's evaluation is bounded in total work (each expression evaluated, each element a built-in returns), so that nested comprehensions or long chains of values cannot run for minutes or exhaust memory. Build smaller collections, or split the project.",
  (limit: number) => ({ message: `evaluation exceeds the limit of ${limit} steps for the whole program here`, hint: "nested comprehensions multiply: the inner one runs once per element of the outer one" }),
);

export const valueTooDeep = code(
  "LXM2161",
  "value nested too deeply",
  "Lists and objects nest at most 512 levels deep, however they are built (literals, lets referring to lets, jsondecode, yamldecode), so that every later stage handles them without running out of stack.",
  (what: string, limit: number) => ({ message: `${what} nests lists and objects more than ${limit} levels deep` }),
);

export const referencesTooDeep = code(
  "LXM2162",
  "references nested too deeply",
  "Names that refer to each other (lets, resources, exports on a loop of references, possibly broken by a condition) are evaluated one inside the other, at most 200 deep. Shorten the loop.",
  (name: string, limit: number) => ({ message: `evaluating \`${name}\` follows more than ${limit} names that refer to each other`, hint: "a long loop of references: check for a reference cycle" }),
);

// ------------------------------------------------------------------ expansion, for forms, splat (2180–2189)

export const expansionNotList = code(
  "LXM2180",
  "`...` on a value that is not a list",
  "`f(xs...)` passes the elements of the list `xs` as the call's last arguments; the value before `...` must be a list. Example: `max(5...)`. Fix: expand a list, or pass the value without `...`.",
  (type: string) => ({ message: `\`...\` expands a list into arguments, and this is ${type === "null" ? "null" : `${/^[aeiou]/.test(type) ? "an" : "a"} ${type}`}`, hint: "put `...` after a list, or remove it" }),
);

// ------------------------------------------------------------------ string functions, regular expressions (2190–2199)

// ------------------------------------------------------------------ collection and conversion functions (2200–2209)

export const impureFunction = code(
  "LXM2200",
  "function that is not a function of the commit",
  "Terraform's timestamp, plantimestamp, uuid and bcrypt give a different result on every run (the clock, randomness, a random salt), and abspath and pathexpand a different one on every machine (the working directory, the home directory). Lexum's language is deterministic: the same commit gives the same plan, so these are refused. Write the value in the code, derive a stable id from a name with `uuidv5`, use paths relative to the project, or pass a value that must stay outside the code with `secret()`.",
  (name: string, instead: string) => ({
    message: `\`${name}\` is not available: its result changes from run to run or from machine to machine, and the same commit must give the same plan`,
    hint: instead,
  }),
);

export const tryAllFailed = code(
  "LXM2201",
  "`try`: no argument could be evaluated",
  "`try(a, b, …)` gives the first of its arguments that evaluates without an error; here every one failed. At compile time each argument's own error is reported where it is; at apply time (arguments known only then) the message gives the last argument's error. Add a last argument that cannot fail, such as a literal default.",
  (count: number, last: string) => ({ message: `\`try\`: none of its ${count} argument${count === 1 ? "" : "s"} could be evaluated; the last one failed with: ${last}`, hint: "end the list with a value that cannot fail, such as a literal default" }),
);

export const secretDeclassified = code(
  "LXM2202",
  "`nonsensitive` on a value computed from a secret",
  "Lexum never writes a secret, or a value computed from one, in clear: not in plans, comments, traces or snapshots. `nonsensitive` therefore takes the marking off only values marked with `sensitive()` (values written in the commit); a value into which `secret()` flows stays sensitive. Keep it sensitive, or write the value that may be shown in the code.",
  (origin: string) => ({ message: `\`nonsensitive\` cannot uncover a value computed from ${origin}: a secret never appears in clear`, hint: "leave the value sensitive; a value meant to be shown belongs in the code" }),
);

// ------------------------------------------------------------------ domain templates (2230–2239)

export const duplicateTemplate = code(
  "LXM2230",
  "duplicate template",
  "A template is declared twice in the project (possibly in two files). Templates share one namespace per project. Example: two `template service(…)` blocks. Fix: rename one or merge them.",
  (name: string) => ({ message: `template \`${name}\` is declared more than once`, hint: "rename one of them" }),
);

export const unknownTemplate = code(
  "LXM2231",
  "unknown template",
  "`domain NAME = TEMPLATE(…)` names a template that no file of the project declares. Example: `domain api = servce(name = \"api\")`. Fix: check the spelling or declare `template TEMPLATE(…) { … }`.",
  (name: string, suggestion: string | null) => ({ message: `unknown template \`${name}\``, hint: didYouMean(suggestion) ?? "declare it with `template NAME(params) { … }`" }),
);

export const unknownTemplateArg = code(
  "LXM2232",
  "unknown template argument",
  "An instance passes an argument the template does not declare as a parameter. Example: `service(nmae = \"api\")`. Fix: use one of the template's parameters.",
  (template: string, name: string, params: readonly string[], suggestion: string | null) => ({
    message: `template \`${template}\` has no parameter \`${name}\` (its parameters: ${params.length === 0 ? "none" : params.map((p) => `\`${p}\``).join(", ")})`,
    hint: didYouMean(suggestion) ?? "remove the argument",
  }),
);

export const missingTemplateArg = code(
  "LXM2233",
  "missing template argument",
  "A template parameter without a default must be given by every instance. Example: `template service(image: string)` instantiated as `service()`. Fix: pass it, or give the parameter a default.",
  (template: string, names: readonly string[]) => ({
    message: `template \`${template}\` needs ${names.map((n) => `\`${n}\``).join(", ")}: ${names.length === 1 ? "it has" : "they have"} no default`,
    hint: `pass ${names.map((n) => `\`${n} = …\``).join(", ")}`,
  }),
);

export const templateArgType = code(
  "LXM2234",
  "template argument of the wrong type",
  "A template parameter declares a type (string, number, bool, list, object or any) and the value given for it (or its default) has another. Example: `replicas: number` given `\"3\"`. Fix: pass a value of the declared type.",
  (template: string, name: string, expected: string, got: string) => ({ message: `argument \`${name}\` of template \`${template}\` must be ${expected}, got ${got}`, hint: "pass a value of the parameter's type, or declare it `any`" }),
);

export const templateArgReference = code(
  "LXM2235",
  "template argument refers to a name",
  "An instance's arguments, and a parameter's default, are written outside any domain: they are values (literals and functions of literals), and may not refer to a let, resource, import or another parameter. Values from other domains enter a template through its own `import` lines. Example: `domain api = service(name = other)`. Fix: write the value, or import it inside the template.",
  (name: string) => ({ message: `\`${name}\`: template arguments and defaults are values written in place; they cannot refer to names`, hint: "write the value here, or import it inside the template" }),
);

export const badParamType = code(
  "LXM2236",
  "unknown parameter type",
  "A template parameter's type is one of string, number, bool, list, object and any. Example: `template t(n: int)`. Fix: use one of them.",
  (type: string) => ({ message: `\`${type}\` is not a parameter type (string, number, bool, list, object, any)`, hint: "durations are numbers of milliseconds: declare `number`" }),
);

export const duplicateTemplateArg = code(
  "LXM2237",
  "parameter or argument named twice",
  "A template declares a parameter twice, or an instance passes an argument twice. Example: `service(name = \"a\", name = \"b\")`. Fix: keep one.",
  (name: string, what: string) => ({ message: `${what} \`${name}\` appears more than once`, hint: "keep one of them" }),
);

// ------------------------------------------------------------------ inputs and environments (2240–2249)

export const unknownInput = code(
  "LXM2240",
  "unknown input",
  "`input(\"name\")` reads an input declared in lexum.yaml under `inputs:` (with its type and an optional default); this name is not declared. Example: `input(\"replica\")` with `inputs: { replicas: { type: number } }`. Fix: declare it, or check the spelling.",
  (name: string, declared: readonly string[], suggestion: string | null) => ({
    message: `no input \`${name}\` is declared in lexum.yaml (declared: ${declared.length === 0 ? "none" : declared.map((d) => `\`${d}\``).join(", ")})`,
    hint: didYouMean(suggestion) ?? `declare it: \`inputs: { ${name}: { type: string } }\``,
  }),
);

export const inputWithoutValue = code(
  "LXM2241",
  "input without a value",
  "An input read by the code has no default, and the environment chosen (or none, without `--env`) gives it no value. Example: `inputs: { region: { type: string } }` read without `environments.<env>.inputs.region`. Fix: give it a value in the environment, a default, or choose the environment with `--env`.",
  (name: string, env: string | null) => ({
    message: `input \`${name}\` has no value ${env === null ? "without an environment (no --env) and no default" : `in environment \`${env}\` and no default`}`,
    hint: env === null ? "choose an environment with --env, or give the input a default" : `set \`environments.${env}.inputs.${name}\` in lexum.yaml, or give the input a default`,
  }),
);

// ------------------------------------------------------------------ encoding, files, dates, hashes, networks (2210–2219)

// ------------------------------------------------------------------ templates (2220–2229)

export const templateNotReference = code(
  "LXM2220",
  "`templatestring` given something other than a reference",
  "As in Terraform, `templatestring(ref, vars)` renders a template held in a named value (a let, an attribute, an element): a string written in place is already a template, and rendering it again would evaluate its `${…}` twice. Example: `templatestring(\"Hi ${name}\", {name = \"x\"})`. Fix: write the template as a string directly, or give it a name with `let` and pass that.",
  () => ({ message: "`templatestring` renders a template held in a named value, not one written in place", hint: "write the template as a string directly, or put it in a `let` and pass its name" }),
);

export const templateVars = code(
  "LXM2221",
  "template variables unusable",
  "The variables of `templatefile` and `templatestring` are an object whose keys are names (letters, digits, `_`, `-`, not starting with a digit), known at compile time (their values may be known only at apply). Example: `templatefile(\"t.tftpl\", {\"a b\" = 1})`. Fix: pass an object literal with name keys.",
  (problem: string) => ({ message: `template variables: ${problem}`, hint: "pass an object literal whose keys are names, such as `{ port = 8080 }`" }),
);

export const templateNesting = code(
  "LXM2222",
  "template rendering inside a template",
  "A template may call any built-in function except `templatefile` and `templatestring`: a template that renders templates could render itself for ever (Terraform refuses it too). Example: a template file containing `${templatefile(\"x.tftpl\", {})}`. Fix: render the inner template outside and pass its text in as a variable.",
  (fn: string) => ({ message: `\`${fn}\` cannot be called from inside a template`, hint: "render the inner template outside and pass the text in as a variable" }),
);

export const templateNameUnbound = code(
  "LXM2223",
  "name not passed to the template",
  "A template sees only the variables passed to it (and its own `%{ for }` variables): no let, resource or import of the calling domain. Example: `templatefile(\"t.tftpl\", {})` where t.tftpl uses `${port}`. Fix: pass the value in the variables object.",
  (name: string, given: readonly string[]) => ({
    message: `the template uses \`${name}\`, which is not among its variables (${given.length === 0 ? "none were passed" : given.map((g) => `\`${g}\``).join(", ")})`,
    hint: `pass it: \`{ ${name} = … }\``,
  }),
);


// ------------------------------------------------------------------ moved blocks (2250–2259)

export const movedBlockShape = code(
  "LXM2250",
  "malformed `moved` block",
  "A `moved` block holds exactly two attributes, `from` and `to`, each the address of a resource or one instance of it. Example: `moved { from = web/fs.file.page }` (no `to`). Fix: write `moved { from = DOMAIN/TYPE.NAME, to = DOMAIN/TYPE.NAME }`.",
  (problem: string) => ({ message: `this \`moved\` block ${problem}`, hint: "write `moved { from = DOMAIN/TYPE.NAME, to = DOMAIN/TYPE.NAME }`" }),
);

export const movedNotAddress = code(
  "LXM2251",
  "`moved` needs a resource address",
  "`from` and `to` name a resource as its address: `DOMAIN/PROVIDER.TYPE.NAME`, optionally with an instance key (`web/fs.file.page[\"index\"]`), written bare or as a string. Example: `from = fs.file.page` (no domain). Fix: write the whole address, as `lxm plan` prints it.",
  (attr: string, found: string) => ({ message: `\`${attr}\` must be a resource address (DOMAIN/PROVIDER.TYPE.NAME[KEY]), found ${found}`, hint: "write the address as `lxm plan` prints it, e.g. `web/fs.file.page[\"index\"]`" }),
);

export const movedFromDeclared = code(
  "LXM2252",
  "moved from a resource that is still in the code",
  "A `moved` block says the resource at `from` is now at `to`, but the program still declares `from`: both cannot hold the one object. Example: renaming `resource fs.file a` to `b` while keeping `a`. Fix: remove or rename the old declaration, or remove the `moved` block.",
  (from: string) => ({ message: `\`${from}\` is moved away but the program still declares it`, hint: "remove the old declaration, or the `moved` block" }),
);

export const movedToUndeclared = code(
  "LXM2253",
  "moved to a resource the code does not declare",
  "The address a `moved` block moves to (at the end of a chain of moves) is not a resource of the program, so the moved object would be deleted right after. Example: `to = web/fs.file.pages` when the resource is named `page`. Fix: correct the address, or declare the resource.",
  (to: string, suggestion: string | null) => ({ message: `\`${to}\` is not a resource of the program`, hint: didYouMean(suggestion) ?? "declare the resource, or correct the address" }),
);

export const movedTypeChange = code(
  "LXM2254",
  "moved to a resource of another type",
  "A move keeps the real object, so both addresses must be of one resource type. Example: `from = a/fs.file.x, to = a/fs.dir.x`. Fix: a change of type is a replacement: remove the `moved` block and let the plan delete and create.",
  (from: string, to: string) => ({ message: `\`${from}\` and \`${to}\` are resources of different types`, hint: "a change of type replaces the object: remove the `moved` block" }),
);

export const movedConflict = code(
  "LXM2255",
  "conflicting `moved` blocks",
  "Two `moved` blocks move the same address, move two resources to one address, or form a cycle (a → b, b → a), so where each object ends is ambiguous. Example: `moved { from = a/fs.file.x, to = a/fs.file.y }` twice with different `to`. Fix: keep one move per address; a chain (a → b, then b → c) is allowed.",
  (problem: string) => ({ message: problem, hint: "keep one move per address (a chain a → b, b → c is allowed)" }),
);

// ------------------------------------------------------------------ templates from elsewhere (2260–2269)

export const templateSourceUnavailable = code(
  "LXM2260",
  "template source cannot be used",
  "`template NAME from \"SOURCE\"` names a folder of the repository outside the project (relative to the file) or an npm package the project depends on; this one cannot be read: the folder is not in the repository at the goal commit or holds no `.lxm` file, the path leaves the repository or points inside the project, or the package is not installed or not declared in the project's package.json (the lockfile pins only what package.json declares). Fix the source, or install and declare the package (`npm install --save @acme/lexum-templates`).",
  (source: string, problem: string) => ({ message: `cannot read templates from "${source}": ${problem}`, hint: "a folder outside the project (`../shared/templates`), or an npm package in package.json's dependencies" }),
);

export const unknownImportedTemplate = code(
  "LXM2261",
  "no such template in the source",
  "`template NAME from \"SOURCE\"` names a template that none of the source's `.lxm` files declares. Example: `template servce from \"../shared\"` when the folder declares `service`. Fix the name.",
  (name: string, source: string, suggestion: string | null) => ({ message: `"${source}" declares no template \`${name}\``, hint: didYouMean(suggestion) ?? "check the names the source's templates declare" }),
);

export const templateSourceNotOnlyTemplates = code(
  "LXM2262",
  "a template source holds other declarations",
  "The `.lxm` files of a template source (a folder outside the project, an npm package) declare templates only: a domain, a `moved` block or a `template … from` there would not belong to any project. Move it into a project.",
  (what: string) => ({ message: `a template source declares templates only, but this file declares ${what}`, hint: "keep only `template NAME(params) { … }` blocks in a template source" }),
);
