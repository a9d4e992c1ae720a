/**
 * One listener's client table as main keeps it, and its coalesced `listener:update` events.
 *
 * Invariants:
 * - At most about IPC_LIMITS.updatesPerSecond / 3 updates a second per listener (10), however
 *   many clients send how fast: a row changed many times between two updates goes once, with its
 *   latest figures. One update carries at most LISTENER_IPC_LIMITS.maxRowsPerUpdate rows; the rest
 *   go in the next. Nothing is sent while the sink's backlog is above MAX_SINK_BACKLOG (a slow page).
 * - The table is bounded: live rows by the listener's maxClients, closed rows by
 *   LISTENER_IPC_LIMITS.maxClosedRows (the oldest closed row is dropped first, and its id is sent in
 *   `dropped` so the page drops it too).
 * - A stream client's figures are read from its session's status when the update is built, so
 *   they are main's truth; a UDP peer's are counted from the listener's events.
 * - After the final ('stopped') update the table sends nothing more.
 * - A UDP listener's latest datagrams (every peer, both ways) are kept in one log bounded by
 *   LISTENER_IPC_LIMITS.udpKeptDatagrams and udpKeptBytes, oldest dropped first. A watch answers
 *   the watched peer's kept ones; later ones go out in updates, in order, each once (a cursor over
 *   the log's running number), at most udpDatagramsPerUpdate / udpBytesPerUpdate per update.
 *   Entries dropped before they went out show as a gap in the peer's `seq`, never as a silent hole.
 */
import { IPC_LIMITS, type EventPayload } from '../../shared/contract.ts';
import type { AppError } from '../../shared/errors.ts';
import {
  LISTENER_IPC_LIMITS,
  type AcceptedTlsInfo,
  type ClientOutcome,
  type ListenerClientView,
  type ListenerDatagram,
  type ListenerUpdate,
} from '../../shared/listener.ts';
import type { ClientInfo, Listener } from '../engine/listener/listener.ts';
import type { StreamSession } from '../engine/stream-session.ts';
import { MAX_SINK_BACKLOG } from './session-updates.ts';

/** Where listener updates go. */
export interface ListenerUpdateSink {
  readonly alive: boolean;
  sendListenerUpdate(update: EventPayload<'listener:update'>): void;
  backlog?(): number;
}

const MIN_INTERVAL_MS = (1000 / IPC_LIMITS.updatesPerSecond) * 3;
/** How soon a backlogged page is looked at again. */
const BACKLOG_RETRY_MS = 100;

interface Row {
  view: ListenerClientView;
  session: StreamSession | null;
  /** The first bytes of the first sends to this client, for a watcher's transcript previews. */
  heads: Array<{ offset: number; head: Uint8Array }>;
  /** TLS: the handshake's facts for the client's TLS view (not in updates: asked for by a watch). */
  tls: AcceptedTlsInfo | null;
}

/** One kept UDP datagram: whose, and its running number in the log (consecutive from the first kept). */
interface KeptDatagram extends ListenerDatagram {
  n: number;
  clientId: number;
}

/** What goes to the page: the datagram without the log's own fields. */
const outOf = (k: KeptDatagram): ListenerDatagram => ({ direction: k.direction, seq: k.seq, at: k.at, bytes: k.bytes });

/** Sends per client whose first bytes are kept, and how many bytes of each (as the page's SentLog). */
export const SENT_HEADS = { maxSends: 64, headBytes: 64 } as const;

/** Keeps one listener's rows and pushes their changes; see the invariants above. */
export class ListenerTable {
  readonly #rows = new Map<number, Row>();
  /** Closed rows, oldest closed first. */
  readonly #closedOrder = new Set<number>();
  readonly #dirty = new Set<number>();
  #dropped: number[] = [];
  #refused: ListenerUpdate['refused'] = null;
  #statsDirty = true;
  #stopped = false;
  #finalSent = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #lastFlush = 0;
  readonly #unsubscribe: Array<() => void> = [];
  /** UDP: the kept datagrams, oldest first, from index #udpStart (see the invariants). */
  #udpLog: KeptDatagram[] = [];
  #udpStart = 0;
  #udpBytes = 0;
  #udpNext = 1;
  /** UDP: the watched peer and the running number of the last of its datagrams sent out. */
  #watched: { clientId: number; cursor: number } | null = null;
  /** The last update left some of the watched peer's datagrams for the next. */
  #watchBacklog = false;

