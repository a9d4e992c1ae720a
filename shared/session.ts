/**
 * The TCP session's state machine, shared by the engine (which drives it) and the UI (which shows it).
 *
 * Phases: idle → connecting → open → closing → closed, with shortcuts to closed from any phase.
 * Half-closed conditions are flags on an open session, not phases: `localEnded` ("we finished
 * sending", our FIN is out) and `remoteEnded` ("peer finished sending", its FIN arrived).
 * A closed session carries exactly one {@link SessionOutcome}.
 */
import type { AppError } from './errors.ts';
import type { TlsClientOptions, TlsSessionInfo } from './tls.ts';

/**
 * What kind of session this is. Every kind has the same phases and outcomes; 'stream' sessions
 * (TCP, TLS, an accepted client, a STARTTLS upgrade) carry one contiguous byte stream each way.
 */
export type SessionKind = 'stream';

/**
 * The step of getting a usable connection: while `phase` is 'connecting' ('tcp-connect', then
 * 'tls-handshake' for TLS), and while an open session upgrades to TLS ('tls-handshake'). Null
 * otherwise.
 */
export type ConnectStep = 'tcp-connect' | 'tls-handshake';

/** Where a session is in its life. */
export type SessionPhase = 'idle' | 'connecting' | 'open' | 'closing' | 'closed';

/** Why a closed session ended. Only 'error' carries an error. */
export type SessionOutcome =
  | 'peer-closed'
  | 'closed-by-us'
  | 'idle-timeout'
  | 'limit-reached'
  | 'cancelled'
  | 'error';

/** Which transitions the state machine allows; anything else is a bug in the engine. */
export const PHASE_TRANSITIONS: Readonly<Record<SessionPhase, readonly SessionPhase[]>> = {
  idle: ['connecting', 'closed'],
  connecting: ['open', 'closed'],
  open: ['closing', 'closed'],
  closing: ['closed'],
  closed: [],
};

/** True when the state machine allows `from` → `to`. */
export function canTransition(from: SessionPhase, to: SessionPhase): boolean {
  return PHASE_TRANSITIONS[from].includes(to);
}

/** What a session looks like at one moment: pushed whole on every change. */
export interface SessionStatus {
  id: string;
  kind: SessionKind;
  phase: SessionPhase;
  /** See {@link ConnectStep}; null when no connect or upgrade step is under way. */
  step: ConnectStep | null;
  /** Our write side is shut (we sent FIN). */
  localEnded: boolean;
  /** The peer's write side is shut (its FIN arrived). */
  remoteEnded: boolean;
  /** Set once, when phase becomes 'closed'. */
  outcome: SessionOutcome | null;
  /** Set when outcome is 'error'. */
  error: AppError | null;
  /** What the user asked for. */
  host: string;
  port: number;
  /** The address actually connected to (after DNS and Happy Eyeballs). */
  remoteAddress: string | null;
  remoteFamily: 4 | 6 | null;
  localAddress: string | null;
  localPort: number | null;
  /** Bytes the socket has accepted from us (counted as written, not as queued). */
  bytesSent: number;
  bytesReceived: number;
  /** Epoch milliseconds. */
  startedAt: number | null;
  connectedAt: number | null;
  endedAt: number | null;
  /**
   * Set after every TLS handshake, whether verification passed or not (a failed verification with
   * verify on still shows the chain and the verdict); null for plain TCP.
   */
  tls: TlsSessionInfo | null;
}

/** Connection options; main builds socket options from these and nothing else (R3). */
export interface ConnectOptions {
  host: string;
  port: number;
  /** Milliseconds; default 10 000. */
  connectTimeoutMs?: number;
  /** Milliseconds of silence that end the session; 0 or absent disables it. */
  idleTimeoutMs?: number;
  /** Bytes kept in memory; default 64 MiB. Reaching it ends the session with 'limit-reached'. */
  maxResponseBytes?: number;
}

/** Options of a stream session's connect: TCP, or TLS over TCP when `tls` is given. */
export interface StreamConnectOptions extends ConnectOptions {
  tls?: TlsClientOptions;
}

/** Defaults and hard limits the engine enforces (R5). */
export const SESSION_LIMITS = {
  defaultConnectTimeoutMs: 10_000,
  maxConnectTimeoutMs: 600_000,
  maxIdleTimeoutMs: 86_400_000,
  defaultMaxResponseBytes: 64 * 1024 * 1024,
  maxResponseBytes: 1024 * 1024 * 1024,
  /** Grace period after a graceful close before the socket is destroyed. */
  closeGraceMs: 2_000,
  /** Bounded transcript. */
  maxTranscriptEntries: 10_000,
  /** Live (not closed) sessions in one process. */
  maxSessions: 64,
  /** Live sessions one client (a window, a WebSocket) may hold, so it cannot take every slot. */
  maxSessionsPerClient: 32,
  /** Closed sessions whose bytes and transcript main keeps readable; the oldest is released first. */
  maxClosedSessions: 50,
  /** Bytes closed sessions may keep in total (the newest closed session is always kept whole). */
  maxClosedBytes: 256 * 1024 * 1024,
} as const;

/** One line of a session's transcript. Data entries carry byte counts, not the bytes. */
export type TranscriptEntry =
  | { at: number; kind: 'connecting'; host: string; port: number }
  | { at: number; kind: 'connected'; remoteAddress: string; remotePort: number; family: 4 | 6 }
  /** A TLS handshake finished (at connect or by a STARTTLS upgrade); details are in status.tls. */
  | { at: number; kind: 'tls'; protocol: string; cipher: string; verified: boolean }
  | { at: number; kind: 'sent'; bytes: number; offset: number }
  | { at: number; kind: 'received'; bytes: number; offset: number }
  | { at: number; kind: 'local-ended' }
  | { at: number; kind: 'remote-ended' }
  | { at: number; kind: 'closed'; outcome: SessionOutcome }
  | { at: number; kind: 'error'; error: AppError }
  /** The transcript reached `limit` entries: later sent/received entries are dropped, lifecycle entries kept. */
  | { at: number; kind: 'truncated'; limit: number };

/** Progress of one send: `sent` of `total` bytes accepted by the socket so far. */
export interface SendProgress {
  sendId: number;
  sent: number;
  total: number;
  done: boolean;
}
