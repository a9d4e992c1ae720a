/**
 * Read buffers for the `onread` receive path of a plain TCP {@link StreamSession} (issue 16).
 *
 * Node's 'data' path allocates a fresh 64 KiB buffer for every read; most of its cost is those
 * allocations and the page faults of their fresh memory. With `net.connect({ onread })` the
 * socket reads into a buffer we hand it (Node asks for the next one after every read), so:
 *
 * - {@link KeepSlabs} (response kept in memory): each read lands directly in the unused tail of a
 *   slab, and what was read stays there untouched, so the kept chunks are views into slabs and no
 *   byte is copied. Slabs grow 64 KiB → 1 MiB, so a short reply pins at most 64 KiB.
 * - {@link SinkBufferPool} (response streamed into a sink): a few 1 MiB buffers are reused. A
 *   buffer goes back to the pool only from the sink's write callback, i.e. once the sink has
 *   finished with that chunk; until then the socket reads into other buffers. A sink that is still
 *   writing therefore never sees its bytes overwritten (test/main/engine/receive-buffers.test.ts
 *   proves it with a slow file sink and a hash).
 * - A sink that writes each chunk at once ({@link WRITE_NOW}: a device such as /dev/null or a
 *   terminal) gets every chunk read into one 256 KiB buffer, read into again and again.
 *
 * Invariant: a buffer handed out by take()/next() is never handed out again while any chunk cut
 * from it may still be read by someone: never for slabs, and for the pool only after give(). The
 * one buffer of a WRITE_NOW sink is read into again only after the sink's call has returned.
 */
import { WriteStream } from 'node:fs';
import type * as net from 'node:net';
import { Socket } from 'node:net';

/** Read size of the pool's buffers: big reads mean fewer syscalls and callbacks per GiB. */
export const SINK_READ_BYTES = 1024 * 1024;

/**
 * Read size for a sink that writes at once. The sink has finished with a chunk when its call
 * returns, so one buffer serves every read, and it stays in the CPU's cache between reads: the
 * kernel copies each read into cache, not into cold memory (1 MiB pooled buffers in rotation
 * miss it). Not smaller: a reader that does not keep up lets the socket's receive queue grow to
 * many MiB, whose bytes then come from memory instead of cache; each read gets slower and the
 * reader never catches up. Measured, 1 GiB over loopback to /dev/null, client and sender on CPUs
 * of their own, medians of 9–15 interleaved runs: 64 KiB and 128 KiB reads fell into that state
 * (530–700 ms, 340–470 ms of it in the kernel), 256 KiB did not (386–417 ms, 130–150 ms in the
 * kernel), 512 KiB and 1 MiB took as long as 256 KiB; nc took 328–367 ms.
 */
export const WRITE_NOW_READ_BYTES = 256 * 1024;

/** Free buffers the pool keeps for reuse; buffers given back beyond this are left to the GC. */
const POOL_MAX_FREE = 16;

const FIRST_SLAB_BYTES = 64 * 1024;
const MAX_SLAB_BYTES = 1024 * 1024;
/** A slab tail shorter than this starts a new slab (a tiny read buffer would mean tiny reads). */
const MIN_READ_BYTES = 16 * 1024;

/**
 * A sink that sets this property to true promises what {@link releasesOnCallback} asks: once a
 * chunk's write callback has run, it never reads that chunk again (main/cli/device-sink.ts).
 */
export const RELEASES_ON_CALLBACK: unique symbol = Symbol.for('socket-tester.sink.releasesOnCallback');

/**
 * A sink that has this method writes a chunk at once, on our own thread (main/cli/device-sink.ts):
 * it returns true when every byte is written, or false when the sink has failed, in which case it
 * has destroyed itself with the error, which arrives as its 'error' event. Either way it never
 * reads the chunk after returning. The session then bypasses the sink's write() (no Writable
 * bookkeeping, no callback and tick per chunk) and reads every chunk into one buffer.
 */
export const WRITE_NOW: unique symbol = Symbol.for('socket-tester.sink.writeNow');

/** A sink offering {@link WRITE_NOW}. */
export interface WritesNow {
  [WRITE_NOW](chunk: Uint8Array): boolean;
}

/** Whether `sink` offers {@link WRITE_NOW}. */
export function writesNow(sink: NodeJS.WritableStream): sink is NodeJS.WritableStream & WritesNow {
  return typeof (sink as Partial<WritesNow>)[WRITE_NOW] === 'function';
}

/**
 * True for sinks known to be done with a chunk when its write callback runs: files (fs.WriteStream),
 * sockets and pipes (net.Socket, tty), and the process's own stdout/stderr (which may be a
 * synchronous file stream). A generic Writable gives no such promise (a PassThrough calls back
 * once the chunk is queued on its readable side, still referenced), so its chunks must be fresh.
 */
export function releasesOnCallback(sink: NodeJS.WritableStream): boolean {
  if ((sink as { [RELEASES_ON_CALLBACK]?: unknown })[RELEASES_ON_CALLBACK] === true) return true;
  return sink instanceof WriteStream || sink instanceof Socket || sink === process.stdout || sink === process.stderr;
}

/** Reused read buffers for a sink; see the file comment. */
export class SinkBufferPool {
  readonly #free: Buffer[] = [];

  /** A buffer no chunk in flight refers to. */
  take(): Buffer {
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(SINK_READ_BYTES);
  }

  /** Called from the sink's write callback: nobody reads `buffer` any more. */
  give(buffer: Buffer): void {
    if (this.#free.length < POOL_MAX_FREE) this.#free.push(buffer);
  }
}

/** Slabs the kept response is read straight into; see the file comment. */
export class KeepSlabs {
  #slab: Buffer | null = null;
  #used = 0;
  #nextSize = FIRST_SLAB_BYTES;

  /** Where the next read goes: the unused tail of the current slab (a new slab when it is short). */
  next(): Buffer {
    if (!this.#slab || this.#slab.length - this.#used < MIN_READ_BYTES) {
      this.#slab = Buffer.allocUnsafeSlow(this.#nextSize);
      this.#used = 0;
      this.#nextSize = Math.min(this.#nextSize * 2, MAX_SLAB_BYTES);
    }
    return this.#slab.subarray(this.#used);
  }

  /** `n` bytes were read into the buffer next() returned last: they stay where they are. */
  commit(n: number): void {
    this.#used += n;
  }
}
