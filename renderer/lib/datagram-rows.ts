/**
 * The rows of a UDP tab's list: every datagram sent and received, in the order the page learnt of
 * them, bounded in rows and bytes (oldest dropped first and counted, never silently). The exact
 * received/delivered/in-transit accounting stays with {@link DatagramLog}; this store only decides
 * what the list can show, with `gapMs` to the previous row (kept or not).
 *
 * Plain class, not reactive (100,000 rows must not be proxied): the tab bumps a `$state` version
 * after each change, as for ResponseBuffer.
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

/** Rows per block of columns: a block's rows' bytes span under 4 GiB (4096 × 64 KiB), so Uint32 ends. */
const ROWS_PER_BLOCK = 4096;
/** Payload bytes are copied into pages of this size (a datagram may span two). */
export const PAGE_BYTES = 256 * 1024;

const SENT = 1;
const FAILED = 2;

/**
 * One block of rows, column by column. Byte offsets are relative to `base` (where its first row
 * starts) and times to `atBase` (its first row's time), so 32 bits hold them; a time or a seq that
 * 32 bits cannot hold exactly (never seen: epoch milliseconds a few weeks apart, seqs under 2^32)
 * goes to `exact` instead, so every value reads back as it was given.
 */
interface RowBlock {
  base: number;
  atBase: number;
  at: Int32Array;
  seq: Uint32Array;
  /** End of each row's bytes, relative to `base`. */
  end: Uint32Array;
  flags: Uint8Array;
  exact: Map<number, { at?: number; seq?: number }> | null;
}

function putAt(block: RowBlock, i: number, at: number): void {
  const d = at - block.atBase;
  if (Number.isInteger(d) && d >= -0x80000000 && d <= 0x7fffffff) block.at[i] = d;
  else exactOf(block, i).at = at;
}

function getAt(block: RowBlock, i: number): number {
  return block.exact?.get(i)?.at ?? block.atBase + block.at[i]!;
}

function putSeq(block: RowBlock, i: number, seq: number): void {
  const old = block.exact?.get(i);
  if (old) delete old.seq;
  if (Number.isInteger(seq) && seq >= 0 && seq <= 0xffffffff) block.seq[i] = seq;
  else exactOf(block, i).seq = seq;
}

function getSeq(block: RowBlock, i: number): number {
  return block.exact?.get(i)?.seq ?? block.seq[i]!;
}

function exactOf(block: RowBlock, i: number): { at?: number; seq?: number } {
  block.exact ??= new Map();
  let e = block.exact.get(i);
  if (!e) block.exact.set(i, (e = {}));
  return e;
}

/**
 * Payload bytes of every kept row, back to back in fixed-size pages (absolute offsets). A row is
 * read as a view into its page, or as a copy when it spans two; dropped rows free whole pages.
 */
class BytePages {
  #pages: Uint8Array[] = [];
  /** Absolute offset of #pages[0]'s first byte. */
  #first = 0;
  #end = 0;

  get end(): number {
    return this.#end;
  }

