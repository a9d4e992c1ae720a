/**
 * The first bytes of each send a tab made, for the transcript's "→ sent" previews.
 *
 * Why not every byte: a tab lives for hours and may send many 64 MiB files; the transcript shows
 * only {@link SENT_LOG_LIMITS.headBytes} bytes per send, so that is all we keep. At most
 * {@link SENT_LOG_LIMITS.maxSends} heads are kept (the first ones, as main's transcript records the
 * first entries and then only counts), so the log holds at most 640 KiB whatever is sent.
 *
 * Offsets are positions in the session's sent stream, the unit of a transcript entry's `offset`.
 * Sends are serial (the tab sends one at a time), so the next send starts where the last one ended.
 */
import { SESSION_LIMITS } from '../../shared/session.ts';

export const SENT_LOG_LIMITS = {
  /** Bytes kept from the start of each send (what a transcript row previews). */
  headBytes: 64,
  /** Sends whose heads are kept; later sends are counted in {@link SentLog.dropped}. */
  maxSends: SESSION_LIMITS.maxTranscriptEntries,
} as const;

export class SentLog {
  #heads = new Map<number, Uint8Array>();
  #next = 0;
  #dropped = 0;

  /** Where the next send starts in the sent stream. */
  get nextOffset(): number {
    return this.#next;
  }

  /** Sends whose preview was not kept because {@link SENT_LOG_LIMITS.maxSends} were already kept. */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Keeps the head of a send about to start at {@link nextOffset}. Called before the send, so a send
   * that fails part-way (main records the bytes it did send) still has its preview; a send that
   * sent nothing leaves the offset where it was, and the next send's head replaces this one.
   */
  recordStart(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    if (!this.#heads.has(this.#next) && this.#heads.size >= SENT_LOG_LIMITS.maxSends) {
      this.#dropped++;
      return;
    }
    this.#heads.set(this.#next, bytes.slice(0, SENT_LOG_LIMITS.headBytes));
  }

  /**
   * Keeps the head of a send main made (a listener's reply to a client), at its offset in the sent
   * stream; bounded like {@link recordStart}.
   */
  recordAt(offset: number, head: Uint8Array): void {
    if (head.byteLength === 0 || this.#heads.has(offset)) return;
    if (this.#heads.size >= SENT_LOG_LIMITS.maxSends) {
      this.#dropped++;
      return;
    }
    this.#heads.set(offset, head.slice(0, SENT_LOG_LIMITS.headBytes));
  }

  /** Moves past a finished send of `bytesSent` bytes (also one with no head, e.g. a file main sent). */
  advance(bytesSent: number): void {
    this.#next += Math.max(0, bytesSent);
  }

  /** The kept first bytes of the send that started at `offset`, if any. */
  head(offset: number): Uint8Array | undefined {
    return this.#heads.get(offset);
  }

  clear(): void {
    this.#heads.clear();
    this.#next = 0;
    this.#dropped = 0;
  }
}
