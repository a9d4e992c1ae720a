import { describe, expect, it } from 'vitest';
import { addToHistory, historyFootprint, HISTORY_LIMITS, type HistoryItem } from '../../../renderer/lib/send-history.ts';

function item(size: number, text = ''): HistoryItem & { id: number } {
  return { id: Math.random(), bytes: new Uint8Array(size), text, size, bytesKept: true };
}

describe('addToHistory', () => {
  it('keeps the newest first and at most maxItems, counting what it dropped', () => {
    let items: ReturnType<typeof item>[] = [];
    let dropped = 0;
    const all: ReturnType<typeof item>[] = [];
    for (let i = 0; i < HISTORY_LIMITS.maxItems + 2; i++) {
      const next = item(4, 'ping');
      all.push(next);
      const r = addToHistory(items, next);
      items = r.items;
      dropped += r.dropped;
    }
    expect(items).toHaveLength(HISTORY_LIMITS.maxItems);
    expect(dropped).toBe(2);
    expect(items[0]).toBe(all[all.length - 1]);
    expect(items[items.length - 1]).toBe(all[2]);
  });

  it('drops the oldest items until the bytes held fit the budget', () => {
    const limits = { maxItems: 50, maxBytes: 1000 };
    let items = addToHistory([], item(400), limits).items;
    items = addToHistory(items, item(400), limits).items;
    const r = addToHistory(items, item(300), limits);
    expect(r.items.map((i) => i.size)).toEqual([300, 400]);
    expect(r.dropped).toBe(1);
    expect(r.items.reduce((n, i) => n + historyFootprint(i), 0)).toBeLessThanOrEqual(1000);
  });

  it('counts editor text (2 bytes a unit) as well as bytes', () => {
    expect(historyFootprint(item(10, 'abc'))).toBe(16);
  });

  it('keeps an item too large for the budget without its bytes, so it shows but cannot be sent again', () => {
    const limits = { maxItems: 50, maxBytes: 1000 };
    const older = item(10);
    const r = addToHistory([older], item(5000), limits);
    expect(r.items).toHaveLength(2);
    expect(r.items[0]!.bytesKept).toBe(false);
    expect(r.items[0]!.bytes.byteLength).toBe(0);
    expect(r.items[0]!.size).toBe(5000);
    expect(r.items[1]).toBe(older);
    expect(r.dropped).toBe(0);
  });

  it('never holds more than the stated limits, whatever is sent (64 MiB files from the browser)', () => {
    let items: HistoryItem[] = [];
    const big = new Uint8Array(64 * 1024 * 1024);
    for (let i = 0; i < 60; i++) {
      const sized = i % 2 === 0 ? { bytes: big, text: '', size: big.byteLength, bytesKept: true } : item(3 * 1024 * 1024);
      items = addToHistory(items, sized).items;
      expect(items.length).toBeLessThanOrEqual(HISTORY_LIMITS.maxItems);
      expect(items.reduce((n, x) => n + historyFootprint(x), 0)).toBeLessThanOrEqual(HISTORY_LIMITS.maxBytes);
    }
  });
});
