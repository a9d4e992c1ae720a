/**
 * The one contract between the renderer and main. Every call the renderer can make and every event
 * main pushes is named here, with its argument and result types. Main's handlers and schemas, the
 * Electron preload, the web-mode bridge and the renderer's clients are all checked against it.
 *
 * Adding a channel: add an entry to {@link Calls} (or {@link Events}) and its name to
 * CALL_CHANNELS (or EVENT_CHANNELS); the compiler then points at the schema and handler to write.
 * docs/ipc-channels.md lists the channels for people.
 *
 * Bytes travel as Uint8Array (structured clone in Electron, binary frames in web mode), never as
 * hex or strings.
 */
import type { AppError, Result } from './errors.ts';
import type { ConnectOptions, SendProgress, SessionStatus, TranscriptEntry } from './session.ts';
import type { Profile, ProfileDraft } from './profile.ts';
import type { TlsClientOptions, TlsFilePurpose, TlsSessionInfo } from './tls.ts';
import type { DatagramOpenOptions, DatagramUpdate } from './session-datagram.ts';
import type { AcceptedTlsInfo, ListenerDatagram, ListenerOptions, ListenerStats, ListenerUpdate, ListenerView, ResponderSpec, RuleTestResult } from './listener.ts';
import type { ConversationCheck, ConversationRunUpdate, ConversationStart } from './conversation.ts';

/** Limits main enforces on every call (R5), whatever the renderer claims. */
export const IPC_LIMITS = {
  /** Bytes in one `session:send`; larger data is sent from a file, streamed by main. */
  maxSendBytes: 64 * 1024 * 1024,
  /** Characters of an import file handed over for preview or import. */
  maxImportChars: 32 * 1024 * 1024,
  /** Longest id or name accepted anywhere. */
  maxIdChars: 100,
  maxFileNameChars: 255,
  /** Coalesced session updates per second per session (about). */
  updatesPerSecond: 30,
  /** Sessions named in one `session:ack`. */
  maxAcks: 1000,
} as const;

/** Where the UI runs; decides native dialogs versus browser downloads. */
export type HostKind = 'electron' | 'web';

/** What the About panel and title show. */
export interface AppInfo {
  name: string;
  version: string;
  host: HostKind;
  platform: string;
  /**
   * The system's UI language as a BCP 47 tag (Electron's app.getLocale(), e.g. "zh-CN"); absent in
   * web mode, where the browser's navigator.languages says it. The renderer picks its language from it.
   */
  locale?: string;
}

/** How the profile file loaded, shown to the user when it was not plain 'ok'. */
export interface ProfileStoreState {
  status: 'ok' | 'created' | 'recovered-from-backup' | 'corrupt-no-backup' | 'newer-version-read-only';
  readOnly: boolean;
  message: string | null;
  filePath: string;
}

/** What an import would do, item by item, before anything is written. */
export interface ImportPreviewView {
  source: 'socket-tester' | 'packet-sender-ini' | 'packet-sender-json';
  items: Array<{
    sourceName: string;
    status: 'ok' | 'duplicate' | 'error' | 'skipped';
    reason: string | null;
    name: string | null;
    endpoint: string | null;
  }>;
}

/** Opening a session from the UI: connection options plus the interactive policy. */
export interface SessionOpenArg extends ConnectOptions {
  /**
   * Connect over TLS with these options (absent: plain TCP). A `passphrase` is used for this call
   * only: main never logs, stores or echoes it.
   */
  tls?: TlsClientOptions;
  /**
   * When the peer's FIN arrives first, send ours too so the session ends as "closed by peer"
   * (default true). Off keeps our side writable for servers that half-close and read on (F15).
   */
  finishWhenPeerFinishes?: boolean;
  /**
   * Web mode only: the received bytes travel in a streamed HTTP response (`GET /bytes/<id>`, see
   * docs/ipc-channels.md) instead of in `session:update`, whose `data` is then always null.
   * Chromium takes a fetch() stream about ten times faster than WebSocket messages.
   */
  byteStream?: boolean;
}

/**
 * Opening a datagram (UDP) session from the UI: the engine's options without the outgoing multicast
 * interface (the system's choice). Close, cancel and discard use the `session:` channels.
 */
