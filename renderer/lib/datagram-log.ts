/**
 * The datagrams a UDP tab keeps for its list: one row per datagram, bounded in rows and bytes, with
 * exact counts of what arrived versus what is kept (RELIABILITY "a burst faster than the page
 * draws … nothing dropped silently").
 *
 * Plain class, not reactive: tens of thousands of byte arrays must not be proxied. A tab holds a
 * `version` number in `$state` and bumps it after {@link DatagramLog.append}, as it does for
 * ResponseBuffer.
 *
 * Invariants:
 * - rows are kept in arrival (seq) order; when a limit is reached the oldest rows go first, and
 *   `droppedOldest` counts them, so `droppedOldest + length === delivered`;
 * - `delivered` counts every datagram handed to append(); a seq that skips ahead (which main never
 *   sends) is counted in `missing`, never hidden;
 * - {@link DatagramLog.counts} compares with main's own count (`status.datagramsReceived`): the
 *   difference is what is still on its way to the page.
 */
import { formatCount } from './format.ts';
import { t } from './i18n/index.ts';
import type { DatagramWithBytes } from '../../shared/session-datagram.ts';
import { NumberQueue } from './number-queue.ts';

/** Default bounds: enough for a long capture, small enough for a page. */
export const DATAGRAM_LOG_LIMITS = { maxRows: 100_000, maxBytes: 64 * 1024 * 1024 } as const;

/** What the list header says. */
export interface DatagramCounts {
  /** Main's count: every datagram the session received. */
  received: number;
  /** Arrived at the page so far. */
  delivered: number;
  /** Kept and listable now. */
  kept: number;
  /** Delivered but no longer kept: the oldest, past the row or byte limit. */
  droppedOldest: number;
  /** Received by main, not yet delivered (a slow page or a burst in flight). */
  inTransit: number;
  /** Sequence numbers that never arrived (should stay 0; shown if not). */
  missing: number;
}

/** A bounded, ordered store of received datagrams. */
export class DatagramLog {
  readonly #maxRows: number;
  readonly #maxBytes: number;
  /**
   * With `keepDatagrams: false` (a tab, whose list is DatagramRows) only each kept datagram's size
   * is stored, 4 bytes instead of an object and its bytes: the counts are the same, at() has none.
   */
  readonly #keep: boolean;
  #sizes = new NumberQueue((n) => new Uint32Array(n));
  /** Ring storage: rows live at [#start, #rows.length); compacted when the dead prefix grows. */
  #rows: DatagramWithBytes[] = [];
  #start = 0;
  #bytes = 0;
  #delivered = 0;
  #dropped = 0;
  #missing = 0;
  #lastSeq = 0;

  constructor(limits: { maxRows?: number; maxBytes?: number; keepDatagrams?: boolean } = {}) {
    this.#maxRows = Math.max(1, limits.maxRows ?? DATAGRAM_LOG_LIMITS.maxRows);
    this.#maxBytes = Math.max(1, limits.maxBytes ?? DATAGRAM_LOG_LIMITS.maxBytes);
    this.#keep = limits.keepDatagrams ?? true;
  }

  /** Rows kept now. */
  get length(): number {
    return this.#keep ? this.#rows.length - this.#start : this.#sizes.length;
  }

  /** Payload bytes kept now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The kept row at `index` (0 = oldest kept), or undefined (always, without `keepDatagrams`). */
  at(index: number): DatagramWithBytes | undefined {
    if (!this.#keep || index < 0 || index >= this.length) return undefined;
    return this.#rows[this.#start + index];
  }

  /** Adds datagrams in the order main delivered them; drops the oldest past the limits. */
  append(datagrams: readonly DatagramWithBytes[]): void {
    for (const d of datagrams) {
      const seq = d.record.seq;
      if (seq <= this.#lastSeq) continue; // a repeat (never sent by main): ignore, do not double count
      if (seq > this.#lastSeq + 1) this.#missing += seq - this.#lastSeq - 1;
      this.#lastSeq = seq;
      this.#delivered += 1;
      if (this.#keep) this.#rows.push(d);
      else this.#sizes.push(d.bytes.byteLength);
      this.#bytes += d.bytes.byteLength;
    }
    // Keep at least the newest row, however large: a maximum-size datagram is always listable.
    while (this.length > 1 && (this.length > this.#maxRows || this.#bytes > this.#maxBytes)) {
      if (this.#keep) {
        this.#bytes -= this.#rows[this.#start]!.bytes.byteLength;
        this.#start += 1;
      } else {
        this.#bytes -= this.#sizes.at(0)!;
        this.#sizes.shift();
      }
      this.#dropped += 1;
    }
    if (this.#start > 4096 && this.#start * 2 > this.#rows.length) {
      this.#rows = this.#rows.slice(this.#start);
      this.#start = 0;
    }
  }

  /**
   * The datagrams up to `seq` were dropped by main's own bound before this page asked for them (a
   * listener's peer watched late): they count among the oldest not kept, not as lost on the way.
   */
  notKeptThrough(seq: number): void {
    if (seq <= this.#lastSeq) return;
    const n = seq - this.#lastSeq;
    this.#delivered += n;
    this.#dropped += n;
    this.#lastSeq = seq;
  }

  /** The counts for the header, against main's own `received` count. */
  counts(received: number): DatagramCounts {
    return {
      received,
      delivered: this.#delivered,
      kept: this.length,
      droppedOldest: this.#dropped,
      inTransit: Math.max(0, received - this.#delivered - this.#missing),
      missing: this.#missing,
    };
  }

  /** Forgets every row and count (a new session in the same tab). */
  clear(): void {
    this.#rows = [];
    this.#sizes.clear();
    this.#start = 0;
    this.#bytes = 0;
    this.#delivered = 0;
    this.#dropped = 0;
    this.#missing = 0;
    this.#lastSeq = 0;
  }
}

/** One line saying how many datagrams are listed out of how many arrived; '' when they agree. */
export function describeCounts(c: DatagramCounts): string {
  const parts: string[] = [];
  if (c.droppedOldest > 0) parts.push(t('datagram.countsOldest', { n: formatCount(c.droppedOldest) }));
  if (c.inTransit > 0) parts.push(t('datagram.countsArriving', { n: formatCount(c.inTransit) }));
  if (c.missing > 0) parts.push(t('datagram.countsLost', { n: formatCount(c.missing) }));
  if (parts.length === 0) return '';
  return t('datagram.counts', { kept: formatCount(c.kept), received: formatCount(c.received), parts: parts.join(t('datagram.countsJoin')) });
}

