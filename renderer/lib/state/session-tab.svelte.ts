/**
 * One tab: what the user typed (endpoint, options, payload) and the live state of its session.
 *
 * Reactivity: the inputs are one `$state` object ({@link TabSettings}); data from main (status, transcript) is `$state.raw` and replaced
 * whole, never mutated. Received bytes live in a plain {@link ResponseBuffer} (hundreds of MiB must
 * not be proxied); `responseVersion` is the one reactive signal views depend on to redraw.
 */
import type { AcceptedTlsInfo } from '../../../shared/listener.ts';
import { ok, type AppError, type Result } from '../../../shared/errors.ts';
import type { EventPayload, SocketTesterApi } from '../../../shared/contract.ts';
import { parseEndpoint } from '../../../shared/endpoint.ts';
import { encodePayload } from '../../../shared/payload.ts';
import { SESSION_LIMITS, type SendProgress, type SessionStatus, type TranscriptEntry } from '../../../shared/session.ts';
import { endpointInputErrors } from '../endpoint-inputs.ts';
import { ResponseBuffer } from '../response-buffer.ts';
import { takeLineStarts } from '../line-index.ts';
import { FrameCoalescer } from '../frame-coalescer.ts';
import { SentLog } from '../sent-log.ts';
import { formatCount } from '../format.ts';
import { t } from '../i18n/index.ts';
import { isLive, statusWords } from './status-words.ts';
import { pushSent, sentItem, streamedFileItem, type SentItem, type SentSource } from './sent-history.ts';
import { sendAction } from './send-action.ts';
import {
  copySettings,
  defaultSendOptions,
  defaultTabSettings,
  draftFromSettings,
  endpointTitle,
  payloadOf,
  repeatPlan,
  sameSettings,
  settingsFromProfile,
  tlsOptionsOf,
  TLS_PATH_SETTING,
  type PickedTlsFiles,
  type ProfileMeta,
  type SendOptions,
  type TabSettings,
} from './tab-settings.ts';
import { expandMacros } from '../session-macros.ts';
import type { RecordedExchange } from '../conversation-doc.ts';
import { TLS_LIMITS, type TlsFilePurpose } from '../../../shared/tls.ts';
import type { HostKind } from '../../../shared/contract.ts';
import { DatagramTab, datagramWords } from './datagram-tab.svelte.ts';
import { datagramSendAction } from './datagram-send-action.ts';
import type { WorkTab } from './work-tab.ts';
import { applyLink, linkOf, type TabSnapshot } from './workspace.ts';
import type { Profile, ProfileDraft } from '../../../shared/profile.ts';

export type ResponseView = 'text' | 'hex' | 'transcript' | 'timeline' | 'tls';

/** A "Send every N ms" run: how far it got, and why it stopped (null while running or when done). */
export interface RepeatStatus {
  running: boolean;
  sent: number;
  /** Sends planned; null for "until stopped". */
  total: number | null;
  everyMs: number;
  /** Why it ended early (stopped, the connection closed, a send failed); null when it ran out. */
  stoppedBecause: string | null;
}

const PROGRESS_PLACEHOLDER_BYTES = 64 * 1024;
const MAX_TRANSCRIPT = SESSION_LIMITS.maxTranscriptEntries;

let tabCounter = 0;

/**
 * Same stage of the session: only counters and times differ. Such an update may wait for the next
 * frame; one that opens, ends either side or closes the session is applied at once.
 */
function sameStage(a: SessionStatus, b: SessionStatus): boolean {
  return a.phase === b.phase && a.step === b.step && a.localEnded === b.localEnded && a.remoteEnded === b.remoteEnded && a.outcome === b.outcome && (a.error === null) === (b.error === null) && (a.tls === null) === (b.tls === null);
}

/** No `tls` key at all for TCP (the call's schema is strict about what it is given). */
function tlsArg(tls: ReturnType<typeof tlsOptionsOf>): { tls?: NonNullable<ReturnType<typeof tlsOptionsOf>> } {
  return tls ? { tls } : {};
}

export class SessionTab implements WorkTab {
  readonly kind = 'session' as const;
  readonly key = `tab-${++tabCounter}`;