  constructor(
    readonly id: string,
    private readonly listener: Listener,
    private readonly sink: ListenerUpdateSink,
  ) {
    const l = listener;
    this.#unsubscribe.push(
      l.on('accepted', (c) => this.#onAccepted(c)),
      l.on('received', (c, bytes) => {
        this.#keepDatagram(c, 'received', bytes);
        this.#count(c, 'bytesIn', bytes.byteLength);
      }),
      l.on('sent', (c, bytes) => {
        this.#keepHead(c, bytes);
        this.#keepDatagram(c, 'sent', bytes);
        this.#count(c, 'bytesOut', bytes.byteLength);
      }),
      l.on('rule', () => this.#touchStats()),
      l.on('refused', (p) => {
        this.#refused = p;
        this.#touchStats();
      }),
      l.on('client-error', (c, error) => this.#onError(c, error)),
      l.on('closed', (c, outcome, error) => this.#onClosed(c, outcome, error)),
    );
  }

  /** Every row now, for `listener:clients` (a page that reloaded its view). */
  snapshot(): ListenerUpdate {
    return {
      id: this.id,
      phase: this.#stopped ? 'stopped' : 'listening',
      stats: this.listener.stats(),
      clients: [...this.#rows.values()].map((r) => this.#view(r)),
      dropped: [],
      refused: null,
    };
  }

  /** One row now, or undefined when the table does not hold it (never was, or dropped). */
  snapshotRow(clientId: number): ListenerClientView | undefined {
    const row = this.#rows.get(clientId);
    return row ? this.#view(row) : undefined;
  }

  /** A TLS client's handshake facts; null for TCP, UDP, a failed handshake, or a row not held. */
  tlsOf(clientId: number): AcceptedTlsInfo | null {
    return this.#rows.get(clientId)?.tls ?? null;
  }

  /** The kept send heads of a client from position `from` on (a watcher keeps its position). */
  sentHeads(clientId: number, from: number): Array<{ offset: number; head: Uint8Array }> {
    return this.#rows.get(clientId)?.heads.slice(from) ?? [];
  }

  #keepHead(c: ClientInfo, bytes: Uint8Array): void {
    const row = this.#rows.get(c.id);
    if (!row?.session || row.heads.length >= SENT_HEADS.maxSends || bytes.byteLength === 0) return;
    // 'sent' comes once the session counted the bytes: this send began that many bytes earlier.
    const offset = row.session.status.bytesSent - bytes.byteLength;
    row.heads.push({ offset, head: bytes.slice(0, SENT_HEADS.headBytes) });
  }

  /**
   * UDP: watches a peer (null: none). Answers the newest of its datagrams the log still keeps, at
   * most udpDatagramsPerUpdate / udpBytesPerUpdate (older ones show as a gap in `seq`); the ones
   * after it go out in the following updates. Works on a stopped listener too (nothing follows).
   */
  watchDatagrams(clientId: number | null): ListenerDatagram[] {
    this.#watchBacklog = false;
    if (clientId === null) {
      this.#watched = null;
      return [];
    }
    this.#watched = { clientId, cursor: this.#udpNext - 1 };
    const history: ListenerDatagram[] = [];
    let bytes = 0;
    for (let i = this.#udpLog.length - 1; i >= this.#udpStart; i--) {
      const kept = this.#udpLog[i]!;
      if (kept.clientId !== clientId) continue;
      const size = kept.bytes.byteLength;
      if (history.length > 0 && (history.length >= LISTENER_IPC_LIMITS.udpDatagramsPerUpdate || bytes + size > LISTENER_IPC_LIMITS.udpBytesPerUpdate)) break;
      history.push(outOf(kept));
      bytes += size;
    }
    return history.reverse();
  }

  /** UDP rows only (a stream client's bytes are its session's): counts and keeps the datagram. */
  #keepDatagram(c: ClientInfo, direction: ListenerDatagram['direction'], bytes: Uint8Array): void {
    const row = this.#rows.get(c.id);
    if (!row || row.session) return;
    const field = direction === 'received' ? 'datagramsIn' : 'datagramsOut';
    const seq = (row.view[field] ?? 0) + 1;
    row.view[field] = seq;
    // A received datagram is a fresh Buffer from dgram, kept as it is; a sent one is copied, as a
    // responder's reply buffer may be shared between peers and sends. One object per datagram: a
    // flood of small datagrams costs about a microsecond each here (200,000 in ~0.2 s, measured).
    this.#udpLog.push({ n: this.#udpNext++, clientId: c.id, direction, seq, at: Date.now(), bytes: direction === 'sent' ? bytes.slice() : bytes });
    this.#udpBytes += bytes.byteLength;
    const L = LISTENER_IPC_LIMITS;
    while (this.#udpLog.length - this.#udpStart > 1 && (this.#udpLog.length - this.#udpStart > L.udpKeptDatagrams || this.#udpBytes > L.udpKeptBytes)) {
      this.#udpBytes -= this.#udpLog[this.#udpStart]!.bytes.byteLength;
      this.#udpStart++;
    }
    if (this.#udpStart > 4096 && this.#udpStart * 2 > this.#udpLog.length) {
      this.#udpLog = this.#udpLog.slice(this.#udpStart);
      this.#udpStart = 0;
    }
  }

  /** The watched peer's datagrams not sent yet, bounded per update; `more` when some wait. */
  #watchedDatagrams(): { datagrams: ListenerDatagram[]; more: boolean } | null {
    const w = this.#watched;
    if (!w) return null;
    const datagrams: ListenerDatagram[] = [];
    const first = this.#udpLog[this.#udpStart];
    if (!first) return { datagrams, more: false };
    let bytes = 0;
    for (let i = this.#udpStart + Math.max(0, w.cursor + 1 - first.n); i < this.#udpLog.length; i++) {
      const kept = this.#udpLog[i]!;
      if (kept.clientId !== w.clientId) continue;
      const size = kept.bytes.byteLength;
      if (datagrams.length > 0 && (datagrams.length >= LISTENER_IPC_LIMITS.udpDatagramsPerUpdate || bytes + size > LISTENER_IPC_LIMITS.udpBytesPerUpdate)) {
        return { datagrams, more: true };
      }
      datagrams.push(outOf(kept));
      bytes += size;
      w.cursor = kept.n;
    }
    return { datagrams, more: false };
  }

  /** The listener stopped: one last update with every remaining change, then silence. */
  stop(): void {
    this.#stopped = true;
    this.#statsDirty = true;
    this.#flush();
  }

  /** Stops listening to the listener and drops the pending update (the client is gone). */
  dispose(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#finalSent = true;
  }

  #onAccepted(c: ClientInfo): void {
    const view: ListenerClientView = {
      clientId: c.id,
      sessionId: c.session?.id ?? null,
      address: c.address,
      port: c.port,
      since: Date.now(),
      endedAt: null,
      phase: 'open',
      localEnded: false,
      remoteEnded: false,
      outcome: null,
      error: null,
      bytesIn: 0,
      bytesOut: 0,
      tls: c.tls ?? null,
      ...(c.clientCert !== undefined ? { clientCert: c.clientCert } : {}),
    };
    const row: Row = { view, session: c.session ?? null, heads: [], tls: c.tlsDetails ?? null };
    this.#rows.set(c.id, row);
    if (!row.session) {
      view.datagramsIn = 0;
      view.datagramsOut = 0;
    } else {
      // Half-close flags and phase changes move the row; bytes ride on 'received'/'sent' events.
      row.session.on('status', () => this.#touch(c.id));
      row.session.on('send-progress', () => this.#touch(c.id));
    }
    this.#touch(c.id);
    this.#touchStats();
  }

  #count(c: ClientInfo, field: 'bytesIn' | 'bytesOut', bytes: number): void {
    const row = this.#rows.get(c.id);
    if (!row) return;
    if (!row.session) row.view[field] += bytes;
    this.#touch(c.id);
  }

  #onError(c: ClientInfo, error: AppError): void {
    const row = this.#rows.get(c.id);
    if (!row) return;
    row.view.error = error;
    this.#touch(c.id);
  }

