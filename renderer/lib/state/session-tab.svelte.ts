/**
 * One tab: what the user typed (endpoint, options, payload) and the live state of its session.
 *
 * Reactivity: inputs are `$state`; data from main (status, transcript) is `$state.raw` and replaced
 * whole, never mutated. Received bytes live in a plain {@link ResponseBuffer} (hundreds of MiB must
 * not be proxied); `responseVersion` is the one reactive signal views depend on to redraw.
 */
import type { AppError, Result } from '../../../shared/errors.ts';
import type { EventPayload, SocketTesterApi } from '../../../shared/contract.ts';
import { parseEndpoint } from '../../../shared/endpoint.ts';
import { encodePayload, type LineEnding, type NewlineStyle, type PayloadMode, type TextEncoding } from '../../../shared/payload.ts';
import { SESSION_LIMITS, type SendProgress, type SessionStatus, type TranscriptEntry } from '../../../shared/session.ts';
import { endpointInputErrors } from '../endpoint-inputs.ts';
import { ResponseBuffer } from '../response-buffer.ts';
import { addToHistory, type HistoryItem } from '../send-history.ts';
import { SentLog } from '../sent-log.ts';
import { isLive, statusWords } from './status-words.ts';

export type ResponseView = 'text' | 'hex' | 'transcript';

/** One send this session made, kept for the history list (bounded: renderer/lib/send-history.ts). */
export interface SentItem extends HistoryItem {
  at: number;
  /** What to put back in the editor to re-send it. */
  text: string;
  mode: PayloadMode;
  encoding: TextEncoding;
  lineEnding: LineEnding;
  newlines: NewlineStyle;
  halfClose: boolean;
  label: string;
}

/** The editable request and connection settings: what a profile stores. */
export interface TabSettings {
  host: string;
  port: string;
  payloadText: string;
  mode: PayloadMode;
  encoding: TextEncoding;
  lineEnding: LineEnding;
  newlines: NewlineStyle;
  closeAfterSend: boolean;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  maxResponseBytes: number;
}

export const DEFAULT_SETTINGS: TabSettings = {
  host: '127.0.0.1',
  port: '',
  payloadText: '',
  mode: 'text',
  encoding: 'utf8',
  lineEnding: 'none',
  newlines: 'as-typed',
  closeAfterSend: true,
  connectTimeoutMs: SESSION_LIMITS.defaultConnectTimeoutMs,
  idleTimeoutMs: 0,
  maxResponseBytes: SESSION_LIMITS.defaultMaxResponseBytes,
};

const MAX_TRANSCRIPT = SESSION_LIMITS.maxTranscriptEntries;

let tabCounter = 0;

export class SessionTab {
  readonly key = `tab-${++tabCounter}`;

  host = $state(DEFAULT_SETTINGS.host);
  port = $state(DEFAULT_SETTINGS.port);
  connectTimeoutMs = $state(DEFAULT_SETTINGS.connectTimeoutMs);
  idleTimeoutMs = $state(DEFAULT_SETTINGS.idleTimeoutMs);
  maxResponseBytes = $state(DEFAULT_SETTINGS.maxResponseBytes);
  payloadText = $state(DEFAULT_SETTINGS.payloadText);
  mode = $state<PayloadMode>(DEFAULT_SETTINGS.mode);
  encoding = $state<TextEncoding>(DEFAULT_SETTINGS.encoding);
  lineEnding = $state<LineEnding>(DEFAULT_SETTINGS.lineEnding);
  newlines = $state<NewlineStyle>(DEFAULT_SETTINGS.newlines);
  closeAfterSend = $state(DEFAULT_SETTINGS.closeAfterSend);
  /** Send our FIN when the peer's arrives first (see main/engine/follow-peer-end.ts). */
  finishWhenPeerFinishes = $state(true);

  /** The profile this tab was opened from, and its settings as saved (for the unsaved marker). */
  profileId = $state<string | null>(null);
  profileName = $state<string | null>(null);
  savedSettings = $state.raw<TabSettings | null>(null);

  sessionId = $state<string | null>(null);
  status = $state.raw<SessionStatus | null>(null);
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

