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
import { SCAN_WINDOW_BYTES, type NewlineScanner } from './newline-scan.ts';

export const MAX_LINE_BYTES = 1024;

/** Below this a chunk is scanned in JavaScript even with a SIMD scanner (copying it in costs more). */
const SIMD_MIN_BYTES = 4096;

export class LineIndexer {
  /** Offset of the open (last) line's first byte. */
  private currentLineStart = 0;
  /** Bytes indexed so far. */
  private total = 0;
  /** The last up to three bytes before `total`, for backing a cut up to a character boundary. */
  private tail: number[] = [];
  /** Reused output space (grown as needed); each call returns a copy of what it found. */
  private scratch = new Float64Array(4096);
  private found = 0;

  /** `scanner`: finds the "\n"s of big chunks (newline-scan.ts); without one, the JavaScript scan below. */
  constructor(private readonly scanner: NewlineScanner | null = null) {}

  /**
   * Indexes the next chunk of the response; returns the line starts it adds (absolute offsets).
   *
   * Why it reads four bytes at a time: this runs over every received byte (100 MiB at full
   * loopback speed), and most words hold no "\n". A word with one is told apart by the classic
   * has-zero-byte test on `word ^ 0x0a0a0a0a` (it never misses one; its rare false alarms are
   * settled by the byte checks that follow). Chromium: 40 ms per 100 MiB against 80 ms for an
   * `indexOf` per line, 150 ms for a plain byte loop.
   */
  index(bytes: Uint8Array): Float64Array {
    const base = this.total;
    const len = bytes.byteLength;
    this.found = 0;
    if (this.scanner && len >= SIMD_MIN_BYTES) {
      for (let from = 0; from < len; from += SCAN_WINDOW_BYTES) {
        const ends = this.scanner.scanWindow(bytes, from, Math.min(SCAN_WINDOW_BYTES, len - from));
        for (let k = 0; k < ends.length; k++) this.lineEnd(bytes, base, base + from + ends[k]!);
      }
    } else {
      // Bytes before the first 4-byte-aligned one, then whole words, then the last few bytes.
      const head = Math.min(len, (4 - (bytes.byteOffset & 3)) & 3);
      let i = 0;
      for (; i < head; i++) if (bytes[i] === 0x0a) this.lineEnd(bytes, base, base + i + 1);
      const words = (len - head) >> 2;
      if (words > 0) {
        const view = new Uint32Array(bytes.buffer, bytes.byteOffset + head, words);
        for (let w = 0; w < words; w++) {
          const x = view[w]! ^ 0x0a0a0a0a;
          if (((x - 0x01010101) & ~x & 0x80808080) !== 0) {
            const at = head + (w << 2);
            for (let k = at; k < at + 4; k++) if (bytes[k] === 0x0a) this.lineEnd(bytes, base, base + k + 1);
          }
        }
        i = head + (words << 2);
      }
      for (; i < len; i++) if (bytes[i] === 0x0a) this.lineEnd(bytes, base, base + i + 1);
    }
    // The open line may already be too long: cut it where it reaches MAX_LINE_BYTES.
    if (base + len - this.currentLineStart > MAX_LINE_BYTES) this.cutLongLine(bytes, base, base + len);
    this.total += len;
    const keep = Math.min(3, len);
    const tail = this.tail.slice(Math.max(0, this.tail.length - (3 - keep)));
    for (let k = len - keep; k < len; k++) tail.push(bytes[k]!);
    this.tail = tail;
    return this.scratch.slice(0, this.found);
  }

  /** A line ends before absolute offset `end` (just after its "\n"). */
  private lineEnd(bytes: Uint8Array, base: number, end: number): void {
    if (end - this.currentLineStart > MAX_LINE_BYTES) this.cutLongLine(bytes, base, end);
    this.push(end);
    this.currentLineStart = end;
  }

  /** Forced cuts in the line that runs to `end`, each at a UTF-8 boundary (never inside a sequence). */
  private cutLongLine(bytes: Uint8Array, base: number, end: number): void {
    while (end - this.currentLineStart > MAX_LINE_BYTES) {
      let cut = this.currentLineStart + MAX_LINE_BYTES;
      for (let back = 0; back < 3; back++) {
        const b = cut >= base ? bytes[cut - base] : this.tail[this.tail.length - (base - cut)];
        if (b === undefined || (b & 0xc0) !== 0x80) break;
        cut--;
      }
      this.push(cut);
      this.currentLineStart = cut;
    }
  }

  private push(start: number): void {
    if (this.found === this.scratch.length) {
      const bigger = new Float64Array(this.scratch.length * 2);
      bigger.set(this.scratch);
      this.scratch = bigger;
    }
    this.scratch[this.found++] = start;
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
