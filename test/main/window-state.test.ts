import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_WINDOW_SIZE,
  MIN_WINDOW_SIZE,
  WINDOW_STATE_FILE_NAME,
  WindowStateSaver,
  loadWindowState,
  parseWindowState,
  placeWindow,
  saveWindowStateSync,
  type Rect,
  type WindowState,
} from '../../main/window-state.ts';

const fullHd: Rect = { x: 0, y: 0, width: 1920, height: 1040 };
const rightMonitor: Rect = { x: 1920, y: 0, width: 2560, height: 1400 };

function state(bounds: Rect, maximized = false): WindowState {
  return { bounds, maximized };
}

function fileFormat(bounds: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown {
  return { version: 1, bounds, maximized: false, ...extra };
}

describe('parseWindowState', () => {
  it('accepts a well-formed state and rounds fractional pixels', () => {
    const parsed = parseWindowState(fileFormat({ x: 10.4, y: -20.6, width: 1000, height: 700 }, { maximized: true }));
    expect(parsed).toEqual({ ok: true, value: { bounds: { x: 10, y: -21, width: 1000, height: 700 }, maximized: true } });
  });

  it('raises sizes below the 640x480 minimum to it', () => {
    const parsed = parseWindowState(fileFormat({ x: 0, y: 0, width: 200, height: 100 }));
    expect(parsed.ok && parsed.value.bounds).toEqual({ x: 0, y: 0, ...MIN_WINDOW_SIZE });
  });

  it('treats a missing maximized flag as false', () => {
    const parsed = parseWindowState({ version: 1, bounds: { x: 0, y: 0, width: 800, height: 600 } });
    expect(parsed.ok && parsed.value.maximized).toBe(false);
  });

  it.each([
    ['a non-object', [], ''],
    ['a missing version', { bounds: { x: 0, y: 0, width: 800, height: 600 } }, 'version'],
    ['a newer version', { version: 2, bounds: { x: 0, y: 0, width: 800, height: 600 } }, 'version'],
    ['missing bounds', { version: 1 }, 'bounds'],
    ['a string coordinate', fileFormat({ x: '0', y: 0, width: 800, height: 600 }), 'bounds.x'],
    ['a NaN-like null', fileFormat({ x: 0, y: null, width: 800, height: 600 }), 'bounds.y'],
    ['a missing width', fileFormat({ x: 0, y: 0, height: 600 }), 'bounds.width'],
    ['a zero height', fileFormat({ x: 0, y: 0, width: 800, height: 0 }), 'bounds.height'],
    ['an absurd width', fileFormat({ x: 0, y: 0, width: 1e9, height: 600 }), 'bounds.width'],
    ['an absurd coordinate', fileFormat({ x: -5e7, y: 0, width: 800, height: 600 }), 'bounds.x'],
    ['a non-boolean maximized', fileFormat({ x: 0, y: 0, width: 800, height: 600 }, { maximized: 'yes' }), 'maximized'],
  ])('rejects %s, naming the field', (_label, value, field) => {
    const parsed = parseWindowState(value);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.code).toBe('STORE_CORRUPT');
    expect(parsed.error.field).toBe(field === '' ? undefined : field);
    expect(parsed.error.message.length).toBeGreaterThan(10);
  });
});

describe('placeWindow', () => {
  it('centres the default size on the primary display on first launch', () => {
    const placed = placeWindow(null, [fullHd, rightMonitor]);
    expect(placed).toEqual({
      bounds: { x: (1920 - 1280) / 2, y: (1040 - 820) / 2, ...DEFAULT_WINDOW_SIZE },
      maximized: false,
    });
  });

  it('shrinks the default size to a small primary display, never below the minimum', () => {
    const small: Rect = { x: 0, y: 30, width: 1024, height: 738 };
    expect(placeWindow(null, [small]).bounds).toEqual({ x: 0, y: 30, width: 1024, height: 738 });
    const tiny: Rect = { x: 0, y: 0, width: 600, height: 400 };
    expect(placeWindow(null, [tiny]).bounds).toEqual({ x: 0, y: 0, ...MIN_WINDOW_SIZE });
  });

  it('keeps saved bounds that are fully visible, and the maximized flag', () => {
    const saved = state({ x: 2100, y: 100, width: 1400, height: 900 }, true);
    expect(placeWindow(saved, [fullHd, rightMonitor])).toEqual(saved);
  });

  it('pulls a window hanging off the right edge back onto its display', () => {
    const saved = state({ x: 1500, y: 200, width: 1000, height: 700 });
    // Overlaps fullHd by 420 px and rightMonitor by 580 px: it goes onto the right monitor.
    expect(placeWindow(saved, [fullHd, rightMonitor]).bounds).toEqual({ x: 1920, y: 200, width: 1000, height: 700 });
    // With the right monitor unplugged it is clamped onto the primary.
    expect(placeWindow(saved, [fullHd]).bounds).toEqual({ x: 920, y: 200, width: 1000, height: 700 });
  });

  it('clamps a window above the top edge so its title bar is reachable', () => {
    const saved = state({ x: 100, y: -300, width: 800, height: 600 });
    expect(placeWindow(saved, [fullHd]).bounds).toEqual({ x: 100, y: 0, width: 800, height: 600 });
  });

  it('shrinks a window larger than the display it is on', () => {
    const saved = state({ x: -50, y: -50, width: 3000, height: 2000 });
    expect(placeWindow(saved, [fullHd]).bounds).toEqual(fullHd);
  });

  it('falls back to the centred default when the saved position is off every screen', () => {
    const unplugged = state({ x: 5000, y: 100, width: 1000, height: 700 }, true);
    expect(placeWindow(unplugged, [fullHd, rightMonitor])).toEqual({
      bounds: { x: 320, y: 110, ...DEFAULT_WINDOW_SIZE },
      maximized: true,
    });
  });

  it('treats a sliver of overlap smaller than a title bar as off screen', () => {
    const sliver = state({ x: 1900, y: 1020, width: 800, height: 600 }); // 20x20 px on fullHd
    expect(placeWindow(sliver, [fullHd]).bounds).toEqual({ x: 320, y: 110, ...DEFAULT_WINDOW_SIZE });
  });

  it('handles displays with negative coordinates (a monitor left of the primary)', () => {
    const left: Rect = { x: -1280, y: 0, width: 1280, height: 984 };
    const saved = state({ x: -1300, y: 50, width: 900, height: 600 });
    expect(placeWindow(saved, [fullHd, left]).bounds).toEqual({ x: -1280, y: 50, width: 900, height: 600 });
  });

  it('ignores unusable work areas and returns the saved bounds when none is left', () => {
    const broken: Rect = { x: 0, y: 0, width: 0, height: Number.NaN };
    const saved = state({ x: 10, y: 10, width: 800, height: 600 });
    expect(placeWindow(saved, [broken])).toEqual(saved);
    expect(placeWindow(null, [])).toEqual({ bounds: { x: 0, y: 0, ...DEFAULT_WINDOW_SIZE }, maximized: false });
  });
});