  /** What the user edits; components bind to its fields. Replaced whole by {@link applySettings}. */
  settings = $state<TabSettings>(defaultTabSettings());
  /** Send our FIN when the peer's arrives first (see main/engine/follow-peer-end.ts). */
  finishWhenPeerFinishes = $state(true);
  /** The PFX or key passphrase for the next TLS connect: typed, used, never saved with the settings. */
  tlsPassphrase = $state('');
  /** Credential files the browser read (web mode): used while their path field is empty; never saved. */
  tlsPicked = $state.raw<PickedTlsFiles>({});
  /** Why the last file chosen for a credential was not taken, by purpose (shown under its field). */
  tlsPickErrors = $state.raw<Partial<Record<TlsFilePurpose, string>>>({});

  /** The profile this tab was opened from, and its settings as saved (for the unsaved marker). */
  profileId = $state<string | null>(null);
  profileName = $state<string | null>(null);
  /** The revision of the profile this tab's settings came from: a save based on it may conflict. */
  profileRevision = $state<number | null>(null);
  savedSettings = $state.raw<TabSettings | null>(null);

  sessionId = $state<string | null>(null);
  /** Main released this closed session's data to bound its memory; the bytes shown are this tab's copy. */
  released = $state<EventPayload<'session:evicted'>['reason'] | null>(null);
  status = $state.raw<SessionStatus | null>(null);
  /**
   * Only in a listener client's viewer: what the accepted connection's TLS handshake established
   * (null: the client came over plain TCP, or its details could not be read), from
   * `listener:watch`; 'pending' until that call answers. Undefined in every other tab, whose TLS
   * view is the outgoing session's.
   */
  acceptedTls = $state.raw<AcceptedTlsInfo | null | 'pending' | undefined>(undefined);
  /** A failure of the last call (open, send, …), shown beside the control that made it. */
  callError = $state.raw<AppError | null>(null);
  sendProgress = $state.raw<SendProgress | null>(null);
  transcript = $state.raw<TranscriptEntry[]>([]);
  transcriptTruncated = $state(false);
  sentHistory = $state.raw<SentItem[]>([]);
  /** Older sends dropped from the history by its limits, said in the list. */
  historyDropped = $state(0);
  readonly response = new ResponseBuffer();
  /** The first bytes of each send, for transcript previews (bounded; never every byte sent). */
  readonly sentLog = new SentLog();
  responseVersion = $state(0);
  /** Bytes received that arrived out of order or twice: always 0 unless something is broken. */
  gapError = $state<string | null>(null);

  /**
   * Host and port as they were at the last Connect. When the inputs differ and no session is live,
   * the last status (and a connect error) describes other inputs: it is stale and no longer shown.
   */
  attemptedWith = $state.raw<{ host: string; port: string } | null>(null);
  /** Connect was pressed: from now on an empty Host or Port is named under its field too. */
  connectPressed = $state(false);

  view = $state<ResponseView>('text');
  wrap = $state(true);
  busy = $state(false);
  /** A connect-and-send is waiting for the session to open. */
  pendingSend = $state(false);

  /** Macros and repeat on send (issue 15 item 4); not part of the saved settings. */
  sendOptions = $state<SendOptions>(defaultSendOptions());
  /** Sends made with macros on; `${counter}` of the next one is this plus 1. */
  macroSends = $state(0);
  repeat = $state.raw<RepeatStatus | null>(null);
  #repeatStop: ((why: string) => void) | null = null;
  /** During a repeat: whether this send half-closes (only the last planned one may). */
  #halfCloseOverride: boolean | null = null;

  /** The UDP side (issue 13): used instead of the stream session when the transport is UDP. */
  get dgram(): DatagramTab {
    return this.#dgram!;
  }
  /**
   * Made in the constructor, never lazily: state created inside a derived's first run is not
   * tracked by that derived (Svelte skips sources created by the running reaction).
   */
  #dgram: DatagramTab | null = null;
  readonly udp = $derived(this.settings.transport === 'udp');

