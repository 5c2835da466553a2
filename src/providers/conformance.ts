import { canonicalize } from "../program/canonical.js";
import type { Json, JsonObject } from "../program/types.js";
import type { CallContext, Provider, ProviderEnv, ProviderInstance } from "./types.js";

/**
 * The conformance kit: the checks every provider passes against the real system it
 * manages (Terraform's acceptance steps, in Lexum's contract). Framework-free: each check
 * is a name and an async `run`, so a provider package's own tests run them with any runner:
 *
 *     for (const c of conformanceChecks(subject)) it(c.name, c.run, 30_000);
 */

/** One resource type put through the kit. */
export interface ConformanceCase {
  /** Fully-qualified type, e.g. "postgres.role". */
  readonly type: string;
  /** The goal given to create: the attributes a user sets (no readOnly ones), secrets in clear. */
  readonly goal: JsonObject;
  /** Each mutable attribute with a new value: one update check each (update(prior, {...goal, [attr]: value})). */
  readonly updates: { readonly [attr: string]: Json };
  /** Identity attributes with new values: the replace check (delete the old object, create the new, old reads null). Omit when the type has no changeable identity. */
  readonly replace?: JsonObject;
  /** Changes the created object outside the provider (psql, a raw HTTP request, a file write) and returns the attributes read() must now show. */
  readonly drift?: (created: JsonObject) => Promise<JsonObject>;
  /** Attributes read() cannot return (a write-only password): left out of "read equals goal". */
  readonly writeOnly?: readonly string[];
  /** Objects the case needs first (a database for a schema), created before and deleted after, in order. */
  readonly needs?: readonly { readonly type: string; readonly goal: JsonObject }[];
}

/** A provider with its configuration and the cases to run. */
export interface ConformanceSubject {
  readonly provider: Provider;
  /** The provider block's configuration, secrets resolved. */
  readonly config: JsonObject;
  readonly env: ProviderEnv;
  readonly cases: readonly ConformanceCase[];
}

/** One named check; run() throws a ConformanceFailure (an Error) saying what differed. */
export interface ConformanceCheck {
  /** `<type>: <what is checked>`, e.g. "postgres.role: create then read equals the goal". */
  readonly name: string;
  run(): Promise<void>;
}

/** What a failed check throws: the contract rule broken and what differed (write-only values never shown). */
export class ConformanceFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConformanceFailure";
  }
}

/** How long one provider call may take before the check gives up on it. */
const CALL_LIMIT_MS = 20_000;
/** How long a call made with an aborted signal may take to reject. */
const ABORT_LIMIT_MS = 5_000;

/**
 * The checks, per case: create→read equals goal on set attributes; second create accepted
 * (idempotent); update of each mutable attribute; replace on identity change; delete of an
 * absent object succeeds; read of an absent object is null; a call whose signal is aborted
 * stops (rejects, changes nothing); drift made outside is seen by read. Each check
 * configures its own instance, creates the case's `needs` first, and removes what it
 * created and closes the instance whether it passes or not. Checks are independent but
 * share the configured system, so run them one at a time (vitest's default within a file).
 */
export function conformanceChecks(subject: ConformanceSubject): ConformanceCheck[] {
  const checks: ConformanceCheck[] = [];
  const seen = new Map<string, number>();
  for (const c of subject.cases) {
    const n = (seen.get(c.type) ?? 0) + 1;
    seen.set(c.type, n);
    // Two cases of one type are told apart by their position.
    const label = n === 1 ? c.type : `${c.type} #${n}`;
    const add = (what: string, body: (t: Trial) => Promise<void>) => {
      checks.push({ name: `${label}: ${what}`, run: () => runTrial(subject, c, label, body) });
    };
    add("create then read equals the goal", createThenRead);
    add("a second create of the same goal is accepted and changes nothing", createTwice);
    for (const attr of Object.keys(c.updates).sort()) add(`update of ${attr}`, (t) => updateOne(t, attr));
    if (c.replace !== undefined) add("replace on identity change", replace);
    add("delete of an absent object succeeds", deleteAbsent);
    add("read of an absent object is null", readAbsent);
    add("a call whose signal is aborted stops and changes nothing", aborted);
    if (c.drift !== undefined) add("drift made outside is seen by read", drift);
  }
  return checks;
}

