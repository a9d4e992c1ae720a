/**
 * The datagram (UDP) session's state machine and records, shared by the engine (which drives it)
 * and the UI (which shows it). A datagram session is its own kind of session: it has no byte stream,
 * no FIN and no half-close; it has datagrams, each kept whole with where and when it came from.
 *
 * Phases: idle → binding → open → closed, with shortcuts to closed from every phase. "binding"
 * covers resolving the target's name and binding the local socket; a datagram session has no
 * closing phase, because closing a UDP socket waits for nothing from the peer.
 * A closed session carries exactly one {@link DatagramOutcome}.
 */
import type { AppError } from './errors.ts';

/** Where a datagram session is in its life. */
export type DatagramPhase = 'idle' | 'binding' | 'open' | 'closed';

/**
 * Why a datagram session ended. Only 'error' carries an error.
 * - closed-by-us: close() (the CLI's `--wait 0` ends this way right after the send);
 * - idle-timeout: the reply window passed with no datagram (see {@link DatagramOpenOptions.replyWindowMs});
 * - count-reached: `maxDatagrams` datagrams were received;
 * - limit-reached: `maxResponseBytes` bytes were received (the datagram that reached it is kept whole);
 * - cancelled: cancel() at any moment, DNS included;
 * - error: anything else, e.g. PORT_UNREACHABLE.
 */
export type DatagramOutcome = 'closed-by-us' | 'idle-timeout' | 'count-reached' | 'limit-reached' | 'cancelled' | 'error';

/**
 * Whose datagrams are received.
 * - target-only: the socket is connected to the target, so the kernel drops datagrams from any
 *   other address or port, and an ICMP "port unreachable" comes back as PORT_UNREACHABLE;
 * - from-anyone: an unconnected socket that takes every datagram sent to its local port (replies
 *   from another port or host, multicast, broadcast); ICMP errors are not reported in this mode.
 */
export type DatagramMode = 'target-only' | 'from-anyone';

export const DATAGRAM_MODES: readonly DatagramMode[] = ['target-only', 'from-anyone'];

/** Which transitions the state machine allows; anything else is a bug in the engine. */
export const DATAGRAM_PHASE_TRANSITIONS: Readonly<Record<DatagramPhase, readonly DatagramPhase[]>> = {
  idle: ['binding', 'closed'],
  binding: ['open', 'closed'],
  open: ['closed'],
  closed: [],
};

/** True when the datagram state machine allows `from` → `to`. */
export function canDatagramTransition(from: DatagramPhase, to: DatagramPhase): boolean {
  return DATAGRAM_PHASE_TRANSITIONS[from].includes(to);
}

/** Largest UDP payload per address family: 65,535 minus the UDP header and, for IPv4, the IP header. */
export const MAX_DATAGRAM_PAYLOAD: Readonly<Record<4 | 6, number>> = { 4: 65_507, 6: 65_527 };

/** Defaults and hard limits the engine enforces (R5). */
export const DATAGRAM_LIMITS = {
  defaultMaxDatagrams: 10_000,
  maxDatagrams: 1_000_000,
  defaultMaxResponseBytes: 64 * 1024 * 1024,
  maxResponseBytes: 1024 * 1024 * 1024,
  maxReplyWindowMs: 86_400_000,
  /** Bounded transcript, as for stream sessions. */
  maxTranscriptEntries: 10_000,
  /** Multicast groups one session may have joined at once. */
  maxGroups: 20,
  /**
   * Kernel receive buffer asked for (Linux caps it at net.core.rmem_max): a burst the event loop
   * cannot read at once waits here instead of being dropped by the kernel, where no one can count it.
   */
  receiveBufferBytes: 4 * 1024 * 1024,
} as const;

/** Options for opening a datagram session; main builds socket options from these and nothing else (R3). */
export interface DatagramOpenOptions {
  /** The target: a name (resolved as for TCP), an IPv4 or an IPv6 address. */
  host: string;
  port: number;
  /** Local port to bind; 0 or absent: any free port. */
  localPort?: number;
  /** Default 'target-only'. */
  mode?: DatagramMode;
  /** Allow sending to broadcast addresses (SO_BROADCAST); default false. */
  broadcast?: boolean;
  /**
   * Reply window in milliseconds: after a send, the session ends ('idle-timeout') once this long
   * passes with no datagram received; each datagram restarts it. 0 or absent: no reply window.
   * It is not armed before the first send, so an open session waits for the user.
   */
  replyWindowMs?: number;
  /** Receiving this many datagrams ends the session ('count-reached'); default 10,000. */
  maxDatagrams?: number;
  /** Receiving this many bytes ends the session ('limit-reached'); default 64 MiB. */
  maxResponseBytes?: number;
  /**
   * Interface for outgoing multicast: an IPv4 address of the interface, or for IPv6 a scope such
   * as `::%lo`. Absent: the system's choice.
   */
  multicastInterface?: string;
}

