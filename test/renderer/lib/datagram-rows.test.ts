import { describe, expect, it } from 'vitest';
import { DatagramRows, hexPreview, PAGE_BYTES, textPreview } from '../../../renderer/lib/datagram-rows.ts';

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

describe('DatagramRows, compact store', () => {
  const bytesOf = (i: number, n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let k = 0; k < n; k++) out[k] = (i * 7 + k) & 0xff;
    return out;
  };
  const sizeOf = (i: number): number => (i % 1000 === 999 ? 65_507 : [0, 1, 64, 1000, 3][i % 5]!);

  it('gives back every row exactly, bytes included, across pages and blocks (sizes that straddle pages)', () => {
    const rows = new DatagramRows({ maxRows: 1_000_000, maxBytes: 1 << 30 });
    let total = 0;
    for (let i = 0; i < 12_000; i++) {
      const n = sizeOf(i);
      total += n;
      rows.add(i % 3 === 0 ? 'sent' : 'received', i % 100 < 50 ? '127.0.0.1' : '::1', 1000 + (i % 100 < 50 ? 0 : 1), 5_000 + i * 2, bytesOf(i, n), i);
    }
    rows.trim();
    expect(total).toBeGreaterThan(3 * PAGE_BYTES);
    expect(rows.length).toBe(12_000);
    for (const i of [0, 1, 4, 5, 998, 999, 1000, 4095, 4096, 4097, 8191, 11_998, 11_999]) {
      const r = rows.at(i)!;
      expect(r.rowId).toBe(i + 1);
      expect(r.direction).toBe(i % 3 === 0 ? 'sent' : 'received');
      expect([r.address, r.port]).toEqual(i % 100 < 50 ? ['127.0.0.1', 1000] : ['::1', 1001]);
      expect(r.at).toBe(5_000 + i * 2);
      expect(r.gapMs).toBe(i === 0 ? null : 2);
      expect(r.seq).toBe(i);
      expect(r.bytes).toEqual(bytesOf(i, sizeOf(i)));
      expect(rows.indexOf(r.rowId)).toBe(i);
    }
  });

  it('drops the oldest by bytes, keeps the gap to the dropped row, frees nothing still listed', () => {
    const rows = new DatagramRows({ maxBytes: 1000 });
    for (let i = 0; i < 100; i++) rows.add('received', 'h', 1, i * 10, bytesOf(i, 100), i + 1);
    rows.trim();
    expect(rows.length).toBe(10);
    expect(rows.droppedReceived).toBe(90);
    const first = rows.at(0)!;
    expect(first.rowId).toBe(91);
    expect(first.gapMs).toBe(10);
    expect([...first.bytes]).toEqual([...bytesOf(90, 100)]);
    expect(rows.indexOf(90)).toBe(-1);
  });

  it('reads back times and seqs that 32 bits cannot hold, exactly', () => {
    const rows = new DatagramRows();
    const ats = [1_700_000_000_000, 1_700_000_000_000.25, 1_700_000_000_000 + 2 ** 33, 5];
    const seqs = [1, 2 ** 40, 0.5, 4_294_967_295];
    ats.forEach((at, i) => rows.add('received', 'h', 1, at, bytesOf(i, 1), seqs[i]!));
    ats.forEach((at, i) => expect([rows.at(i)!.at, rows.at(i)!.seq]).toEqual([at, seqs[i]]));
    const id = rows.at(1)!.rowId;
    rows.setSeq(id, 9);
    expect(rows.at(1)!.seq).toBe(9);
  });

  it('sets a sent row\'s seq and marks a refused one; clear keeps ids growing', () => {
    const rows = new DatagramRows();
    const a = rows.add('sent', 'h', 1, 0, bytesOf(0, 2), 0);
    const b = rows.add('sent', 'h', 1, 1, bytesOf(1, 2), 0);
    rows.setSeq(a, 17);
    rows.markFailed(b);
    expect(rows.at(0)).toMatchObject({ seq: 17 });
    expect(rows.at(0)!.failed).toBeUndefined();
    expect(rows.at(1)).toMatchObject({ failed: true, seq: 0 });
    rows.clear();
    expect(rows.length).toBe(0);
    expect(rows.indexOf(a)).toBe(-1);
    const c = rows.add('received', 'x', 2, 5, bytesOf(2, 3), 1);
    expect(c).toBeGreaterThan(b);
    expect(rows.at(0)).toMatchObject({ rowId: c, address: 'x', port: 2, gapMs: null });
    expect([...rows.at(0)!.bytes]).toEqual([...bytesOf(2, 3)]);
  });
});

describe('previews', () => {
  it('shows printable ASCII and marks the rest, cut with an ellipsis', () => {
    expect(textPreview(new Uint8Array([0x41, 0x00, 0x1b, 0x42]))).toBe('A··B');
    expect(textPreview(new Uint8Array(70).fill(0x61), 64)).toBe(`${'a'.repeat(64)}…`);
    expect(hexPreview(new Uint8Array([0, 255, 16]))).toBe('00 ff 10');
  });
});
