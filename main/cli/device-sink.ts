/**
 * `--output` to a character device (/dev/null, a terminal): a Writable that writes each chunk with
 * one blocking write(2) on our own thread, as nc and cat do (issue 16). The default fs.WriteStream
 * sends every write through libuv's thread pool and back; for a device, whose writes finish at
 * once, that round trip was most of the CLI's time receiving 1 GiB to /dev/null (1.2× nc).
 * A terminal's write blocks only as long as Node's own stdout on a TTY would (it is synchronous too).
 *
 * The session writes through [WRITE_NOW] (no Writable bookkeeping per chunk) and reads into one
 * small buffer that stays in the CPU's cache (receive-buffers.ts); write() serves everyone else.
 *
 * Invariant: a chunk's callback runs, and [WRITE_NOW] returns, only after write(2) returned for all
 * of it, so the engine may reuse the chunk's buffer from then on (RELEASES_ON_CALLBACK, WRITE_NOW);
 * the fd is closed exactly once.
 */
import { close, openSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { RELEASES_ON_CALLBACK, WRITE_NOW } from '../engine/receive-buffers.ts';

export class DeviceSink extends Writable {
  /** For error messages (the session and watchOutput name the output by it). */
  readonly path: string;
  readonly [RELEASES_ON_CALLBACK] = true;
  #fd: number | null;

  /** Opens `path` for writing, blocking (no O_NONBLOCK: a full tty buffer must wait, not EAGAIN). Throws as openSync does. */
  constructor(path: string, highWaterMark: number) {
    super({ highWaterMark });
    this.path = path;
    this.#fd = openSync(path, 'w');
  }

  /**
   * The session's fast path (receive-buffers.ts WRITE_NOW): `chunk` is written when this returns
   * true. False: the sink is closed, or the write failed and the sink is destroyed with the error,
   * which arrives as 'error', as it would from write().
   */
  [WRITE_NOW](chunk: Uint8Array): boolean {
    if (this.destroyed || this.writableEnded) return false;
    const error = this.#writeAll(chunk);
    if (!error) return true;
    this.destroy(error);
    return false;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    callback(this.#writeAll(chunk));
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    for (const { chunk } of chunks) {
      const error = this.#writeAll(chunk);
      if (error) {
        callback(error);
        return;
      }
    }
    callback(null);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const fd = this.#fd;
    this.#fd = null;
    if (fd === null) {
      callback(error);
      return;
    }
    close(fd, (closeError) => callback(error ?? closeError ?? null));
  }

  /** Writes all of `chunk` (a device may take part of it), or returns the error. */
  #writeAll(chunk: Uint8Array): Error | null {
    if (this.#fd === null) return new Error('write after the output was closed');
    try {
      let done = 0;
      while (done < chunk.length) done += writeSync(this.#fd, chunk, done, chunk.length - done);
      return null;
    } catch (err) {
      return err as Error;
    }
  }
}