export type DatagramOpenArg = Omit<DatagramOpenOptions, 'multicastInterface'>;

/** Every renderer → main call: argument object in, {@link Result} of the value out. */
export interface Calls {
  'app:info': { arg: Record<string, never>; value: AppInfo };
  /** Creates a session and starts connecting; status arrives as events. */
  'session:open': { arg: SessionOpenArg; value: { id: string } };
  /**
   * STARTTLS: upgrades a live plain session to TLS, after the user did the protocol's own exchange
   * (e.g. SMTP "STARTTLS" / "220"). Resolves with the handshake's facts; the transcript gets a
   * 'tls' entry at that point. A failed handshake or verification ends the session with its error.
   */
  'session:starttls': { arg: { id: string; tls: TlsClientOptions }; value: TlsSessionInfo };
  'session:send': { arg: { id: string; data: Uint8Array; halfClose: boolean }; value: { sendId: number; bytesSent: number } };
  /** Electron only: main shows the open dialog and streams the chosen file. */
  'session:send-file': { arg: { id: string; halfClose: boolean }; value: { sendId: number; bytesSent: number; fileName: string } | null };
  /** Shut our write side (FIN) without sending. */
  'session:half-close': { arg: { id: string }; value: null };
  /** Graceful close: our FIN, then wait briefly for the peer's. */
  'session:close': { arg: { id: string }; value: null };
  /** Abort at once (also stops a slow DNS lookup or a large send). */
  'session:cancel': { arg: { id: string }; value: null };
  /**
   * Flow control: the page has taken every byte of session `id` before offset `through` (the
   * `dataOffset` plus length of the updates it has stored). Main sends at most a window of bytes
   * beyond the last ack and stops reading a session's socket while too many wait for the page
   * (main/ipc/session-updates.ts). One call carries every session's ack; an unknown id is skipped
   * (its session ended meanwhile); `through` beyond what main sent is INVALID_INPUT.
   */
  'session:ack': { arg: { acks: Array<{ id: string; through: number }> }; value: null };
  /** Forget a session (tab closed); cancels it if still live. */
  'session:discard': { arg: { id: string }; value: null };
  /**
   * Electron only: main shows the open dialog for a TLS credential and returns the chosen path
   * (null: cancelled). Web mode has none: the browser reads the file and the call carries its bytes.
   */
  'dialog:pick-tls-file': { arg: { purpose: TlsFilePurpose }; value: { path: string } | null };
  /** Electron only: main shows the save dialog and writes the kept response bytes. */
  'session:save-response': { arg: { id: string; suggestedName: string }; value: { path: string } | null };
  /** Creates a datagram session and starts binding; status and datagrams arrive as `datagram:update`. */
  'datagram:open': { arg: DatagramOpenArg; value: { id: string } };
  /** One datagram to the target; may be called any number of times on the same socket. */
  'datagram:send': { arg: { id: string; data: Uint8Array }; value: { sendId: number; bytesSent: number } };
  /** Join a multicast group (`interface`: the local interface address; omitted: the system's choice). */
  'datagram:join': { arg: { id: string; group: string; interface?: string }; value: null };
  'datagram:leave': { arg: { id: string; group: string; interface?: string }; value: null };
  /** SO_BROADCAST on or off while open. */
  'datagram:set-broadcast': { arg: { id: string; on: boolean }; value: null };
  /**
   * Binds and starts accepting (docs/listener.md); rows and counters arrive as `listener:update`.
   * Each TCP/TLS client is a stream session of this window (its `sessionId`): `session:send`,
   * `session:close` and the rest work on it, and its clients count against the listener's own
   * `maxClients`, not against the window's sessions.
   */
  'listener:start': { arg: ListenerOptions; value: ListenerView };
  /** Stops accepting, closes every client gracefully; resolves once all have ended. */
  'listener:stop': { arg: { id: string }; value: ListenerStats };
  /** The whole client table as main keeps it now (live clients and the latest closed ones). */
  'listener:clients': { arg: { id: string }; value: ListenerUpdate };
  /** Bytes to one client (`clientId`), or to every connected client (null). */
  'listener:send': { arg: { id: string; clientId: number | null; data: Uint8Array }; value: { clients: number; bytesSent: number } };
  /** Our FIN only, a graceful close, or a TCP reset of one client (UDP: only 'close', forgetting the peer). */
  'listener:end-client': { arg: { id: string; clientId: number; how: 'half-close' | 'close' | 'reset' }; value: null };
  /** Replaces the responder for new and connected clients; the rule counters start again at 0. */
  'listener:set-responder': { arg: { id: string; responder: ResponderSpec }; value: null };
  /**
   * "Test this rule": which rule fires for each message of `sample`, its captures and the reply
   * bytes. With `id`, `${counter}` continues that listener's counts; nothing is sent.
   */
  'listener:test': { arg: { responder: ResponderSpec; sample: Uint8Array; id?: string }; value: RuleTestResult };
  /**
   * Shows one TCP/TLS client's conversation: main sends `session:update` for its session from its
   * first byte (replaying what it already has), then live; watching another client (or null) stops
   * the previous one. One watched client per listener keeps a busy listener from flooding the page.
   * `tls`: what the client's TLS handshake established, for its TLS view; null for a plain TCP client.
   * A UDP peer has no session: `datagrams` are the newest it sent and was sent that main still keeps
   * (LISTENER_IPC_LIMITS.udpKept*), and the ones after come in `listener:update`'s `watched`.
   */
  'listener:watch': {
    arg: { id: string; clientId: number | null };
    value: { sessionId: string | null; tls?: AcceptedTlsInfo | null; datagrams?: ListenerDatagram[] };
  };
  'profiles:state': { arg: Record<string, never>; value: ProfileStoreState };
  'profiles:list': { arg: Record<string, never>; value: Profile[] };
  'profiles:create': { arg: { draft: ProfileDraft }; value: Profile };
  /**
   * `revision`: the revision the caller's copy came from. When the stored profile has moved on, the
   * call fails with PROFILE_CONFLICT and `error.conflict` holds both versions; send the stored
   * revision to overwrite on purpose ("keep mine"). Omitted: the update applies to what is stored.
   */
  'profiles:update': { arg: { id: string; draft: ProfileDraft; revision?: number }; value: Profile };
  'profiles:rename': { arg: { id: string; name: string; revision?: number }; value: Profile };
  'profiles:duplicate': { arg: { id: string }; value: Profile };
  'profiles:delete': { arg: { id: string }; value: { removed: Profile; index: number } };
  'profiles:restore': { arg: { profile: Profile; index: number }; value: Profile };
  /** `folder`: preview an import into that folder (null: top level); omitted: the file's folders. */
  'profiles:import-preview': { arg: { text: string; fileName: string; folder?: string | null }; value: ImportPreviewView };
  /**
   * `select`: zero-based positions of the preview's items to import (omitted: every importable one);
   * `folder`: as in the preview. An unimportable or unknown position is INVALID_INPUT, field 'select'.
   */
  'profiles:import': {
    arg: { text: string; fileName: string; onDuplicate: 'skip' | 'rename' | 'replace'; select?: number[]; folder?: string | null };
    value: { imported: number; skipped: number };
  };
  'profiles:export': { arg: { ids: string[] | null }; value: { json: string } };
  /**
   * Validates a conversation's YAML (docs/conversations.md) as a run would: its problems with line
   * and column as data, or the steps numbered as a run reports them. `variables` count as defined.
   */
  'conversation:check': { arg: { yaml: string; variables?: Record<string, string> }; value: ConversationCheck };
  /**
   * Validates and starts a run on its own connection. An invalid file starts nothing and answers
   * `{ runId: null, errors }`; a started run reports through `conversation:update`.
   */
  'conversation:run': { arg: { yaml: string; variables?: Record<string, string> }; value: ConversationStart };
  /** Stops a run at once; its final update still comes (the running step failed, the rest skipped). */
  'conversation:cancel': { arg: { runId: string }; value: null };
}

