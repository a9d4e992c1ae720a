/**
 * The bytes received since a consumer last said "matched up to here", bounded: at most `maxBytes`
 * are kept, and when more arrive the oldest are dropped and counted (never silently lost: the
 * caller reports {@link RollingWindow.droppedSinceConsume}).
 *
 * Offsets are absolute: they count every byte ever appended, so a match found in `view()` at
 * index i is at absolute offset `start + i`, stable across appends and drops.
 *
 * One buffer of twice the window, compacted only when the tail reaches its end: appending is a
 * copy of the new chunk (amortised O(chunk)), and `view()` is a subarray, never a join, so
 * a reply arriving in 1-byte pieces costs no more than one arriving whole.
 */
export class RollingWindow {
  readonly maxBytes: number;
  #buffer: Uint8Array;
  /** Index in #buffer of the first kept byte, and one past the last. */
  #head = 0;
  #tail = 0;
  /** Absolute offset of #buffer[#head]. */
  #base = 0;
  #droppedSinceConsume = 0;

  constructor(maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new RangeError('RollingWindow: maxBytes must be a positive integer');
    this.maxBytes = maxBytes;
    // Grows on demand up to 2 × maxBytes, so a small exchange never allocates a whole window.
    this.#buffer = new Uint8Array(Math.min(4096, 2 * maxBytes));
  }

  /** Absolute offset of the first kept byte. */
  get start(): number {
    return this.#base;
  }

  /** Absolute offset one past the last byte appended. */
  get end(): number {
    return this.#base + (this.#tail - this.#head);
  }

  get length(): number {
    return this.#tail - this.#head;
  }

  /** Bytes that were dropped (window full) since the last {@link consumeTo}. */
  get droppedSinceConsume(): number {
    return this.#droppedSinceConsume;
  }

  /** Appends `chunk`; returns how many old bytes were dropped to make room. */
  append(chunk: Uint8Array): number {
    let bytes = chunk;
    let dropped = 0;
    if (bytes.length >= this.maxBytes) {
      // Everything kept so far, and the chunk's head, fall out of the window.
      dropped = this.length + bytes.length - this.maxBytes;
      this.#base += this.length;
      this.#head = 0;
      this.#tail = 0;
      this.#base += bytes.length - this.maxBytes;
      bytes = bytes.subarray(bytes.length - this.maxBytes);
    } else if (this.length + bytes.length > this.maxBytes) {
      dropped = this.length + bytes.length - this.maxBytes;
      this.#head += dropped;
      this.#base += dropped;
    }
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.#tail);
    this.#tail += bytes.length;
    this.#droppedSinceConsume += dropped;
    return dropped;
  }

  /**
   * The kept bytes. A view into the window's own buffer: valid until the next append or consume,
   * and not to be modified.
   */
  view(): Uint8Array {
    return this.#buffer.subarray(this.#head, this.#tail);
  }

  /** A copy of the bytes at absolute offsets [from, to), clipped to what is kept. */
  copy(from: number, to: number): Uint8Array {
    const a = Math.max(from, this.start) - this.#base + this.#head;
    const b = Math.min(to, this.end) - this.#base + this.#head;
    return b > a ? this.#buffer.slice(a, b) : new Uint8Array(0);
  }

  /** Forgets every byte before absolute offset `offset` (clipped to the window) and resets the drop count. */
  consumeTo(offset: number): void {
    const target = Math.min(Math.max(offset, this.start), this.end);
    this.#head += target - this.#base;
    this.#base = target;
    this.#droppedSinceConsume = 0;
    if (this.#head === this.#tail) {
      this.#head = 0;
      this.#tail = 0;
    }
  }

  /** Makes room for `bytes` more at the tail: compacts first, grows only when compacting is not enough. */
  #reserve(bytes: number): void {
    if (this.#tail + bytes <= this.#buffer.length) return;
    const kept = this.length;
    if (kept + bytes <= this.#buffer.length && this.#head > 0) {
      this.#buffer.copyWithin(0, this.#head, this.#tail);
    } else {
      let size = this.#buffer.length;
      while (size < kept + bytes) size *= 2;
      const grown = new Uint8Array(Math.min(size, 2 * this.maxBytes));
      grown.set(this.#buffer.subarray(this.#head, this.#tail));
      this.#buffer = grown;
    }
    this.#head = 0;
    this.#tail = kept;
  }
}
