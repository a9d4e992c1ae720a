/**
 * The received bytes of one session, kept as the chunks they arrived in (no concatenation on the
 * hot path), with an index of line starts for the text view.
 *
 * Why chunks: a 100 MiB response arrives as ~30 batches a second; appending to one growing array
 * would copy quadratically. Reads are by range (`slice`), copying only what a view shows (at most
 * a few tens of KiB at a time).
 *
 * Lines: a line ends after "\n", or is cut after {@link MAX_LINE_BYTES} bytes (backed up to a
 * UTF-8 character boundary) so that a response without newlines still renders in bounded pieces.
 */
export const MAX_LINE_BYTES = 1024;

export class ResponseBuffer {
  private chunks: Uint8Array[] = [];
  /** starts[i] is the byte offset of chunks[i]. */
  private starts: number[] = [];
  private total = 0;
  private lineStarts = new Float64Array(1024);
  private lineCount = 1;
  /** Bytes since the current line started, for the forced cut. */
  private currentLineStart = 0;

  get length(): number {
    return this.total;
  }

  /** Number of display lines (always at least 1). */
  get lines(): number {
    return this.lineCount;
  }

  append(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    this.chunks.push(bytes);
    this.starts.push(this.total);
    const base = this.total;
    this.total += bytes.byteLength;
    this.indexLines(bytes, base);
  }

  clear(): void {
    this.chunks = [];
    this.starts = [];
    this.total = 0;
    this.lineStarts = new Float64Array(1024);
    this.lineCount = 1;
    this.currentLineStart = 0;
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

  private pushLineStart(offset: number): void {
    if (this.lineCount === this.lineStarts.length) {
      const bigger = new Float64Array(this.lineStarts.length * 2);
      bigger.set(this.lineStarts);
      this.lineStarts = bigger;
    }
    this.lineStarts[this.lineCount++] = offset;
    this.currentLineStart = offset;
  }

  private indexLines(bytes: Uint8Array, base: number): void {
    let from = 0;
    for (;;) {
      const nl = bytes.indexOf(0x0a, from);
      const lineEndInChunk = nl === -1 ? bytes.byteLength : nl + 1;
      // Forced cuts for long lines, at a UTF-8 boundary (not in the middle of a sequence).
      while (base + lineEndInChunk - this.currentLineStart > MAX_LINE_BYTES) {
        let cut = this.currentLineStart + MAX_LINE_BYTES;
        for (let back = 0; back < 3; back++) {
          const b = this.byteAt(cut, bytes, base);
          if (b === undefined || (b & 0xc0) !== 0x80) break;
          cut--;
        }
        this.pushLineStart(cut);
      }
      if (nl === -1) break;
      this.pushLineStart(base + nl + 1);
      from = nl + 1;
      if (from >= bytes.byteLength) break;
    }
  }

  private byteAt(offset: number, current: Uint8Array, base: number): number | undefined {
    if (offset >= base) return current[offset - base];
    const i = this.chunkIndexAt(offset);
    return this.chunks[i]?.[offset - this.starts[i]!];
  }
}