  /**
   * The bytes Send would send. With macros on, an example: `${counter}` as the next send's value,
   * `${time}`/`${date}` as of this edit, fresh random digits (each send expands them anew).
   */
  readonly preview = $derived(
    this.sendOptions.macros ? expandMacros(payloadOf(this.settings), { counter: this.macroSends + 1, now: Date.now() }) : encodePayload(payloadOf(this.settings)),
  );
  /** Errors in the Host and Port text, shown under each field while the user types. */
  readonly inputErrors = $derived(endpointInputErrors(this.settings.host, this.settings.port, this.connectPressed));
  readonly statusStale = $derived(
    !isLive(this.status) &&
      this.attemptedWith !== null &&
      (this.attemptedWith.host !== this.settings.host || this.attemptedWith.port !== this.settings.port),
  );
  // An input error is shown under its field, never in the badge as well.
  readonly words = $derived(
    this.udp
      ? datagramWords(this.dgram.status, this.dgram.status ? null : (this.dgram.callError ?? this.callError))
      : this.statusStale
        ? statusWords(null, null)
        : statusWords(this.status, this.status || this.callError?.field === 'host' || this.callError?.field === 'port' ? null : this.callError),
  );
  readonly live = $derived(isLive(this.status) || this.dgram.live);
  readonly title = $derived(
    this.profileName ?? endpointTitle(this.settings.host, this.settings.port) ?? t('tabs.newSession'),
  );
  readonly unsaved = $derived(this.savedSettings !== null && !sameSettings(this.settings, this.savedSettings));
  /**
   * Holds nothing that opening a profile here could lose: no session (so no status, response or
   * history) and no edit (the saved profile's settings, or a new tab's).
   */
  readonly pristine = $derived(
    this.sessionId === null && this.dgram.sessionId === null && !this.pendingSend && sameSettings(this.settings, this.savedSettings ?? defaultTabSettings()),
  );
  /** What Send and Ctrl+Enter do now, and the words for it. */
  readonly sendAction = $derived(
    this.udp
      ? datagramSendAction({
          status: this.dgram.status,
          payloadOk: this.preview.ok,
          busy: this.dgram.busy,
          pending: this.pendingSend,
          endpointOk: this.inputErrors.host === null && this.inputErrors.port === null,
        })
      : sendAction({
          status: this.status,
          payloadOk: this.preview.ok,
          busy: this.busy,
          pending: this.pendingSend,
          endpointOk: this.inputErrors.host === null && this.inputErrors.port === null,
        }),
  );

  /** Resolved when the session is open or closed (connect-and-send waits on these). */
  private settledWaiters: Array<() => void> = [];

  constructor(private readonly api: SocketTesterApi) {
    this.#dgram = new DatagramTab(api);
  }

  applySettings(s: TabSettings): void {
    this.settings = copySettings(s);
  }

  /** Which front end: a native chooser fills a path (desktop) or the browser reads the file (web). */
  get host(): HostKind {
    return this.api.host;
  }

  /** Desktop: the native chooser fills the credential's path field (cancel leaves it as it was). */
  async chooseTlsPath(purpose: TlsFilePurpose): Promise<void> {
    const r = await this.api.call('dialog:pick-tls-file', { purpose });
    if (!r.ok) this.tlsPickErrors = { ...this.tlsPickErrors, [purpose]: r.error.message };
    else if (r.value) {
      this.settings[TLS_PATH_SETTING[purpose]] = r.value.path;
      this.dropPicked(purpose);
    }
  }

  /**
   * Web mode: takes a file the browser reads for a credential. Refused (and said under the field)
   * when larger than main would accept, before it is read; the bytes stay in this tab's memory only.
   */
  async takePickedTlsFile(purpose: TlsFilePurpose, name: string, size: number, read: () => Promise<Uint8Array>): Promise<void> {
    const { [purpose]: _old, ...rest } = this.tlsPickErrors;
    if (size > TLS_LIMITS.maxCredentialFileBytes) {
      this.tlsPickErrors = { ...rest, [purpose]: t('connection.fileTooBig', { name, size: String(size), max: String(TLS_LIMITS.maxCredentialFileBytes) }) };
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = await read();
    } catch (err) {
      this.tlsPickErrors = { ...rest, [purpose]: t('connection.fileUnreadable', { name, reason: err instanceof Error ? err.message : String(err) }) };
      return;
    }
    this.tlsPickErrors = rest;
    this.settings[TLS_PATH_SETTING[purpose]] = '';
    this.tlsPicked = { ...this.tlsPicked, [purpose]: { name, bytes } };
  }

