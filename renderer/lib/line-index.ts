/**
 * Line starts of a response, found chunk by chunk, so the work that scales with bytes can run where
 * the bytes arrive (web mode's bridge worker) and the page only stores the result.
 *
 * A line ends after "\n", or is cut after {@link MAX_LINE_BYTES} bytes (backed up to a UTF-8
 * character boundary) so that a response without newlines still renders in bounded pieces.
 *
 * Why the indexer needs no earlier chunk: after each chunk, the open line is at most MAX_LINE_BYTES
 * long, so a forced cut always falls in the current chunk or, backing up over at most three UTF-8
 * continuation bytes, in the last three bytes before it, which {@link LineIndexer} keeps.
 */
export const MAX_LINE_BYTES = 1024;

export class LineIndexer {
  /** Offset of the open (last) line's first byte. */
  private currentLineStart = 0;
  /** Bytes indexed so far. */
  private total = 0;
  /** The last up to three bytes before `total`, for backing a cut up to a character boundary. */
  private tail: number[] = [];

  /** Indexes the next chunk of the response; returns the line starts it adds (absolute offsets). */
  index(bytes: Uint8Array): Float64Array {
    const base = this.total;
    const found: number[] = [];
    let from = 0;
    const byteAt = (offset: number): number | undefined =>
      offset >= base ? bytes[offset - base] : this.tail[this.tail.length - (base - offset)];
    for (;;) {
      const nl = bytes.indexOf(0x0a, from);
      const lineEndInChunk = nl === -1 ? bytes.byteLength : nl + 1;
      // Forced cuts for long lines, at a UTF-8 boundary (not in the middle of a sequence).
      while (base + lineEndInChunk - this.currentLineStart > MAX_LINE_BYTES) {
        let cut = this.currentLineStart + MAX_LINE_BYTES;
        for (let back = 0; back < 3; back++) {
          const b = byteAt(cut);
          if (b === undefined || (b & 0xc0) !== 0x80) break;
          cut--;
        }
        found.push(cut);
        this.currentLineStart = cut;
      }
      if (nl === -1) break;
      found.push(base + nl + 1);
      this.currentLineStart = base + nl + 1;
      from = nl + 1;
      if (from >= bytes.byteLength) break;
    }
    this.total += bytes.byteLength;
    const keep = Math.min(3, bytes.byteLength);
    this.tail = this.tail.concat(Array.from(bytes.subarray(bytes.byteLength - keep))).slice(-3);
    return Float64Array.from(found);
  }
}

/**
 * Line starts computed off the page's main thread for a chunk of `session:update` data, found by
 * the chunk itself (the update's payload type is the contract's; this rides beside it). Taken once.
 */
const precomputed = new WeakMap<Uint8Array, Float64Array>();

export function attachLineStarts(data: Uint8Array, starts: Float64Array): void {
  precomputed.set(data, starts);
}

export function takeLineStarts(data: Uint8Array): Float64Array | undefined {
  const starts = precomputed.get(data);
  if (starts) precomputed.delete(data);
  return starts;
}
