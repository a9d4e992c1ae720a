/**
 * One request/response exchange: connect, send (bytes or a streamed file), half-close by default,
 * receive until the peer closes (or the idle timeout, or the cap), and report. The CLI's `send`
 * command and the tests share it, so what the tests prove is what the CLI does.
 *
 * Invariant: it always resolves (never throws) with the final status, the kept response and the one
 * error that ended the exchange; the session's socket is released before it resolves.
 */
import { randomUUID } from 'node:crypto';
import type net from 'node:net';
import type { AppError } from '../../shared/errors.ts';
import type { SessionStatus, StreamConnectOptions } from '../../shared/session.ts';
import { StreamSession } from './stream-session.ts';

/** What to exchange. */
export interface OneShotRequest {
  /** Where to connect; with `tls` the exchange runs over TLS. */
  connect: StreamConnectOptions;
  /** Bytes to send; ignored when `file` is set. Neither: nothing is sent. */
  data?: Uint8Array;
  /** A file to stream instead of `data`. */
  file?: string;
  /** End our side (FIN) after sending, as ncat does; default true. */
  halfClose?: boolean;
  /** Stream the response here instead of keeping it (no cap). */
  sink?: NodeJS.WritableStream;
  /** DNS override (tests). */
  lookup?: net.LookupFunction;
  /** Aborting cancels the exchange at once (Ctrl-C in the CLI). */
  signal?: AbortSignal;
  /** Called with the session before it connects, to observe its events. */
  onSession?: (session: StreamSession) => void;
}

/** How the exchange ended. */
export interface OneShotResult {
  status: SessionStatus;
  /** The kept response bytes (empty when a sink was used), joined on first read. */
  readonly response: Uint8Array;
  /** The same bytes as received chunks, for writing out without a joining copy. */
  readonly responseChunks: readonly Uint8Array[];
  /** The session's error, or the send's own (e.g. FILE_ERROR), or null. */
  error: AppError | null;
}

/** Runs one exchange; see {@link OneShotRequest}. */
export async function runOneShot(request: OneShotRequest): Promise<OneShotResult> {
  const session = new StreamSession(randomUUID(), {
    ...(request.lookup ? { lookup: request.lookup } : {}),
    ...(request.sink ? { sink: request.sink } : {}),
  });
  request.onSession?.(session);
  const cancel = (): void => session.cancel();
  request.signal?.addEventListener('abort', cancel, { once: true });
  try {
    if (request.signal?.aborted) session.cancel();
    const connected = await session.connect(request.connect);
    if (!connected.ok) {
      // Invalid input leaves the session idle with no socket; end it so done() resolves.
      session.cancel();
      await session.done();
      return resultOf(session, session.status, connected.error);
    }
    let sendError: AppError | null = null;
    const halfClose = request.halfClose ?? true;
    let sendFinished = false;
    // Keep-open: we do not end our side first, but once the peer has finished sending and so have
    // we, the exchange is over; ending our side then finishes it as 'peer-closed'.
    const endAfterPeer = (): void => {
      const s = session.status;
      if (sendFinished && s.phase === 'open' && s.remoteEnded && !s.localEnded) {
        void session.send(new Uint8Array(0), { halfClose: true });
      }
    };
    if (!halfClose) session.on('status', endAfterPeer);
    if (session.status.phase === 'open') {
      const sent = request.file
        ? await session.sendFile(request.file, { halfClose })
        : request.data || halfClose
          ? await session.send(request.data ?? new Uint8Array(0), { halfClose })
          : null;
      if (sent && !sent.ok) {
        sendError = sent.error;
        // A local failure (an unreadable file) leaves the connection open: end it rather than wait.
        session.cancel();
      }
    }
    sendFinished = true;
    if (!halfClose) endAfterPeer();
    const final = await session.done();
    return resultOf(session, final, final.error ?? sendError);
  } finally {
    request.signal?.removeEventListener('abort', cancel);
  }
}

/** Builds the result; the response is joined only if someone reads it. */
function resultOf(session: StreamSession, status: SessionStatus, error: AppError | null): OneShotResult {
  return {
    status,
    error,
    get response() {
      return session.response();
    },
    responseChunks: session.responseChunks(),
  };
}
