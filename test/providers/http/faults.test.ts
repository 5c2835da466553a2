import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../../../src/lang/compile.js";
import { buildPlan } from "../../../src/plan/plan.js";
import { loadTypeCatalog } from "../../../src/program/schemas.js";
import type { JsonObject } from "../../../src/program/types.js";
import { createHttpProvider, httpProvider } from "../../../src/providers/http/provider.js";
import type { CallContext, ProviderInstance } from "../../../src/providers/types.js";
import { runPlan } from "../../../src/runtime/index.js";
import { traceToJsonl } from "../../../src/runtime/trace.js";
import { rejection } from "./rejection.js";
import { freePort, startFaultServer, type FaultServer, type Reply } from "./servers.js";

// The http provider against a server of the tests' own that answers from a script:
// throttling, server errors, a hang, a refused connection, an answer echoing the credential.

const TOKEN = "s3cr3t-T0KEN-value-9f8e7d";
const T = "http.object";
const ctx = (over: Partial<CallContext> = {}): CallContext => ({ signal: new AbortController().signal, attempt: 1, ...over });
const NOW = Date.parse("Wed, 01 May 2024 00:00:00 GMT");

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function server(fallback: Reply = { status: 500, body: "{}" }): Promise<FaultServer> {
  const s = await startFaultServer(() => fallback);
  open.push(s);
  return s;
}

function provider(url: string): ProviderInstance {
  const p = createHttpProvider({ now: () => NOW }).configure({ base_url: url, headers: { Authorization: `Bearer ${TOKEN}`, "X-Team": "infra" } }, { projectDir: "/" });
  open.push(p);
  return p;
}

const created = (id: string): Reply[] => [
  { status: 201, body: JSON.stringify({ id, name: "x" }) },
  { status: 200, body: JSON.stringify({ id, name: "x" }) },
];

