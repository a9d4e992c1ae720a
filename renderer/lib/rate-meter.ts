/**
 * A byte rate over a sliding window of counter samples: what the counters show as "· 810 KiB/s".
 *
 * Why a window: counters arrive in bursts (about 30 updates a second, or one big one after a
 * stall), so the rate between two samples jumps around; the change over the last few seconds does
 * not. A rate is reported only once the samples span {@link RATE_WINDOW.minSpanMs}, so the first
 * burst of a transfer does not show as a spike.
 */
export const RATE_WINDOW = {
  spanMs: 2000,
  minSpanMs: 400,
} as const;

interface Sample {
  at: number;
  total: number;
}

export class RateMeter {
  #samples: Sample[] = [];

  /** Adds the counter's value at time `at` (ms, monotonic). A counter that went down starts over. */
  sample(at: number, total: number): void {
    const last = this.#samples[this.#samples.length - 1];
    if (last && (total < last.total || at < last.at)) this.#samples = [];
    this.#samples.push({ at, total });
    // Keep one sample at or before the window's start, so the window is always fully covered.
    const start = at - RATE_WINDOW.spanMs;
    while (this.#samples.length > 2 && this.#samples[1]!.at <= start) this.#samples.shift();
  }

  /** Bytes per second over the window ending at the last sample, or null while too few samples. */
  rate(): number | null {
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    if (!first || !last) return null;
    const span = last.at - first.at;
    if (span < RATE_WINDOW.minSpanMs) return null;
    return ((last.total - first.total) * 1000) / span;
  }

  reset(): void {
    this.#samples = [];
  }
}
