/**
 * The UDP side of a tab: its datagram session, the list of datagrams sent and received, the exact
 * counts, and the selected datagram. A {@link SessionTab} holds one and hands it the calls when the
 * tab's transport is UDP, so the stream session code stays as it was.
 *
 * Reactivity: status is `$state.raw` (replaced whole from main); datagrams live in plain bounded
 * stores ({@link DatagramLog} for the exact counts, {@link DatagramRows} for the list) and
 * `version` is the one signal views redraw on: at most one bump per animation frame, however many
 * updates and datagrams arrived in it.
 */
import type { AppError, Result } from '../../../shared/errors.ts';
import type { EventPayload, SocketTesterApi } from '../../../shared/contract.ts';
import type { DatagramSessionStatus } from '../../../shared/session-datagram.ts';
import { DatagramLog, describeCounts, type DatagramCounts } from '../datagram-log.ts';
import { DatagramRows } from '../datagram-rows.ts';
import { FrameCoalescer } from '../frame-coalescer.ts';
import { uiMessage } from '../field-labels.ts';
import { t } from '../i18n/index.ts';
import type { StatusWords } from './status-words.ts';

/** What opening needs from the tab's settings. */
export interface DatagramOpenSettings {
  host: string;
  port: number;
  localPort: number;
  mode: DatagramSessionStatus['mode'];
  broadcast: boolean;
  replyWindowMs: number;
  maxDatagrams: number;
  maxResponseBytes: number;
}

/** How datagrams are shown: the list's preview column, or the selected datagram's detail. */
export type DatagramLook = 'text' | 'hex';

export class DatagramTab {
  sessionId = $state<string | null>(null);
  status = $state.raw<DatagramSessionStatus | null>(null);
  callError = $state.raw<AppError | null>(null);
  /** Bumped after every change of the plain stores below. */
  version = $state(0);
  /** The selected row's id, or null. */
  selected = $state<number | null>(null);
  busy = $state(false);
  /**
   * The list's preview column and the detail's view. Here, not in the panel, so a listener's next
   * UDP peer (a fresh viewer) opens the way the user last looked (ListenerTab's #look).
   */
  previewAs = $state<DatagramLook>('text');
  detailView = $state<DatagramLook>('text');
  /** Counts only: the list's bytes are in {@link rows}, kept once. */
  readonly log = new DatagramLog({ keepDatagrams: false });
  readonly rows = new DatagramRows();

  readonly live = $derived(!!this.status && this.status.phase !== 'closed');
  readonly counts: DatagramCounts = $derived((void this.version, this.log.counts(this.status?.datagramsReceived ?? 0)));
  readonly countsNote = $derived(describeCounts(this.counts));

  constructor(private readonly api: SocketTesterApi) {}

  async open(s: DatagramOpenSettings): Promise<Result<{ id: string }>> {
    if (this.sessionId) void this.api.call('session:discard', { id: this.sessionId });
    this.reset();
    const r = await this.api.call('datagram:open', s);
    if (r.ok) this.sessionId = r.value.id;
    else this.callError = r.error;
    return r;
  }

  /**
   * Sends one datagram. Its row is added first, at the time of sending, so a fast reply lists
   * after it; a refused send leaves its row marked as failed (main's counters count only sends
   * the kernel accepted).
   */
  async send(bytes: Uint8Array): Promise<boolean> {
    if (!this.sessionId) return false;
    this.busy = true;
    this.callError = null;
    const st = this.status;
    const rowId = this.rows.add('sent', st?.remoteAddress ?? st?.host ?? '', st?.port ?? 0, Date.now(), bytes, 0);
    this.rows.trim();
    this.version++;
    const r = await this.api.call('datagram:send', { id: this.sessionId, data: bytes });
    this.busy = false;
    if (r.ok) this.rows.setSeq(rowId, r.value.sendId);
    else {
      this.rows.markFailed(rowId);
      this.callError = r.error;
    }
    this.version++;
    return r.ok;
  }

  async close(): Promise<void> {
    await this.simple('session:close');
  }

  async cancel(): Promise<void> {
    await this.simple('session:cancel');
  }

