/**
 * A structural check of GitHub Markdown written by the Action, independent of the code that
 * writes it: code fences (CommonMark: up to 3 spaces, 3+ backticks or tildes, closed by the
 * same character at least as long), HTML comments and `<details>` must all be closed, and
 * outside fences and inline code no raw `<` may appear except the tags the Action writes
 * itself and `<https://…>` link destinations (anything else is unescaped text breaking out).
 * Returns the problems found; [] for a well-formed body. `allowRawHtml` skips the checks for
 * stray `<` and `-->` (for Markdown that holds HTML of its own, such as a cut job summary).
 */
export function markdownProblems(md: string, opts: { allowRawHtml?: boolean } = {}): string[] {
  const problems: string[] = [];
  const lines = md.split("\n");
  let fence: { char: string; len: number; line: number } | null = null;
  let comment: number | null = null;
  let details = 0;
  lines.forEach((raw, i) => {
    const n = i + 1;
    let line = raw.replace(/\r$/, "");
    if (comment !== null) {
      const end = line.indexOf("-->");
      if (end < 0) return;
      comment = null;
      line = line.slice(end + 3);
    }
    if (fence !== null) {
      const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.len) fence = null;
      return;
    }
    const open = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (open && !(open[1]![0] === "`" && open[2]!.includes("`"))) {
      fence = { char: open[1]![0]!, len: open[1]!.length, line: n };
      return;
    }
    let text = stripCodeSpans(line);
    for (;;) {
      const at = text.indexOf("<!--");
      const before = at < 0 ? text : text.slice(0, at);
      if (!opts.allowRawHtml && before.includes("-->")) problems.push(`line ${n}: "-->" outside a comment`);
      details += (before.match(/<details[\s>]/g) ?? []).length;
      details -= (before.match(/<\/details>/g) ?? []).length;
      if (details < 0) problems.push(`line ${n}: </details> without <details>`), (details = 0);
      for (const m of opts.allowRawHtml ? [] : before.matchAll(/</g)) {
        const rest = before.slice(m.index);
        if (!/^<(\/?(details|summary|code|sub)\b[^<>]*>|https?:\/\/[^<>\s]*>)/.test(rest)) problems.push(`line ${n}: raw "<" outside code: ${JSON.stringify(rest.slice(0, 40))}`);
      }
      if (at < 0) break;
      const end = text.indexOf("-->", at + 4);
      if (end < 0) {
        comment = n;
        break;
      }
      text = text.slice(end + 3);
    }
  });
  if (fence !== null) problems.push(`the code fence opened on line ${(fence as { line: number }).line} is never closed`);
  if (comment !== null) problems.push(`the HTML comment opened on line ${comment} is never closed`);
  if (details !== 0) problems.push(`${details} <details> never closed`);
  return problems;
}

/** A line with its inline code spans (CommonMark: a backtick run closed by a run of the same length) blanked. */
function stripCodeSpans(line: string): string {
  let out = "";
  let i = 0;
  while (i < line.length) {
    if (line[i] === "\\" && i + 1 < line.length) {
      out += line.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (line[i] !== "`") {
      out += line[i];
      i++;
      continue;
    }
    let j = i;
    while (line[j] === "`") j++;
    const run = j - i;
    let k = j;
    let close = -1;
    while (k < line.length) {
      if (line[k] !== "`") {
        k++;
        continue;
      }
      let e = k;
      while (line[e] === "`") e++;
      if (e - k === run) {
        close = k;
        break;
      }
      k = e;
    }
    if (close < 0) {
      out += line.slice(i, j);
      i = j;
    } else {
      out += " ".repeat(close + run - i);
      i = close + run;
    }
  }
  return out;
}

/** Fenced blocks of a body, by info string, with their contents. */
export function fencedBlocks(md: string): { info: string; lines: string[] }[] {
  const out: { info: string; lines: string[] }[] = [];
  let cur: { info: string; lines: string[]; char: string; len: number } | null = null;
  for (const line of md.split("\n")) {
    if (cur) {
      const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
      if (close && close[1]![0] === cur.char && close[1]!.length >= cur.len) {
        out.push({ info: cur.info, lines: cur.lines });
        cur = null;
      } else cur.lines.push(line);
      continue;
    }
    const open = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (open) cur = { info: open[2]!.trim(), lines: [], char: open[1]![0]!, len: open[1]!.length };
  }
  return out;
}

/** The body with fenced blocks and inline code spans removed: what Markdown renders as prose and HTML. */
export function prose(md: string): string {
  return outsideFences(md).split("\n").map(stripCodeSpans).join("\n");
}

/** The body with fenced blocks' contents removed. */
export function outsideFences(md: string): string {
  const kept: string[] = [];
  let cur: { char: string; len: number } | null = null;
  for (const line of md.split("\n")) {
    if (cur) {
      const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
      if (close && close[1]![0] === cur.char && close[1]!.length >= cur.len) cur = null;
      continue;
    }
    const open = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (open) cur = { char: open[1]![0]!, len: open[1]!.length };
    else kept.push(line);
  }
  return kept.join("\n");
}
