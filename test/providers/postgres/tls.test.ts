import { readFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import type { Server, Socket } from "node:net";
import { join, resolve } from "node:path";
import { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresProvider } from "../../../src/providers/postgres/provider.js";
import { ctx, providerError, useServer } from "./fixture.js";

// sslmode and sslrootcert against a real TLS handshake: a PostgreSQL-speaking TLS endpoint
// (it answers the client's SSLRequest with "S", then does TLS with the certificates in
// fixtures/tls) in front of the test server, which then sees the plain protocol. It refuses
// clients that do not ask for TLS, so a call that works went over TLS.

const f = useServer();
const tlsDir = resolve(import.meta.dirname, "../../../fixtures/tls");
const R = "postgres.role";

let endpoint: Server;
let port = 0;
let handshakes = 0;
let refusedPlain = 0;

beforeAll(async () => {
  const key = readFileSync(join(tlsDir, "server.key"));
  const cert = readFileSync(join(tlsDir, "server.pem"));
  endpoint = createServer((client: Socket) => {
    client.once("readable", () => {
      const head = client.read(8) as Buffer | null;
      // SSLRequest: length 8, code 80877103.
      if (head === null || head.readInt32BE(0) !== 8 || head.readInt32BE(4) !== 80877103) {
        refusedPlain++;
        client.destroy();
        return;
      }
      client.write("S");
      const secure = new TLSSocket(client, { isServer: true, key, cert });
      secure.once("secure", () => {
        handshakes++;
        const upstream = connect({ host: f.srv.host, port: f.srv.port });
        secure.pipe(upstream).pipe(secure);
        const end = () => {
          secure.destroy();
          upstream.destroy();
        };
        upstream.on("error", end).on("close", end);
        secure.on("close", end);
      });
      secure.on("error", () => client.destroy());
    });
    client.on("error", () => undefined);
  });
  await new Promise<void>((r) => endpoint.listen(0, "127.0.0.1", r));
  const addr = endpoint.address();
  port = typeof addr === "object" && addr !== null ? addr.port : 0;
});
afterAll(async () => {
  await new Promise<void>((r) => endpoint.close(() => r()));
});

/** A provider instance through the TLS endpoint; relative paths resolve against fixtures/tls. */
const viaTls = (extra: Record<string, string>) => postgresProvider.configure(f.config({ port, ...extra }), { projectDir: tlsDir });

describe("postgres TLS", () => {
  it("verify-full with sslrootcert (relative to the project directory) checks the chain and the host name", async () => {
    const before = handshakes;
    const p = viaTls({ host: "127.0.0.1", sslmode: "verify-full", sslrootcert: "ca.pem" });
    expect(await p.read(R, { name: f.srv.user }, ctx)).toMatchObject({ superuser: true });
    await p.close();
    expect(handshakes).toBeGreaterThan(before);
  });

  it("verify-full refuses a certificate from another CA, and one for another host name; not retryable", async () => {
    const wrongCa = viaTls({ host: "127.0.0.1", sslmode: "verify-full", sslrootcert: "other-ca.pem" });
    const e1 = await providerError(wrongCa.read(R, { name: f.srv.user }, ctx), "postgres.ssl");
    expect(e1.retryable).toBe(false);
    expect(e1.message).toContain(`TLS with 127.0.0.1:${port} failed: unable to verify the first certificate`);
    await wrongCa.close();
    // The certificate names 127.0.0.1 only: "localhost" fails the host name check.
    const wrongName = viaTls({ host: "localhost", sslmode: "verify-full", sslrootcert: "ca.pem" });
    const e2 = await providerError(wrongName.read(R, { name: f.srv.user }, ctx), "postgres.ssl");
    expect(e2.message).toContain("does not match certificate's altnames: Host: localhost");
    await wrongName.close();
  });

  it("verify-ca checks the chain but not the host name; require checks nothing; prefer uses TLS when offered", async () => {
    const modes: Record<string, string>[] = [
      { host: "localhost", sslmode: "verify-ca", sslrootcert: "ca.pem" },
      { host: "127.0.0.1", sslmode: "require" },
      { host: "127.0.0.1", sslmode: "prefer" },
    ];
    for (const extra of modes) {
      const before = handshakes;
      const p = viaTls(extra);
      expect([extra.sslmode, await p.read(R, { name: f.srv.user }, ctx)]).toMatchObject([extra.sslmode, { superuser: true }]);
      await p.close();
      expect([extra.sslmode, handshakes > before]).toEqual([extra.sslmode, true]);
    }
    const wrongCa = viaTls({ host: "127.0.0.1", sslmode: "verify-ca", sslrootcert: "other-ca.pem" });
    await providerError(wrongCa.read(R, { name: f.srv.user }, ctx), "postgres.ssl");
    await wrongCa.close();
  });

  it("disable never asks for TLS (the endpoint refuses it)", async () => {
    const before = refusedPlain;
    const p = viaTls({ host: "127.0.0.1", sslmode: "disable" });
    await providerError(p.read(R, { name: f.srv.user }, ctx), "postgres.unavailable");
    await p.close();
    expect(refusedPlain).toBeGreaterThan(before);
  });
});
