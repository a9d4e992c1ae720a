import { describe, expect, it } from 'vitest';
import { attachLineStarts, LineIndexer, MAX_LINE_BYTES, takeLineStarts } from '../../../renderer/lib/line-index.ts';
import { ResponseBuffer } from '../../../renderer/lib/response-buffer.ts';

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

describe('LineIndexer', () => {
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
