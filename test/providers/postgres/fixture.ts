import { createServer, connect } from "node:net";
import type { Server, Socket } from "node:net";
import { afterAll, beforeAll, expect } from "vitest";
import type { JsonObject } from "../../../src/program/types.js";
import { postgresProvider } from "../../../src/providers/postgres/provider.js";
import { ProviderError } from "../../../src/providers/types.js";
import type { CallContext, ProviderInstance } from "../../../src/providers/types.js";
import { startPostgres } from "../../postgres-server.js";
import type { PostgresServer } from "../../postgres-server.js";

/** A call context that is never aborted. */
export const ctx: CallContext = { signal: new AbortController().signal, attempt: 1 };

/** The test file's server and a provider instance on it (as its superuser), set up before all tests, closed after. */
export interface Fixture {
  srv: PostgresServer;
  pg: ProviderInstance;
  /** The provider block's configuration for the superuser, with `extra` settings. */
  config(extra?: JsonObject): JsonObject;
  /** Another provider instance (closed after all tests). */
  provider(config: JsonObject): ProviderInstance;
}

export function useServer(): Fixture {
  const opened: ProviderInstance[] = [];
  const f = {} as Fixture;
  f.config = (extra = {}) => ({ host: f.srv.host, port: f.srv.port, user: f.srv.user, ...(f.srv.password !== undefined ? { password: f.srv.password } : {}), sslmode: "disable", ...extra });
  f.provider = (config) => {
    const p = postgresProvider.configure(config, { projectDir: process.cwd() });
    opened.push(p);
    return p;
  };
  beforeAll(async () => {
    f.srv = await startPostgres();
    f.pg = f.provider(f.config());
  });
  afterAll(async () => {
    for (const p of opened) await p.close();
    await f.srv?.stop();
  });
  return f;
}

/** Awaits `p`, expecting a ProviderError with `code`; returns it. */
export async function providerError(p: Promise<unknown>, code: string): Promise<ProviderError> {
  const err = await p.then(
    (v) => new Error(`expected ${code}, got a result: ${JSON.stringify(v)}`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  expect({ code: (err as ProviderError).code, message: (err as ProviderError).message }).toMatchObject({ code });
  return err as ProviderError;
}

/**
 * A TCP forwarder on 127.0.0.1 to `port` that keeps every byte clients sent (to check what
 * went over the wire) and can be cut (every connection dropped, nothing listening): a server
 * that went away, from the client's side.
 */
export interface Forwarder {
  readonly port: number;
  /** Everything clients sent, all connections concatenated. */
  sent(): Buffer;
  cut(): Promise<void>;
  /** Listens again on the same port after a cut (the server is back). */
  resume(): Promise<void>;
}

export async function forward(host: string, port: number): Promise<Forwarder> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host, port });
    sockets.add(client).add(upstream);
    client.on("data", (d: Buffer) => chunks.push(Buffer.from(d)));
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  return {
    port: typeof addr === "object" && addr !== null ? addr.port : 0,
    sent: () => Buffer.concat(chunks),
    cut: async () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      await new Promise<void>((r) => server.close(() => r()));
    },
    resume: () => new Promise<void>((r) => server.listen(typeof addr === "object" && addr !== null ? addr.port : 0, "127.0.0.1", r)),
  };
}
