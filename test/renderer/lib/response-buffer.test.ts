import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES, ResponseBuffer } from '../../../renderer/lib/response-buffer.ts';
import { bytesToDisplayText } from '../../../shared/byte-view.ts';
import { seededRandom } from '../../support/seeded-random.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('ResponseBuffer', () => {
  it('slices across chunk boundaries byte-exactly', () => {
    const b = new ResponseBuffer();
    b.append(bytes('abc'));
    b.append(bytes(''));
    b.append(bytes('defgh'));
    b.append(new Uint8Array([0, 255]));
    expect(b.length).toBe(10);
    expect(text(b.slice(2, 6))).toBe('cdef');
    expect([...b.slice(7, 10)]).toEqual([0x68, 0, 255]);
    expect(b.slice(9, 100).byteLength).toBe(1);
    expect(b.slice(-5, 2).byteLength).toBe(2);
    expect(b.slice(5, 3).byteLength).toBe(0);
    expect([...b.all()]).toEqual([...bytes('abcdefgh'), 0, 255]);
  });

  it('indexes lines at newlines, including one split across chunks', () => {
    const b = new ResponseBuffer();
    b.append(bytes('one\ntw'));
    b.append(bytes('o\n\nthree'));
    expect(b.lines).toBe(4);
    const lines = Array.from({ length: b.lines }, (_, i) => text(b.slice(...b.lineRange(i))));
    expect(lines).toEqual(['one\n', 'two\n', '\n', 'three']);
  });

  it('cuts long lines at MAX_LINE_BYTES without splitting a UTF-8 character', () => {
    const b = new ResponseBuffer();
    const long = 'a'.repeat(MAX_LINE_BYTES - 1) + 'é' + 'b'.repeat(10);
    b.append(bytes(long.slice(0, 500)));
    b.append(bytes(long.slice(500)));
    expect(b.lines).toBe(2);
    const [s, e] = b.lineRange(0);
    expect(e - s).toBe(MAX_LINE_BYTES - 1);
    expect(text(b.slice(...b.lineRange(1)))).toBe('é' + 'b'.repeat(10));
  });

  it('clears back to one empty line', () => {
    const b = new ResponseBuffer();
    b.append(bytes('x\ny'));
    b.clear();
    expect(b.length).toBe(0);
    expect(b.lines).toBe(1);
    expect(b.lineRange(0)).toEqual([0, 0]);
  });

  it('keeps every line start exact through the index\'s growth (100,000 short lines)', () => {
    const b = new ResponseBuffer();
    const line = bytes('0123456789\n');
    for (let chunk = 0; chunk < 100; chunk++) {
      const part = new Uint8Array(line.length * 1000);
      for (let i = 0; i < 1000; i++) part.set(line, i * line.length);
      b.append(part);
    }
    expect(b.lines).toBe(100_001);
    for (const n of [0, 1, 1023, 1024, 65_535, 65_536, 99_999]) expect(b.lineRange(n)).toEqual([n * 11, n * 11 + 11]);
    expect(b.lineRange(100_000)).toEqual([1_100_000, 1_100_000]);
  });

  it('widens the index past 4 GiB of offsets instead of wrapping them', () => {
    // Starts found elsewhere (the worker's) may name offsets past 32 bits; no 4 GiB is needed to
    // check that they are stored whole. (A kept response is capped at 1 GiB today.)
    const b = new ResponseBuffer();
    b.append(bytes('a\nb'), new Float64Array([2]));
    b.append(bytes('c'), new Float64Array([2 ** 32 + 5, 2 ** 33]));
    expect(b.lines).toBe(4);
    expect(b.lineRange(1)[0]).toBe(2);
    expect(b.lineRange(2)[0]).toBe(2 ** 32 + 5);
    expect(b.lineRange(3)[0]).toBe(2 ** 33);
  });
});

describe('ResponseBuffer.displayText', () => {
  const LIMIT = 256 * 1024;

  it('is bytesToDisplayText of every byte after each chunk, however the bytes were cut', () => {
    const random = seededRandom(0xd15);
    const pool = [0x41, 0x0a, 0x0d, 0x00, 0x1b, 0x80, 0xa9, 0xbd, 0xbf, 0xc3, 0xe2, 0x82, 0xac, 0xef, 0xf0, 0x9f, 0x98, 0xff];
    for (let round = 0; round < 200; round++) {
      const buffer = new ResponseBuffer();
      const encoding = round % 5 === 4 ? 'latin1' : 'utf8';
      for (let chunk = 0; chunk < 8; chunk++) {
        buffer.append(Uint8Array.from({ length: Math.floor(random() * 6) }, () => pool[Math.floor(random() * pool.length)]!));
        expect(buffer.displayText(encoding, LIMIT)).toEqual(bytesToDisplayText(buffer.all(), encoding));
      }
    }
  });

  it('completes a character split across chunks, and shows a split that never completes as U+FFFD', () => {
    const buffer = new ResponseBuffer();
    buffer.append(Uint8Array.of(0x41, 0xe2, 0x82));
    expect(buffer.displayText('utf8', LIMIT)).toEqual({ text: 'A\ufffd', replacementCount: 1, controlCount: 0 });
    buffer.append(Uint8Array.of(0xac, 0x0a));
    expect(buffer.displayText('utf8', LIMIT)).toEqual({ text: 'A€\n', replacementCount: 0, controlCount: 0 });
  });

  it('starts again after clear() and for the other encoding; lets go of the text over the limit', () => {
    const buffer = new ResponseBuffer();
    buffer.append(new TextEncoder().encode('é\x1b'));
    expect(buffer.displayText('utf8', LIMIT)?.text).toBe('é␛');
    expect(buffer.displayText('latin1', LIMIT)?.text).toBe('Ã©␛');
    buffer.clear();
    buffer.append(new TextEncoder().encode('x'));
    expect(buffer.displayText('utf8', LIMIT)?.text).toBe('x');
    buffer.append(new Uint8Array(10));
    expect(buffer.displayText('utf8', 8)).toBeNull();
  });
});