describe("http provider: what a failing answer means", () => {
  it.each([
    [429, { "Retry-After": "2" }, "http.too_many_requests", 2_000],
    [503, { "Retry-After": "7" }, "http.server_error", 7_000],
    [503, {}, "http.server_error", undefined],
    [500, {}, "http.server_error", undefined],
    [408, {}, "http.request_timeout", undefined],
    [429, { "Retry-After": "Wed, 01 May 2024 00:00:03 GMT" }, "http.too_many_requests", 3_000],
    [429, { "Retry-After": "Tue, 30 Apr 2024 23:00:00 GMT" }, "http.too_many_requests", 0],
    [429, { "Retry-After": "86400" }, "http.too_many_requests", 60_000],
    [429, { "Retry-After": "soon" }, "http.too_many_requests", undefined],
  ] as const)("%i with %j is retryable (%s), Retry-After → %s ms", async (status, headers, code, wait) => {
    const s = await server();
    s.queue({ status, headers, body: '{"error":"busy"}' });
    const e = await rejection(provider(s.url).create(T, { path: "/things", data: { name: "x" } }, ctx()));
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(true);
    expect(e.retryAfterMs).toBe(wait);
    expect(e.message).toContain(`POST ${s.url}/things answered ${status}`);
    expect(e.message).toContain('{"error":"busy"}');
  });

  it.each([400, 401, 403, 409, 422])("%i is not retryable and carries no wait", async (status) => {
    const s = await server();
    s.queue({ status, headers: { "Retry-After": "5" }, body: "no" });
    const e = await rejection(provider(s.url).create(T, { path: "/things", data: {} }, ctx()));
    expect(e.code).toBe("http.client_error");
    expect(e.retryable).toBe(false);
    expect(e.retryAfterMs).toBeUndefined();
    expect(e.message).toMatch(new RegExp(`answered ${status} .*: no$`));
  });

  it("a redirect is not followed and not retried", async () => {
    const s = await server();
    s.queue({ status: 301, headers: { Location: "/elsewhere" } });
    const e = await rejection(provider(s.url).read(T, { path: "/things", object_id: "a", data: {} }, ctx()));
    expect(e.code).toBe("http.unexpected_status");
    expect(e.retryable).toBe(false);
    expect(s.received).toHaveLength(1);
  });

  it("a 400 and a 403 echoing the credential show it redacted, with other credential fields; the excerpt is bounded", async () => {
    const s = await server();
    const echo = JSON.stringify({ error: "bad request", headers: { authorization: `Bearer ${TOKEN}` }, seen: TOKEN, user: { password: "hunter2", api_key: 12345 } });
    s.queue({ status: 400, body: echo });
    const e400 = await rejection(provider(s.url).create(T, { path: "/things", data: {} }, ctx()));
    expect(e400.message).not.toContain(TOKEN);
    expect(e400.message).not.toContain(TOKEN.slice(0, 12));
    expect(e400.message).not.toContain("hunter2");
    expect(e400.message).not.toContain("12345");
    expect(e400.message).toContain('"seen":"(redacted)"');
    expect(e400.message).toContain('"password":"(redacted)"');
    expect(e400.message).toContain('"error":"bad request"');

    s.queue({ status: 403, headers: { "content-type": "text/plain" }, body: `Forbidden.\nAuthorization: Bearer ${TOKEN}\ntoken=${TOKEN.slice(3)}&x=1\n${"filler ".repeat(400)}${TOKEN}` });
    const e403 = await rejection(provider(s.url).delete(T, { path: "/things", object_id: "a", data: {} }, ctx()));
    expect(e403.code).toBe("http.client_error");
    expect(e403.message).not.toContain(TOKEN.slice(3, 15));
    expect(e403.message).toContain("Forbidden. Authorization: (redacted) token=(redacted)&x=1 filler");
    const quoted = e403.message.slice(e403.message.indexOf("answered 403 Forbidden: ") + "answered 403 Forbidden: ".length);
    expect(quoted.length).toBe(512);
    expect(quoted.endsWith("…")).toBe(true);
  });

  it("a body that is not a JSON object is refused, not retried", async () => {
    const s = await server();
    s.queue({ status: 200, headers: { "content-type": "text/html" }, body: "<html>login</html>" });
    const e = await rejection(provider(s.url).read(T, { path: "/things", object_id: "a", data: {} }, ctx()));
    expect(e.code).toBe("http.bad_response");
    expect(e.retryable).toBe(false);
    expect(e.message).toContain("is not JSON: <html>login</html>");
    s.queue({ status: 200, body: "[1,2]" });
    expect((await rejection(provider(s.url).read(T, { path: "/things", object_id: "a", data: {} }, ctx()))).message).toContain("not a JSON object");
  });

  it("a create whose answer names no id is refused; the Location header names it otherwise", async () => {
    const s = await server();
    s.queue({ status: 201, body: "{}" });
    const e = await rejection(provider(s.url).create(T, { path: "/things", data: {} }, ctx()));
    expect(e.code).toBe("http.bad_response");
    expect(e.message).toContain('names no id (no "id" in its body, no Location header)');
    s.queue({ status: 202, headers: { Location: `${s.url}/things/loc%201` } }, { status: 200, body: '{"key":"loc 1"}' });
    const made = await provider(s.url).create(T, { path: "/things", data: {} }, ctx());
    expect(made.id).toBe("loc 1");
    expect(s.received.at(-1)!.url).toBe("/things/loc%201");
  });
});

