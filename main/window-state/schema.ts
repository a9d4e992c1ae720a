/**
 * The window-state file's shape and its validation: what `<userData>/window-state.json` holds, checked
 * with zod as the profiles are (shared/profile.ts). Pure: no `node:*`, no `electron`.
 *
 * Invariants:
 * - Only finite numbers within sane limits get through; sizes below {@link MIN_WINDOW_SIZE} are raised
 *   to it and fractional pixels rounded, so a loaded state is always one a window can take.
 * - A refusal is STORE_CORRUPT naming the first field at fault (`version`, `bounds`, `bounds.x`, …);
 *   keys this version does not know are ignored, so an older build can read a newer file's bounds.
 */
import { z } from 'zod';
import { fail, ok, type Result } from '../../shared/errors.ts';

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

/** The on-disk format version; a file with another version is ignored. */
export const WINDOW_STATE_FORMAT_VERSION = 1;

/** The smallest window the UI is laid out for. */
export const MIN_WINDOW_SIZE = Object.freeze({ width: 640, height: 480 });

/** Larger than any display arrangement; anything beyond is a corrupt file, not a real window. */
const MAX_DIMENSION = 32_768;
const MAX_COORDINATE = 1_000_000;

/** How a value the file holds reads in a message: JSON, or "nothing" when it is absent. */
function found(input: unknown): string {
  return JSON.stringify(input) ?? 'nothing';
}

/** A coordinate or size in [low, high]; zod 4's number already refuses NaN and ±Infinity. */
function dimension(key: keyof Rect, low: number, high: number) {
  const range = (iss: { input?: unknown }): string => `bounds.${key} must be between ${low} and ${high}, found ${found(iss.input)}`;
  return z
    .number({ error: (iss) => `bounds.${key} must be a finite number, found ${found(iss.input)}` })
    .min(low, { error: range })
    .max(high, { error: range });
}

const fileSchema = z.object(
  {
    version: z.literal(WINDOW_STATE_FORMAT_VERSION, {
      error: (iss) => `version must be ${WINDOW_STATE_FORMAT_VERSION}, found ${found(iss.input)}`,
    }),
    bounds: z.object(
      {
        x: dimension('x', -MAX_COORDINATE, MAX_COORDINATE),
        y: dimension('y', -MAX_COORDINATE, MAX_COORDINATE),
        width: dimension('width', 1, MAX_DIMENSION),
        height: dimension('height', 1, MAX_DIMENSION),
      },
      { error: 'bounds must be an object with x, y, width and height' },
    ),
    // A hand-edited file may leave it out or hold null: both mean not maximized.
    maximized: z.boolean({ error: 'maximized must be true or false' }).nullish(),
  },
  { error: 'the file does not hold a JSON object' },
);

/**
 * Validates a parsed window-state file. Sizes below {@link MIN_WINDOW_SIZE} are raised to it and
 * fractional values rounded; anything else out of bounds is STORE_CORRUPT naming the field.
 */
export function parseWindowState(value: unknown): Result<WindowState> {
  const parsed = fileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') ?? '';
    return fail('STORE_CORRUPT', `window state: ${issue?.message ?? 'invalid'}.`, field === '' ? {} : { field });
  }
  const { x, y, width, height } = parsed.data.bounds;
  return ok({
    bounds: {
      x: Math.round(x),
      y: Math.round(y),
      width: Math.max(Math.round(width), MIN_WINDOW_SIZE.width),
      height: Math.max(Math.round(height), MIN_WINDOW_SIZE.height),
    },
    maximized: parsed.data.maximized ?? false,
  });
}

/** The file's JSON value for `state` (not validated: {@link parseWindowState} does that). */
export function toFileFormat(state: WindowState): unknown {
  const { x, y, width, height } = state.bounds;
  return { version: WINDOW_STATE_FORMAT_VERSION, bounds: { x, y, width, height }, maximized: state.maximized };
}
