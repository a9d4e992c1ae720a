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

  it('with needles, hands over every message a needle could be in, whatever the cuts, and keeps the same tail', () => {
    // A small deterministic generator (no Math.random: the same cases every run).
    let seed = 12345;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const words = ['PING', 'PONG', 'x', '', 'GET /', 'PIN', 'G', 'hello world'];
    const needles = [Buffer.from('PING'), Buffer.from('G /')];
    const wanted = (ms: string[]): string[] => ms.filter((m) => needles.some((n) => m.includes(n.toString('latin1'))));
    for (let round = 0; round < 300; round++) {
      let input = '';
      for (let i = 0, n = rand(40); i < n; i++) input += words[rand(words.length)]! + (rand(3) === 0 ? '\r\n' : '\n');
      input += words[rand(words.length)]!; // maybe an unfinished tail
      const cuts = [...new Set(Array.from({ length: rand(5) }, () => rand(input.length + 1)))].sort((a, b) => a - b);
      const plain = new Framer({ kind: 'line' }, null);
      const all = cut(plain, input, cuts);
      const quick = new Framer({ kind: 'line' }, null);
      const bytes = Buffer.from(input, 'latin1');
      const got: string[] = [];
      let from = 0;
      for (const to of [...cuts, bytes.length]) {
        const chunk = Buffer.from(bytes.subarray(from, to));
        const r = quick.push(chunk, needles);
        expect(r.error).toBeNull();
        got.push(...text(r.messages));
        chunk.fill(0x58);
        from = to;
      }
      expect(wanted(got), `input ${JSON.stringify(input)} cut at ${cuts.join(',')}`).toEqual(wanted(all));
      expect(quick.pendingBytes).toBe(plain.pendingBytes);
    }
  });

  it('with needles, still reports a line over the bound', () => {
    const max = LISTENER_LIMITS.maxFrameBytes;
    const f = new Framer({ kind: 'line' }, null);
    expect(f.push(Buffer.alloc(max, 0x61), [Buffer.from('PING')]).error).toBeNull();
    expect(f.push(Buffer.from('aa\n'), [Buffer.from('PING')]).error).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    const g = new Framer({ kind: 'line' }, null);
    const big = Buffer.concat([Buffer.from('a\n'), Buffer.alloc(max + 5, 0x62), Buffer.from('\nc\n')]);
    expect(g.push(big, [Buffer.from('PING')]).error).toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });
});