/** What a datagram session looks like at one moment: pushed whole on every change. */
export interface DatagramSessionStatus {
  kind: 'datagram';
  id: string;
  phase: DatagramPhase;
  /** Set once, when phase becomes 'closed'. */
  outcome: DatagramOutcome | null;
  /** Set when outcome is 'error'. */
  error: AppError | null;
  /** What the user asked for. */
  host: string;
  port: number;
  mode: DatagramMode;
  broadcast: boolean;
  /** The target's address after DNS. */
  remoteAddress: string | null;
  remoteFamily: 4 | 6 | null;
  localAddress: string | null;
  localPort: number | null;
  /** Multicast groups joined now, as `group` or `group@interface`. */
  groups: string[];
  /** Datagrams and payload bytes the kernel accepted from us. */
  datagramsSent: number;
  bytesSent: number;
  /**
   * Every datagram Node delivered to us, counted exactly: record `seq` runs 1…datagramsReceived
   * without gaps, so a view that shows fewer can say how many it did not draw. Datagrams the
   * kernel dropped before we could read them (a full receive buffer) are invisible to any program.
   */
  datagramsReceived: number;
  /**
   * Datagrams that reached the socket before the session was open (the instant between bind and
   * connect, when a target-only socket is not yet filtered): counted here, not kept.
   */
  datagramsIgnored: number;
  /**
   * Datagrams the kernel dropped for this socket because its receive buffer was full (Linux's
   * /proc/net/udp "drops"), read when the session ends and by refreshKernelDrops(); null where
   * the system does not tell or before the first reading.
   */
  kernelDrops: number | null;
  bytesReceived: number;
  /** Epoch milliseconds. */
  startedAt: number | null;
  openedAt: number | null;
  endedAt: number | null;
}

/** One received datagram's metadata; its bytes travel beside it, whole. */
export interface DatagramRecord {
  /** 1-based, gapless arrival number within the session. */
  seq: number;
  /** Source address and port. */
  from: string;
  port: number;
  family: 4 | 6;
  /** Payload bytes (0 is a real, empty datagram). */
  size: number;
  /** Epoch milliseconds when Node delivered it. */
  at: number;
}

/** One line of a datagram session's transcript. Data entries carry sizes, not bytes. */
export type DatagramTranscriptEntry =
  | { at: number; kind: 'binding'; host: string; port: number }
  | { at: number; kind: 'bound'; localAddress: string; localPort: number; remoteAddress: string; remotePort: number; family: 4 | 6 }
  | { at: number; kind: 'sent'; sendId: number; bytes: number }
  | { at: number; kind: 'received'; seq: number; bytes: number; from: string; port: number }
  | { at: number; kind: 'joined'; group: string }
  | { at: number; kind: 'left'; group: string }
  | { at: number; kind: 'closed'; outcome: DatagramOutcome }
  | { at: number; kind: 'error'; error: AppError }
  /** The transcript reached `limit` entries: later sent/received entries are dropped, lifecycle entries kept. */
  | { at: number; kind: 'truncated'; limit: number };

/** One received datagram as it travels to the UI: its record and its bytes, whole. */
export interface DatagramWithBytes {
  record: DatagramRecord;
  bytes: Uint8Array;
}

/**
 * The datagram form of a session update (main → renderer), proposed for `session:update` once
 * the session registry carries datagram sessions: records, not a contiguous byte offset, so
 * datagram boundaries survive and nothing is merged.
 * - `datagrams` continue exactly where the previous update stopped: the first one's `seq` is the
 *   previous update's last `seq` + 1; none is sent twice or skipped.
 * - `status` is always current, so `status.datagramsReceived` may run ahead of the datagrams
 *   delivered so far (a slow page, a burst): the UI shows both numbers, never a guess.
 */
export interface DatagramUpdate {
  id: string;
  status: DatagramSessionStatus;
  datagrams: DatagramWithBytes[];
  transcript: DatagramTranscriptEntry[];
  progress: { sendId: number; sent: number; total: number; done: boolean } | null;
}
