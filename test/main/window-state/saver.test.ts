/**
 * The debounced saver (main/window-state/saver.ts) with fake timers and real files.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WINDOW_STATE_FILE_NAME, loadWindowState } from '../../../main/window-state/file.ts';
import { WindowStateSaver } from '../../../main/window-state/saver.ts';
import type { WindowState } from '../../../main/window-state/schema.ts';
import { state } from './test-helpers.ts';

describe('WindowStateSaver', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'socket-tester-window-saver-'));
    vi.useFakeTimers();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await rm(folder, { recursive: true, force: true });
  });

  it('coalesces a burst of changes into one write of the last state', async () => {
    const errors: unknown[] = [];
    const saver = new WindowStateSaver(folder, (failure) => errors.push(failure), 500);
    for (let i = 0; i < 20; i += 1) {
      saver.schedule(state({ x: i, y: 0, width: 800, height: 600 }));
      vi.advanceTimersByTime(100);
    }
    expect(await readdir(folder)).toEqual([]);
    vi.advanceTimersByTime(500);
    const loaded = await loadWindowState(folder);
    expect(loaded.ok && loaded.value?.bounds.x).toBe(19);
    expect(errors).toEqual([]);
    saver.dispose();
  });

  it('flushSync writes the pending state at once and cancels the timer', async () => {
    const saver = new WindowStateSaver(folder, () => undefined, 500);
    saver.schedule(state({ x: 1, y: 0, width: 800, height: 600 }));
    expect(saver.flushSync()).toEqual({ ok: true, value: undefined });
    expect(((await loadWindowState(folder)) as { ok: true; value: WindowState }).value.bounds.x).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    // A state passed to flushSync wins over the pending one; flushing again with nothing pending is a no-op.
    saver.schedule(state({ x: 2, y: 0, width: 800, height: 600 }));
    saver.flushSync(state({ x: 3, y: 0, width: 800, height: 600 }));
    expect(((await loadWindowState(folder)) as { ok: true; value: WindowState }).value.bounds.x).toBe(3);
    expect(saver.flushSync()).toEqual({ ok: true, value: undefined });
  });

  it('copies the state it is given, so later mutation by the caller does not leak in', async () => {
    const saver = new WindowStateSaver(folder, () => undefined, 500);
    const live = state({ x: 5, y: 0, width: 800, height: 600 });
    saver.schedule(live);
    live.bounds.x = 999;
    saver.flushSync();
    expect(((await loadWindowState(folder)) as { ok: true; value: WindowState }).value.bounds.x).toBe(5);
  });

  it('reports a failed scheduled write through onError', async () => {
    await mkdir(join(folder, WINDOW_STATE_FILE_NAME, 'occupied'), { recursive: true });
    const errors: string[] = [];
    const saver = new WindowStateSaver(folder, (failure) => errors.push(failure.error.code), 500);
    saver.schedule(state({ x: 0, y: 0, width: 800, height: 600 }));
    vi.advanceTimersByTime(500);
    expect(errors).toEqual(['FILE_ERROR']);
  });

  it('dispose drops the pending state without writing', async () => {
    const saver = new WindowStateSaver(folder, () => undefined, 500);
    saver.schedule(state({ x: 0, y: 0, width: 800, height: 600 }));
    saver.dispose();
    saver.dispose();
    vi.advanceTimersByTime(1000);
    expect(await readdir(folder)).toEqual([]);
  });

  it('does not retry a failed scheduled write, and the next change writes again', async () => {
    const blocker = join(folder, WINDOW_STATE_FILE_NAME);
    await mkdir(join(blocker, 'occupied'), { recursive: true });
    const errors: string[] = [];
    const saver = new WindowStateSaver(folder, (failure) => errors.push(failure.error.code), 500);
    saver.schedule(state({ x: 1, y: 0, width: 800, height: 600 }));
    vi.advanceTimersByTime(500);
    expect(errors).toEqual(['FILE_ERROR']);
    expect(vi.getTimerCount()).toBe(0);
    await rm(blocker, { recursive: true });
    saver.schedule(state({ x: 2, y: 0, width: 800, height: 600 }));
    vi.advanceTimersByTime(500);
    expect(errors).toEqual(['FILE_ERROR']);
    expect(((await loadWindowState(folder)) as { ok: true; value: WindowState }).value.bounds.x).toBe(2);
  });

  it('keeps one timer however many changes arrive, and flushSync returns a failed write', async () => {
    const saver = new WindowStateSaver(folder, () => undefined, 500);
    for (let i = 0; i < 50; i += 1) saver.schedule(state({ x: i, y: 0, width: 800, height: 600 }));
    expect(vi.getTimerCount()).toBe(1);
    await mkdir(join(folder, WINDOW_STATE_FILE_NAME, 'occupied'), { recursive: true });
    expect(saver.flushSync()).toMatchObject({ ok: false, error: { code: 'FILE_ERROR' } });
    expect(vi.getTimerCount()).toBe(0);
  });
});
