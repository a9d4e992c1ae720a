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
 */
import { IPC_LIMITS, type EventPayload } from '../../shared/contract.ts';
import type { AppError } from '../../shared/errors.ts';
import { LISTENER_IPC_LIMITS, type ClientOutcome, type ListenerClientView, type ListenerUpdate } from '../../shared/listener.ts';
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
}

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

  constructor(
    readonly id: string,
    private readonly listener: Listener,
    private readonly sink: ListenerUpdateSink,
  ) {
    const l = listener;
    this.#unsubscribe.push(
      l.on('accepted', (c) => this.#onAccepted(c)),
      l.on('received', (c, bytes) => this.#count(c, 'bytesIn', bytes.byteLength)),
      l.on('sent', (c, bytes) => {
        this.#keepHead(c, bytes);
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
    const row: Row = { view, session: c.session ?? null, heads: [] };
    this.#rows.set(c.id, row);
    if (row.session) {
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
    if (this.#dirty.size === 0 && !this.#statsDirty && this.#dropped.length === 0 && !this.#stopped) return;
    const clients: ListenerClientView[] = [];
    for (const id of this.#dirty) {
      if (clients.length >= LISTENER_IPC_LIMITS.maxRowsPerUpdate) break;
      this.#dirty.delete(id);
      const row = this.#rows.get(id);
      if (row) clients.push(this.#view(row));
    }
    const more = this.#dirty.size > 0;
    const update: ListenerUpdate = {
      id: this.id,
      phase: this.#stopped && !more ? 'stopped' : 'listening',
      stats: this.listener.stats(),
      clients,
      dropped: this.#dropped,
      refused: this.#refused,
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
