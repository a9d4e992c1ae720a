import { describe, expect, it } from 'vitest';
import { RATE_WINDOW, RateMeter } from '../../../renderer/lib/rate-meter.ts';

describe('RateMeter', () => {
  it('reports nothing until the samples span the minimum, then bytes per second over the window', () => {
    const m = new RateMeter();
    m.sample(0, 0);
    expect(m.rate()).toBeNull();
    m.sample(RATE_WINDOW.minSpanMs - 1, 1000);
    expect(m.rate()).toBeNull();
    m.sample(500, 50_000);
    expect(m.rate()).toBe(100_000);
  });

  it('follows a steady transfer of 5 MB over 5 s sampled every 250 ms (the issue 10 case)', () => {
    const m = new RateMeter();
    const rates: (number | null)[] = [];
    for (let t = 0; t <= 5000; t += 250) {
      m.sample(t, t * 1000);
      rates.push(m.rate());
    }
    const shown = rates.filter((r): r is number => r !== null);
    expect(shown.length).toBeGreaterThanOrEqual(rates.length - 2);
    for (const r of shown) expect(r).toBeCloseTo(1_000_000, 0);
  });

  it('forgets samples older than the window, so a stall shows the rate falling to 0', () => {
    const m = new RateMeter();
    for (let t = 0; t <= 2000; t += 250) m.sample(t, t * 10);
    expect(m.rate()).toBeCloseTo(10_000, 0);
    for (let t = 2250; t <= 5000; t += 250) m.sample(t, 20_000);
    expect(m.rate()).toBe(0);
  });

  it('averages bursts: 30 updates a second of uneven size give the mean rate', () => {
    const m = new RateMeter();
    let total = 0;
    for (let i = 0; i <= 90; i++) {
      total += i % 3 === 0 ? 300_000 : 0;
      m.sample(i * 33.3, total);
    }
    expect(m.rate()! / 3_000_000).toBeGreaterThan(0.85);
    expect(m.rate()! / 3_000_000).toBeLessThan(1.2);
  });

  it('starts over when the counter goes down (a new session)', () => {
    const m = new RateMeter();
    m.sample(0, 0);
    m.sample(1000, 1_000_000);
    m.sample(1100, 10);
    expect(m.rate()).toBeNull();
  });
});
