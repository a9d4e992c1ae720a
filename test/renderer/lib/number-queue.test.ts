import { describe, expect, it } from 'vitest';
import { BLOCK_LENGTH, NumberQueue } from '../../../renderer/lib/number-queue.ts';

describe('NumberQueue', () => {
  it('keeps numbers in order across blocks, drops from the front and reads by index', () => {
    const q = new NumberQueue((n) => new Float64Array(n));
    const n = BLOCK_LENGTH * 3 + 17;
    for (let i = 0; i < n; i++) q.push(i * 1.5);
    expect(q.length).toBe(n);
    expect(q.at(0)).toBe(0);
    expect(q.at(n - 1)).toBe((n - 1) * 1.5);
    expect(q.at(n)).toBeUndefined();
    expect(q.at(-1)).toBeUndefined();
    q.shift(BLOCK_LENGTH + 5);
    expect(q.length).toBe(n - BLOCK_LENGTH - 5);
    expect(q.at(0)).toBe((BLOCK_LENGTH + 5) * 1.5);
    q.set(0, 42);
    expect(q.at(0)).toBe(42);
    expect(q.last()).toBe((n - 1) * 1.5);
    q.push(7);
    expect(q.last()).toBe(7);
    q.shift(10 * n);
    expect(q.length).toBe(0);
    q.push(3);
    expect([q.length, q.at(0)]).toEqual([1, 3]);
  });
});