/** Every main → renderer event. */
export interface Events {
  /**
   * One coalesced update per session, at most about 30 a second: the latest status, the bytes
   * received since the last update (contiguous, starting at `dataOffset`), new transcript entries
   * and the latest send progress.
   */
  'session:update': {
    id: string;
    status: SessionStatus;
    data: Uint8Array | null;
    dataOffset: number;
    transcript: TranscriptEntry[];
    progress: SendProgress | null;
    /**
     * A listener client's session only (`listener:watch`): the first bytes of sends main made to
     * the client (responder replies, `listener:send`), which the page did not make itself, so the
     * transcript can preview them. At most 64 bytes each, the first 64 sends of a client.
     */
    sentHeads?: Array<{ offset: number; head: Uint8Array }>;
  };
  /**
   * Main released a closed session's bytes and transcript to bound its memory (the oldest closed
   * sessions go first; see SESSION_LIMITS.maxClosedSessions / maxClosedBytes). Calls naming it now
   * get UNKNOWN_SESSION; what the window already shows is its own copy and stays.
   */
  'session:evicted': { id: string; reason: 'too-many-closed' | 'too-many-bytes' };
  /**
   * One coalesced update per datagram session (main/ipc/datagram-updates.ts): the latest status and
   * the datagrams received since the previous update, whole, in order, each exactly once.
   */
  'datagram:update': DatagramUpdate;
  /** A listener's counters and changed client rows, coalesced (at most about 10 a second). */
  'listener:update': ListenerUpdate;
  /** The profile list changed (from this or another window). */
  'profiles:changed': { profiles: Profile[] };
  /**
   * A run's steps that changed (coalesced, about 20 a second), to the client that started it; the
   * last one has `finished: true` and the whole report (transcript with match offsets included).
   */
  'conversation:update': ConversationRunUpdate;
}

