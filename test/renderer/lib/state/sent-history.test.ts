import { describe, expect, it } from 'vitest';
import {
  pushSent,
  SENT_HISTORY_LIMITS,
  sentFootprint,
  sentItem,
  streamedFileItem,
  type SentItem,
} from '../../../../renderer/lib/state/sent-history.ts';

const bytes = new Uint8Array([0x50, 0x49]);

function item(size: number, text?: string): SentItem {
  const payload = text === undefined ? null : { text, mode: 'text' as const, encoding: 'utf8' as const, lineEnding: 'none' as const };
  return sentItem(payload ? { payload } : { label: 'x' }, new Uint8Array(size), false, 0);
}

describe('sent history items', () => {
  it('an editor send keeps its payload (to put back) and labels itself with its text', () => {
    const payload = { text: 'x'.repeat(100), mode: 'text' as const, encoding: 'utf8' as const, lineEnding: 'lf' as const };
    const made = sentItem({ payload }, bytes, true, 5);
    expect(made).toEqual({ at: 5, bytes, size: 2, bytesKept: true, payload, halfClose: true, label: 'x'.repeat(60) });
  });

  it('bytes from a file have a label and nothing to put back', () => {
    expect(sentItem({ label: 'file a.bin (2 bytes)' }, bytes, false, 7)).toEqual({
      at: 7,
      bytes,
      size: 2,
      bytesKept: true,
      payload: null,
      halfClose: false,
      label: 'file a.bin (2 bytes)',
    });
  });

  it('a file main streamed has its size but no bytes to send again', () => {
    const made = streamedFileItem('big.bin', 5000, true, 9);
    expect(made.bytesKept).toBe(false);
    expect(made.size).toBe(5000);
    expect(made.bytes.byteLength).toBe(0);
    expect(made.label).toBe('file big.bin (5,000 bytes)');
  });
});

describe('pushSent', () => {
  it('keeps the newest first and at most maxItems, counting what it dropped', () => {
    let list: SentItem[] = [];
    let dropped = 0;
    const all: SentItem[] = [];
    for (let i = 0; i < SENT_HISTORY_LIMITS.maxItems + 2; i++) {
      const next = item(4, 'ping');
      all.push(next);
      const r = pushSent(list, next);
      list = r.items;
      dropped += r.dropped;
    }
    expect(list).toHaveLength(SENT_HISTORY_LIMITS.maxItems);
    expect(dropped).toBe(2);
    expect(list[0]).toBe(all[all.length - 1]);
    expect(list[list.length - 1]).toBe(all[2]);
  });

  it('drops the oldest items until the bytes held fit the budget', () => {
    const limits = { maxItems: 50, maxBytes: 1000 };
    let list = pushSent([], item(400), limits).items;
    list = pushSent(list, item(400), limits).items;
    const r = pushSent(list, item(300), limits);
    expect(r.items.map((i) => i.size)).toEqual([300, 400]);
    expect(r.dropped).toBe(1);
    expect(r.items.reduce((n, i) => n + sentFootprint(i), 0)).toBeLessThanOrEqual(1000);
  });

  it('counts editor text (2 bytes a unit) as well as bytes', () => {
    expect(sentFootprint(item(10, 'abc'))).toBe(16);
  });

  it('keeps an item too large for the budget without its bytes, so it shows but cannot be sent again', () => {
    const limits = { maxItems: 50, maxBytes: 1000 };
    const older = item(10);
    const r = pushSent([older], item(5000, 'big'), limits);
    expect(r.items).toHaveLength(2);
    expect(r.items[0]!.bytesKept).toBe(false);
    expect(r.items[0]!.bytes.byteLength).toBe(0);
    expect(r.items[0]!.payload).toBeNull();
    expect(r.items[0]!.size).toBe(5000);
    expect(r.items[1]).toBe(older);
    expect(r.dropped).toBe(0);
  });

  it('never holds more than the stated limits, whatever is sent (64 MiB files from the browser)', () => {
    let list: SentItem[] = [];
    const big = new Uint8Array(64 * 1024 * 1024);
    for (let i = 0; i < 60; i++) {
      const next = i % 2 === 0 ? sentItem({ label: 'file big' }, big, false, i) : item(3 * 1024 * 1024);
      list = pushSent(list, next).items;
      expect(list.length).toBeLessThanOrEqual(SENT_HISTORY_LIMITS.maxItems);
      expect(list.reduce((n, x) => n + sentFootprint(x), 0)).toBeLessThanOrEqual(SENT_HISTORY_LIMITS.maxBytes);
    }
  });
});
