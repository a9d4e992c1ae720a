/**
 * The one interface between the engine and its callers (the session registry, the app service,
 * the one-shot runner, the CLI): every session, whatever its kind, has an id, a status with the
 * shared phases and outcomes, and ends with exactly one 'closed' status.
 *
 * Callers that need more than this (send bytes, read the response) narrow on `kind`; today the
 * only kind is 'stream' ({@link StreamSession}: TCP, TLS, an accepted socket, a STARTTLS upgrade).
 * Datagram and listener sessions join {@link AnySession} as their own kinds.
 */
import type { SessionKind, SessionStatus } from '../../shared/session.ts';
import type { StreamSession } from './stream-session.ts';

/** What every session offers. */
export interface Session {
  readonly id: string;
  readonly kind: SessionKind;
  /** A fresh copy of the current status. */
  readonly status: SessionStatus;
  /** Subscribes to status changes (the last one has phase 'closed'); returns the unsubscribe function. */
  on(event: 'status', listener: (status: SessionStatus) => void): () => void;
  /** Graceful close. */
  close(): void;
  /** Ends at once; outcome 'cancelled'. */
  cancel(): void;
  /** Resolves with the final status once the session is closed and its socket released. */
  done(): Promise<SessionStatus>;
  /** Bytes of memory the session keeps for later reading (response and transcript), about. */
  retainedBytes(): number;
  /**
   * Drops what a closed session keeps (its bytes, its transcript); later reads return empty.
   * The registry calls it when it evicts the session. No effect while the session is live.
   */
  release(): void;
}

/** Every session kind the engine has, as a union callers narrow with `kind`. */
export type AnySession = StreamSession;
