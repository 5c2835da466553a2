import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

/** PostgreSQL's default SCRAM iteration count (scram_iterations). */
const ITERATIONS = 4096;

/**
 * The SCRAM-SHA-256 secret PostgreSQL stores for `password`
 * (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, RFC 5802/7677), computed
 * here as libpq's PQencryptPasswordConn does, so that CREATE/ALTER ROLE … PASSWORD carries
 * this secret and the password itself never reaches the server, its statement log or
 * pg_stat_activity. The salt is random, as the server's own is: the secret never enters a
 * plan, a trace or a record, so this does not touch determinism.
 *
 * The password is normalised with NFKC, the heart of the SASLprep the server applies to a
 * password it is given in clear (an ASCII or already-normalised password is unchanged).
 */
export function scramSecret(password: string, salt: Buffer = randomBytes(16), iterations = ITERATIONS): string {
  const prepared = Buffer.from(password.normalize("NFKC"), "utf8");
  const salted = pbkdf2Sync(prepared, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
