import { describe, expect, it } from 'vitest';
import { SENT_LOG_LIMITS, SentLog } from '../../../renderer/lib/sent-log.ts';

describe('SentLog', () => {
  it('keeps the first bytes of each send at its offset in the sent stream', () => {
    const log = new SentLog();
    log.recordStart(new TextEncoder().encode('hello'));
    log.advance(5);
    const big = new Uint8Array(1000).fill(0x41);
    log.recordStart(big);
    log.advance(1000);
    expect(new TextDecoder().decode(log.head(0))).toBe('hello');
    expect(log.head(5)!.byteLength).toBe(SENT_LOG_LIMITS.headBytes);
    expect(log.nextOffset).toBe(1005);
  });

  it('copies the head: a 64 MiB send does not stay referenced', () => {
    const log = new SentLog();
    const big = new Uint8Array(64 * 1024 * 1024);
    log.recordStart(big);
    expect(log.head(0)!.buffer.byteLength).toBe(SENT_LOG_LIMITS.headBytes);
  });

  it('a send that sent nothing leaves the offset, and the next send replaces its head', () => {
    const log = new SentLog();
    log.recordStart(new Uint8Array([1, 2, 3]));
    log.recordStart(new Uint8Array([9]));
    log.advance(1);
    expect([...log.head(0)!]).toEqual([9]);
  });

  it('moves past a file main streamed (no head), so later previews stay at the right offset', () => {
    const log = new SentLog();
    log.advance(4096);
    log.recordStart(new Uint8Array([7]));
    expect(log.head(0)).toBeUndefined();
    expect([...log.head(4096)!]).toEqual([7]);
  });

  it('keeps at most maxSends heads and counts the rest', () => {
    const log = new SentLog();
    for (let i = 0; i < SENT_LOG_LIMITS.maxSends + 3; i++) {
      log.recordStart(new Uint8Array([i & 0xff]));
      log.advance(1);
    }
    expect(log.dropped).toBe(3);
    expect(log.head(SENT_LOG_LIMITS.maxSends - 1)).toBeDefined();
    expect(log.head(SENT_LOG_LIMITS.maxSends)).toBeUndefined();
    log.clear();
    expect(log.dropped).toBe(0);
    expect(log.nextOffset).toBe(0);
  });
});