  dropPicked(purpose: TlsFilePurpose): void {
    const { [purpose]: _gone, ...rest } = this.tlsPicked;
    this.tlsPicked = rest;
  }

  get keptBytes(): number {
    return this.response.length;
  }

  /** Links the tab to `p` as saved (its settings become the unsaved marker's reference); the edit stays. */
  linkProfile(p: Profile): void {
    this.profileId = p.id;
    this.profileName = p.name;
    this.profileRevision = p.revision;
    this.savedSettings = settingsFromProfile(p);
  }

  unlinkProfile(): void {
    this.profileId = null;
    this.profileName = null;
    this.profileRevision = null;
    this.savedSettings = null;
  }

  followProfile(p: Profile): void {
    this.profileName = p.name;
    if (this.savedSettings !== null && sameSettings(settingsFromProfile(p), this.savedSettings)) this.profileRevision = p.revision;
  }

  snapshot(): TabSnapshot {
    return { kind: 'session', settings: copySettings(this.settings), saved: this.savedSettings && copySettings(this.savedSettings), profile: linkOf(this), view: this.view, wrap: this.wrap };
  }

  /** A reload's copy of this tab: its edit, its saved copy and link, its view; no session. */
  restore(s: Extract<TabSnapshot, { kind: 'session' }>): void {
    this.applySettings(s.settings);
    this.savedSettings = s.saved;
    applyLink(this, s.profile);
    this.view = s.view;
    this.wrap = s.wrap;
  }

  profileDraft(meta: ProfileMeta): Result<ProfileDraft> {
    const endpoint = parseEndpoint(this.settings.host, this.settings.port);
    if (!endpoint.ok) return endpoint;
    return ok(draftFromSettings(this.settings, meta, endpoint.value.port));
  }

  /** Replaces the tab's settings with `p`'s and links it (only for a tab that may be replaced). */
  loadProfile(p: Profile): void {
    this.applySettings(settingsFromProfile(p));
    this.callError = null;
    this.linkProfile(p);
  }

  /** Opens a new session; the previous one's bytes are cleared (a new conversation starts). */
  async connect(): Promise<Result<{ id: string }>> {
    if (this.udp) {
      if (this.live) await this.cancel();
      this.callError = null;
      return this.openDatagram();
    }
    // Same validation as main (shared/endpoint.ts), so the field is named before any call; the
    // error shows under its field (inputErrors), not as a call error.
    const endpoint = parseEndpoint(this.settings.host, this.settings.port);
    if (!endpoint.ok) {
      this.connectPressed = true;
      return endpoint;
    }
    if (this.live) await this.cancel();
    this.callError = null;
    this.connectPressed = false;
    this.attemptedWith = { host: this.settings.host, port: this.settings.port };
    if (this.sessionId) void this.api.call('session:discard', { id: this.sessionId });
    this.resetSession();
    this.dgram.discard();
    const r = await this.api.call('session:open', {
      host: endpoint.value.host.host,
      port: endpoint.value.port,
      connectTimeoutMs: this.settings.connectTimeoutMs,
      idleTimeoutMs: this.settings.idleTimeoutMs,
      maxResponseBytes: this.settings.maxResponseBytes,
      finishWhenPeerFinishes: this.finishWhenPeerFinishes,
      ...tlsArg(tlsOptionsOf(this.settings, this.tlsPassphrase, this.tlsPicked)),
    });
    if (r.ok) this.sessionId = r.value.id;
    else this.callError = r.error;
    return r;
  }