  async join(group: string, leave = false): Promise<void> {
    if (!this.sessionId) return;
    const r = await this.api.call(leave ? 'datagram:leave' : 'datagram:join', { id: this.sessionId, group: group.trim() });
    this.callError = r.ok ? null : r.error;
  }

  async setBroadcast(on: boolean): Promise<void> {
    if (!this.sessionId) return;
    const r = await this.api.call('datagram:set-broadcast', { id: this.sessionId, on });
    this.callError = r.ok ? null : r.error;
  }

  discard(): void {
    if (this.sessionId) void this.api.call('session:discard', { id: this.sessionId });
    this.reset();
  }

  /**
   * Every `datagram:update` for this tab's session. The datagrams are stored at once; the version
   * and the status's counters are applied once per frame ({@link FrameCoalescer}: a burst sends an
   * update every few milliseconds), a change of phase at once.
   */
  applyUpdate(u: EventPayload<'datagram:update'>): void {
    if (u.id !== this.sessionId) return;
    if (u.datagrams.length > 0) {
      this.log.append(u.datagrams);
      for (const d of u.datagrams) this.rows.add('received', d.record.from, d.record.port, d.record.at, d.bytes, d.record.seq);
      this.rows.trim();
      this.#changed = true;
    }
    const before = this.#pendingStatus ?? this.status;
    this.#pendingStatus = u.status;
    this.#frame.request();
    if (!before || before.phase !== u.status.phase || (before.error === null) !== (u.status.error === null)) this.#frame.flush();
  }

  #changed = false;
  #pendingStatus: DatagramSessionStatus | null = null;
  readonly #frame = new FrameCoalescer(() => {
    if (this.#pendingStatus) this.status = this.#pendingStatus;
    this.#pendingStatus = null;
    if (this.#changed) this.version++;
    this.#changed = false;
  });

  /** Empties the list (the session and main's counts go on). */
  clearList(): void {
    this.#frame.flush();
    this.rows.clear();
    this.selected = null;
    this.version++;
  }

  private async simple(channel: 'session:close' | 'session:cancel'): Promise<void> {
    if (!this.sessionId) return;
    const r = await this.api.call(channel, { id: this.sessionId });
    if (!r.ok) this.callError = r.error;
  }

  private reset(): void {
    this.#frame.cancel();
    this.#pendingStatus = null;
    this.#changed = false;
    this.sessionId = null;
    this.status = null;
    this.callError = null;
    this.selected = null;
    this.log.clear();
    this.rows.clear();
    this.version++;
  }
}

/** The badge's words for a datagram session. */
export function datagramWords(status: DatagramSessionStatus | null, openError: AppError | null): StatusWords {
  if (!status) {
    if (openError) return { label: t('status.error', { message: uiMessage(openError) }), tone: 'error', detail: null };
    return { label: t('status.idle'), tone: 'idle', detail: null };
  }
  switch (status.phase) {
    case 'idle':
      return { label: t('status.idle'), tone: 'idle', detail: null };
    case 'binding':
      return { label: t('status.opening'), tone: 'busy', detail: null };
    case 'open':
      return { label: t('status.udpOpen'), tone: 'ok', detail: status.mode === 'from-anyone' ? t('status.fromAnyone') : t('status.targetOnly') };
    case 'closed':
      switch (status.outcome) {
        case 'closed-by-us':
          return { label: t('status.closed'), tone: 'done', detail: t('status.closedByUs') };
        case 'idle-timeout':
          return { label: t('status.replyWindowPassed'), tone: 'done', detail: t('status.noDatagram') };
        case 'count-reached':
          return { label: t('status.datagramLimit'), tone: 'warn', detail: t('status.datagramLimitDetail') };
        case 'limit-reached':
          return { label: t('status.limitReached'), tone: 'warn', detail: t('status.byteCapDetail') };
        case 'cancelled':
          return { label: t('status.cancelled'), tone: 'idle', detail: null };
        case 'error':
        default: {
          const e = status.error;
          return { label: t('status.error', { message: e ? uiMessage({ ...e, field: undefined }) : t('status.unknownFailure') }), tone: 'error', detail: e ? t('status.code', { code: e.code }) : null };
        }
      }
  }
}
