/**
 * Openers: small functions that produce the connected socket a {@link StreamSession} drives.
 * The session owns everything after that (state machine, send pump, receive path, transcript,
 * timers); an opener only makes the socket and says when it is usable.
 *
 * Contract between an opener and the session (the session relies on each point):
 * - The opener calls `ctx.track(socket)` synchronously when the socket exists, before any await,
 *   so the session listens for its errors and its release from the first moment; every error
 *   during connect therefore reaches the session's one error path (and its one mapping).
 * - When `ctx.signal` aborts (cancel, close, connect timeout, a socket error) the opener resolves
 *   promptly; the session has already destroyed the socket and ignores the result.
 * - `ctx.reached(socket)` says the TCP connection is up (addresses known) before a further step
 *   (a TLS handshake) starts; without it the session records the connection when the opener resolves.
 * - The opener never destroys a tracked socket itself and never emits session events.
 */
// Named value imports of node:net (types through the namespace): the CLI's CommonJS build then
// needs no interop helper, one file fewer at start-up (vite.cli.config.ts).
import type * as net from 'node:net';
import { connect as connectSocket } from 'node:net';
import type { AppError } from '../../shared/errors.ts';
import type { ConnectStep } from '../../shared/session.ts';
import type { TlsSessionInfo } from '../../shared/tls.ts';
import { toAppError } from './error-mapping.ts';

/** What the session gives an opener. */
export interface OpenContext {
  /** Aborted when the session ended before the opener finished. */
  readonly signal: AbortSignal;
  /**
   * Hands the socket to the session as soon as it exists (see the contract above). With
   * `streamEvents: false` the session watches only its errors and its release, not its bytes or
   * its end: a STARTTLS preset reads the plain exchange itself until the TLS socket takes over.
   */
  track(socket: net.Socket, opts?: { streamEvents?: boolean }): void;
  /** The TCP connection is up; the session records it and its addresses. */
  reached(socket: net.Socket): void;
  /** The connect step now under way, shown as `status.step`. */
  step(step: ConnectStep): void;
}

/** How an opener ended. A failure may still carry TLS facts (a chain that failed verification). */
export type OpenResult =
  | { ok: true; socket: net.Socket; tls: TlsSessionInfo | null }
  | { ok: false; error: AppError; tls: TlsSessionInfo | null };

/** Produces one connected socket for a session. */
export interface StreamOpener {
  /** What the user asked for (or the peer's address for an accepted socket), shown in the status. */
  readonly host: string;
  readonly port: number;
  /** True for a socket that is connected already (listen mode): no 'connecting' entry is recorded. */
  readonly accepted: boolean;
  open(ctx: OpenContext): Promise<OpenResult>;
}

/** Options shared by the connecting openers. */
export interface ConnectTcpOptions {
  /** Replaces DNS lookup (tests use it for slow or dual-stack resolution). */
  lookup?: net.LookupFunction | undefined;
  /**
   * Read into caller-supplied buffers instead of emitting 'data' (plain TCP only: Node takes it
   * only when the socket is created). The session passes it for its own TCP connects; connectTls
   * never does, so a TLS socket's TCP layer stays on Node's own path.
   */
  onread?: net.OnReadOpts | undefined;
}

/** The options every TCP connect of ours uses, TLS or not. */
export function tcpSocketOptions(host: string, port: number, lookup: net.LookupFunction | undefined): net.TcpNetConnectOpts {
  return {
    host,
    port,
    // Happy Eyeballs: dual-stack names try both families instead of waiting on a dead one.
    autoSelectFamily: true,
    // Our FIN and the peer's are separate events (F12, F15); Node would otherwise end for us.
    allowHalfOpen: true,
    noDelay: true,
    ...(lookup ? { lookup } : {}),
  };
}

/**
 * Resolves true when `socket` emits `event`, false when `signal` aborts first. Errors are not
 * handled here: the session's own listener sees them and aborts the signal.
 */
export function waitForEvent(socket: net.Socket, event: string, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const finish = (value: boolean): void => {
      socket.off(event, onEvent);
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onEvent = (): void => finish(true);
    const onAbort = (): void => finish(false);
    socket.once(event, onEvent);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** What an opener returns once the session no longer waits for it. */
export function abandoned(): OpenResult {
  return { ok: false, error: { code: 'ABORTED', message: 'The connect was abandoned: the session had already ended.' }, tls: null };
}

/** Plain TCP to a checked host and port. */
export function connectTcp(host: string, port: number, options: ConnectTcpOptions = {}): StreamOpener {
  return {
    host,
    port,
    accepted: false,
    async open(ctx) {
      ctx.step('tcp-connect');
      let socket: net.Socket;
      try {
        const base = tcpSocketOptions(host, port, options.lookup);
        socket = connectSocket(options.onread ? { ...base, onread: options.onread } : base);
      } catch (err) {
        // Checked options should never make Node throw; if it does, it is an error, not a crash.
        return { ok: false, error: toAppError(err, { host, port, phase: 'connecting' }), tls: null };
      }
      ctx.track(socket);
      if (!(await waitForEvent(socket, 'connect', ctx.signal))) return abandoned();
      return { ok: true, socket, tls: null };
    },
  };
}

/**
 * An already connected socket, e.g. one a listener accepted. Create the server with
 * `allowHalfOpen: true` so the peer's FIN does not end our side for us (F15). `underlying`: the
 * plain TCP socket under a server-side TLS socket; the session tracks it too, so reset() can send
 * a real RST and done() waits for both.
 */
export function adopt(socket: net.Socket, underlying?: net.Socket): StreamOpener {
  return {
    host: socket.remoteAddress ?? '',
    port: socket.remotePort ?? 0,
    accepted: true,
    async open(ctx) {
      if (socket.destroyed || socket.readyState === 'closed' || socket.readyState === 'opening') {
        return {
          ok: false,
          error: { code: 'NOT_CONNECTED', message: 'The accepted connection had already closed before the session took it over.' },
          tls: null,
        };
      }
      if (underlying) ctx.track(underlying, { streamEvents: false });
      ctx.track(socket);
      return { ok: true, socket, tls: null };
    },
  };
}
