/**
 * Shared helpers for the window-state tests: a state from bounds, and the file's JSON shape.
 */
import type { Rect, WindowState } from '../../../main/window-state/schema.ts';

/** A window state with these bounds. */
export function state(bounds: Rect, maximized = false): WindowState {
  return { bounds, maximized };
}

/** The file's JSON value for these bounds, with `extra` keys merged in. */
export function fileFormat(bounds: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown {
  return { version: 1, bounds, maximized: false, ...extra };
}