/** One check's running state: the instance, the case, and what to remove afterwards. */
interface Trial {
  readonly inst: ProviderInstance;
  readonly c: ConformanceCase;
  readonly label: string;
  /** Objects created by the check itself and not deleted by it, removed (last first) when it ends. */
  readonly made: { type: string; goal: JsonObject }[];
}

function remember(t: Trial, goal: JsonObject): void {
  const key = canonicalize(goal);
  if (!t.made.some((o) => canonicalize(o.goal) === key)) t.made.push({ type: t.c.type, goal });
}

// A delete the check made itself: cleanup must not delete again (a second delete is a check of its own).
function forget(t: Trial, goal: JsonObject): void {
  const key = canonicalize(goal);
  const i = t.made.findIndex((o) => canonicalize(o.goal) === key);
  if (i >= 0) t.made.splice(i, 1);
}

async function runTrial(subject: ConformanceSubject, c: ConformanceCase, label: string, body: (t: Trial) => Promise<void>): Promise<void> {
  if (!subject.provider.types.includes(c.type)) {
    throw new ConformanceFailure(`${label}: the provider "${subject.provider.name}" does not list this type in provider.types (${subject.provider.types.join(", ")})`);
  }
  const inst = subject.provider.configure(subject.config, subject.env);
  const needs: { type: string; goal: JsonObject }[] = [];
  const t: Trial = { inst, c, label, made: [] };
  let failure: unknown = null;
  try {
    for (const need of c.needs ?? []) {
      await call(t, `create of the needed ${need.type}`, (ctx) => inst.create(need.type, need.goal, ctx));
      needs.push({ type: need.type, goal: need.goal });
    }
    await body(t);
  } catch (e) {
    failure = e;
  }
  // Clean up even after a failure; a cleanup failure is reported only when nothing failed before it.
  const cleanup = [...t.made.reverse(), ...needs.reverse()];
  for (const o of cleanup) {
    try {
      await call(t, `cleanup delete of ${o.type}`, (ctx) => inst.delete(o.type, o.goal, ctx));
    } catch (e) {
      failure ??= e;
    }
  }
  try {
    await inst.close();
  } catch (e) {
    failure ??= new ConformanceFailure(`${label}: close() rejected: ${errorText(e)}`);
  }
  if (failure !== null) throw failure;
}

// ---- the checks ------------------------------------------------------------------------

async function createThenRead(t: Trial): Promise<void> {
  const created = await create(t, t.c.goal);
  expectMatches(t, "create's result", created, t.c.goal);
  expectMatches(t, "read after create", await readPresent(t, t.c.goal, "after create"), t.c.goal);
}

async function createTwice(t: Trial): Promise<void> {
  await create(t, t.c.goal);
  const first = await readPresent(t, t.c.goal, "after the first create");
  const again = await call(t, "a second create of the same goal", (ctx) => t.inst.create(t.c.type, t.c.goal, ctx));
  expectObject(t, "the second create's result", again);
  expectMatches(t, "the second create's result", again, t.c.goal);
  const second = await readPresent(t, t.c.goal, "after the second create");
  if (canonicalize(first) !== canonicalize(second)) {
    throw new ConformanceFailure(`${t.label}: a second create of an identical object changed it (create must accept an identical existing object untouched): ${firstDifference(t, first, second)}`);
  }
}

async function updateOne(t: Trial, attr: string): Promise<void> {
  const prior = await create(t, t.c.goal);
  const goal: JsonObject = { ...t.c.goal, [attr]: t.c.updates[attr]! };
  const updated = await call(t, `update of ${attr}`, (ctx) => t.inst.update(t.c.type, prior, goal, ctx));
  expectObject(t, `update of ${attr}'s result`, updated);
  expectMatches(t, `update of ${attr}'s result`, updated, goal);
  expectMatches(t, `read after the update of ${attr}`, await readPresent(t, goal, `after the update of ${attr}`), goal);
}