  #onClosed(c: ClientInfo, outcome: ClientOutcome, error: AppError | null): void {
    let row = this.#rows.get(c.id);
    if (!row) {
      // A TLS client whose handshake failed was never 'accepted': it still gets its row.
      this.#onAccepted(c);
      row = this.#rows.get(c.id)!;
    }
    row.view.phase = 'closed';
    row.view.outcome = outcome;
    row.view.endedAt = Date.now();
    if (error) row.view.error = error;
    this.#closedOrder.add(c.id);
    while (this.#closedOrder.size > LISTENER_IPC_LIMITS.maxClosedRows) {
      const oldest = this.#closedOrder.values().next().value as number;
      this.#closedOrder.delete(oldest);
      this.#rows.delete(oldest);
      this.#dirty.delete(oldest);
      this.#dropped.push(oldest);
    }
    this.#touch(c.id);
    this.#touchStats();
  }

  #view(row: Row): ListenerClientView {
    const s = row.session?.status;
    if (s) {
      const v = row.view;
      v.bytesIn = s.bytesReceived;
      v.bytesOut = s.bytesSent;
      v.localEnded = s.localEnded;
      v.remoteEnded = s.remoteEnded;
      if (v.phase !== 'closed') v.phase = s.phase === 'closing' ? 'closing' : s.phase === 'closed' ? 'closed' : 'open';
    }
    return { ...row.view };
  }

  #touch(clientId: number): void {
    this.#dirty.add(clientId);
    this.#schedule();
  }

  #touchStats(): void {
    this.#statsDirty = true;
    this.#schedule();
  }

  #schedule(wait = Math.max(0, this.#lastFlush + MIN_INTERVAL_MS - performance.now())): void {
    if (this.#timer || this.#finalSent) return;
    this.#timer = setTimeout(() => this.#flush(), wait);
  }

  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#finalSent) return;
    if (!this.sink.alive) {
      this.dispose();
      return;
    }
    if (!this.#stopped && (this.sink.backlog?.() ?? 0) > MAX_SINK_BACKLOG) {
      this.#schedule(BACKLOG_RETRY_MS);
      return;
    }
    if (this.#dirty.size === 0 && !this.#statsDirty && this.#dropped.length === 0 && !this.#stopped && !this.#watchBacklog) return;
    const clients: ListenerClientView[] = [];
    for (const id of this.#dirty) {
      if (clients.length >= LISTENER_IPC_LIMITS.maxRowsPerUpdate) break;
      this.#dirty.delete(id);
      const row = this.#rows.get(id);
      if (row) clients.push(this.#view(row));
    }
    const watched = this.#watchedDatagrams();
    this.#watchBacklog = watched?.more === true;
    const more = this.#dirty.size > 0 || this.#watchBacklog;
    const update: ListenerUpdate = {
      id: this.id,
      phase: this.#stopped && !more ? 'stopped' : 'listening',
      stats: this.listener.stats(),
      clients,
      dropped: this.#dropped,
      refused: this.#refused,
      ...(watched && watched.datagrams.length > 0 ? { watched: { clientId: this.#watched!.clientId, datagrams: watched.datagrams } } : {}),
    };
    this.#dropped = [];
    this.#refused = null;
    this.#statsDirty = false;
    this.#lastFlush = performance.now();
    this.sink.sendListenerUpdate(update);
    if (update.phase === 'stopped') {
      this.dispose();
      return;
    }
    if (more) this.#schedule();
  }
}
