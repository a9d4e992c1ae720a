/**
 * Polite announcements for screen readers, throttled. Sessions can pass through several states in
 * a few milliseconds (Connecting…, Connected, Closed by peer); a screen reader that is still
 * speaking the first would queue them all. This says the first at once and then at most one
 * message per `gapMs`, always the latest (the states in between are no longer true), and never
 * the same words twice in a row.
 */
export class Announcer {
  private lastAt = Number.NEGATIVE_INFINITY;
  private lastText = '';
  private pending: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly output: (text: string) => void,
    private readonly gapMs = 1000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  say(text: string): void {
    if (!text) return;
    const wait = this.lastAt + this.gapMs - this.now();
    if (wait <= 0 && this.timer === null) {
      this.emit(text);
      return;
    }
    this.pending = text;
    this.timer ??= setTimeout(() => {
      this.timer = null;
      const next = this.pending;
      this.pending = null;
      if (next !== null) this.emit(next);
    }, Math.max(0, wait));
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  private emit(text: string): void {
    if (text === this.lastText) return;
    this.lastText = text;
    this.lastAt = this.now();
    this.output(text);
  }
}