  readonly preview = $derived(
    encodePayload({
      text: this.payloadText,
      mode: this.mode,
      encoding: this.encoding,
      lineEnding: this.lineEnding,
      newlines: this.newlines,
    }),
  );
  /** Errors in the Host and Port text, shown under each field while the user types. */
  readonly inputErrors = $derived(endpointInputErrors(this.host, this.port, this.connectPressed));
  readonly statusStale = $derived(
    !isLive(this.status) &&
      this.attemptedWith !== null &&
      (this.attemptedWith.host !== this.host || this.attemptedWith.port !== this.port),
  );
  // An input error is shown under its field, never in the badge as well.
  readonly words = $derived(
    this.statusStale
      ? statusWords(null, null)
      : statusWords(this.status, this.status || this.callError?.field === 'host' || this.callError?.field === 'port' ? null : this.callError),
  );
  readonly live = $derived(isLive(this.status));
  readonly canSend = $derived(
    !!this.status && this.status.phase === 'open' && !this.status.localEnded && this.preview.ok && !this.busy,
  );
  readonly title = $derived(
    this.profileName ?? (this.host && this.port ? `${this.host}:${this.port}` : 'New session'),
  );
  readonly settings = $derived<TabSettings>({
    host: this.host,
    port: this.port,
    payloadText: this.payloadText,
    mode: this.mode,
    encoding: this.encoding,
    lineEnding: this.lineEnding,
    newlines: this.newlines,
    closeAfterSend: this.closeAfterSend,
    connectTimeoutMs: this.connectTimeoutMs,
    idleTimeoutMs: this.idleTimeoutMs,
    maxResponseBytes: this.maxResponseBytes,
  });
  readonly unsaved = $derived(
    this.savedSettings !== null && JSON.stringify(this.settings) !== JSON.stringify(this.savedSettings),
  );

  constructor(private readonly api: SocketTesterApi) {}

  applySettings(s: TabSettings): void {
    this.host = s.host;
    this.port = s.port;
    this.payloadText = s.payloadText;
    this.mode = s.mode;
    this.encoding = s.encoding;
    this.lineEnding = s.lineEnding;
    this.newlines = s.newlines;
    this.closeAfterSend = s.closeAfterSend;
    this.connectTimeoutMs = s.connectTimeoutMs;
    this.idleTimeoutMs = s.idleTimeoutMs;
    this.maxResponseBytes = s.maxResponseBytes;
  }

  /** Opens a new session; the previous one's bytes are cleared (a new conversation starts). */
  async connect(): Promise<Result<{ id: string }>> {
    // Same validation as main (shared/endpoint.ts), so the field is named before any call; the
    // error shows under its field (inputErrors), not as a call error.
    const endpoint = parseEndpoint(this.host, this.port);
    if (!endpoint.ok) {
      this.connectPressed = true;
      return endpoint;
    }
    if (this.live) await this.cancel();
    this.callError = null;
    this.connectPressed = false;
    this.attemptedWith = { host: this.host, port: this.port };
    if (this.sessionId) void this.api.call('session:discard', { id: this.sessionId });
    this.resetSession();
    const r = await this.api.call('session:open', {
      host: endpoint.value.host.host,
      port: endpoint.value.port,
      connectTimeoutMs: this.connectTimeoutMs,
      idleTimeoutMs: this.idleTimeoutMs,
      maxResponseBytes: this.maxResponseBytes,
      finishWhenPeerFinishes: this.finishWhenPeerFinishes,
    });
    if (r.ok) this.sessionId = r.value.id;
    else this.callError = r.error;
    return r;
  }

  async send(): Promise<void> {
    if (!this.sessionId) return;
    const preview = this.preview;
    if (!preview.ok) {
      this.callError = preview.error;
      return;
    }
    this.busy = true;
    this.callError = null;
    const halfClose = this.closeAfterSend;
    const item: SentItem = {
      at: Date.now(),
      bytes: preview.value,
      size: preview.value.byteLength,
      bytesKept: true,
      text: this.payloadText,
      mode: this.mode,
      encoding: this.encoding,
      lineEnding: this.lineEnding,
      newlines: this.newlines,
      halfClose,
      label: this.payloadText.slice(0, 60),
    };
    this.sentLog.recordStart(preview.value);
    const r = await this.api.call('session:send', { id: this.sessionId, data: preview.value, halfClose });
    this.busy = false;
    if (r.ok) {
      this.sentLog.advance(r.value.bytesSent);
      this.remember(item);
    } else this.callError = r.error;
  }

  /** Sends an earlier item's exact bytes again (with the current close-after-send choice). */
  async resend(item: SentItem): Promise<void> {
    await this.sendBytes(item.bytes, item.label, item);
  }

