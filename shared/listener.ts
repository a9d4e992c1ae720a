/**
 * Listen mode: what a listener is asked to do, what a responder answers, and the limits that keep
 * a hostile client from exhausting main. docs/listener.md is the user-facing reference.
 */
import { fail, ok, type AppError, type Result } from './errors.ts';
import { parseHost, parsePort } from './endpoint.ts';
import type { PayloadMode } from './payload.ts';
import type { SessionOutcome } from './session.ts';
import type { TlsCertificateInfo } from './tls.ts';

export const LISTENER_LIMITS = {
  /** Default and largest --max-clients: clients connected at once (UDP: peers remembered). */
  defaultMaxClients: 64,
  maxClients: 10_000,
  /**
   * Bytes one client may send before it is closed (outcome limit-reached): the session keeps what it
   * received, so this times maxClients bounds the listener's memory (64 × 8 MiB by default).
   */
  defaultMaxBytesPerClient: 8 * 1024 * 1024,
  maxBytesPerClient: 1024 * 1024 * 1024,
  /** A framing buffer (a line, a delimited message, a fixed-length record) holds at most this. */
  maxFrameBytes: 64 * 1024,
  /** Rules in one responder, and the longest delay a rule may ask for. */
  maxRules: 1_000,
  maxDelayMs: 60_000,
  /** Replies queued for one client before more are refused (the client does not read). */
  maxQueuedReplies: 1_000,
  /** A rules file is read whole; larger ones are refused. */
  maxRulesFileBytes: 1024 * 1024,
} as const;

export type ListenerTransport = 'tcp' | 'tls' | 'udp';

/** TLS for a listener: a certificate and key from files, or a throwaway self-signed one. */
export type ListenerTls =
  | { kind: 'files'; certFile: string; keyFile: string; requestClientCert?: boolean }
  | { kind: 'self-signed'; requestClientCert?: boolean };

/** Bytes written as text, hex or escapes (docs/payload-grammar.md), possibly with `${…}` macros. */
export interface ReplySpec {
  mode: PayloadMode;
  value: string;
}

/** What a rule looks for. `exact`/`prefix`/`contains` compare text bytes; `hex` is contains over bytes. */
export type RuleMatch =
  | { kind: 'exact'; value: string }
  | { kind: 'prefix'; value: string }
  | { kind: 'contains'; value: string }
  | { kind: 'regex'; value: string }
  | { kind: 'hex'; value: string };

/** How received bytes are cut into messages before rules look at them. */
export type Framing =
  | { kind: 'chunk' }
  | { kind: 'line' }
  | { kind: 'delimiter'; delimiter: ReplySpec }
  | { kind: 'length'; length: number };

export interface ResponderRule {
  match: RuleMatch;
  reply: ReplySpec | null;
  delayMs: number;
  close: boolean;
}

/** A listener's answering policy. */
export type ResponderSpec =
  | { kind: 'off' }
  | { kind: 'echo' }
  /**
   * `connect`: once per client as it connects; `first-message`: once, after the client first sends
   * something (an HTTP client speaks first); `each-message`: after every chunk received.
   */
  | { kind: 'fixed'; reply: ReplySpec; when: 'connect' | 'first-message' | 'each-message' }
  | { kind: 'rules'; framing: Framing; rules: ResponderRule[] };

export interface ListenerOptions {
  transport: ListenerTransport;
  host: string;
  port: number;
  /** Required to bind a non-loopback address: binding to the network must be a decision. */
  allowNonLoopback?: boolean;
  maxClients?: number;
  /** See LISTENER_LIMITS.defaultMaxBytesPerClient. */
  maxBytesPerClient?: number;
  tls?: ListenerTls;
  responder?: ResponderSpec;
}

/** A listener's counters, as shown. */
export interface ListenerStats {
  accepted: number;
  refused: number;
  active: number;
  /** How many times each rule matched, by index. */
  ruleHits: number[];
}

/** Why a listener's client ended: a session outcome, a failed TLS handshake, or a quiet UDP peer forgotten. */
export type ClientOutcome = SessionOutcome | 'handshake-failed' | 'forgotten';

