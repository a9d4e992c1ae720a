import { describe, expect, it } from 'vitest';
import { FrameCoalescer } from '../../../renderer/lib/frame-coalescer.ts';

/** A scheduler the test runs by hand, and a clock it moves. */
function harness(minIntervalMs = 0) {
  const frames: Array<() => void> = [];
  let now = 0;
  let runs = 0;
  const c = new FrameCoalescer(() => runs++, (fn) => frames.push(fn), minIntervalMs, () => now);
  return {
    c,
    runs: () => runs,
    frame: () => frames.splice(0).forEach((fn) => fn()),
    frames: () => frames.length,
    advance: (ms: number) => (now += ms),
  };
}

describe('FrameCoalescer', () => {
  it('merges every request before a frame into one run', () => {
    const h = harness();
    for (let i = 0; i < 50; i++) h.c.request();
    expect(h.frames()).toBe(1);
    expect(h.runs()).toBe(0);
    h.frame();
    expect(h.runs()).toBe(1);
    expect(h.c.pending).toBe(false);
  });

  it('flush runs a pending request at once, and the frame then does nothing more', () => {
    const h = harness();
    h.c.request();
    h.c.flush();
    expect(h.runs()).toBe(1);
    h.frame();
    expect(h.runs()).toBe(1);
    h.c.flush();
    expect(h.runs()).toBe(1);
  });

  it('cancel forgets a pending request', () => {
    const h = harness();
    h.c.request();
    h.c.cancel();
    h.frame();
    expect(h.runs()).toBe(0);
    h.c.request();
    h.frame();
    expect(h.runs()).toBe(1);
  });

  it('waits out the minimum interval after a run before asking for a frame', async () => {
    const h = harness(20);
    h.c.request();
    h.frame();
    expect(h.runs()).toBe(1);
    h.c.request();
    expect(h.frames()).toBe(0); // a timer first, then the frame
    await new Promise((r) => setTimeout(r, 40));
    expect(h.frames()).toBe(1);
    h.frame();
    expect(h.runs()).toBe(2);
  });
});
