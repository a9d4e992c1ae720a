/**
 * The page's half of flow control (main/ipc/session-updates.ts): once the page has stored an
 * update's bytes it acknowledges them, and main sends more only within a window beyond the last
 * acknowledgement. Acks are cumulative offsets, so the latest per session is all that need go: at
 * most one `session:ack` call per {@link ACK_DELAY_MS} carries every session's.
 *
 * An ack that main refused for the rate limit (or that a lost connection failed) is merged back and
 * retried: losing one would leave main's window shut and the session stalled for good.
 */
import { IPC_LIMITS } from '../../../shared/contract.ts';
import type { Result } from '../../../shared/errors.ts';

export const ACK_DELAY_MS = 15;
const RETRY_MS = 200;

export type AckSender = (acks: Array<{ id: string; through: number }>) => Promise<Result<null>>;

export class AckBatcher {
  private readonly latest = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(private readonly send: AckSender) {}

  /** The page has taken session `id`'s bytes before offset `through`. */
  took(id: string, through: number): void {
    if (this.stopped) return;
    if (through > (this.latest.get(id) ?? -1)) this.latest.set(id, through);
    this.arm(ACK_DELAY_MS);
  }

  /** Forget everything (the connection is gone; main forgot these sessions too). */
  stop(): void {
    this.stopped = true;
    this.latest.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(delay: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => this.flush(), delay);
  }

  private flush(): void {
    this.timer = null;
    if (this.latest.size === 0 || this.stopped) return;
    const acks = [...this.latest].slice(0, IPC_LIMITS.maxAcks).map(([id, through]) => ({ id, through }));
    for (const { id } of acks) this.latest.delete(id);
    if (this.latest.size > 0) this.arm(ACK_DELAY_MS);
    void this.send(acks).then(
      (r) => {
        if (!r.ok && r.error.code === 'RATE_LIMITED') this.retry(acks);
      },
      () => this.retry(acks),
    );
  }

  private retry(acks: Array<{ id: string; through: number }>): void {
    for (const { id, through } of acks) if (through > (this.latest.get(id) ?? -1)) this.latest.set(id, through);
    this.arm(RETRY_MS);
  }
}
