import { describe, expect, it } from 'vitest';
import { DatagramLog, describeCounts } from '../../../renderer/lib/datagram-log.ts';
import type { DatagramWithBytes } from '../../../shared/session-datagram.ts';

function datagram(seq: number, size = 1): DatagramWithBytes {
  return { record: { seq, from: '127.0.0.1', port: 9, family: 4, size, at: 1_000 + seq }, bytes: new Uint8Array(size) };
}

function range(from: number, to: number, size = 1): DatagramWithBytes[] {
  return Array.from({ length: to - from + 1 }, (_, i) => datagram(from + i, size));
}

describe('DatagramLog', () => {
  it('keeps rows in order and counts what is still in transit against main\'s count', () => {
    const log = new DatagramLog();
    log.append(range(1, 3));
    expect(log.length).toBe(3);
    expect(log.at(0)!.record.seq).toBe(1);
    expect(log.at(3)).toBeUndefined();
    expect(log.counts(10)).toEqual({ received: 10, delivered: 3, kept: 3, droppedOldest: 0, inTransit: 7, missing: 0 });
    expect(describeCounts(log.counts(10))).toBe('Listing 3 of 10 datagrams received: 7 still arriving.');
    expect(describeCounts(log.counts(3))).toBe('');
  });

  it('drops the oldest past the row limit, counting them exactly', () => {
    const log = new DatagramLog({ maxRows: 1_000 });
    for (let i = 0; i < 50; i++) log.append(range(i * 200 + 1, i * 200 + 200));
    expect(log.length).toBe(1_000);
    expect(log.at(0)!.record.seq).toBe(9_001);
    expect(log.at(999)!.record.seq).toBe(10_000);
    const c = log.counts(10_000);
    expect(c).toMatchObject({ delivered: 10_000, kept: 1_000, droppedOldest: 9_000, inTransit: 0 });
    expect(c.droppedOldest + c.kept).toBe(c.delivered);
  });

  it('drops the oldest past the byte limit but always keeps the newest row, however large', () => {
    const log = new DatagramLog({ maxBytes: 100 });
    log.append(range(1, 5, 30));
    expect(log.length).toBe(3);
    expect(log.bytes).toBe(90);
    log.append([datagram(6, 65_507)]);
    expect(log.length).toBe(1);
    expect(log.at(0)!.record.size).toBe(65_507);
  });

  it('counts a gap in seq as missing and ignores a repeat', () => {
    const log = new DatagramLog();
    log.append([datagram(1), datagram(2), datagram(5), datagram(5)]);
    expect(log.counts(5)).toEqual({ received: 5, delivered: 3, kept: 3, droppedOldest: 0, inTransit: 0, missing: 2 });
    expect(describeCounts(log.counts(5))).toContain('2 lost on the way');
    log.clear();
    expect(log.counts(0)).toEqual({ received: 0, delivered: 0, kept: 0, droppedOldest: 0, inTransit: 0, missing: 0 });
  });

  it('counts the same without keeping the datagrams (keepDatagrams: false)', () => {
    const kept = new DatagramLog({ maxBytes: 100 });
    const counted = new DatagramLog({ maxBytes: 100, keepDatagrams: false });
    for (const log of [kept, counted]) {
      log.append(range(1, 5, 30));
      log.append([datagram(8, 10)]);
    }
    expect(counted.counts(9)).toEqual(kept.counts(9));
    expect([counted.length, counted.bytes]).toEqual([kept.length, kept.bytes]);
    expect(counted.at(0)).toBeUndefined();
  });
});

describe('DatagramLog.notKeptThrough', () => {
  it('counts datagrams the sender no longer kept as the oldest not kept, once, and never backwards', () => {
    const log = new DatagramLog();
    log.notKeptThrough(3);
    log.notKeptThrough(2);
    log.append([{ record: { seq: 4, from: '127.0.0.1', port: 1, family: 4, size: 1, at: 0 }, bytes: Uint8Array.of(1) }]);
    expect(log.counts(4)).toMatchObject({ delivered: 4, kept: 1, droppedOldest: 3, missing: 0, inTransit: 0 });
  });
});
