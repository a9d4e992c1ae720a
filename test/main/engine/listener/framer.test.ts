/**
 * The responder's framer: messages cut the same whatever the chunk boundaries, CR before LF
 * dropped, multi-byte delimiters split across chunks, an unfinished tail kept safe from the reuse
 * of the chunk it came in, and an over-long frame reported with what came before it.
 */
import { describe, expect, it } from 'vitest';
import { Framer } from '../../../../main/engine/listener/responder.ts';
import { LISTENER_LIMITS } from '../../../../shared/listener.ts';

const text = (ms: Uint8Array[]): string[] => ms.map((m) => Buffer.from(m).toString('latin1'));

/** Pushes `input` cut at every given offset; returns the messages as text, copied at once. */
function cut(framer: Framer, input: string, at: number[]): string[] {
  const bytes = Buffer.from(input, 'latin1');
  const out: string[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    // A fresh buffer per push, overwritten afterwards, like a reused read buffer.
    const chunk = Buffer.from(bytes.subarray(from, to));
    const { messages, error } = framer.push(chunk);
    expect(error).toBeNull();
    out.push(...text(messages));
    chunk.fill(0x58);
    from = to;
  }
  return out;
}

describe('Framer', () => {
  it('cuts lines the same for every way of splitting the stream, dropping a CR before LF', () => {
    const input = 'PING\r\nGET / HTTP/1.0\n\nlast\r\n\r\npartial';
    const whole = cut(new Framer({ kind: 'line' }, null), input, []);
    expect(whole).toEqual(['PING', 'GET / HTTP/1.0', '', 'last', '']);
    for (let a = 1; a < input.length; a++) {
      for (let b = a; b < input.length; b += 3) {
        const f = new Framer({ kind: 'line' }, null);
        expect(cut(f, input, [a, b]), `cut at ${a}, ${b}`).toEqual(whole);
        expect(f.pendingBytes).toBe('partial'.length);
      }
    }
  });

  it('finds a multi-byte delimiter split across chunks', () => {
    const input = 'one||two||||three|';
    const expected = ['one', 'two', ''];
    for (let a = 0; a <= input.length; a++) {
      const f = new Framer({ kind: 'delimiter', delimiter: { mode: 'text', value: '||' } } as never, Buffer.from('||'));
      expect(cut(f, input, [a]), `cut at ${a}`).toEqual(expected);
      expect(f.pendingBytes).toBe('three|'.length);
    }
  });

  it('cuts fixed lengths across chunks and keeps the tail intact after its chunk is reused', () => {
    const f = new Framer({ kind: 'length', length: 4 }, null);
    expect(cut(f, 'abcdefghij', [3, 5, 9])).toEqual(['abcd', 'efgh']);
    expect(f.pendingBytes).toBe(2);
    expect(text(f.push(Buffer.from('kl')).messages)).toEqual(['ijkl']);
  });

  it('reports a line longer than the bound, with the messages before it', () => {
    const max = LISTENER_LIMITS.maxFrameBytes;
    const f = new Framer({ kind: 'line' }, null);
    const r = f.push(Buffer.concat([Buffer.from('ok\n'), Buffer.alloc(max + 1, 0x61), Buffer.from('\n')]));
    expect(text(r.messages)).toEqual(['ok']);
    expect(r.error).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    const g = new Framer({ kind: 'line' }, null);
    expect(g.push(Buffer.alloc(max, 0x61)).error).toBeNull();
    expect(g.push(Buffer.from('a')).error).toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });

  it('passes a chunk through whole, cut to the bound, when framing is by chunk', () => {
    const f = new Framer({ kind: 'chunk' }, null);
    expect(text(f.push(Buffer.from('a\nb')).messages)).toEqual(['a\nb']);
    expect(f.push(Buffer.alloc(LISTENER_LIMITS.maxFrameBytes + 10)).messages[0]!.length).toBe(LISTENER_LIMITS.maxFrameBytes);
  });
});