  /** Sends bytes that did not come from the editor (a file picked in the browser, or history). */
  async sendBytes(bytes: Uint8Array, label: string, from?: SentItem): Promise<void> {
    if (!this.sessionId) return;
    this.busy = true;
    this.callError = null;
    // A large send takes a while to reach the engine (in web mode it crosses the WebSocket first);
    // show "0 of N bytes" and Cancel at once instead of nothing until the first write is accepted.
    // The engine's own progress (sendId ≥ 0) replaces this placeholder.
    this.sendProgress = { sendId: -1, sent: 0, total: bytes.byteLength, done: false };
    const halfClose = this.closeAfterSend;
    this.sentLog.recordStart(bytes);
    const r = await this.api.call('session:send', { id: this.sessionId, data: bytes, halfClose });
    this.busy = false;
    if (r.ok) {
      this.sentLog.advance(r.value.bytesSent);
      const item: SentItem = from
        ? { ...from, at: Date.now(), halfClose }
        : {
            at: Date.now(),
            bytes,
            size: bytes.byteLength,
            bytesKept: true,
            text: '',
            mode: 'hex',
            encoding: 'utf8',
            lineEnding: 'none',
            newlines: 'as-typed',
            halfClose,
            label,
          };
      this.remember(item);
    } else this.callError = r.error;
  }

  /** Electron: main picks and streams the file. */
  async sendFileViaMain(): Promise<void> {
    if (!this.sessionId) return;
    this.busy = true;
    const r = await this.api.call('session:send-file', { id: this.sessionId, halfClose: this.closeAfterSend });
    this.busy = false;
    if (!r.ok) this.callError = r.error;
    else if (r.value) {
      this.sentLog.advance(r.value.bytesSent);
      const item: SentItem = {
        at: Date.now(),
        bytes: new Uint8Array(0),
        // Main streamed the file; its bytes never came here, so it cannot be sent again from the list.
        size: r.value.bytesSent,
        bytesKept: false,
        text: '',
        mode: 'hex',
        encoding: 'utf8',
        lineEnding: 'none',
        newlines: 'as-typed',
        halfClose: this.closeAfterSend,
        label: `file ${r.value.fileName} (${r.value.bytesSent} bytes)`,
      };
      this.remember(item);
    }
  }

  /** Adds a send to the bounded history, counting what the limits dropped. */
  private remember(item: SentItem): void {
    const added = addToHistory(this.sentHistory, item);
    this.sentHistory = added.items;
    this.historyDropped += added.dropped;
  }

  restoreFromHistory(item: SentItem): void {
    if (!item.text && item.bytes.byteLength === 0) return;
    this.payloadText = item.text;
    this.mode = item.mode;
    this.encoding = item.encoding;
    this.lineEnding = item.lineEnding;
    this.newlines = item.newlines;
  }

  async halfClose(): Promise<void> {
    if (!this.sessionId) return;
    const r = await this.api.call('session:half-close', { id: this.sessionId });
    if (!r.ok) this.callError = r.error;
  }

  async disconnect(): Promise<void> {
    if (!this.sessionId) return;
    const r = await this.api.call('session:close', { id: this.sessionId });
    if (!r.ok) this.callError = r.error;
  }

  async cancel(): Promise<void> {
    if (!this.sessionId) return;
    const r = await this.api.call('session:cancel', { id: this.sessionId });
    if (!r.ok) this.callError = r.error;
  }

  /** Called by the app for every `session:update` addressed to this tab's session. */
  applyUpdate(u: EventPayload<'session:update'>): void {
    if (u.id !== this.sessionId) return;
    if (u.data && u.data.byteLength > 0) {
      if (u.dataOffset !== this.response.length) {
        this.gapError = `Received bytes out of order at offset ${u.dataOffset} (have ${this.response.length}).`;
      } else {
        this.response.append(u.data);
        this.responseVersion++;
      }
    }
    if (u.transcript.length > 0) {
      const merged = this.transcript.concat(u.transcript);
      if (merged.length > MAX_TRANSCRIPT) this.transcriptTruncated = true;
      this.transcript = merged.length > MAX_TRANSCRIPT ? merged.slice(merged.length - MAX_TRANSCRIPT) : merged;
    }
    // Coalesced updates may trail a send's result; never let an older send's progress win.
    if (u.progress && (!this.sendProgress || u.progress.sendId >= this.sendProgress.sendId)) this.sendProgress = u.progress;
    this.status = u.status;
  }

  clearResponse(): void {
    this.response.clear();
    this.responseVersion++;
    this.transcript = [];
    this.transcriptTruncated = false;
  }

  private resetSession(): void {
    this.sessionId = null;
    this.status = null;
    this.sendProgress = null;
    this.sentHistory = [];
    this.historyDropped = 0;
    this.gapError = null;
    this.sentLog.clear();
    this.clearResponse();
  }
}