describe("http provider: requests", () => {
  it("sends the configured headers and the data as JSON; nested id_attribute and paths with {id}", async () => {
    const s = await server();
    s.queue(
      { status: 404 },
      { status: 201, body: "{}" },
      { status: 200, body: JSON.stringify({ meta: { key: "k1" }, spec: { n: 1 }, status: "ready" }) },
    );
    const made = await provider(s.url).create(
      T,
      { path: "/v2/things", object_id: "k1", id_attribute: "meta/key", read_path: "/v2/things/{id}/doc", create_path: "/v2/things/{id}", create_method: "PUT", data: { spec: { n: 1 } } },
      ctx(),
    );
    expect(s.received.map((r) => `${r.method} ${r.url}`)).toEqual(["GET /v2/things/k1/doc", "PUT /v2/things/k1", "GET /v2/things/k1/doc"]);
    const put = s.received[1]!;
    expect(put.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(put.headers["x-team"]).toBe("infra");
    expect(put.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(put.body)).toEqual({ spec: { n: 1 }, meta: { key: "k1" } });
    expect(made).toMatchObject({ id: "k1", data: { spec: { n: 1 } }, api_data: { status: "ready" } });
  });

  it("a hang stops when the call's signal aborts: a retryable timeout", async () => {
    const s = await server();
    s.queue("hang");
    const ac = new AbortController();
    const call = provider(s.url).read(T, { path: "/things", object_id: "a", data: {} }, ctx({ signal: ac.signal }));
    while (s.received.length === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    const e = await rejection(call);
    expect(e.code).toBe("timeout");
    expect(e.retryable).toBe(true);
    expect(e.message).toBe(`http: GET ${s.url}/things/a timed out (aborted)`);
  });

  it("a refused connection is retryable", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const e = await rejection(provider(url).read(T, { path: "/things", object_id: "a", data: {} }, ctx()));
    expect(e.code).toBe("http.connection");
    expect(e.retryable).toBe(true);
    expect(e.message).toContain("ECONNREFUSED");
    expect(e.message).not.toContain(TOKEN);
  });
});

// The runtime over the real provider: retries counted, waits taken from Retry-After, trace unaffected.
async function apply(url: string, opts: { retries: number; timeout?: string }): Promise<{ status: string; waits: number[]; trace: string; failure?: string }> {
  const source = `domain d {
  provider http {
    base_url     = "${url}"
    headers = { Authorization = "Bearer ${TOKEN}" }
  }
  policy {
    retries = ${opts.retries}
    timeout = ${opts.timeout ?? "30s"}
  }
  resource http.object a {
    path = "/things"
    data = { name = "x" }
  }
}
`;
  const c = compile([{ path: "m.lxm", text: source }]);
  expect(c.diagnostics).toEqual([]);
  const prior = { snapshot: null, resources: {} };
  const planned = buildPlan({ program: c.program!, programHash: c.hash!, catalog: loadTypeCatalog(), prior, spans: c.spans });
  expect(planned.diagnostics).toEqual([]);
  const config: JsonObject = { base_url: url, headers: { Authorization: `Bearer ${TOKEN}` } };
  const inst = createHttpProvider({ now: () => NOW }).configure(config, { projectDir: "/" });
  open.push(inst);
  const waits: number[] = [];
  const r = await runPlan({
    program: c.program!,
    plan: planned.plan!,
    prior,
    providers: () => inst,
    parallelism: 1,
    secret: () => undefined,
    digest: (v) => "hmac-sha256:" + createHmac("sha256", "k").update(v).digest("hex"),
    catalog: loadTypeCatalog(),
    backoffMs: () => 100,
    sleep: async (ms) => void waits.push(ms),
  });
  return { status: r.status, waits, trace: traceToJsonl(r.trace), ...(r.failure ? { failure: r.failure.message } : {}) };
}

describe("http provider under the runtime", () => {
  it("retries 429s waiting what Retry-After asked (seconds, then a date), then succeeds", async () => {
    const s = await server();
    s.queue(
      { status: 429, headers: { "Retry-After": "2" } },
      { status: 429, headers: { "Retry-After": "Wed, 01 May 2024 00:00:05 GMT" } },
      { status: 503 },
      ...created("t1"),
    );
    const r = await apply(s.url, { retries: 3 });
    expect(r.status).toBe("quiescent");
    expect(s.received.map((q) => q.method)).toEqual(["POST", "POST", "POST", "POST", "GET"]);
    expect(r.waits).toEqual([2_000, 5_000, 100]);
    expect(r.trace).toContain("answered 429");
    expect(r.trace).not.toMatch(/2000|5000/);
    expect(r.trace).not.toContain(TOKEN);
  });

  it("gives up after the retries, and never retries a 400", async () => {
    const s = await server({ status: 503 });
    const r = await apply(s.url, { retries: 2 });
    expect(r.status).toBe("failed");
    expect(s.received.map((q) => q.method)).toEqual(["POST", "POST", "POST"]); // then no read: a goal without an id names nothing
    expect(r.waits).toEqual([100, 100]);
    expect(r.failure).toContain("after 3 attempts: http.server_error");

    const t = await server({ status: 400, body: JSON.stringify({ echo: `Bearer ${TOKEN}` }) });
    const bad = await apply(t.url, { retries: 5 });
    expect(bad.status).toBe("failed");
    expect(t.received).toHaveLength(1);
    expect(bad.waits).toEqual([]);
    expect(bad.failure).toContain("answered 400");
    expect(bad.failure).not.toContain(TOKEN);
    expect(bad.trace).not.toContain(TOKEN);
  });

  it("a hang is cut by the domain's timeout and retried", async () => {
    const s = await server();
    s.queue("hang", ...created("t2"));
    const r = await apply(s.url, { retries: 1, timeout: "200ms" });
    expect(r.status).toBe("quiescent");
    expect(s.received.map((q) => q.method)).toEqual(["POST", "POST", "GET"]);
    expect(r.trace).toContain("LXM4002");
  });
});

describe("http provider: the built-in", () => {
  it("is registered under its name with its one type", async () => {
    const { getProvider } = await import("../../../src/providers/registry.js");
    expect(getProvider("http")).toBe(httpProvider);
    expect(httpProvider.types).toEqual(["http.object"]);
  });
});
