/**
 * The rows of a UDP tab's list: every datagram sent and received, in the order the page learnt of
 * them, bounded in rows and bytes (oldest dropped first and counted, never silently). The exact
 * received/delivered/in-transit accounting stays with {@link DatagramLog}; this store only decides
 * what the list can show, with `gapMs` to the previous row computed once, at append.
 *
 * Plain class, not reactive (thousands of byte arrays must not be proxied): the tab bumps a
 * `$state` version after each change, as for ResponseBuffer.
 */
import { DATAGRAM_LOG_LIMITS } from './datagram-log.ts';

/** One row of the list. */
export interface DatagramRow {
  /** 1-based, unique within the tab's session; stable while the row is kept (selection uses it). */
  rowId: number;
  direction: 'sent' | 'received';
  /** Received: the source; sent: the target. */
  address: string;
  port: number;
  at: number;
  /** Milliseconds since the previous row (sent or received); null for the first. */
  gapMs: number | null;
  bytes: Uint8Array;
  /** Received: main's seq; sent: the engine's sendId (0 until the kernel accepted it). */
  seq: number;
  /** Sent rows: the send was refused (the row stays, marked, so the list tells what happened). */
  failed?: boolean;
}

export class DatagramRows {
  readonly #maxRows: number;
  readonly #maxBytes: number;
  #rows: DatagramRow[] = [];
  #start = 0;
  #bytes = 0;
  #nextId = 1;
  #lastAt: number | null = null;
  #droppedSent = 0;
  #droppedReceived = 0;
  #sent = 0;
  #received = 0;

  constructor(limits: { maxRows?: number; maxBytes?: number } = {}) {
    this.#maxRows = Math.max(1, limits.maxRows ?? DATAGRAM_LOG_LIMITS.maxRows);
    this.#maxBytes = Math.max(1, limits.maxBytes ?? DATAGRAM_LOG_LIMITS.maxBytes);
  }

  get length(): number {
    return this.#rows.length - this.#start;
  }

  /** Rows of each direction listed now. */
  get listedSent(): number {
    return this.#sent - this.#droppedSent;
  }
  get listedReceived(): number {
    return this.#received - this.#droppedReceived;
  }
  /** Rows no longer kept (list limit), per direction. */
  get droppedSent(): number {
    return this.#droppedSent;
  }
  get droppedReceived(): number {
    return this.#droppedReceived;
  }

  at(index: number): DatagramRow | undefined {
    if (index < 0 || index >= this.length) return undefined;
    return this.#rows[this.#start + index];
  }

  /** The index of a kept row by id (ids grow with the index, so a binary search), or -1. */
  indexOf(rowId: number): number {
    let lo = this.#start;
    let hi = this.#rows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const id = this.#rows[mid]!.rowId;
      if (id === rowId) return mid - this.#start;
      if (id < rowId) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Appends a row and returns it (a sent row is added before its send completes, so replies list after it). */
  add(direction: DatagramRow['direction'], address: string, port: number, at: number, bytes: Uint8Array, seq: number): DatagramRow {
    const gapMs = this.#lastAt === null ? null : Math.max(0, at - this.#lastAt);
    this.#lastAt = at;
    const row: DatagramRow = { rowId: this.#nextId++, direction, address, port, at, gapMs, bytes, seq };
    this.#rows.push(row);
    this.#bytes += bytes.byteLength;
    if (direction === 'sent') this.#sent += 1;
    else this.#received += 1;
    return row;
  }

  /** Drops the oldest rows past the limits (call after a batch of add()); keeps at least one row. */
  trim(): void {
    while (this.length > 1 && (this.length > this.#maxRows || this.#bytes > this.#maxBytes)) {
      const old = this.#rows[this.#start]!;
      this.#bytes -= old.bytes.byteLength;
      this.#start += 1;
      if (old.direction === 'sent') this.#droppedSent += 1;
      else this.#droppedReceived += 1;
    }
    if (this.#start > 4096 && this.#start * 2 > this.#rows.length) {
      this.#rows = this.#rows.slice(this.#start);
      this.#start = 0;
    }
  }

  clear(): void {
    this.#rows = [];
    this.#start = 0;
    this.#bytes = 0;
    this.#lastAt = null;
    this.#droppedSent = 0;
    this.#droppedReceived = 0;
    this.#sent = 0;
    this.#received = 0;
  }
}

/** Up to `max` bytes as one line of text: printable ASCII as is, everything else as a middle dot. */
export function textPreview(bytes: Uint8Array, max = 64): string {
  let out = '';
  const n = Math.min(bytes.byteLength, max);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·';
  }
  return bytes.byteLength > max ? `${out}…` : out;
}

/** Up to `max` bytes as spaced hex. */
export function hexPreview(bytes: Uint8Array, max = 24): string {
  const parts: string[] = [];
  const n = Math.min(bytes.byteLength, max);
  for (let i = 0; i < n; i++) parts.push(bytes[i]!.toString(16).padStart(2, '0'));
  return bytes.byteLength > max ? `${parts.join(' ')} …` : parts.join(' ');
}
