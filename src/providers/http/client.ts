import * as http from "node:http";
import * as https from "node:https";
import type { Json } from "../../program/types.js";
import type { HttpConfig } from "./config.js";
import { aborted, badResponse, connectionFailed, tlsFailed } from "./errors.js";
import { BODY_MAX_BYTES } from "./limits.js";

/** A server's answer, whatever its status: the caller decides what it means. */
export interface Answer {
  readonly status: number;
  readonly reason: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

// Error codes of a certificate that is not trusted or a TLS set-up that failed: no retry helps.
const TLS_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO/;

/**
 * Sends requests to one API: the provider's base URL, its headers on every request, its CA
 * when it has one. Connections are kept alive between calls and closed by `close`. A
 * request stops when its signal aborts (a retryable `timeout`); a connection failure is a
 * retryable `http.connection`, an untrusted certificate a `http.tls`. The answer is
 * returned whatever its status.
 */
export class HttpClient {
  private readonly agent: http.Agent;

  constructor(private readonly cfg: HttpConfig) {
    this.agent = cfg.https ? new https.Agent({ keepAlive: true, ...(cfg.ca !== undefined ? { ca: cfg.ca } : {}) }) : new http.Agent({ keepAlive: true });
  }

  /** The full URL of a path under the base (paths start with "/"). Holds no credential: the base never does. */
  url(path: string): string {
    return this.cfg.base + path;
  }

  /** One request; a JSON body when `body` is given. */
  send(method: string, path: string, body: Json | undefined, signal: AbortSignal): Promise<Answer> {
    const url = this.url(path);
    if (signal.aborted) return Promise.reject(aborted(method, url));
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), "utf8");
    const headers: http.OutgoingHttpHeaders = { accept: "application/json" };
    if (payload !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = payload.length;
    }
    // The configured headers last: they may replace the defaults (a vendor's Accept).
    for (const [name, value] of this.cfg.headers) headers[name] = value;
    const lib = this.cfg.https ? https : http;
    return new Promise<Answer>((resolve, reject) => {
      let settled = false;
      const settle = (f: () => void): void => {
        if (settled) return;
        settled = true;
        f();
      };
      const failed = (e: unknown): void =>
        settle(() => {
          if (signal.aborted) return reject(aborted(method, url));
          const err = e as NodeJS.ErrnoException;
          const detail = err.code && !err.message.includes(err.code) ? `${err.code}: ${err.message}` : err.message;
          reject(TLS_ERROR.test(err.code ?? "") ? tlsFailed(method, url, detail) : connectionFailed(method, url, detail));
        });
      const req = lib.request(url, { method, headers, agent: this.agent, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > BODY_MAX_BYTES) {
            settle(() => reject(badResponse(method, url, `the answer is larger than ${BODY_MAX_BYTES / (1024 * 1024)} MiB`)));
            req.destroy();
            return;
          }
          chunks.push(c);
        });
        res.on("end", () =>
          settle(() => resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? "", headers: res.headers, body: Buffer.concat(chunks).toString("utf8") })),
        );
        res.on("error", failed);
        res.on("aborted", () => failed(new Error("the connection closed before the answer was complete")));
      });
      req.on("error", failed);
      req.end(payload);
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