/** A running listener, as `listener:start` answers. */
export interface ListenerView {
  id: string;
  transport: ListenerTransport;
  /** The address and port actually bound (port 0 asked: the one the system chose). */
  address: string;
  port: number;
  /** False when bound beyond loopback: other machines can connect (the UI warns). */
  loopback: boolean;
  maxClients: number;
  /** TLS with a generated certificate: its SHA-256 fingerprint. */
  certificateFingerprint: string | null;
}

/** One row of the client table. */
export interface ListenerClientView {
  /** 1, 2, … in order of acceptance. */
  clientId: number;
  /** TCP/TLS: the stream session of this client (session:* calls and `listener:watch` use it); UDP: null. */
  sessionId: string | null;
  address: string;
  port: number;
  /** Epoch ms of the accept (UDP: the first datagram). */
  since: number;
  endedAt: number | null;
  phase: 'open' | 'closing' | 'closed';
  /** We sent our FIN / the client sent its FIN. */
  localEnded: boolean;
  remoteEnded: boolean;
  outcome: ClientOutcome | null;
  /** The last problem with this client (a closing error, an over-long line, a full reply queue). */
  error: AppError | null;
  bytesIn: number;
  bytesOut: number;
  /** TLS only. */
  tls: { protocol: string | null; cipher: string | null } | null;
  /** TLS with a client certificate requested: what it presented (null: nothing). Absent otherwise. */
  clientCert?: { subject: string | null; fingerprint256: string | null } | null;
  /** UDP only: datagrams from the peer and to it (bytesIn/bytesOut are their payload bytes). */
  datagramsIn?: number;
  datagramsOut?: number;
}

/** One datagram of a UDP listener's peer, for the watched peer's list (`ListenerUpdate.watched`). */
export interface ListenerDatagram {
  direction: 'received' | 'sent';
  /**
   * 1, 2, … per peer and direction, as main counted them (`datagramsIn`/`datagramsOut`): a gap is
   * datagrams main no longer kept (LISTENER_IPC_LIMITS.udpKept*) when the page asked for them.
   */
  seq: number;
  /** Epoch ms. */
  at: number;
  bytes: Uint8Array;
}

/**
 * What the TLS handshake with an accepted client established, the listener being the server: the
 * listener's TLS view for that client (`listener:watch` answers it). Kept per row of the table, so
 * bounded as the table is.
 */
export interface AcceptedTlsInfo {
  /** e.g. 'TLSv1.3'. */
  protocol: string;
  /** Cipher suite, IANA name where the library gives one. */
  cipher: string;
  /** The protocol agreed by ALPN, or null (the listener offers none, so this stays null today). */
  alpnProtocol: string | null;
  /** The SNI name the client sent, or null when it sent none. */
  serverNameReceived: string | null;
  resumed: boolean;
  /** The listener asked for a client certificate (`requestClientCert`). */
  clientCertRequested: boolean;
  /** The client's chain as sent, leaf first; empty when none was presented or none was asked for. */
  clientChain: TlsCertificateInfo[];
  /** The chain was longer than TLS_LIMITS.maxChainCertificates and is cut. */
  clientChainTruncated: boolean;
}

/**
 * One coalesced `listener:update` (main/ipc/listener-updates.ts): the listener's counters and the
 * rows that changed since the previous update. `dropped`: client ids main no longer lists (the
 * oldest closed rows beyond its bound), to be removed from the table.
 */
export interface ListenerUpdate {
  id: string;
  phase: 'listening' | 'stopped';
  stats: ListenerStats;
  clients: ListenerClientView[];
  dropped: number[];
  /** The most recent refusal, when there was one since the previous update. */
  refused: { address: string; port: number; reason: string } | null;
  /**
   * UDP, with a peer watched (`listener:watch`): its datagrams since the previous update, in order
   * (the first updates after the watch carry what main kept from before it). Absent otherwise.
   */
  watched?: { clientId: number; datagrams: ListenerDatagram[] };
}

/** What "test this rule" answers for each message of the sample. */
export interface RuleTestVerdict {
  message: Uint8Array;
  rule: number | null;
  captures: (Uint8Array | null)[];
  reply: Uint8Array | null;
  delayMs: number;
  close: boolean;
  error: AppError | null;
}

