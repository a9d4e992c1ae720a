import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, WireFormatError } from '../../shared/wire.ts';

describe('wire frames', () => {
  it('round-trips nested Uint8Arrays byte-exactly, NUL and 0xFF included', () => {
    const data = new Uint8Array([0, 255, 0x5c, 10, 13, 0]);
    const msg = { t: 'event', event: 'session:update', payload: { id: 'x', data, more: [new Uint8Array(0), new Uint8Array([7])] } };
    const back = decodeFrame(encodeFrame(msg)) as typeof msg;
    expect([...back.payload.data]).toEqual([...data]);
    expect(back.payload.more.map((b) => [...b])).toEqual([[], [7]]);
    expect(back.payload.id).toBe('x');
  });

  it('sends a Node Buffer as bytes, not as its toJSON number array', () => {
    const back = decodeFrame(encodeFrame({ data: Buffer.from([1, 2, 3]) })) as { data: Uint8Array };
    expect(back.data).toBeInstanceOf(Uint8Array);
    expect([...back.data]).toEqual([1, 2, 3]);
  });

  it('keeps strings that look like pointers as strings', () => {
    const back = decodeFrame(encodeFrame({ s: '{"$bin":[0,1]}' })) as { s: string };
    expect(back.s).toBe('{"$bin":[0,1]}');
  });

  it('drops __proto__ keys so later spreads cannot change prototypes', () => {
    const header = new TextEncoder().encode('{"a":{"__proto__":{"polluted":true}}}');
    const frame = new Uint8Array(4 + header.byteLength);
    new DataView(frame.buffer).setUint32(0, header.byteLength);
    frame.set(header, 4);
    const back = decodeFrame(frame) as { a: object };
    const copy = Object.assign({}, back.a);
    expect((copy as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });

  it.each([
    ['too short', new Uint8Array([0, 0])],
    ['length beyond frame', new Uint8Array([0, 0, 0, 9, 123])],
    ['not JSON', Uint8Array.from([0, 0, 0, 1, 0x7b])],
    ['not UTF-8', Uint8Array.from([0, 0, 0, 1, 0xff])],
  ])('rejects a frame that is %s', (_name, frame) => {
    expect(() => decodeFrame(frame)).toThrow(WireFormatError);
  });

  it('rejects a pointer beyond the tail', () => {
    const header = new TextEncoder().encode('{"d":{"$bin":[0,5]}}');
    const frame = new Uint8Array(4 + header.byteLength + 2);
    new DataView(frame.buffer).setUint32(0, header.byteLength);
    frame.set(header, 4);
    expect(() => decodeFrame(frame)).toThrow(/beyond/);
  });
});
