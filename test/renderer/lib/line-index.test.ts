import { describe, expect, it } from 'vitest';
import { attachLineStarts, LineIndexer, MAX_LINE_BYTES, takeLineStarts } from '../../../renderer/lib/line-index.ts';
import { ResponseBuffer } from '../../../renderer/lib/response-buffer.ts';
import { createNewlineScanner, type NewlineScanner } from '../../../renderer/lib/newline-scan.ts';

/** A deterministic mix of ASCII, newlines, long runs and multi-byte UTF-8 characters. */
function sample(n: number): Uint8Array {
  const parts: string[] = [];
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  while (parts.join('').length < n) {
    const r = rnd();
    parts.push(r < 0.1 ? '\n' : r < 0.2 ? 'é€😀' : r < 0.25 ? 'x'.repeat(Math.floor(rnd() * 3000)) : 'abc');
  }
  return new TextEncoder().encode(parts.join(''));
}

/**
 * The definition, one byte at a time: a line ends after "\n", or is cut once it would exceed
 * MAX_LINE_BYTES, backed up over at most three UTF-8 continuation bytes.
 */
function referenceStarts(all: Uint8Array): number[] {
  const starts: number[] = [];
  let lineStart = 0;
  for (let i = 0; i < all.byteLength; i++) {
    while (i + 1 - lineStart > MAX_LINE_BYTES) {
      let cut = lineStart + MAX_LINE_BYTES;
      for (let back = 0; back < 3 && (all[cut]! & 0xc0) === 0x80; back++) cut--;
      starts.push(cut);
      lineStart = cut;
    }
    if (all[i] === 0x0a) {
      starts.push(i + 1);
      lineStart = i + 1;
    }
  }
  return starts;
}

/** Random bytes with newlines and the bytes next to "\n" (0x0b, 0x8a…) that a word-at-a-time scan could confuse. */
function binary(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  const tricky = [0x0a, 0x0b, 0x09, 0x8a, 0xa0, 0x80, 0xff, 0x00, 0x1a];
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = seed % 5 === 0 ? tricky[seed % tricky.length]! : seed >> 8;
  }
  return out;
}

describe('LineIndexer', () => {
  it.each([
    ['the JavaScript scan', (): NewlineScanner | null => null],
    ['the SIMD scan (web mode\'s worker)', (): NewlineScanner | null => createNewlineScanner()],
  ] as const)('finds exactly the line starts of the byte-by-byte definition, however the chunks are cut and aligned: %s', (_, makeScanner) => {
    const scanner = makeScanner();
    for (const [all, sizes] of [
      [sample(120_000), [1, 3, 4, 7, 1024, 4093, 65536]],
      [binary(60_000, 3), [1, 2, 5, 8, 999, 60_000]],
      [binary(9_000, 11).map((b) => (b === 0x0a ? 0x61 : b)), [1, 6, 4096]],
      [new Uint8Array(5000).fill(0x0a), [1, 5, 4096]],
      // Chunks of several SIMD windows (256 KiB), lines cut at MAX_LINE_BYTES across windows.
      [binary(700_000, 17).map((b, i) => (i > 300_000 && i < 330_000 && b === 0x0a ? 0x61 : b)), [262_143, 524_289, 700_000]],
    ] as const) {
      const want = referenceStarts(all);
      for (const size of sizes) {
        const indexer = new LineIndexer(scanner);
        const got: number[] = [];
        // Chunks at every byte offset mod 4 inside their buffer, as fetch() and slicing give them.
        for (let at = 0; at < all.byteLength; at += size) {
          const chunk = all.subarray(at, at + size);
          const shifted = new Uint8Array(chunk.byteLength + 3);
          shifted.set(chunk, at % 4);
          got.push(...indexer.index(shifted.subarray(at % 4, (at % 4) + chunk.byteLength)));
        }
        expect(got, `chunks of ${size}`).toEqual(want);
      }
    }
  });


  it('finds the same line starts whatever the chunking, each line at most MAX_LINE_BYTES, never inside a character', () => {
    const all = sample(200_000);
    const whole = new LineIndexer().index(all);
    for (const size of [1, 2, 3, 5, 1000, 1023, 1024, 4096, 65536]) {
      const indexer = new LineIndexer();
      const parts: number[] = [];
      for (let at = 0; at < all.byteLength; at += size) parts.push(...indexer.index(all.subarray(at, at + size)));
      expect(parts).toEqual([...whole]);
    }
    let prev = 0;
    for (const start of [...whole, all.byteLength]) {
      expect(start - prev).toBeLessThanOrEqual(MAX_LINE_BYTES);
      if (start < all.byteLength) expect(all[start]! & 0xc0).not.toBe(0x80);
      prev = start;
    }
  });

  it('gives a ResponseBuffer the same lines when the starts are found elsewhere', () => {
    const all = sample(50_000);
    const here = new ResponseBuffer();
    const elsewhere = new ResponseBuffer();
    const indexer = new LineIndexer();
    for (let at = 0; at < all.byteLength; at += 777) {
      const chunk = all.subarray(at, at + 777);
      here.append(chunk);
      attachLineStarts(chunk, indexer.index(chunk));
      elsewhere.append(chunk, takeLineStarts(chunk));
    }
    expect(elsewhere.lines).toBe(here.lines);
    for (let i = 0; i < here.lines; i++) expect(elsewhere.lineRange(i)).toEqual(here.lineRange(i));
  });
});
