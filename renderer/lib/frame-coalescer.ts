/**
 * Runs a redraw signal at most once per animation frame, however many updates asked for it.
 *
 * Why: at full loopback speed the page gets an update every few milliseconds, and bumping a
 * reactive version on each one made Svelte flush (redraw every visible row, lay out, pin the
 * scroll) once per update: the updates' own work is tiny, the flushes were the page's long tasks.
 * The data is stored at once (and acknowledged, so flow control does not wait for frames); only
 * the signal views redraw on waits for the next frame.
 *
 * A hidden page gets no animation frames (or one a second): a timer of {@link FALLBACK_MS} runs
 * the signal too, whichever comes first, so counters never stall behind a background tab.
 */
export const FALLBACK_MS = 100;

/**
 * Runs at most this often while updates keep coming: at full loopback speed a redraw every frame
 * took the page's main thread (and the CPU that the bytes' own way to the page needs) for little
 * a user can read; 20 a second still looks live.
 */
export const MIN_INTERVAL_MS = 50;

export interface FrameScheduler {
  /** Calls `fn` once, at the next frame or within the fallback time, whichever is first. */
  (fn: () => void): void;
}

/** The browser's requestAnimationFrame where there is one (typed here: unit tests run without a DOM). */
const raf = (globalThis as { requestAnimationFrame?: (fn: () => void) => unknown }).requestAnimationFrame?.bind(globalThis);

export const nextFrame: FrameScheduler = (fn) => {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    fn();
  };
  const timer = setTimeout(once, FALLBACK_MS);
  raf?.(once);
};

export class FrameCoalescer {
  #pending = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #lastRun = -Infinity;

  constructor(
    private readonly run: () => void,
    private readonly schedule: FrameScheduler = nextFrame,
    private readonly minIntervalMs = MIN_INTERVAL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether a run is scheduled and has not happened yet. */
  get pending(): boolean {
    return this.#pending;
  }

  /** Asks for one run at the next frame; further requests before it are merged into it. */
  request(): void {
    if (this.#pending) return;
    this.#pending = true;
    const wait = this.#lastRun + this.minIntervalMs - this.now();
    if (wait > 0) this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#pending) this.schedule(() => this.#runPending());
    }, wait);
    else this.schedule(() => this.#runPending());
  }

  /** Runs now if a run is pending (a state change that must show at once, e.g. the session closed). */
  flush(): void {
    this.#runPending();
  }

  /** Forgets a pending run (the data it would signal is gone). */
  cancel(): void {
    this.#pending = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #runPending(): void {
    if (!this.#pending) return;
    this.cancel();
    this.#lastRun = this.now();
    this.run();
  }
}
