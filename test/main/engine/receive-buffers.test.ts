/**
 * The `onread` receive path (main/engine/receive-buffers.ts): bytes read into reused buffers must
 * reach a sink that is still writing exactly as sent. A slow file sink (an fs.WriteStream that
 * holds each write back) and a hash of the file against the hash of what the peer sent prove that
 * no pooled buffer is read into again while the sink still holds a chunk cut from it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { WriteStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { runOneShot } from '../../../main/engine/one-shot.ts';
import {
  KeepSlabs,
  SinkBufferPool,
  WRITE_NOW,
  WRITE_NOW_BEHIND_READS,
  WRITE_NOW_FIRST_READ_BYTES,
  WRITE_NOW_READ_BYTES,
  WriteNowBuffer,
  releasesOnCallback,
  writesNow,
} from '../../../main/engine/receive-buffers.ts';
import { listen, startChildSender, type LoopbackServer } from './loopback.ts';

const MiB = 1024 * 1024;
const servers: LoopbackServer[] = [];
const dirs: string[] = [];
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A server that sends `payload` to each connection once the client half-closes, then ends. */
async function sender(payload: Buffer): Promise<LoopbackServer> {
  const server = await listen(
    (socket) => {
      socket.resume();
      socket.on('end', () => socket.end(payload));
    },
    '127.0.0.1',
    { allowHalfOpen: true },
  );
  servers.push(server);
  return server;
}

/**
 * An fs.WriteStream (so the engine uses its reused buffers for it) whose every write waits a few
 * milliseconds before it starts: chunks sit in its queue, referenced, while the socket reads on.
 */
class SlowFileStream extends WriteStream {
  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    setTimeout(() => super._write(chunk, encoding, callback), 3);
  }
  override _writev(chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>, callback: (error?: Error | null) => void): void {
    setTimeout(() => super._writev!(chunks, callback), 3);
  }
}

function tempFile(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'st-receive-'));
  dirs.push(dir);
  return join(dir, name);
}

/** Receives `payload` through runOneShot into `sink`; returns the distinct read buffers the chunks came from and their count. */
async function receiveInto(payload: Buffer, sink: NodeJS.WritableStream): Promise<{ chunks: number; buffers: Set<ArrayBufferLike> }> {
  const server = await sender(payload);
  const buffers = new Set<ArrayBufferLike>();
  let chunks = 0;
  const result = await runOneShot({
    connect: { host: '127.0.0.1', port: server.port },
    data: new Uint8Array([1]),
    sink,
    onSession: (session) =>
      session.on('data', (chunk) => {
        chunks++;
        buffers.add(chunk.buffer);
      }),
  });
  expect(result.error).toBeNull();
  expect(result.status.outcome).toBe('peer-closed');
  expect(result.status.bytesReceived).toBe(payload.length);
  return { chunks, buffers };
}

describe('onread receive path', () => {
  it.each([
    ['small buffer, backpressure pauses the socket', 64 * 1024, 'reused'],
    ['large buffer, many chunks in flight at once', 64 * MiB, 'in-flight'],
  ] as const)('a slow file sink gets every byte exactly (%s)', async (_label, highWaterMark, proves) => {
    const payload = randomBytes(24 * MiB);
    const path = tempFile('slow.out');
    // @types/node declares no constructor arguments for WriteStream; Node's takes (path, options).
    const sink = new (SlowFileStream as unknown as new (path: string, options: { highWaterMark: number }) => SlowFileStream)(path, { highWaterMark });
    expect(releasesOnCallback(sink)).toBe(true);
    const { chunks, buffers } = await receiveInto(payload, sink);
    sink.end();
    await once(sink, 'close');
    // The case really happened (else this test would prove nothing): with a small sink buffer the
    // socket pauses and read buffers are reused; with a large one several chunks are in flight at
    // once, each in a buffer of its own (how many are reused then depends on the machine's load).
    if (proves === 'reused') expect(buffers.size).toBeLessThan(chunks);
    else expect(buffers.size).toBeGreaterThan(1);
    // ... and never overwritten while the sink still held a chunk cut from them.
    expect(sha256(readFileSync(path))).toBe(sha256(payload));
  });

  it('a plain file sink (the CLI --output stream) gets every byte exactly', async () => {
    const payload = randomBytes(16 * MiB);
    const path = tempFile('plain.out');
    const sink = createWriteStream(path, { highWaterMark: 8 * MiB });
    await receiveInto(payload, sink);
    sink.end();
    await once(sink, 'close');
    expect(sha256(readFileSync(path))).toBe(sha256(payload));
  });

  it('a generic Writable (a PassThrough read late) gets fresh chunks: nothing it queued is overwritten', async () => {
    const payload = randomBytes(8 * MiB);
    const sink = new PassThrough({ highWaterMark: 64 * MiB });
    expect(releasesOnCallback(sink)).toBe(false);
    const { chunks, buffers } = await receiveInto(payload, sink);
    // Nothing was read from the PassThrough during the exchange: every chunk is still queued in it.
    sink.end();
    const out: Buffer[] = [];
    for await (const piece of sink) out.push(piece as Buffer);
    expect(sha256(Buffer.concat(out))).toBe(sha256(payload));
    expect(buffers.size).toBeGreaterThan(0);
    expect(chunks).toBeGreaterThan(0);
  });

  it('a sink that writes at once gets every byte through [WRITE_NOW], all read into one buffer, and write() never', async () => {
    const payload = randomBytes(8 * MiB);
    const hash = createHash('sha256');
    let written = 0;
    let viaWrite = 0;
    let largest = 0;
    // Honours WRITE_NOW's promise: it is done with the chunk when the call returns (it hashes it).
    const sink = Object.assign(
      new Writable({
        write(_chunk, _encoding, callback) {
          viaWrite++;
          callback();
        },
      }),
      {
        [WRITE_NOW](chunk: Uint8Array): boolean {
          hash.update(chunk);
          written += chunk.length;
          largest = Math.max(largest, chunk.length);
          return true;
        },
      },
    );
    expect(writesNow(sink)).toBe(true);
    const { chunks, buffers } = await receiveInto(payload, sink);
    expect(viaWrite).toBe(0);
    expect(written).toBe(payload.length);
    expect(hash.digest('hex')).toBe(sha256(payload));
    // One buffer for the whole response, read into again and again, never more at once than it holds.
    expect(chunks).toBeGreaterThan(1);
    expect(buffers.size).toBe(1);
    expect(largest).toBeLessThanOrEqual(WRITE_NOW_READ_BYTES);
  });

  it('a sink whose [WRITE_NOW] fails ends the session with its error as FILE_ERROR, naming its path', async () => {
    const payload = randomBytes(4 * MiB);
    const server = await sender(payload);
    let calls = 0;
    const sink = Object.assign(new Writable({ write: (_c, _e, callback) => callback() }), {
      path: '/dev/broken',
      [WRITE_NOW](): boolean {
        calls++;
        const err = Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO', errno: -5 });
        sink.destroy(err);
        return false;
      },
    });
    const result = await runOneShot({ connect: { host: '127.0.0.1', port: server.port }, data: new Uint8Array([1]), sink });
    expect(calls).toBeGreaterThan(0);
    expect(result.error?.code).toBe('FILE_ERROR');
    expect(result.error?.message).toContain('/dev/broken');
    expect(result.status.outcome).toBe('error');
  });

  it('kept in memory: the response equals what was sent, read straight into shared slabs', async () => {
    const payload = randomBytes(12 * MiB);
    const server = await sender(payload);
    const result = await runOneShot({ connect: { host: '127.0.0.1', port: server.port, maxResponseBytes: 64 * MiB }, data: new Uint8Array([1]) });
    expect(result.error).toBeNull();
    const chunks = result.responseChunks;
    expect(new Set(chunks.map((c) => c.buffer)).size).toBeLessThan(chunks.length);
    expect(sha256(result.response)).toBe(sha256(payload));
  });

  it('the pool hands out a buffer again only after it was given back; slabs never reuse a place', () => {
    const pool = new SinkBufferPool();
    const a = pool.take();
    const b = pool.take();
    expect(b).not.toBe(a);
    pool.give(a);
    expect(pool.take()).toBe(a);
    const slabs = new KeepSlabs();
    const first = slabs.next();
    first.fill(7, 0, 100);
    slabs.commit(100);
    const second = slabs.next();
    second.fill(9);
    expect(first.subarray(0, 100).every((v) => v === 7)).toBe(true);
  });
});

