/**
 * The received bytes of one session, kept as the chunks they arrived in (no concatenation on the
 * hot path), with an index of line starts for the text view.
 *
 * Why chunks: a 100 MiB response arrives as ~30 batches a second; appending to one growing array
 * would copy quadratically. Reads are by range (`slice`), copying only what a view shows (at most
 * a few tens of KiB at a time).
 *
 * Lines: see line-index.ts. The line starts of a chunk may come with it, found off the page's main
 * thread (web mode's bridge worker); otherwise they are found here.
 */
import { bytesToDisplayText, utf8CompletePrefix, type TextView } from '../../shared/byte-view.ts';
import type { TextEncoding } from '../../shared/payload.ts';
import { LineIndexer } from './line-index.ts';

export { MAX_LINE_BYTES } from './line-index.ts';

const UINT32_MAX = 0xffff_ffff;

export class ResponseBuffer {
  private chunks: Uint8Array[] = [];
  /** starts[i] is the byte offset of chunks[i]. */
  private starts: number[] = [];
  private total = 0;
  /**
   * Line starts, 4 bytes each while every offset fits (a kept response is capped at 1 GiB), 8
   * bytes past 4 GiB. The index is the page's biggest cost beside the bytes themselves: 64-byte
   * lines add one start per 64 bytes, so Float64 starts (with doubling's slack) were up to 25 % of
   * the response again; Uint32 halves that.
   */
  private lineStarts: Uint32Array | Float64Array = new Uint32Array(1024);
  private lineCount = 1;
  private indexer = new LineIndexer();
  /** {@link displayText}'s decoded text so far: `upTo` bytes, cut on a UTF-8 sequence boundary. */
  private decoded: { encoding: TextEncoding; upTo: number; view: TextView } | null = null;

  get length(): number {
    return this.total;
  }

  /** Number of display lines (always at least 1). */
  get lines(): number {
    return this.lineCount;
  }

  /**
   * Keeps `bytes` (not copied). `lineStarts`: the line starts this chunk adds, as LineIndexer
   * found them for the same response; omitted, they are found here.
   */
  append(bytes: Uint8Array, lineStarts?: Float64Array): void {
    if (bytes.byteLength === 0) return;
    this.chunks.push(bytes);
    this.starts.push(this.total);
    this.total += bytes.byteLength;
    this.pushLineStarts(lineStarts ?? this.indexer.index(bytes));
  }

  clear(): void {
    this.chunks = [];
    this.starts = [];
    this.total = 0;
    this.lineStarts = new Uint32Array(1024);
    this.lineCount = 1;
    this.indexer = new LineIndexer();
    this.decoded = null;
  }

  /**
   * Every byte as display text (bytesToDisplayText), or null over `maxBytes` (which also lets go
   * of the text kept so far). Decoded a part at a time: the wrapped Text view asks at every redraw
   * while a response grows, and decoding all of it each time made a listener client's redraws
   * cost 30 ms of a 143 ms frame near the 256 KiB wrap limit.
   */
  displayText(encoding: TextEncoding, maxBytes: number): TextView | null {
    if (this.total > maxBytes) {
      this.decoded = null;
      return null;
    }
    let kept = this.decoded;
    if (!kept || kept.encoding !== encoding) kept = this.decoded = { encoding, upTo: 0, view: { text: '', replacementCount: 0, controlCount: 0 } };
    const fresh = this.slice(kept.upTo, this.total);
    // Bytes that more bytes could still complete are decoded on their own, as at the end, and
    // again next time: kept text never holds a character that a later byte would change.
    const complete = encoding === 'utf8' ? utf8CompletePrefix(fresh) : fresh.length;
    if (complete > 0) {
      kept.view = joinViews(kept.view, bytesToDisplayText(fresh.subarray(0, complete), encoding));
      kept.upTo += complete;
    }
    return complete === fresh.length ? kept.view : joinViews(kept.view, bytesToDisplayText(fresh.subarray(complete), encoding));
  }

  /** Copies bytes [start, end) into one array. */
  slice(start: number, end: number): Uint8Array {
    const from = Math.max(0, Math.min(start, this.total));
    const to = Math.max(from, Math.min(end, this.total));
    const out = new Uint8Array(to - from);
    if (to === from) return out;
    let i = this.chunkIndexAt(from);
    let at = 0;
    while (at < out.byteLength && i < this.chunks.length) {
      const chunk = this.chunks[i]!;
      const chunkStart = this.starts[i]!;
      const s = Math.max(0, from - chunkStart);
      const e = Math.min(chunk.byteLength, to - chunkStart);
      out.set(chunk.subarray(s, e), at);
      at += e - s;
      i++;
    }
    return out;
  }

  /** All bytes, for Save and Copy. */
  all(): Uint8Array {
    return this.slice(0, this.total);
  }

  /** The byte range [start, end) of display line `n`. */
  lineRange(n: number): [number, number] {
    const start = n < this.lineCount ? this.lineStarts[n]! : this.total;
    const end = n + 1 < this.lineCount ? this.lineStarts[n + 1]! : this.total;
    return [start, end];
  }

  private chunkIndexAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private pushLineStarts(found: Float64Array): void {
    if (found.length === 0) return;
    let size = this.lineStarts.length;
    while (this.lineCount + found.length > size) size *= 2;
    // Starts only grow, so the chunk's last one says whether 32 bits still hold them all.
    const wide = this.lineStarts instanceof Float64Array || found[found.length - 1]! > UINT32_MAX;
    if (size !== this.lineStarts.length || wide !== this.lineStarts instanceof Float64Array) {
      const bigger = wide ? new Float64Array(size) : new Uint32Array(size);
      bigger.set(this.lineStarts.subarray(0, this.lineCount));
      this.lineStarts = bigger;
    }
    this.lineStarts.set(found, this.lineCount);
    this.lineCount += found.length;
  }
}

function joinViews(a: TextView, b: TextView): TextView {
  return { text: a.text + b.text, replacementCount: a.replacementCount + b.replacementCount, controlCount: a.controlCount + b.controlCount };
}
