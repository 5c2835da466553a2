import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseDelivery, PUSH_URL_FIELDS, signBody, verifySignature } from "../../src/sync/webhook.js";
import { pushEvent } from "../github/events.js";
import { webhooksDescription } from "../github/schema.js";
import { githubExamples } from "./github-examples.js";

const bytes = (text: string) => Buffer.from(text, "utf8");

describe("X-Hub-Signature-256", () => {
  const body = bytes('{"zen":"Design for failure."}');
  const s1 = "first secret";
  const s2 = "second secret";

  it("is GitHub's sha256=<hex> HMAC of the raw body", () => {
    // GitHub's documented test vector (docs: "Validating webhook deliveries").
    expect(signBody("Hello, World!", "It's a Secret to Everybody")).toBe("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
    expect(signBody(body, s1)).toBe(`sha256=${createHmac("sha256", s1).update(body).digest("hex")}`);
  });

  it("accepts the secret that signed the body, whichever it is, and upper-case hex", () => {
    expect(verifySignature(body, signBody(body, s1), [s1, s2])).toEqual({ ok: true, secret: s1 });
    expect(verifySignature(body, signBody(body, s2), [s1, s2])).toEqual({ ok: true, secret: s2 });
    expect(verifySignature(body, `sha256=${signBody(body, s2).slice(7).toUpperCase()}`, [s1, s2])).toEqual({ ok: true, secret: s2 });
  });

  it("refuses a missing, malformed, truncated, foreign or repeated signature, and a changed body", () => {
    const good = signBody(body, s1);
    const problems = [
      verifySignature(body, undefined, [s1]),
      verifySignature(body, "", [s1]),
      verifySignature(body, good.slice(0, -2), [s1]),
      verifySignature(body, `${good}00`, [s1]),
      verifySignature(body, good.replace("sha256=", "sha1="), [s1]),
      verifySignature(body, `sha256=${"zz".repeat(32)}`, [s1]),
      verifySignature(body, [good, good], [s1]),
      verifySignature(body, signBody(body, "another secret"), [s1, s2]),
      verifySignature(bytes('{"zen":"Design for failure." }'), good, [s1]),
      verifySignature(body, good, []),
    ];
    expect(problems.map((p) => (p.ok ? "ok" : p.problem))).toEqual([
      "is missing",
      "is missing",
      "is not sha256= followed by 64 hexadecimal digits",
      "is not sha256= followed by 64 hexadecimal digits",
      "is not sha256= followed by 64 hexadecimal digits",
      "is not sha256= followed by 64 hexadecimal digits",
      "is not sha256= followed by 64 hexadecimal digits",
      "matches none of the configured webhook secrets",
      "matches none of the configured webhook secrets",
      "matches none of the configured webhook secrets",
    ]);
  });
});

describe("GitHub deliveries", () => {
  it("reads every documented push example as its repository's urls and ref", () => {
    const examples = githubExamples("push");
    expect(examples.length).toBeGreaterThan(3);
    for (const ex of examples) {
      const d = parseDelivery("push", "application/json", bytes(JSON.stringify(ex)));
      expect(d).toEqual({
        kind: "push",
        match: { urls: [ex.repository.clone_url, ex.repository.html_url, ex.repository.ssh_url, ex.repository.git_url], ref: ex.ref },
        after: ex.after,
      });
    }
  });

  it("reads the fields GitHub's push schema requires, with the types it gives them", () => {
    const d = webhooksDescription();
    const push = d.deref(d.doc.webhooks.push.post.requestBody.content["application/json"].schema);
    expect(push.required).toEqual(expect.arrayContaining(["ref", "after", "repository"]));
    expect(d.deref(push.properties.ref).type).toBe("string");
    const repo = d.deref(push.properties.repository);
    expect(repo.required).toEqual(expect.arrayContaining([...PUSH_URL_FIELDS]));
    for (const k of PUSH_URL_FIELDS) expect(d.deref(repo.properties[k]).type, k).toBe("string");
  });

  it("reads a schema-valid push to a branch, in JSON or form encoding", () => {
    const after = "b".repeat(40);
    const payload = pushEvent({ owner: "octo", repo: "infra", ref: "refs/heads/main", before: "a".repeat(40), after, defaultBranch: "main" });
    const json = JSON.stringify(payload);
    const want = {
      kind: "push",
      match: { urls: ["https://github.com/octo/infra.git", "https://github.com/octo/infra", "git@github.com:octo/infra.git", "git://github.com/octo/infra.git"], ref: "refs/heads/main" },
      after,
    };
    expect(parseDelivery("push", "application/json", bytes(json))).toEqual(want);
    const form = new URLSearchParams({ payload: json }).toString();
    expect(parseDelivery("push", "application/x-www-form-urlencoded", bytes(form))).toEqual(want);
  });

  it("answers ping and other events without a match", () => {
    for (const ex of githubExamples("ping")) {
      expect(parseDelivery("ping", "application/json", bytes(JSON.stringify(ex)))).toEqual({ kind: "ping", hookId: ex.hook_id });
    }
    const issue = githubExamples("issues")[0]!;
    expect(parseDelivery("issues", "application/json", bytes(JSON.stringify(issue)))).toEqual({ kind: "ignored", event: "issues" });
  });

  it("calls a body it cannot read invalid, saying why", () => {
    const cases: [string | undefined, string | undefined, string][] = [
      [undefined, "application/json", "{}"],
      ["push", "application/json", "{not json"],
      ["push", "application/json", "[1]"],
      ["push", "application/x-www-form-urlencoded", "other=1"],
      ["push", "application/json", '{"repository":{"clone_url":"https://h/r.git"}}'],
      ["push", "application/json", '{"ref":"main","repository":{"clone_url":"https://h/r.git"}}'],
      ["push", "application/json", '{"ref":"refs/heads/main"}'],
      ["push", "application/json", '{"ref":"refs/heads/main","repository":{"clone_url":7,"html_url":""}}'],
    ];
    const problems = cases.map(([e, ct, body]) => parseDelivery(e, ct, bytes(body))).map((d) => (d.kind === "invalid" ? d.problem.replace(/^is not JSON \(.*\)$/, "is not JSON") : d.kind));
    expect(problems).toEqual([
      "has no X-GitHub-Event header",
      "is not JSON",
      "is not a JSON object",
      "is a form without its payload field",
      "is a push event without its ref (refs/heads/…)",
      "is a push event without its ref (refs/heads/…)",
      "is a push event without its repository",
      "is a push event whose repository has none of clone_url, html_url, ssh_url, git_url",
    ]);
    expect(parseDelivery("push", "application/json", Buffer.from([0x7b, 0xff, 0x7d]))).toEqual({ kind: "invalid", problem: "is not UTF-8 text" });
  });
});
