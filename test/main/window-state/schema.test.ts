/**
 * Validation of a parsed window-state file (main/window-state/schema.ts): every field checked,
 * the first one at fault named, sizes raised to the minimum and pixels rounded.
 */
import { describe, expect, it } from 'vitest';
import { MIN_WINDOW_SIZE, parseWindowState, toFileFormat } from '../../../main/window-state/schema.ts';
import { fileFormat, state } from './test-helpers.ts';

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

describe('the file format', () => {
  it('treats a null maximized flag like a missing one, and ignores keys it does not know', () => {
    const parsed = parseWindowState(fileFormat({ x: 1, y: 2, width: 800, height: 600 }, { maximized: null, theme: 'dark' }));
    expect(parsed).toEqual({ ok: true, value: state({ x: 1, y: 2, width: 800, height: 600 }) });
  });

  it('refuses infinite numbers and names the first field at fault', () => {
    expect(parseWindowState(fileFormat({ x: Number.POSITIVE_INFINITY, y: 0, width: 800, height: 600 }))).toMatchObject({
      ok: false,
      error: { code: 'STORE_CORRUPT', field: 'bounds.x' },
    });
    // Two bad fields: the message and field are the first one's.
    const both = parseWindowState(fileFormat({ x: 'left', y: 0, width: 'wide', height: 600 }));
    expect(both).toEqual({
      ok: false,
      error: { code: 'STORE_CORRUPT', field: 'bounds.x', message: 'window state: bounds.x must be a finite number, found "left".' },
    });
  });

  it('says what it found when the version or a range is wrong', () => {
    expect(parseWindowState({ version: 2, bounds: {} })).toEqual({
      ok: false,
      error: { code: 'STORE_CORRUPT', field: 'version', message: 'window state: version must be 1, found 2.' },
    });
    expect(parseWindowState(fileFormat({ x: 0, y: 0, width: 0, height: 600 }))).toEqual({
      ok: false,
      error: { code: 'STORE_CORRUPT', field: 'bounds.width', message: 'window state: bounds.width must be between 1 and 32768, found 0.' },
    });
  });

  it('checks the range before rounding: a width below one pixel is refused, a tiny one raised', () => {
    expect(parseWindowState(fileFormat({ x: 0, y: 0, width: 0.5, height: 600 }))).toMatchObject({ ok: false, error: { field: 'bounds.width' } });
    const parsed = parseWindowState(fileFormat({ x: 0, y: 0, width: 1.5, height: 700.5 }));
    expect(parsed.ok && parsed.value.bounds).toEqual({ x: 0, y: 0, width: MIN_WINDOW_SIZE.width, height: 701 });
  });

  it('writes what it reads: toFileFormat of a parsed state parses to the same state', () => {
    const saved = state({ x: -1280, y: 40, width: 1111, height: 777 }, true);
    expect(toFileFormat(saved)).toEqual({ version: 1, bounds: saved.bounds, maximized: true });
    expect(parseWindowState(toFileFormat(saved))).toEqual({ ok: true, value: saved });
  });
});
