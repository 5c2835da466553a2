import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpProvider } from "../../../src/providers/http/provider.js";
import type { ProviderInstance } from "../../../src/providers/types.js";
import { rejection } from "./rejection.js";
import { makeCertificates, startFaultServer, type FaultServer } from "./servers.js";

// A loopback https server whose certificate a CA made here (with openssl) signed.

const ctx = () => ({ signal: new AbortController().signal, attempt: 1 });
const goal = { path: "/things", object_id: "a", data: { n: 1 } };

let dir: string;
let server: FaultServer;
const open: ProviderInstance[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lexum-http-tls-"));
  const { key, cert } = makeCertificates(dir);
  server = await startFaultServer(() => ({ status: 200, body: JSON.stringify({ id: "a", n: 1 }) }), { key, cert });
}, 30_000);

afterAll(async () => {
  for (const p of open) await p.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function provider(config: Record<string, unknown>): ProviderInstance {
  const p = httpProvider.configure({ base_url: server.url, ...config } as never, { projectDir: dir });
  open.push(p);
  return p;
}

describe("http provider over TLS", () => {
  it("trusts the server with root_ca_file (relative to the project directory)", async () => {
    expect(server.url.startsWith("https://127.0.0.1:")).toBe(true);
    const got = await provider({ root_ca_file: "ca.pem" }).read("http.object", goal, ctx());
    expect(got).toMatchObject({ id: "a", data: { n: 1 } });
  });

  it("refuses it without: a TLS failure, not retryable, nothing sent", async () => {
    const before = server.received.length;
    const e = await rejection(provider({}).read("http.object", goal, ctx()));
    expect(e.code).toBe("http.tls");
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/^http: GET https:\/\/127\.0\.0\.1:\d+\/things\/a: TLS failed: .*(certificate|self-signed)/);
    expect(server.received.length).toBe(before);
  });

  it("refuses it with another CA", async () => {
    const other = mkdtempSync(join(tmpdir(), "lexum-http-tls-other-"));
    try {
      const { caFile } = makeCertificates(other);
      const e = await rejection(provider({ root_ca_file: caFile }).read("http.object", goal, ctx()));
      expect(e.code).toBe("http.tls");
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
