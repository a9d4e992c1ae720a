/**
 * The narrow view of a session that the conversation runner needs, and nothing more: open, send
 * bytes, half-close, close, cancel, and subscriptions to received bytes, the peer's FIN and the
 * final close. Written against this interface, the runner does not care which session class
 * carries the bytes; an adapter per session class (tcp-stream-adapter.ts today) maps it.
 *
 * Contract an adapter must keep:
 * - Listeners are registered before open() and called in the order things happened; received
 *   chunks are never reordered or merged with gaps.
 * - onClosed fires exactly once (also after a failed open or a cancel), after any onRemoteEnd.
 * - Nothing is emitted after onClosed.
 * - A chunk handed to onReceive may be reused by the adapter afterwards: copy what you keep.
 */
import type { AppError, Result } from '../../shared/errors.ts';
import type { ConversationTarget, TlsSettings } from '../../shared/conversation.ts';

/** Where the connection actually went. */
export interface StreamEndpoint {
  remoteAddress: string | null;
  remotePort: number | null;
}

/** One connected byte stream, as the runner sees it. */
export interface ConversationStream {
  /** Connects; resolves with the address used, or the connect error (ABORTED when cancelled). */
  open(): Promise<Result<StreamEndpoint>>;
  /** Resolves once the transport has accepted every byte, or with why it could not. */
  send(bytes: Uint8Array): Promise<Result<void>>;
  /** Ends our write side (FIN); reading goes on. */
  halfClose(): Promise<Result<void>>;
  /** Graceful close; resolves once the connection is released. */
  close(): Promise<void>;
  /** Destroys the connection at once. */
  cancel(): void;
  onReceive(listener: (chunk: Uint8Array) => void): void;
  onRemoteEnd(listener: () => void): void;
  /** `error` is null for a normal end (peer closed, closed by us, cancelled). */
  onClosed(listener: (error: AppError | null) => void): void;
  /** Absent until the session class supports upgrading a live connection to TLS. */
  upgradeToTls?(settings: TlsSettings): Promise<Result<void>>;
}

/** Makes the stream for a target; fails (UNSUPPORTED) when it cannot serve that transport. */
export type OpenConversationStream = (target: ConversationTarget) => Result<ConversationStream>;
