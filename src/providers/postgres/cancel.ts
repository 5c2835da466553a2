import { connect } from "node:net";

/** PostgreSQL's CancelRequest code (protocol 3: 1234 << 16 | 5678). */
const CANCEL_REQUEST_CODE = 80877102;

/**
 * Asks the server to cancel whatever the backend `pid` is running, the way libpq's
 * PQcancel does: a 16-byte CancelRequest on a new connection, authenticated by the
 * backend's secret key, no reply. Resolves when the request is sent (or could not be: a
 * closed socket ends that backend's statement anyway); never rejects. Bounded by
 * `timeoutMs` so an unreachable server cannot hold the caller.
 */
export function sendCancel(host: string, port: number, pid: number, secretKey: number, timeoutMs = 2000): Promise<void> {
  return new Promise((done) => {
    const packet = Buffer.alloc(16);
    packet.writeInt32BE(16, 0);
    packet.writeInt32BE(CANCEL_REQUEST_CODE, 4);
    packet.writeInt32BE(pid, 8);
    packet.writeInt32BE(secretKey, 12);
    const socket = connect({ host, port });
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      done();
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.once("error", finish);
    socket.once("connect", () => socket.end(packet));
    socket.once("close", finish);
  });
}