export type CallChannel = keyof Calls;
export type EventChannel = keyof Events;
export type CallArg<C extends CallChannel> = Calls[C]['arg'];
export type CallValue<C extends CallChannel> = Calls[C]['value'];
export type EventPayload<E extends EventChannel> = Events[E];

/**
 * Runtime list of call channels. The `satisfies` clause plus the exhaustiveness check below make
 * the compiler reject a channel missing from either the list or the interface.
 */
export const CALL_CHANNELS = [
  'app:info',
  'session:open',
  'session:starttls',
  'session:send',
  'session:send-file',
  'session:half-close',
  'session:close',
  'session:cancel',
  'session:ack',
  'session:discard',
  'dialog:pick-tls-file',
  'session:save-response',
  'datagram:open',
  'datagram:send',
  'datagram:join',
  'datagram:leave',
  'datagram:set-broadcast',
  'listener:start',
  'listener:stop',
  'listener:clients',
  'listener:send',
  'listener:end-client',
  'listener:set-responder',
  'listener:test',
  'listener:watch',
  'profiles:state',
  'profiles:list',
  'profiles:create',
  'profiles:update',
  'profiles:rename',
  'profiles:duplicate',
  'profiles:delete',
  'profiles:restore',
  'profiles:import-preview',
  'profiles:import',
  'profiles:export',
  'conversation:check',
  'conversation:run',
  'conversation:cancel',
] as const satisfies readonly CallChannel[];

export const EVENT_CHANNELS = ['session:update', 'session:evicted', 'datagram:update', 'listener:update', 'profiles:changed', 'conversation:update'] as const satisfies readonly EventChannel[];

type Missing<All, Listed> = Exclude<All, Listed>;
// Compile-time exhaustiveness: these fail to type-check when a channel is not listed.
const _allCallsListed: Missing<CallChannel, (typeof CALL_CHANNELS)[number]> extends never ? true : never = true;
const _allEventsListed: Missing<EventChannel, (typeof EVENT_CHANNELS)[number]> extends never ? true : never = true;
void _allCallsListed;
void _allEventsListed;

/** True when `name` is a known call channel. */
export function isCallChannel(name: unknown): name is CallChannel {
  return typeof name === 'string' && (CALL_CHANNELS as readonly string[]).includes(name);
}

/** The renderer's view of main: one function per call, one subscription per event. */
export type SocketTesterApi = {
  readonly host: HostKind;
  call<C extends CallChannel>(channel: C, arg: CallArg<C>): Promise<Result<CallValue<C>>>;
  on<E extends EventChannel>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** The failure a transport reports when main could not be reached at all. */
export function transportError(message: string): { ok: false; error: AppError } {
  return { ok: false, error: { code: 'INTERNAL', message } };
}
