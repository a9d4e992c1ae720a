/**
 * Remembers the main window's size, position and maximized flag between launches, in
 * `<userData>/window-state.json`. Plain Node: no `electron` import; main/index.ts passes in the
 * folder and the displays' work areas as plain rectangles.
 *
 * Invariants:
 * - A saved state is validated on load (size checked before reading, D7): only finite numbers within
 *   sane limits get through, and sizes below the 640×480 minimum are raised to it.
 * - {@link placeWindow} returns bounds that lie fully inside one display's work area when the saved
 *   window overlaps any display by a usable amount, and otherwise the default size centred on the
 *   primary display. A window never reopens where nobody can reach it.
 * - Writes are atomic (D1): temporary file in the same folder, fsync, rename, then fsync of the folder
 *   on POSIX. There is no in-place fallback. Writes are synchronous on purpose: the file is under 200
 *   bytes, writes happen at most once per debounce period, synchronous writes keep them trivially
 *   ordered, and the window's `close` handler can flush the last state before the process exits.
 * - The window state is disposable: a file that cannot be read or fails validation yields an error
 *   result (the caller opens the default window) and is replaced by the next save. Unlike profiles,
 *   nothing a user typed is lost by that.
 */
import { mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, ok, type Result } from '../shared/errors.ts';
import { errnoOf, fileError, writeFileAtomicSync } from './profiles/atomic-write.ts';
import { fileErrorFor } from './engine/error-mapping.ts';

/** A rectangle in screen coordinates (DIP), the shape of Electron's `Rectangle`. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What is remembered: the window's normal (not maximized) bounds, and whether it was maximized. */
export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

/** The file's name inside the folder given to {@link loadWindowState} / {@link saveWindowStateSync}. */
export const WINDOW_STATE_FILE_NAME = 'window-state.json';

/** The on-disk format version; a file with another version is ignored. */
export const WINDOW_STATE_FORMAT_VERSION = 1;

/** The smallest window the UI is laid out for. */
export const MIN_WINDOW_SIZE = Object.freeze({ width: 640, height: 480 });

/** Size of a first-launch window (shrunk to fit a smaller screen). */
export const DEFAULT_WINDOW_SIZE = Object.freeze({ width: 1280, height: 820 });

/** Larger than any display arrangement; anything beyond is a corrupt file, not a real window. */
const MAX_DIMENSION = 32_768;
const MAX_COORDINATE = 1_000_000;

/** The file is tiny; anything larger is not ours (checked before reading, D7). */
const MAX_FILE_BYTES = 64 * 1024;

/**
 * How much of the saved window must overlap a display's work area for the window to count as on that
 * display (enough to grab the title bar). Less than that and it is treated as off every screen.
 */
const MIN_VISIBLE = Object.freeze({ width: 64, height: 32 });

/**
 * Validates a parsed window-state file. Sizes below {@link MIN_WINDOW_SIZE} are raised to it and
 * fractional values rounded; anything else out of bounds is an error naming the field.
 */
export function parseWindowState(value: unknown): Result<WindowState> {
  if (!isRecord(value)) return corrupt('the file does not hold a JSON object', '');
  if (value['version'] !== WINDOW_STATE_FORMAT_VERSION) {
    return corrupt(`version must be ${WINDOW_STATE_FORMAT_VERSION}, found ${JSON.stringify(value['version']) ?? 'nothing'}`, 'version');
  }
  const bounds = value['bounds'];
  if (!isRecord(bounds)) return corrupt('bounds must be an object with x, y, width and height', 'bounds');
  const parsed: Record<keyof Rect, number> = { x: 0, y: 0, width: 0, height: 0 };
  for (const key of ['x', 'y', 'width', 'height'] as const) {
    const field = bounds[key];
    if (typeof field !== 'number' || !Number.isFinite(field)) {
      return corrupt(`bounds.${key} must be a finite number, found ${JSON.stringify(field) ?? 'nothing'}`, `bounds.${key}`);
    }
    const isSize = key === 'width' || key === 'height';
    const [low, high] = isSize ? [1, MAX_DIMENSION] : [-MAX_COORDINATE, MAX_COORDINATE];
    if (field < low || field > high) return corrupt(`bounds.${key} must be between ${low} and ${high}, found ${field}`, `bounds.${key}`);
    parsed[key] = Math.round(field);
  }
  const maximized = value['maximized'] ?? false;
  if (typeof maximized !== 'boolean') return corrupt('maximized must be true or false', 'maximized');
  return ok({
    bounds: {
      x: parsed.x,
      y: parsed.y,
      width: Math.max(parsed.width, MIN_WINDOW_SIZE.width),
      height: Math.max(parsed.height, MIN_WINDOW_SIZE.height),
    },
    maximized,
  });
}