async function replace(t: Trial): Promise<void> {
  await create(t, t.c.goal);
  const next: JsonObject = { ...t.c.goal, ...t.c.replace! };
  await call(t, "delete of the old object", (ctx) => t.inst.delete(t.c.type, t.c.goal, ctx));
  forget(t, t.c.goal);
  const created = await create(t, next);
  expectMatches(t, "create's result for the new identity", created, next);
  expectMatches(t, "read of the new identity", await readPresent(t, next, "after the replace"), next);
  const old = await read(t, t.c.goal, "of the old identity after the replace");
  if (old !== null) throw new ConformanceFailure(`${t.label}: the old object still reads back after its delete: ${show(t, old)}`);
}

async function deleteAbsent(t: Trial): Promise<void> {
  await call(t, "delete of an object that never existed", (ctx) => t.inst.delete(t.c.type, t.c.goal, ctx));
  await create(t, t.c.goal);
  await call(t, "delete of an existing object", (ctx) => t.inst.delete(t.c.type, t.c.goal, ctx));
  forget(t, t.c.goal);
  await call(t, "a second delete of the same object", (ctx) => t.inst.delete(t.c.type, t.c.goal, ctx));
  const after = await read(t, t.c.goal, "after delete");
  if (after !== null) throw new ConformanceFailure(`${t.label}: the object still reads back after delete resolved: ${show(t, after)}`);
}

async function readAbsent(t: Trial): Promise<void> {
  const r = await read(t, t.c.goal, "of an object that was never created");
  if (r !== null) throw new ConformanceFailure(`${t.label}: read of an absent object must return null, got ${show(t, r)}`);
}

async function aborted(t: Trial): Promise<void> {
  await expectAbortRejects(t, "create", (ctx) => t.inst.create(t.c.type, t.c.goal, ctx));
  const none = await read(t, t.c.goal, "after an aborted create");
  if (none !== null) remember(t, t.c.goal);
  if (none !== null) throw new ConformanceFailure(`${t.label}: an aborted create still made the object: ${show(t, none)}`);

  const prior = await create(t, t.c.goal);
  const before = await readPresent(t, t.c.goal, "after create");
  const attrs = Object.keys(t.c.updates).sort();
  const goal: JsonObject = attrs.length > 0 ? { ...t.c.goal, [attrs[0]!]: t.c.updates[attrs[0]!]! } : t.c.goal;
  await expectAbortRejects(t, "update", (ctx) => t.inst.update(t.c.type, prior, goal, ctx));
  const afterUpdate = await readPresent(t, t.c.goal, "after an aborted update");
  if (canonicalize(afterUpdate) !== canonicalize(before)) {
    throw new ConformanceFailure(`${t.label}: an aborted update changed the object: ${firstDifference(t, before, afterUpdate)}`);
  }
  await expectAbortRejects(t, "delete", (ctx) => t.inst.delete(t.c.type, t.c.goal, ctx));
  await readPresent(t, t.c.goal, "after an aborted delete (it must still exist)");
  await expectAbortRejects(t, "read", (ctx) => t.inst.read(t.c.type, t.c.goal, ctx));
}

async function drift(t: Trial): Promise<void> {
  const created = await create(t, t.c.goal);
  const expected = await t.c.drift!(created);
  const seen = await readPresent(t, t.c.goal, "after the drift");
  for (const key of Object.keys(expected).sort()) {
    if (canonicalize(seen[key] ?? null) !== canonicalize(expected[key]!)) {
      throw new ConformanceFailure(`${t.label}: read does not show the change made outside the provider at \`${key}\`: expected ${show(t, expected[key]!, key)}, got ${show(t, seen[key] ?? null, key)}`);
    }
  }
}

// ---- calls and comparisons -------------------------------------------------------------

function context(t: Trial, signal: AbortSignal): CallContext {
  return { signal, attempt: 1, address: `conformance/${t.c.type}.subject` };
}

/** Makes one call with a live signal; a rejection or a call that never settles fails the check, naming the step. */
async function call<T>(t: Trial, step: string, f: (ctx: CallContext) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(new ConformanceFailure(`${t.label}: ${step} did not settle within ${CALL_LIMIT_MS / 1000} s`));
    }, CALL_LIMIT_MS);
  });
  try {
    return await Promise.race([invoke(f, context(t, ac.signal)), limit]);
  } catch (e) {
    if (e instanceof ConformanceFailure) throw e;
    throw new ConformanceFailure(`${t.label}: ${step} rejected: ${errorText(e)}`);
  } finally {
    clearTimeout(timer);
  }
}

