import { code } from "./define.js";

// ── Planner (src/plan/): LXM3001–LXM3099 ──────────────────────────────────────────────

export const protectedResource = code(
  "LXM3001",
  "protected resource would be deleted or replaced",
  "The plan would delete or replace a resource recorded with `protect = true`, so planning stops. Example: removing a protected `resource fs.file db` from the code, or changing its `x-lexum-replace-on` attribute. Fix: remove `protect = true` from the resource first, apply, then make the change that deletes or replaces it.",
  (address: string, action: "delete" | "replace", why: string) => ({
    message: `${address} is protected (protect = true) and the plan would ${action} it: ${why}`,
    hint: "remove `protect = true` from the resource first and apply, then delete or replace it",
  }),
);

export const domainCycle = code(
  "LXM3002",
  "domains depend on each other in a cycle",
  "The domains' imports or cross-domain dependencies form a cycle, so no domain can start first. The compiler reports this too (as a compile error); seeing it from the planner means the program was built by hand or by a buggy tool. Fix: break the cycle by moving the shared value into one domain.",
  (cycle: string[]) => ({
    message: `domains depend on each other in a cycle: ${cycle.join(" → ")}`,
    hint: "move the shared resource or value so that one of these domains no longer imports the other",
  }),
);

export const resourceCycle = code(
  "LXM3003",
  "resources depend on each other in a cycle",
  "Resources of one domain depend on each other (through references or `depends_on`) in a cycle, so none can be applied first. Fix: remove one of the references or `depends_on` entries named in the message.",
  (cycle: string[]) => ({
    message: `resources depend on each other in a cycle: ${cycle.join(" → ")}`,
    hint: "remove one reference or `depends_on` entry along the cycle",
  }),
);

export const movedOntoRecord = code(
  "LXM3004",
  "a move lands on an address that already has a record",
  "A `moved` block moves a recorded object to an address that the state already holds (or that another recorded object moves to), so two real objects would claim one address. Example: `moved { from = a/fs.file.old, to = a/fs.file.new }` after `new` was already created. Fix: remove the `moved` block and let the plan delete the old object, or forget one of them first with `lxm state rm ADDRESS`.",
  (from: string, to: string, other: string) => ({
    message: `cannot move ${from} to ${to}: ${other}`,
    hint: `remove the \`moved\` block, or forget one object first with \`lxm state rm ${to}\``,
  }),
);