  /**
   * The Send button and Ctrl+Enter: sends on an open session; with none, connects first and sends
   * once it is open (an error in the endpoint or the connect is shown where it belongs). Does
   * nothing when {@link sendAction} says why not.
   */
  async sendNow(): Promise<boolean> {
    const action = this.sendAction;
    if (action.kind === 'none') return false;
    if (action.kind === 'send') return this.send();
    this.pendingSend = true;
    try {
      if (action.kind === 'connect-and-send') {
        const r = await this.connect();
        if (!r.ok) return false;
      }
      await this.untilSettled();
      if (this.udp ? this.dgram.status?.phase === 'open' : this.status?.phase === 'open' && !this.status.localEnded) return await this.send();
      return false;
    } finally {
      this.pendingSend = false;
    }
  }

  /**
   * "Send every N ms": sends the editor's payload (macros expanded anew each time when on) the
   * planned number of times, or until stopped (bounded by SEND_REPEAT_LIMITS.maxCount). The first
   * send may connect, as Send does. Sends never overlap: the next starts `everyMs` after the
   * previous one started, or at once when that one took longer. Stops at the first failed send, when
   * the connection is no longer writable, on {@link stopRepeat}, and on cancel (a closed tab).
   * "Close my side after sending" applies after the last planned send only (never until stopped).
   * `repeat.sent` counts sends main accepted, nothing else.
   */
  async startRepeat(): Promise<void> {
    if (this.repeat?.running) return;
    const plan = repeatPlan(this.sendOptions);
    if (!plan.ok) {
      this.callError = plan.error;
      return;
    }
    const { everyMs, count, untilStopped } = plan.value;
    this.callError = null;
    let stoppedBecause: string | null = null;
    let wake: (() => void) | null = null;
    this.#repeatStop = (why) => {
      stoppedBecause ??= why;
      wake?.();
    };
    let sent = 0;
    this.repeat = { running: true, sent, total: untilStopped ? null : count, everyMs, stoppedBecause: null };
    try {
      for (let i = 0; i < count && stoppedBecause === null; i++) {
        const started = performance.now();
        if (i > 0 && this.sendAction.kind !== 'send') {
          const action = this.sendAction;
          stoppedBecause = action.kind === 'none' ? action.reason : t('request.stopNoLongerOpen');
          break;
        }
        this.#halfCloseOverride = i + 1 === count && !untilStopped ? this.settings.closeAfterSend : false;
        const ok = await (i === 0 ? this.sendNow() : this.send());
        if (!ok) {
          // Re-read: the send set it (the compiler still sees the null assigned above).
          const error = this.callError as AppError | null;
          stoppedBecause ??= error ? t('request.stopSendFailed', { message: error.message }) : t('request.stopNotOpen');
          break;
        }
        sent++;
        this.repeat = { ...this.repeat, sent };
        if (i + 1 >= count || stoppedBecause !== null) break;
        const wait = everyMs - (performance.now() - started);
        if (wait > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, wait);
            function done(): void {
              clearTimeout(timer);
              wake = null;
              resolve();
            }
            wake = done;
          });
        }
      }
      if (untilStopped && stoppedBecause === null && sent >= count) stoppedBecause = t('request.stopLimit', { count });
    } finally {
      this.#halfCloseOverride = null;
      this.#repeatStop = null;
      this.repeat = { running: false, sent, total: untilStopped ? null : count, everyMs, stoppedBecause };
    }
  }

  /** Stops a running repeat after the send in flight, if any. */
  stopRepeat(why = t('request.stopped')): void {
    this.#repeatStop?.(why);
  }

  /**
   * Waits for the session to be open or closed. Bounded: the engine's connect timeout ends a
   * connect attempt; the extra margin covers updates lost with a closed page or transport.
   */
  private untilSettled(): Promise<void> {
    if (this.udp) return this.untilDatagramSettled();
    const phase = this.status?.phase;
    if (phase === 'open' || phase === 'closed' || !this.sessionId) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.settledWaiters = this.settledWaiters.filter((w) => w !== done);
        resolve();
      }, this.settings.connectTimeoutMs + 10_000);
      this.settledWaiters.push(done);
    });
  }

  /** Sends the editor's bytes. */
  /** Sends the editor's bytes (macros expanded now, when on); true when main accepted them. */
  async send(): Promise<boolean> {
    const preview = this.preview;
    if (!preview.ok) {
      this.callError = preview.error;
      return false;
    }
    const payload = payloadOf(this.settings);
    if (!this.sendOptions.macros) return this.sendBytes(preview.value, { payload });
    const fresh = expandMacros(payload, { counter: this.macroSends + 1, now: Date.now() });
    if (!fresh.ok) {
      this.callError = fresh.error;
      return false;
    }
    const sent = await this.sendBytes(fresh.value, { payload });
    if (sent) this.macroSends++;
    return sent;
  }

  /** Sends an earlier item's exact bytes again (with the current close-after-send choice). */
  async resend(item: SentItem): Promise<void> {
    if (!item.bytesKept) return;
    await this.sendBytes(item.bytes, item.payload ? { payload: item.payload } : { label: item.label });
  }

  /** Sends bytes: from the editor, from history, or a file picked in the browser. */
  async sendBytes(bytes: Uint8Array, source: SentSource): Promise<boolean> {
    if (this.udp) {
      const sent = await this.dgram.send(bytes);
      if (sent) this.recordSent(sentItem(source, bytes, false, Date.now()));
      return sent;
    }
    if (!this.sessionId) return false;
    this.busy = true;
    this.callError = null;
    // A large send takes a while to reach the engine (in web mode it crosses the WebSocket first);
    // show "0 of N bytes" and Cancel at once instead of nothing until the first write is accepted.
    // The engine's own progress (sendId ≥ 0) replaces this placeholder. A small send is over before
    // a bar could be read, and showing one for each would make the editor jump.
    if (bytes.byteLength >= PROGRESS_PLACEHOLDER_BYTES) this.sendProgress = { sendId: -1, sent: 0, total: bytes.byteLength, done: false };
    const halfClose = this.#halfCloseOverride ?? this.settings.closeAfterSend;
    this.sentLog.recordStart(bytes);
    const r = await this.api.call('session:send', { id: this.sessionId, data: bytes, halfClose });
    this.busy = false;
    if (r.ok) {
      this.sentLog.advance(r.value.bytesSent);
      this.recordSent(sentItem(source, bytes, halfClose, Date.now()));
    } else this.callError = r.error;
    return r.ok;
  }

  /**
   * What "Record from this session" turns into steps: each send still in the history (oldest
   * first) with the bytes received after it, up to the next send. `skipped`: sends not recorded
   * (dropped from the history by its bounds, or files whose bytes were not kept).
   */
  recordedExchanges(): { exchanges: RecordedExchange[]; skipped: number } {
    this.flushPending();
    const sends = [...this.sentHistory].reverse();
    // Where the received stream stood when each send went out, from the transcript's order.
    const marks: number[] = [];
    let received = 0;
    for (const e of this.transcript) {
      if (e.kind === 'received') received = e.offset + e.bytes;
      else if (e.kind === 'sent') marks.push(received);
    }
    const n = Math.min(sends.length, marks.length);
    const items = sends.slice(sends.length - n);
    const at = marks.slice(marks.length - n);
    const total = this.response.length;
    const exchanges: RecordedExchange[] = [];
    let skipped = this.historyDropped + (sends.length - n);
    items.forEach((item, i) => {
      if (!item.bytesKept) {
        skipped++;
        return;
      }
      const start = Math.min(at[i]!, total);
      const end = Math.min(i + 1 < n ? at[i + 1]! : total, total, start + 4096);
      exchanges.push({ sent: item.bytes, reply: this.response.slice(start, end) });
    });
    return { exchanges, skipped };
  }

  /** Electron: main picks and streams the file. */
  async sendFileViaMain(): Promise<void> {
    if (!this.sessionId) return;
    this.busy = true;
    const halfClose = this.settings.closeAfterSend;
    const r = await this.api.call('session:send-file', { id: this.sessionId, halfClose });
    this.busy = false;
    if (!r.ok) this.callError = r.error;
    else if (r.value) {
      // The file's bytes stay in main: the history keeps the label only, and nothing to send again.
      this.sentLog.advance(r.value.bytesSent);
      this.recordSent(streamedFileItem(r.value.fileName, r.value.bytesSent, halfClose, Date.now()));
    }
  }

  /** Electron: main asks where to save and writes the kept response. Null when the user cancelled. */
  async saveResponseViaMain(suggestedName: string): Promise<{ path: string } | null> {
    if (!this.sessionId) return null;
    const r = await this.api.call('session:save-response', { id: this.sessionId, suggestedName });
    if (!r.ok) {
      this.callError = r.error;
      return null;
    }
    return r.value;
  }

  restoreFromHistory(item: SentItem): void {
    if (!item.payload) return;
    this.settings.payloadText = item.payload.text;
    this.settings.mode = item.payload.mode;
    this.settings.encoding = item.payload.encoding;
    this.settings.lineEnding = item.payload.lineEnding;
    this.settings.newlines = item.payload.newlines ?? 'as-typed';
  }

  async halfClose(): Promise<void> {
    if (!this.sessionId) return;
    const r = await this.api.call('session:half-close', { id: this.sessionId });
    if (!r.ok) this.callError = r.error;
  }

  async disconnect(): Promise<void> {
    this.stopRepeat(t('request.stopDisconnected'));
    if (this.dgram.live) return this.dgram.close();
    if (!this.sessionId) return;
    const r = await this.api.call('session:close', { id: this.sessionId });
    if (!r.ok) this.callError = r.error;
  }

  async cancel(): Promise<void> {
    this.stopRepeat(t('request.stopCancelled'));
    if (this.dgram.live) return this.dgram.cancel();
    if (!this.sessionId) return;
    const r = await this.api.call('session:cancel', { id: this.sessionId });
    if (!r.ok) this.callError = r.error;
  }

  /**
   * Called by the app for every `session:update` addressed to this tab's session. The bytes are
   * stored at once (they are acknowledged after this returns); what views redraw on (the version,
   * the status's counters, the transcript rows) is applied once per frame ({@link FrameCoalescer}),
   * except a change of phase or of either side's end, which shows at once with everything before it.
   */
  applyUpdate(u: EventPayload<'session:update'>): void {
    if (u.id !== this.sessionId) return;
    if (u.data && u.data.byteLength > 0) {
      if (u.dataOffset !== this.response.length) {
        this.gapError = t('response.gap', { offset: formatCount(u.dataOffset), have: formatCount(this.response.length) });
      } else {
        // Line starts found off the main thread (web mode's bridge worker) when they came along.
        this.response.append(u.data, takeLineStarts(u.data));
        this.#responseChanged = true;
      }
    }
    // A listener client's replies, sent by main: their heads come with the update (before the
    // transcript below re-renders the rows that preview them).
    if (u.sentHeads) for (const h of u.sentHeads) this.sentLog.recordAt(h.offset, h.head);
    if (u.transcript.length > 0) {
      this.#pendingTranscript.push(...u.transcript);
      // Never more than the view keeps: a page that gets no frames must not grow this without bound.
      if (this.#pendingTranscript.length > MAX_TRANSCRIPT) {
        this.#pendingTranscript.splice(0, this.#pendingTranscript.length - MAX_TRANSCRIPT);
        this.#pendingTranscriptCut = true;
      }
    }
    // Coalesced updates may trail a send's result; never let an older send's progress win.
    if (u.progress && (!this.sendProgress || u.progress.sendId >= this.sendProgress.sendId)) this.sendProgress = u.progress;
    const before = this.#pendingStatus ?? this.status;
    this.#pendingStatus = u.status;
    if (before && sameStage(before, u.status)) {
      this.#frame.request();
      return;
    }
    this.#frame.request();
    this.#frame.flush();
    if (u.status.phase === 'closed' || u.status.localEnded) this.stopRepeat(u.status.phase === 'closed' ? t('request.stopClosed') : t('request.stopLocalEnded'));
    if (u.status.phase === 'open' || u.status.phase === 'closed') for (const w of this.settledWaiters.splice(0)) w();
  }

  /** Status, transcript and version gathered since the last frame, applied at once. */
  #responseChanged = false;
  #pendingStatus: SessionStatus | null = null;
  #pendingTranscript: TranscriptEntry[] = [];
  #pendingTranscriptCut = false;
  readonly #frame = new FrameCoalescer(() => this.#applyFrame());

  #applyFrame(): void {
    if (this.#pendingTranscript.length > 0) {
      const merged = this.transcript.concat(this.#pendingTranscript);
      if (merged.length > MAX_TRANSCRIPT || this.#pendingTranscriptCut) this.transcriptTruncated = true;
      this.transcript = merged.length > MAX_TRANSCRIPT ? merged.slice(merged.length - MAX_TRANSCRIPT) : merged;
      this.#pendingTranscript = [];
      this.#pendingTranscriptCut = false;
    }
    if (this.#pendingStatus) this.status = this.#pendingStatus;
    this.#pendingStatus = null;
    if (this.#responseChanged) this.responseVersion++;
    this.#responseChanged = false;
  }

  /** Applies what is waiting for the next frame now (before reading status or transcript for an action). */
  flushPending(): void {
    this.#frame.flush();
  }

  /** Main evicted this tab's (closed) session: calls naming it would fail, so forget its id. */
  markReleased(reason: EventPayload<'session:evicted'>['reason']): void {
    this.released = reason;
  }

  clearResponse(): void {
    this.#frame.flush();
    this.dgram.clearList();
    this.response.clear();
    this.responseVersion++;
    this.transcript = [];
    this.transcriptTruncated = false;
  }

  /** Adds a send to the bounded history, counting what the limits dropped. */
  private recordSent(item: SentItem): void {
    const added = pushSent(this.sentHistory, item);
    this.sentHistory = added.items;
    this.historyDropped += added.dropped;
  }

  /**
   * Forgets the session (main drops it and its kept bytes) but keeps what the user typed: a closed
   * tab that must give up its memory becomes a tab that can still be reopened.
   */
  releaseSession(): void {
    if (this.sessionId) void this.api.call('session:discard', { id: this.sessionId });
    this.resetSession();
    this.dgram.discard();
  }

  // ── UDP (issue 13) ───────────────────────────────────────────────────────────────────────────

  /** Opens a datagram session with the tab's UDP settings; the stream session, if any, is forgotten. */
  private async openDatagram(): Promise<Result<{ id: string }>> {
    const endpoint = parseEndpoint(this.settings.host, this.settings.port);
    if (!endpoint.ok) {
      this.callError = endpoint.error;
      return endpoint;
    }
    if (this.sessionId) void this.api.call('session:discard', { id: this.sessionId });
    this.resetSession();
    const s = this.settings;
    return this.dgram.open({
      host: endpoint.value.host.host,
      port: endpoint.value.port,
      localPort: s.udpLocalPort,
      mode: s.udpMode,
      broadcast: s.udpBroadcast,
      replyWindowMs: s.udpReplyWindowMs,
      maxDatagrams: s.udpMaxDatagrams,
      maxResponseBytes: s.maxResponseBytes,
    });
  }

  /** Called by the app for every `datagram:update`; wakes a waiting open-and-send. */
  applyDatagramUpdate(u: EventPayload<'datagram:update'>): void {
    if (u.id !== this.dgram.sessionId) return;
    this.dgram.applyUpdate(u);
    if (u.status.phase === 'open' || u.status.phase === 'closed') for (const w of this.settledWaiters.splice(0)) w();
  }

  /** Waits for the datagram session to be open or closed; bounded like {@link untilSettled}. */
  private untilDatagramSettled(): Promise<void> {
    const phase = this.dgram.status?.phase;
    if (phase === 'open' || phase === 'closed' || !this.dgram.sessionId) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.settledWaiters = this.settledWaiters.filter((w) => w !== done);
        resolve();
      }, this.settings.connectTimeoutMs + 10_000);
      this.settledWaiters.push(done);
    });
  }

  private resetSession(): void {
    this.#frame.cancel();
    this.#pendingStatus = null;
    this.#pendingTranscript = [];
    this.#pendingTranscriptCut = false;
    this.sessionId = null;
    this.released = null;
    this.status = null;
    this.sendProgress = null;
    this.sentHistory = [];
    this.historyDropped = 0;
    this.gapError = null;
    this.sentLog.clear();
    this.clearResponse();
  }
}
