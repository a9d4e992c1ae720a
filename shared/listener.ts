/**
 * Listen mode: what a listener is asked to do, what a responder answers, and the limits that keep
 * a hostile client from exhausting main. docs/listener.md is the user-facing reference.
 */
import type { PayloadMode } from './payload.ts';

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

/**
 * What a listener profile stores besides its bind host and port (the profile's `host`, `port` and
 * `transport`): everything else of {@link ListenerOptions}. TLS keys are paths, never key bytes.
 */
export type ListenerProfileSettings = Omit<ListenerOptions, 'transport' | 'host' | 'port'>;
