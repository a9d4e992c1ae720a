import { describe, expect, it } from 'vitest';
import { DatagramRows, hexPreview, textPreview } from '../../../renderer/lib/datagram-rows.ts';

const b = (n: number): Uint8Array => new Uint8Array(n);

describe('DatagramRows', () => {
  it('lists sent and received rows in order with the gap to the previous row', () => {
    const rows = new DatagramRows();
    rows.add('sent', '127.0.0.1', 53, 1000, b(3), 1);
    rows.add('received', '127.0.0.1', 53, 1012, b(5), 1);
    rows.trim();
    expect(rows.length).toBe(2);
    expect(rows.at(0)).toMatchObject({ direction: 'sent', gapMs: null });
    expect(rows.at(1)).toMatchObject({ direction: 'received', gapMs: 12 });
    expect([rows.listedSent, rows.listedReceived]).toEqual([1, 1]);
  });

  it('drops the oldest past the row limit and counts them per direction; ids stay findable', () => {
    const rows = new DatagramRows({ maxRows: 3 });
    for (let i = 0; i < 10; i++) rows.add(i % 2 ? 'received' : 'sent', 'h', 1, i, b(1), i);
    rows.trim();
    expect(rows.length).toBe(3);
    expect(rows.droppedSent + rows.droppedReceived).toBe(7);
    expect(rows.listedSent + rows.listedReceived).toBe(3);
    const last = rows.at(2)!;
    expect(rows.indexOf(last.rowId)).toBe(2);
    expect(rows.indexOf(1)).toBe(-1);
  });

  it('keeps the newest row even when it alone is over the byte limit', () => {
    const rows = new DatagramRows({ maxBytes: 10 });
    rows.add('received', 'h', 1, 0, b(4), 1);
    rows.add('received', 'h', 1, 0, b(65_507), 2);
    rows.trim();
    expect(rows.length).toBe(1);
    expect(rows.droppedReceived).toBe(1);
  });
});

describe('previews', () => {
  it('shows printable ASCII and marks the rest, cut with an ellipsis', () => {
    expect(textPreview(new Uint8Array([0x41, 0x00, 0x1b, 0x42]))).toBe('A··B');
    expect(textPreview(new Uint8Array(70).fill(0x61), 64)).toBe(`${'a'.repeat(64)}…`);
    expect(hexPreview(new Uint8Array([0, 255, 16]))).toBe('00 ff 10');
  });
});
