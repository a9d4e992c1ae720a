/**
 * Where the window opens (main/window-state/geometry.ts): remembered bounds pulled onto a display
 * that exists, or the default size centred on the primary display.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW_SIZE, placeWindow } from '../../../main/window-state/geometry.ts';
import { MIN_WINDOW_SIZE, type Rect } from '../../../main/window-state/schema.ts';
import { state } from './test-helpers.ts';

const fullHd: Rect = { x: 0, y: 0, width: 1920, height: 1040 };
const rightMonitor: Rect = { x: 1920, y: 0, width: 2560, height: 1400 };

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
