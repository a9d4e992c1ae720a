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
 *
 * Invariant: a buffer handed out by take()/next() is never handed out again while any chunk cut
 * from it may still be read by someone: never for slabs, and for the pool only after give().
 */
import { WriteStream } from 'node:fs';
import type * as net from 'node:net';
import { Socket } from 'node:net';

/** Read size of the pool's buffers: big reads mean fewer syscalls and callbacks per GiB. */
export const SINK_READ_BYTES = 1024 * 1024;

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