/**
 * Reads and validates `<folder>/window-state.json`. Resolves to `ok(null)` when there is no file yet
 * (first launch); to an error (FILE_ERROR or STORE_CORRUPT) when it cannot be used. Never throws.
 */
export async function loadWindowState(folder: string): Promise<Result<WindowState | null>> {
  const path = join(folder, WINDOW_STATE_FILE_NAME);
  let text: string;
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size > MAX_FILE_BYTES) {
        return fail('STORE_CORRUPT', `${path} is ${size} bytes, more than the ${MAX_FILE_BYTES} a window state can be; ignoring it.`);
      }
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return ok(null);
    return fileError(`Could not read ${path}`, err);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail('STORE_CORRUPT', `${path} is not valid JSON (${err instanceof Error ? err.message : String(err)}); ignoring it.`);
  }
  const parsed = parseWindowState(json);
  if (!parsed.ok) return fail('STORE_CORRUPT', `${path}: ${parsed.error.message}`, fieldOf(parsed.error.field));
  return parsed;
}

/**
 * Atomically replaces `<folder>/window-state.json` with `state` (creating the folder if needed).
 * Synchronous by design (see the file comment). On failure the old file is untouched and no
 * temporary file is left behind.
 */
export function saveWindowStateSync(folder: string, state: WindowState): Result<void> {
  const checked = parseWindowState(toFileFormat(state));
  if (!checked.ok) return fail('INVALID_INPUT', `Refusing to save a window state: ${checked.error.message}`, fieldOf(checked.error.field));
  const target = join(folder, WINDOW_STATE_FILE_NAME);
  const data = `${JSON.stringify(toFileFormat(checked.value), null, 2)}\n`;
  try {
    mkdirSync(folder, { recursive: true });
  } catch (err) {
    return { ok: false, error: fileErrorFor(err, `Could not save ${target}`) };
  }
  return writeFileAtomicSync(target, data);
}

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

/** Default quiet period before a scheduled save is written. */
export const WINDOW_STATE_SAVE_DELAY_MS = 500;

/**
 * Coalesces the burst of `move`/`resize` events a drag produces into one write, and writes the last
 * state synchronously on {@link WindowStateSaver.flushSync} (call it from the window's `close` event).
 */
export class WindowStateSaver {
  readonly #folder: string;
  readonly #delayMs: number;
  readonly #onError: (result: Result<void> & { ok: false }) => void;
  #pending: WindowState | null = null;
  #timer: NodeJS.Timeout | null = null;

  /**
   * @param folder where window-state.json lives (Electron: `app.getPath('userData')`)
   * @param onError told about a failed scheduled write; the next write tries again
   */
  constructor(folder: string, onError: (failure: Result<void> & { ok: false }) => void, delayMs = WINDOW_STATE_SAVE_DELAY_MS) {
    this.#folder = folder;
    this.#onError = onError;
    this.#delayMs = delayMs;
  }

  /** Remembers `state` and writes it once no newer state has arrived for the delay. */
  schedule(state: WindowState): void {
    this.#pending = cloneState(state);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const result = this.#writePending();
      if (!result.ok) this.#onError(result);
    }, this.#delayMs);
    // A pending save must not keep the process alive; flushSync on close covers the exit path.
    this.#timer.unref();
  }

  /**
   * Cancels the timer and writes `state` (or else the pending one) now. Returns ok when there was
   * nothing to write.
   */
  flushSync(state?: WindowState): Result<void> {
    if (state) this.#pending = cloneState(state);
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    return this.#writePending();
  }

  /** Drops any pending state without writing it; safe to call twice. */
  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending = null;
  }

  #writePending(): Result<void> {
    const state = this.#pending;
    this.#pending = null;
    return state ? saveWindowStateSync(this.#folder, state) : ok(undefined);
  }
}

function toFileFormat(state: WindowState): unknown {
  const { x, y, width, height } = state.bounds;
  return { version: WINDOW_STATE_FORMAT_VERSION, bounds: { x, y, width, height }, maximized: state.maximized };
}

function cloneState(state: WindowState): WindowState {
  return { bounds: { ...state.bounds }, maximized: state.maximized };
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function corrupt(detail: string, field: string): Result<never> {
  return fail('STORE_CORRUPT', `window state: ${detail}.`, fieldOf(field));
}

function fieldOf(field: string | undefined): { field?: string } {
  return field ? { field } : {};
}



