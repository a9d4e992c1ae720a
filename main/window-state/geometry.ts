/**
 * Where the main window opens: the remembered bounds placed onto a display that exists now, or a
 * default size centred on the primary display. Pure arithmetic on plain rectangles; main/index.ts
 * passes the displays' work areas in (Electron's `screen`), so this runs and is tested without it.
 *
 * Invariant: {@link placeWindow} returns bounds that lie fully inside one display's work area when
 * the saved window overlaps any display by a usable amount, and otherwise the default size centred
 * on the primary display. A window never reopens where nobody can reach it.
 */
import { MIN_WINDOW_SIZE, type Rect, type WindowState } from './schema.ts';

/** Size of a first-launch window (shrunk to fit a smaller screen). */
export const DEFAULT_WINDOW_SIZE = Object.freeze({ width: 1280, height: 820 });

/**
 * How much of the saved window must overlap a display's work area for the window to count as on that
 * display (enough to grab the title bar). Less than that and it is treated as off every screen.
 */
const MIN_VISIBLE = Object.freeze({ width: 64, height: 32 });

/**
 * Decides where the window opens. `workAreas` are the displays' work areas with the PRIMARY display
 * first (Electron: `screen.getPrimaryDisplay().workArea`, then the others).
 * - Saved bounds that overlap a work area by at least 64×32 px are moved and shrunk as little as
 *   possible to lie fully inside the work area they overlap most.
 * - No saved state, or bounds off every screen: the default size, shrunk to fit, centred on the
 *   primary work area. The saved `maximized` flag is kept either way.
 * - No usable work area at all (never the case once Electron is ready): the saved or default bounds.
 * Never returns a size below {@link MIN_WINDOW_SIZE}, even on a smaller screen.
 */
export function placeWindow(saved: WindowState | null, workAreas: readonly Rect[]): WindowState {
  const areas = workAreas.filter(isUsableArea);
  const maximized = saved?.maximized ?? false;
  const primary = areas[0];
  if (!primary) return { bounds: saved?.bounds ?? { x: 0, y: 0, ...DEFAULT_WINDOW_SIZE }, maximized };

  if (saved) {
    let best: { area: Rect; overlap: number } | null = null;
    for (const area of areas) {
      const shared = intersect(saved.bounds, area);
      if (!shared || shared.width < MIN_VISIBLE.width || shared.height < MIN_VISIBLE.height) continue;
      const overlap = shared.width * shared.height;
      if (!best || overlap > best.overlap) best = { area, overlap };
    }
    if (best) return { bounds: fitInto(saved.bounds, best.area), maximized };
  }

  const width = fitSize(DEFAULT_WINDOW_SIZE.width, primary.width, MIN_WINDOW_SIZE.width);
  const height = fitSize(DEFAULT_WINDOW_SIZE.height, primary.height, MIN_WINDOW_SIZE.height);
  const centred = {
    x: primary.x + Math.floor((primary.width - width) / 2),
    y: primary.y + Math.floor((primary.height - height) / 2),
    width,
    height,
  };
  return { bounds: fitInto(centred, primary), maximized };
}

function isUsableArea(area: Rect): boolean {
  return [area.x, area.y, area.width, area.height].every(Number.isFinite) && area.width > 0 && area.height > 0;
}

function intersect(a: Rect, b: Rect): Rect | null {
  const left = Math.max(a.x, b.x);
  const top = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > left && bottom > top ? { x: left, y: top, width: right - left, height: bottom - top } : null;
}

/** `wanted`, shrunk to `available` but never below `minimum`. */
function fitSize(wanted: number, available: number, minimum: number): number {
  return Math.max(minimum, Math.min(wanted, Math.floor(available)));
}

/**
 * Moves (and if needed shrinks) `bounds` to lie inside `area`. When the area is smaller than the
 * minimum window, the window keeps the minimum size and aligns to the area's top-left corner, so
 * its title bar stays reachable.
 */
function fitInto(bounds: Rect, area: Rect): Rect {
  const width = fitSize(bounds.width, area.width, MIN_WINDOW_SIZE.width);
  const height = fitSize(bounds.height, area.height, MIN_WINDOW_SIZE.height);
  return {
    x: clamp(bounds.x, area.x, area.x + area.width - width),
    y: clamp(bounds.y, area.y, area.y + area.height - height),
    width,
    height,
  };
}

/** Clamps into [low, high]; when high < low (window larger than the area), returns low. */
function clamp(value: number, low: number, high: number): number {
  return Math.round(Math.max(low, Math.min(value, Math.max(low, high))));
}
