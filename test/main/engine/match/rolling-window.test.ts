/** The rolling window: absolute offsets, bounded size, counted drops, compaction. */
import { describe, expect, it } from 'vitest';
import { RollingWindow } from '../../../../main/engine/match/rolling-window.ts';
import { closestPrefix, firstDifference, literalPattern } from '../../../../main/engine/match/byte-pattern.ts';

const b = (text: string): Uint8Array => new TextEncoder().encode(text);
const t = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('RollingWindow', () => {
  it('keeps appended bytes with absolute offsets and consumes up to an offset', () => {
    const w = new RollingWindow(100);
    w.append(b('hello '));
    w.append(b('world'));
    expect([w.start, w.end, t(w.view())]).toEqual([0, 11, 'hello world']);
    w.consumeTo(6);
    expect([w.start, w.end, t(w.view())]).toEqual([6, 11, 'world']);
    expect(t(w.copy(8, 100))).toBe('rld');
  });

  it('drops the oldest bytes past its size and counts them until the next consume', () => {
    const w = new RollingWindow(8);
    expect(w.append(b('abcdef'))).toBe(0);
    expect(w.append(b('ghij'))).toBe(2);
    expect([w.start, t(w.view()), w.droppedSinceConsume]).toEqual([2, 'cdefghij', 2]);
    expect(w.append(b('0123456789'))).toBe(10);
    expect([w.start, w.end, t(w.view()), w.droppedSinceConsume]).toEqual([12, 20, '23456789', 12]);
    w.consumeTo(15);
    expect([w.droppedSinceConsume, t(w.view())]).toEqual([0, '56789']);
  });

  it('keeps exact contents over many 1-byte appends with consumes in between (compaction)', () => {
    const w = new RollingWindow(64);
    let expected = '';
    for (let i = 0; i < 10_000; i++) {
      const ch = String.fromCharCode(97 + (i % 26));
      w.append(b(ch));
      expected += ch;
      if (i % 7 === 0) {
        w.consumeTo(w.end - 3);
        expected = expected.slice(-3);
      }
      expected = expected.slice(-64);
      expect(t(w.view())).toBe(expected);
    }
    expect(w.end).toBe(10_000);
  });

  it('clips consumeTo to what it holds', () => {
    const w = new RollingWindow(4);
    w.append(b('abc'));
    w.consumeTo(99);
    expect([w.start, w.end, w.length]).toEqual([3, 3, 0]);
    w.consumeTo(-5);
    expect(w.start).toBe(3);
  });
});

describe('byte patterns', () => {
  it('finds literals, including across NUL and high bytes', () => {
    const p = literalPattern(new Uint8Array([0x00, 0xff]));
    expect(p.find(new Uint8Array([1, 0, 0xff, 2]))).toEqual({ start: 1, end: 3 });
    expect(p.find(new Uint8Array([0xff, 0x00]))).toBeNull();
  });

  it('locates the first difference and the closest prefix for messages', () => {
    expect(firstDifference(b('+OK'), b('+OX'))).toBe(2);
    expect(firstDifference(b('+OK'), b('+O'))).toBe(-1);
    expect(closestPrefix(b('PONG'), b('xxPOxxPONxx'))).toEqual({ at: 6, length: 3 });
    expect(closestPrefix(b('PONG'), b('zzz'))).toEqual({ at: -1, length: 0 });
  });
});