describe('WriteNowBuffer', () => {
  it('stays small while reads leave room, and grows for good after a run of full reads', () => {
    const reads = new WriteNowBuffer();
    const first = reads.buffer;
    expect(first.length).toBe(WRITE_NOW_FIRST_READ_BYTES);
    // Runs one short of the limit, each ended by a read that left room: never grows.
    for (let run = 0; run < 3; run++) {
      for (let i = 0; i < WRITE_NOW_BEHIND_READS - 1; i++) reads.read(first.length);
      reads.read(first.length - 1);
    }
    expect(reads.buffer).toBe(first);
    for (let i = 0; i < WRITE_NOW_BEHIND_READS - 1; i++) reads.read(first.length);
    first.fill(7);
    // The read that completes the run is still a view of the buffer it was read into.
    const chunk = reads.read(first.length);
    expect(chunk.buffer).toBe(first.buffer);
    expect(chunk.every((b) => b === 7)).toBe(true);
    const grown = reads.buffer;
    expect(grown.length).toBe(WRITE_NOW_READ_BYTES);
    // Short reads later do not shrink it back.
    reads.read(10);
    expect(reads.buffer).toBe(grown);
    expect(reads.read(5).buffer).toBe(grown.buffer);
  });

  it('on a real socket, reads after the switch land in the new buffer and every byte arrives exactly', async () => {
    // A sender in another process keeps the receive queue full while the reader, busy 0.3 ms per
    // read after the first 2 MiB, falls behind: runs of 8 full reads (the limit here, 256 in the
    // engine) then come at once. Node asks for the next buffer after every read (onread.buffer as
    // a function); the chunk read into the old one stays whole.
    const peer = await startChildSender(16 * MiB);
    stops.push(peer.stop);
    const reads = new WriteNowBuffer(8);
    const hash = createHash('sha256');
    const buffers = new Set<ArrayBufferLike>();
    let received = 0;
    let largest = 0;
    const socket = net.connect({
      host: '127.0.0.1',
      port: peer.port,
      onread: {
        buffer: () => reads.buffer,
        callback: (n) => {
          const chunk = reads.read(n);
          hash.update(chunk);
          buffers.add(chunk.buffer);
          received += n;
          largest = Math.max(largest, n);
          if (received > 2 * MiB) {
            const until = performance.now() + 0.3;
            while (performance.now() < until);
          }
          return true;
        },
      },
    });
    socket.on('error', () => undefined);
    await once(socket, 'end');
    socket.destroy();
    expect(received).toBe(16 * MiB);
    expect(hash.digest('hex')).toBe(peer.sha256);
    expect(buffers.size).toBe(2);
    expect(largest).toBeGreaterThan(WRITE_NOW_FIRST_READ_BYTES);
    expect(largest).toBeLessThanOrEqual(WRITE_NOW_READ_BYTES);
  });
});
