/**
 * Debounced saving of the window state: a drag produces a burst of `move`/`resize` events, and only
 * the last state of the burst is worth a write. The write itself is ./file.ts's synchronous atomic save.
 *
 * Invariants:
 * - At most one timer is armed; each schedule() replaces the pending state and restarts it.
 * - The state is copied when handed in, so the caller mutating its object later changes nothing.
 * - The timer never keeps the process alive (unref): flushSync() from the window's `close` event
 *   covers the exit path.
 * - A failed scheduled write is reported to `onError` and not retried; the next change writes again.
 */
import { ok, type Result } from '../../shared/errors.ts';
import { saveWindowStateSync } from './file.ts';
import type { WindowState } from './schema.ts';

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

function cloneState(state: WindowState): WindowState {
  return { bounds: { ...state.bounds }, maximized: state.maximized };
}
