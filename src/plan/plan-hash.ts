import { createHash } from "node:crypto";
import { canonicalize } from "../program/canonical.js";
import type { PlanDomain, PlannedAction, PlanSummary } from "./types.js";

/**
 * A plan's hash, written while the plan is built: `sha256:` of the canonical JSON of the
 * plan body (every field but `hash`), the same bytes as `hashValue(body)`, fed in canonical
 * order: the head, each domain as the planner finishes it (steps in order, domains by name:
 * the planner's own order) with each action as soon as it is numbered, then the summary
 * and `writesSnapshot` (which sort last, so they can be known only at the end).
 * Each action is serialised while its attributes are still in the CPU caches (at 10⁵
 * resources, hashing the finished plan read them all from memory a second time), and no
 * text is larger than one action's JSON.
 */
export class PlanHasher {
  private readonly h = createHash("sha256");
  private buf = "";
  /** The text hashed so far, when kept (`keepText`): the apply journals the plan as these very bytes. */
  private readonly kept: string[] | null;
  /** The step whose domain list is open, null before the first domain. */
  private step: number | null = null;
  private teardown = false;
  private firstAction = true;

  /** Writes the fields that sort before `steps`: format, prior, program, refreshed. */
  constructor(prior: string | null, program: string, refreshed: boolean, keepText = false) {
    this.kept = keepText ? [] : null;
    this.put(`{"format":"lexum.plan/v1","prior":${canonicalize(prior)},"program":${canonicalize(program)},"refreshed":${canonicalize(refreshed)},"steps":[`);
  }

  /** Opens the next domain's action list (a new step's domain list first when the step changes). */
  beginDomain(step: number, teardown = false): void {
    if (this.step === step) this.put(",");
    else {
      this.closeStep(",");
      this.put(`{"domains":[`);
      this.step = step;
      this.teardown = teardown;
    }
    this.put(`{"actions":[`);
    this.firstAction = true;
  }

  /** The next action of the open domain, numbered and final. */
  action(a: PlannedAction): void {
    this.put(this.firstAction ? canonicalize(a) : "," + canonicalize(a));
    this.firstAction = false;
  }

  /** Closes the open domain with its other fields (`actions` sorts first). */
  endDomain(d: Omit<PlanDomain, "actions">): void {
    this.put(`],"after":${canonicalize(d.after)},"domain":${canonicalize(d.domain)},"policy":${canonicalize(d.policy)},"step":${canonicalize(d.step)}}`);
  }

  /** Closes the plan with its summary (and `writesSnapshot` when there is one) and returns the hash. */
  digest(summary: PlanSummary, writesSnapshot?: string): string {
    this.closeStep("");
    const tail = writesSnapshot === undefined ? "" : `,"writesSnapshot":${canonicalize(writesSnapshot)}`;
    this.put(`],"summary":${canonicalize(summary)}${tail}}`);
    this.h.update(this.buf);
    this.kept?.push(this.buf);
    return "sha256:" + this.h.digest("hex");
  }

  /**
   * With `keepText`, after `digest`: the canonical JSON of the whole plan, `hash` (which sorts
   * right after `format`) included: the same bytes as `canonicalize(plan)`.
   */
  planText(hash: string): string | undefined {
    if (!this.kept) return undefined;
    const body = this.kept.join("");
    const head = `{"format":"lexum.plan/v1",`;
    if (!body.startsWith(head)) throw new Error("plan text does not start with its format"); // unreachable: the constructor wrote it
    return `${head}"hash":${JSON.stringify(hash)},${body.slice(head.length)}`;
  }

  private closeStep(then: string): void {
    // `phase` sorts between `domains` and `step`.
    if (this.step !== null) this.put(`]${this.teardown ? `,"phase":"teardown"` : ""},"step":${canonicalize(this.step)}}${then}`);
  }

  private put(text: string): void {
    this.buf += text;
    if (this.buf.length >= 65536) {
      this.h.update(this.buf);
      this.kept?.push(this.buf);
      this.buf = "";
    }
  }
}
