/**
 * Reading and writing window-state.json (main/window-state/file.ts) in a temporary folder, with
 * real files: atomic replacement, size limit before reading, and each failure as data.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WINDOW_STATE_FILE_NAME, loadWindowState, saveWindowStateSync } from '../../../main/window-state/file.ts';
import { fileFormat, state } from './test-helpers.ts';

describe('loading and saving', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'socket-tester-window-state-'));
  });
  afterEach(async () => {
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

  it('reports a folder it cannot create as FILE_ERROR with the errno', async () => {
    // A file where a parent folder should be: mkdir fails with ENOTDIR, also for root.
    await writeFile(join(folder, 'not-a-folder'), 'x');
    const result = saveWindowStateSync(join(folder, 'not-a-folder', 'sub'), state({ x: 0, y: 0, width: 800, height: 600 }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('FILE_ERROR');
      expect(result.error.errno).toBe('ENOTDIR');
      expect(result.error.message).toContain(join(folder, 'not-a-folder', 'sub', WINDOW_STATE_FILE_NAME));
    }
  });

  it('saves sizes below the minimum raised to it, so the file always loads', async () => {
    expect(saveWindowStateSync(folder, state({ x: 3.4, y: 0, width: 100, height: 100 })).ok).toBe(true);
    expect(JSON.parse(await readFile(join(folder, WINDOW_STATE_FILE_NAME), 'utf8'))).toEqual({
      version: 1,
      bounds: { x: 3, y: 0, width: 640, height: 480 },
      maximized: false,
    });
  });

  it('replaces a corrupt file on the next save', async () => {
    await writeFile(join(folder, WINDOW_STATE_FILE_NAME), 'garbage');
    expect((await loadWindowState(folder)).ok).toBe(false);
    const saved = state({ x: 10, y: 10, width: 800, height: 600 });
    expect(saveWindowStateSync(folder, saved).ok).toBe(true);
    expect(await loadWindowState(folder)).toEqual({ ok: true, value: saved });
  });
});
