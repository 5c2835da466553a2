import type { CodeDoc } from "./catalog/define.js";

/** docs/diagnostics.md, generated from the catalog so the two never disagree. */
export function renderCodesMarkdown(codes: readonly CodeDoc[]): string {
  const ranges: [string, string][] = [
    ["LXM1", "Syntax (1xxx)"],
    ["LXM2", "Names, types, evaluation and schemas (2xxx)"],
    ["LXM3", "Plan (3xxx)"],
    ["LXM4", "Runtime, state branch and run orchestration (4xxx)"],
    ["LXM5", "Command line, files and hosts (5xxx)"],
    ["LXM6", "GitHub and the GitHub Action (6xxx)"],
    ["LXM7", "The lxm-sync agent (7xxx)"],
  ];
  const out = [
    "# Diagnostic codes",
    "",
    "Every message Lexum prints about your input has a stable code. This page is generated",
    "from the catalog in `src/diag/catalog/` (`LXM_UPDATE=1 npm test` rewrites it).",
    "Examples of each compiler diagnostic, with the exact output, are under `fixtures/diagnostics/`.",
    "",
  ];
  for (const [prefix, title] of ranges) {
    const group = codes.filter((c) => c.code.startsWith(prefix));
    if (!group.length) continue;
    out.push(`## ${title}`, "", "| code | severity | title | meaning and fix |", "|---|---|---|---|");
    for (const c of group) out.push(`| ${c.code} | ${c.severity} | ${c.title} | ${c.doc.replace(/\|/g, "\\|")} |`);
    out.push("");
  }
  return out.join("\n");
}