  append(bytes: Uint8Array): void {
    let from = 0;
    while (from < bytes.byteLength) {
      const inPage = this.#end % PAGE_BYTES;
      if (inPage === 0 && Math.floor((this.#end - this.#first) / PAGE_BYTES) === this.#pages.length) this.#pages.push(new Uint8Array(PAGE_BYTES));
      const page = this.#pages[this.#pages.length - 1]!;
      const n = Math.min(PAGE_BYTES - inPage, bytes.byteLength - from);
      page.set(bytes.subarray(from, from + n), inPage);
      from += n;
      this.#end += n;
    }
  }

  read(start: number, end: number): Uint8Array {
    const p = Math.floor((start - this.#first) / PAGE_BYTES);
    const at = start % PAGE_BYTES;
    const page = this.#pages[p];
    if (!page || end <= start) return new Uint8Array(0);
    if (at + (end - start) <= PAGE_BYTES) return page.subarray(at, at + (end - start));
    const out = new Uint8Array(end - start);
    let done = 0;
    for (let i = p; done < out.byteLength && i < this.#pages.length; i++) {
      const from = i === p ? at : 0;
      const n = Math.min(PAGE_BYTES - from, out.byteLength - done);
      out.set(this.#pages[i]!.subarray(from, from + n), done);
      done += n;
    }
    return out;
  }

  /** Frees the pages wholly before `offset`. */
  dropBefore(offset: number): void {
    const whole = Math.floor((offset - this.#first) / PAGE_BYTES);
    if (whole <= 0) return;
    this.#pages.splice(0, whole);
    this.#first += whole * PAGE_BYTES;
  }

  clear(): void {
    this.#pages = [];
    this.#first = 0;
    this.#end = 0;
  }
}

/**
 * The store is compact (issue 16: a burst of 100,000 datagrams kept as an object each cost 7.5
 * times their bytes): the payloads are copied into shared pages, the rest of a row lives in typed
 * columns (time, seq, end offset, direction and failure), and the peer, which rarely changes from
 * one row to the next, in runs. {@link DatagramRows.at} makes a row object on demand, for the few
 * rows a view draws. Row ids are consecutive (id n is the n-th row added), which is how a row is
 * found from its id.
 */
export class DatagramRows {
  readonly #maxRows: number;
  readonly #maxBytes: number;
  #blocks: RowBlock[] = [];
  /** Absolute index (rowId - 1) of the first row of #blocks[0]. */
  #blocksFrom = 0;
  /** Absolute index of the oldest kept row; rows [#first, #next) are kept. */
  #first = 0;
  #next = 0;
  #bytes = new BytePages();
  /** Byte offset where the oldest kept row starts. */
  #firstByte = 0;
  /** Peer runs: the absolute index each starts at, and its peer. */
  #runFrom: number[] = [];
  #runPeer: number[] = [];
  #peers: Array<{ address: string; port: number }> = [];
  #peerIds = new Map<string, number>();
  /** Time of the row before the oldest kept one (its gap is to that row), null when there was none. */
  #atBeforeFirst: number | null = null;
  #droppedSent = 0;
  #droppedReceived = 0;
  #sent = 0;
  #received = 0;

  constructor(limits: { maxRows?: number; maxBytes?: number } = {}) {
    this.#maxRows = Math.max(1, limits.maxRows ?? DATAGRAM_LOG_LIMITS.maxRows);
    this.#maxBytes = Math.max(1, limits.maxBytes ?? DATAGRAM_LOG_LIMITS.maxBytes);
  }

  get length(): number {
    return this.#next - this.#first;
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
    if (!(index >= 0 && index < this.length)) return undefined;
    const a = this.#first + index;
    const [block, i] = this.#locate(a);
    const flags = block.flags[i]!;
    const peer = this.#peers[this.#peerAt(a)]!;
    const before = a === this.#first ? this.#atBeforeFirst : this.#atOf(a - 1);
    const at = getAt(block, i);
    const row: DatagramRow = {
      rowId: a + 1,
      direction: flags & SENT ? 'sent' : 'received',
      address: peer.address,
      port: peer.port,
      at,
      gapMs: before === null ? null : Math.max(0, at - before),
      bytes: this.#bytes.read(this.#startOf(a), this.#endOf(a)),
      seq: getSeq(block, i),
    };
    if (flags & FAILED) row.failed = true;
    return row;
  }

  /** The index of a kept row by id, or -1. */
  indexOf(rowId: number): number {
    const a = rowId - 1;
    return Number.isInteger(a) && a >= this.#first && a < this.#next ? a - this.#first : -1;
  }

  /**
   * Appends a row (a sent row is added before its send completes, so replies list after it) and
   * returns its id, for {@link setSeq} and {@link markFailed}. The bytes are copied.
   */
  add(direction: DatagramRow['direction'], address: string, port: number, at: number, bytes: Uint8Array, seq: number): number {
    const a = this.#next;
    const slot = a % ROWS_PER_BLOCK;
    if (slot === 0 || this.#blocks.length === 0) {
      if (this.#blocks.length === 0) this.#blocksFrom = a - slot;
      this.#blocks.push({
        base: this.#bytes.end,
        atBase: Number.isFinite(at) ? at : 0,
        at: new Int32Array(ROWS_PER_BLOCK),
        seq: new Uint32Array(ROWS_PER_BLOCK),
        end: new Uint32Array(ROWS_PER_BLOCK),
        flags: new Uint8Array(ROWS_PER_BLOCK),
        exact: null,
      });
    }
    const block = this.#blocks[this.#blocks.length - 1]!;
    this.#bytes.append(bytes);
    putAt(block, slot, at);
    putSeq(block, slot, seq);
    block.end[slot] = this.#bytes.end - block.base;
    block.flags[slot] = direction === 'sent' ? SENT : 0;
    const key = `${address}\u0000${port}`;
    let peer = this.#peerIds.get(key);
    if (peer === undefined) {
      peer = this.#peers.length;
      this.#peers.push({ address, port });
      this.#peerIds.set(key, peer);
    }
    if (this.#runPeer.length === 0 || this.#runPeer[this.#runPeer.length - 1] !== peer) {
      this.#runFrom.push(a);
      this.#runPeer.push(peer);
    }
    this.#next = a + 1;
    if (direction === 'sent') this.#sent += 1;
    else this.#received += 1;
    return a + 1;
  }

  /** A sent row's seq once the engine accepted the send (its sendId). */
  setSeq(rowId: number, seq: number): void {
    const a = rowId - 1;
    if (this.indexOf(rowId) < 0) return;
    const [block, i] = this.#locate(a);
    putSeq(block, i, seq);
  }

  /** A sent row whose send was refused: it stays, marked. */
  markFailed(rowId: number): void {
    const a = rowId - 1;
    if (this.indexOf(rowId) < 0) return;
    const [block, i] = this.#locate(a);
    block.flags[i] = block.flags[i]! | FAILED;
  }

  /** Drops the oldest rows past the limits (call after a batch of add()); keeps at least one row. */
  trim(): void {
    while (this.length > 1 && (this.length > this.#maxRows || this.#bytes.end - this.#firstByte > this.#maxBytes)) {
      const a = this.#first;
      const [block, i] = this.#locate(a);
      if (block.flags[i]! & SENT) this.#droppedSent += 1;
      else this.#droppedReceived += 1;
      this.#atBeforeFirst = getAt(block, i);
      this.#firstByte = this.#endOf(a);
      this.#first = a + 1;
    }
    // Free what no kept row needs: whole blocks, whole pages, peer runs before the first row.
    const spent = Math.floor((this.#first - this.#blocksFrom) / ROWS_PER_BLOCK);
    if (spent > 0) {
      this.#blocks.splice(0, spent);
      this.#blocksFrom += spent * ROWS_PER_BLOCK;
    }
    this.#bytes.dropBefore(this.#firstByte);
    let runs = 0;
    while (runs + 1 < this.#runFrom.length && this.#runFrom[runs + 1]! <= this.#first) runs++;
    if (runs > 0) {
      this.#runFrom.splice(0, runs);
      this.#runPeer.splice(0, runs);
    }
  }

  clear(): void {
    // Ids go on from where they were: a selection made before the clear never names a new row.
    this.#blocks = [];
    this.#blocksFrom = this.#next;
    this.#first = this.#next;
    this.#bytes.clear();
    this.#firstByte = 0;
    this.#runFrom = [];
    this.#runPeer = [];
    this.#peers = [];
    this.#peerIds.clear();
    this.#atBeforeFirst = null;
    this.#droppedSent = 0;
    this.#droppedReceived = 0;
    this.#sent = 0;
    this.#received = 0;
  }

  #locate(a: number): [RowBlock, number] {
    return [this.#blocks[Math.floor((a - this.#blocksFrom) / ROWS_PER_BLOCK)]!, a % ROWS_PER_BLOCK];
  }

  #atOf(a: number): number {
    const [block, i] = this.#locate(a);
    return getAt(block, i);
  }

  #endOf(a: number): number {
    const [block, i] = this.#locate(a);
    return block.base + block.end[i]!;
  }

  #startOf(a: number): number {
    if (a === this.#first) return this.#firstByte;
    const [block, i] = this.#locate(a);
    return i === 0 ? block.base : block.base + block.end[i - 1]!;
  }

  #peerAt(a: number): number {
    let lo = 0;
    let hi = this.#runFrom.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#runFrom[mid]! <= a) lo = mid;
      else hi = mid - 1;
    }
    return this.#runPeer[lo]!;
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
