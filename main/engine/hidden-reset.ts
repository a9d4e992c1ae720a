/**
 * A reset that Node reports as the peer's FIN (F10 on a busy machine).
 *
 * When the peer's last bytes and its RST are both waiting in our receive queue by the time libuv
 * polls (the process was busy for a few ms), libuv reads the bytes and, seeing POLLHUP after a
 * short read, reports EOF without another read: the ECONNRESET the kernel holds for the socket is
 * never read, Node emits 'end' and no 'error', and a session would show "Closed by peer" for a
 * connection that was torn down (seen: test/e2e/session.spec.ts "data then reset" under load).
 *
 * The kernel still holds the answer. A write of zero bytes sends nothing on the wire but goes
 * through TCP's send checks: a connection the peer only half-closed (CLOSE_WAIT) accepts it; one
 * that was reset answers with the pending error (ECONNRESET), which the write consumes; a
 * connection we had half-closed ourselves answers EPIPE, reset or not, unless a reset is pending.
 * write(2), not writev(2): Linux returns early for a zero-length writev without asking the socket.
 * Node ignores SIGPIPE (and so does Electron's main process), so an EPIPE here is only an answer.
 *
 * Node has no public way to ask (no SO_ERROR, no TCP state), hence the handle's descriptor. Where a
 * socket has none (Windows, where libuv reports a reset as a read error anyway; a TLS layer's
 * handle) nothing is asked.
 */
import { writeSync } from 'node:fs';
import type * as net from 'node:net';

const NOTHING = Buffer.alloc(0);

/** The descriptor under a Node socket, or null where it has none we may use. */
function descriptorOf(socket: net.Socket): number | null {
  if (socket.destroyed) return null;
  const fd = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : null;
}

/**
 * Call when a socket reported the end of the peer's data ('end'). Returns the error the connection
 * really ended with (ECONNRESET, or another pending socket error such as ETIMEDOUT) when the 'end'
 * hid one, or null for a real FIN. `sockets` are the ones under the session (a TLS socket's plain
 * socket among them); the first that answers with an error decides.
 */
export function errorHiddenByEnd(sockets: readonly net.Socket[]): NodeJS.ErrnoException | null {
  for (const socket of sockets) {
    const fd = descriptorOf(socket);
    if (fd === null) continue;
    try {
      writeSync(fd, NOTHING, 0, 0);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      // EPIPE: we had sent our FIN, nothing is pending (the normal answer then). EAGAIN cannot
      // come for zero bytes; EBADF would mean the descriptor went away, which is no verdict either.
      if (e.code === 'EPIPE' || e.code === 'EAGAIN' || e.code === 'EBADF') continue;
      return e;
    }
  }
  return null;
}