// A provider that throws synchronously fails the call the same way as one that rejects.
function invoke<T>(f: (ctx: CallContext) => Promise<T>, ctx: CallContext): Promise<T> {
  try {
    return Promise.resolve(f(ctx));
  } catch (e) {
    return Promise.reject(e);
  }
}

async function create(t: Trial, goal: JsonObject): Promise<JsonObject> {
  // Registered before the call: a create that fails half-way may still have made something.
  remember(t, goal);
  const r = await call(t, "create", (ctx) => t.inst.create(t.c.type, goal, ctx));
  expectObject(t, "create's result", r);
  return r;
}

async function read(t: Trial, goal: JsonObject, when: string): Promise<JsonObject | null> {
  const r = await call(t, `read ${when}`, (ctx) => t.inst.read(t.c.type, goal, ctx));
  if (r === null) return null;
  expectObject(t, `read ${when}`, r);
  return r;
}

async function readPresent(t: Trial, goal: JsonObject, when: string): Promise<JsonObject> {
  const r = await read(t, goal, when);
  if (r === null) throw new ConformanceFailure(`${t.label}: read ${when} returned null: the object is missing`);
  return r;
}

async function expectAbortRejects(t: Trial, op: string, f: (ctx: CallContext) => Promise<unknown>): Promise<void> {
  const ac = new AbortController();
  ac.abort();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), ABORT_LIMIT_MS);
  });
  try {
    const outcome = await Promise.race([
      invoke(f, context(t, ac.signal)).then(
        () => "resolved" as const,
        () => "rejected" as const,
      ),
      limit,
    ]);
    if (outcome === "resolved") throw new ConformanceFailure(`${t.label}: ${op} with an already-aborted signal resolved; it must reject (the action's timeout expired) and change nothing`);
    if (outcome === "late") throw new ConformanceFailure(`${t.label}: ${op} with an already-aborted signal did not settle within ${ABORT_LIMIT_MS / 1000} s; it must reject promptly`);
  } finally {
    clearTimeout(timer);
  }
}

function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function expectObject(t: Trial, what: string, v: unknown): asserts v is JsonObject {
  if (!isJsonObject(v)) throw new ConformanceFailure(`${t.label}: ${what} must be an object of attributes, got ${v === undefined ? "undefined" : JSON.stringify(v)}`);
  try {
    canonicalize(v);
  } catch {
    throw new ConformanceFailure(`${t.label}: ${what} is not plain JSON (undefined, a function, NaN or a class instance in it)`);
  }
}

/** Every attribute the goal sets (write-only ones aside) must read back equal. */
function expectMatches(t: Trial, what: string, got: JsonObject, goal: JsonObject): void {
  const writeOnly = new Set(t.c.writeOnly ?? []);
  for (const key of Object.keys(goal).sort()) {
    if (writeOnly.has(key)) continue;
    if (!(key in got)) throw new ConformanceFailure(`${t.label}: ${what} lacks \`${key}\`, which the goal sets to ${show(t, goal[key]!, key)}`);
    if (canonicalize(got[key]!) !== canonicalize(goal[key]!)) {
      throw new ConformanceFailure(`${t.label}: ${what} differs from the goal at \`${key}\`: expected ${show(t, goal[key]!, key)}, got ${show(t, got[key]!, key)}`);
    }
  }
}

function firstDifference(t: Trial, a: JsonObject, b: JsonObject): string {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys) {
    const x = a[key] ?? null;
    const y = b[key] ?? null;
    if (canonicalize(x) !== canonicalize(y)) return `\`${key}\` was ${show(t, x, key)}, is ${show(t, y, key)}`;
  }
  return "no attribute differs";
}

/** A value for a message, shortened; a write-only attribute's value is never shown. */
function show(t: Trial, v: Json, key?: string): string {
  const writeOnly = t.c.writeOnly ?? [];
  if (key !== undefined && writeOnly.includes(key)) return "(write-only, not shown)";
  let shown = v;
  if (key === undefined && isJsonObject(v) && writeOnly.some((k) => k in v)) {
    shown = { ...v };
    for (const k of writeOnly) if (k in shown) shown[k] = "(write-only, not shown)";
  }
  const text = canonicalize(shown);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === "string" ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}