describe('loading and saving', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'socket-tester-window-state-'));
  });
  afterEach(async () => {
    vi.useRealTimers();
    await rm(folder, { recursive: true, force: true });
  });

  it('returns ok(null) when there is no file yet', async () => {
    expect(await loadWindowState(folder)).toEqual({ ok: true, value: null });
  });

  it('round-trips a state through an atomic write, leaving no temporary file', async () => {
    const saved = state({ x: -100, y: 40, width: 1111, height: 777 }, true);
    expect(saveWindowStateSync(folder, saved)).toEqual({ ok: true, value: undefined });
    expect(await readdir(folder)).toEqual([WINDOW_STATE_FILE_NAME]);
    expect(JSON.parse(await readFile(join(folder, WINDOW_STATE_FILE_NAME), 'utf8'))).toEqual({
      version: 1,
      bounds: { x: -100, y: 40, width: 1111, height: 777 },
      maximized: true,
    });
    expect(await loadWindowState(folder)).toEqual({ ok: true, value: saved });
  });

  it('creates the folder when it does not exist yet', async () => {
    const nested = join(folder, 'a', 'b');
    expect(saveWindowStateSync(nested, state({ x: 0, y: 0, width: 800, height: 600 })).ok).toBe(true);
    expect((await loadWindowState(nested)).ok).toBe(true);
  });

  it('refuses to save non-finite bounds and leaves the old file alone', async () => {
    saveWindowStateSync(folder, state({ x: 0, y: 0, width: 800, height: 600 }));
    const before = await readFile(join(folder, WINDOW_STATE_FILE_NAME), 'utf8');
    const result = saveWindowStateSync(folder, state({ x: Number.NaN, y: 0, width: 800, height: 600 }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('INVALID_INPUT');
      expect(result.error.field).toBe('bounds.x');
    }
    expect(await readFile(join(folder, WINDOW_STATE_FILE_NAME), 'utf8')).toBe(before);
  });

  it('reports a failed write as FILE_ERROR without leaving a temporary file', async () => {
    // A non-empty folder at the target path makes the rename fail, for root too.
    const target = join(folder, WINDOW_STATE_FILE_NAME);
    await mkdir(join(target, 'occupied'), { recursive: true });
    const result = saveWindowStateSync(folder, state({ x: 0, y: 0, width: 800, height: 600 }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('FILE_ERROR');
      expect(result.error.message).toContain(target);
      expect(result.error.errno).toBeDefined();
    }
    expect(await readdir(folder)).toEqual([WINDOW_STATE_FILE_NAME]);
    expect(await readdir(target)).toEqual(['occupied']);
  });

  it('reports unreadable JSON as STORE_CORRUPT naming the file', async () => {
    await writeFile(join(folder, WINDOW_STATE_FILE_NAME), '{"version": 1, "bounds": ');
    const loaded = await loadWindowState(folder);
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) {
      expect(loaded.error.code).toBe('STORE_CORRUPT');
      expect(loaded.error.message).toContain(WINDOW_STATE_FILE_NAME);
      expect(loaded.error.message).toContain('not valid JSON');
    }
  });

  it('reports invalid content with the field at fault', async () => {
    await writeFile(join(folder, WINDOW_STATE_FILE_NAME), JSON.stringify(fileFormat({ x: 0, y: 0, width: 'wide', height: 600 })));
    const loaded = await loadWindowState(folder);
    expect(!loaded.ok && loaded.error).toMatchObject({ code: 'STORE_CORRUPT', field: 'bounds.width' });
  });

  it('refuses an oversized file before parsing it', async () => {
    await writeFile(join(folder, WINDOW_STATE_FILE_NAME), `{"pad": "${'x'.repeat(70 * 1024)}"}`);
    const loaded = await loadWindowState(folder);
    expect(!loaded.ok && loaded.error.code).toBe('STORE_CORRUPT');
    expect(!loaded.ok && loaded.error.message).toContain('bytes');
  });

  it('reports a path it cannot read as a file as FILE_ERROR', async () => {
    // A folder where the file should be: a read error on every OS, also for root.
    await mkdir(join(folder, WINDOW_STATE_FILE_NAME));
    const loaded = await loadWindowState(folder);
    expect(!loaded.ok && loaded.error.code).toBe('FILE_ERROR');
    expect(!loaded.ok && loaded.error.errno).toMatch(/^E[A-Z]+$/);
  });
});

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
});
