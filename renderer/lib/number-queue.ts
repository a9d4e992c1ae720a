/**
 * A first-in first-out list of numbers kept in fixed-size typed-array blocks: push at the end,
 * drop from the front, read by index. For stores with one small record per datagram (a burst is
 * 100,000 of them), where an object per record cost several times the datagram's own bytes.
 *
 * Blocks, not one growing array: no copy when it grows, at most one block of slack, and dropping
 * the oldest frees whole blocks.
 */
export type NumberArray = Float64Array | Uint32Array | Uint8Array;

export const BLOCK_LENGTH = 4096;

export class NumberQueue<A extends NumberArray = Float64Array> {
  #blocks: A[] = [];
  /** Index in the first block of the first kept number. */
  #head = 0;
  #length = 0;

  constructor(private readonly make: (length: number) => A) {}

  get length(): number {
    return this.#length;
  }

  push(value: number): void {
    const end = this.#head + this.#length;
    const block = Math.floor(end / BLOCK_LENGTH);
    if (block === this.#blocks.length) this.#blocks.push(this.make(BLOCK_LENGTH));
    this.#blocks[block]![end % BLOCK_LENGTH] = value;
    this.#length++;
  }

  /** The number at `index` (0 = oldest kept); undefined outside the queue. */
  at(index: number): number | undefined {
    if (!(index >= 0 && index < this.#length)) return undefined;
    const i = this.#head + index;
    return this.#blocks[Math.floor(i / BLOCK_LENGTH)]![i % BLOCK_LENGTH];
  }

  set(index: number, value: number): void {
    if (!(index >= 0 && index < this.#length)) return;
    const i = this.#head + index;
    this.#blocks[Math.floor(i / BLOCK_LENGTH)]![i % BLOCK_LENGTH] = value;
  }

  /** The newest number, or undefined when empty. */
  last(): number | undefined {
    return this.at(this.#length - 1);
  }

  /** Drops the oldest `n` numbers (fewer when it holds fewer). */
  shift(n = 1): void {
    const k = Math.max(0, Math.min(n, this.#length));
    this.#head += k;
    this.#length -= k;
    const spent = Math.floor(this.#head / BLOCK_LENGTH);
    if (spent > 0) {
      this.#blocks.splice(0, spent);
      this.#head -= spent * BLOCK_LENGTH;
    }
    if (this.#length === 0) this.clear();
  }

  clear(): void {
    this.#blocks = [];
    this.#head = 0;
    this.#length = 0;
  }
}
