import { catalog } from "../diag/index.js";

/** An extra trailer a caller asks a state commit to carry (`{ key: "Lexum-Pull-Request", value: "o/r#12" }`). */
export interface Trailer {
  readonly key: string;
  readonly value: string;
}

/**
 * The commit message with extra trailers appended to its trailer block. A key that is not a
 * trailer token, one of Lexum's own (`Lexum-Snapshot`, `Lexum-Plan`, `Lexum-Source`), or a
 * value that is empty or spans lines is refused (LXM4251). `withTrailers("", trailers)`
 * checks them before anything runs.
 */
export function withTrailers(message: string, trailers: readonly Trailer[]): string {
  let out = message;
  for (const t of trailers) {
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(t.key) || /^Lexum-(Snapshot|Plan|Source)$/i.test(t.key) || /[\r\n]/.test(t.value) || t.value.trim() === "") {
      throw catalog.engine.badTrailer.error(`${t.key}: ${t.value}`);
    }
    out += `${t.key}: ${t.value}\n`;
  }
  return out;
}