export interface RuleTestResult {
  verdicts: RuleTestVerdict[];
  /** Messages past the judged limit (100). */
  unjudged: number;
  /** Bytes at the end of the sample that do not make a whole message yet (line, delimiter, length). */
  leftover: number;
  /** A frame longer than the bound, as a client would get it. */
  error: AppError | null;
}

/** Bounds of the listener calls (R5). */
export const LISTENER_IPC_LIMITS = {
  /** Listeners one window may run at once. */
  maxListenersPerClient: 16,
  /** Closed rows a listener's table keeps; older ones are dropped (and said so). */
  maxClosedRows: 500,
  /** Rows in one listener:update; more go in the next. */
  maxRowsPerUpdate: 500,
  /** The sample of "test this rule". */
  maxTestSampleBytes: 64 * 1024,
  /**
   * A UDP listener keeps its peers' latest datagrams (both ways, all peers together) for the
   * watched peer's list: at most this many, and this many payload bytes; the oldest go first.
   */
  udpKeptDatagrams: 10_000,
  udpKeptBytes: 8 * 1024 * 1024,
  /** Datagrams, and their payload bytes, of the watched peer in one listener:update; more go in the next. */
  udpDatagramsPerUpdate: 1_000,
  udpBytesPerUpdate: 1024 * 1024,
} as const;

/**
 * What a listener profile stores besides its bind host and port (the profile's `host`, `port` and
 * `transport`): everything else of {@link ListenerOptions}. TLS keys are paths, never key bytes.
 */
export type ListenerProfileSettings = Omit<ListenerOptions, 'transport' | 'host' | 'port'>;

/**
 * A listener's bind address as typed, the one check for the UI (as it is typed), the CLI's --host
 * and main: an IP address (IPv6 in brackets or not) or `localhost`, never a name DNS would pick an
 * address for. Errors have field 'bindHost' (the form's "Bind address") and a reason:
 * `bind-empty`, or `bind-not-ip` with `params.text`.
 */
export function parseBindHost(text: string): Result<string> {
  const host = text.trim().replace(/^\[(.*)\]$/, '$1');
  if (host === '') return fail('INVALID_INPUT', 'give an address to bind: 127.0.0.1, ::1, 0.0.0.0 or ::.', { field: 'bindHost', reason: 'bind-empty' });
  if (host.toLowerCase() === 'localhost') return ok('localhost');
  const parsed = parseHost(host);
  // A malformed address keeps the address rule it broke (ipv4-over-255, ipv6-double-colon, …).
  if (!parsed.ok && /^ipv[46]-/.test(parsed.error.reason ?? '')) return { ok: false, error: { ...parsed.error, field: 'bindHost' } };
  // parseHost also takes tcp://, host:port and zones Node's isIP refuses (`_`, `~`): not here.
  const zone = host.indexOf('%');
  const badZone = zone >= 0 && !/^[0-9A-Za-z.-]+$/.test(host.slice(zone + 1));
  // One pair of brackets only: "[[::1]]" is no address, though parseHost reads the inner pair.
  const brackets = /[[\]]/.test(host);
  if (!parsed.ok || parsed.value.family === null || parsed.value.port !== undefined || host.includes('://') || badZone || brackets) {
    // The sentence quotes at most 100 characters of it: the CLI's --host has no length bound.
    const shown = host.length > 100 ? `${host.slice(0, 100)}…` : host;
    return fail('INVALID_INPUT', `${JSON.stringify(shown)} is not an address to bind; give an IP address (127.0.0.1, ::1, 0.0.0.0, ::) or localhost.`, {
      field: 'bindHost',
      reason: 'bind-not-ip',
      params: { text: shown },
    });
  }
  return ok(parsed.value.host);
}

/** A listener's port as typed: 0–65535, 0 meaning any free port (parsePort's rules and reasons). */
export function parseBindPort(text: string | number): Result<number> {
  return parsePort(typeof text === 'string' ? text.trim() : text, { allowZero: true });
}

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and the name localhost (brackets and case aside). */
export function isLoopbackBind(host: string): boolean {
  const h = host.trim().replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
