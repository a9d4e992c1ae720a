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
 *   terminal) gets every chunk read into one buffer, read into again and again: 64 KiB, or
 *   256 KiB once the reader has fallen behind ({@link WriteNowBuffer}).
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
 * Read sizes for a sink that writes at once ({@link WriteNowBuffer}). The sink has finished with a
 * chunk when its call returns, so one buffer serves every read and stays in the CPU's cache: the
 * kernel copies each read into cache, not into cold memory (1 MiB pooled buffers in rotation miss
 * it). Which size is fastest depends on the machine, so the buffer starts small and grows once:
 *
 * - 64 KiB first: it stays in a core's L1/L2. On a machine whose reader keeps up (2-core AMD EPYC,
 *   1 GiB over loopback to /dev/null, sender and client on CPUs of their own, 20 runs) a raw
 *   `onread` client took 193 ms with 64 KiB reads against 301 ms with 256 KiB (nc: 219 ms).
 * - 256 KiB once the reader falls behind: a reader that does not keep up lets the socket's receive
 *   queue grow to many MiB, whose bytes then come from memory instead of cache; each read gets
 *   slower and a 64 KiB reader never catches up. On an earlier machine 64 and 128 KiB reads fell
 *   into that state (530–700 ms, 340–470 ms of it in the kernel) and 256 KiB did not (386–417 ms;
 *   512 KiB and 1 MiB no better). Here, 15 µs of extra work per read reproduces it: 64 KiB 565 ms,
 *   256 KiB 226 ms, and this buffer, growing after {@link WRITE_NOW_BEHIND_READS} full reads, 252 ms.
 */
export const WRITE_NOW_FIRST_READ_BYTES = 64 * 1024;
export const WRITE_NOW_READ_BYTES = 256 * 1024;

/**
 * Full 64 KiB reads in a row that mean the receive queue is growing: 16 MiB waiting at least. A
 * reader that keeps up sees runs of up to ~150 (the queue fills once while TCP's window opens).
 */
export const WRITE_NOW_BEHIND_READS = 256;

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

/**
 * The one read buffer of a {@link WRITE_NOW} sink: {@link WRITE_NOW_FIRST_READ_BYTES}, replaced for
 * good by a {@link WRITE_NOW_READ_BYTES} buffer after {@link WRITE_NOW_BEHIND_READS} reads in a row
 * that filled it. Only the next read goes into the new buffer; the chunk just read stays valid
 * until the sink's call returns, as before.
 */
export class WriteNowBuffer {
  #buffer = Buffer.allocUnsafeSlow(WRITE_NOW_FIRST_READ_BYTES);
  #fullReads = 0;
  #grown = false;
  readonly #behindReads: number;

  /** @param behindReads full reads in a row that make it grow (a test takes fewer). */
  constructor(behindReads = WRITE_NOW_BEHIND_READS) {
    this.#behindReads = behindReads;
  }

  /** The buffer the socket reads into next. */
  get buffer(): Buffer {
    return this.#buffer;
  }

  /** The `n` bytes the socket just read into {@link buffer}, as a view of it. */
  read(n: number): Buffer {
    const chunk = this.#buffer.subarray(0, n);
    if (!this.#grown) {
      this.#fullReads = n === this.#buffer.length ? this.#fullReads + 1 : 0;
      if (this.#fullReads >= this.#behindReads) {
        this.#grown = true;
        this.#buffer = Buffer.allocUnsafeSlow(WRITE_NOW_READ_BYTES);
      }
    }
    return chunk;
  }
}
