/**
 * DeviceSink (`--output` to a character device): every byte goes out by blocking write(2), the
 * engine may reuse read buffers with it, and a device that refuses writes (/dev/full) is an
 * error on the stream, not a crash.
 */
import { describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { DeviceSink } from '../../../main/cli/device-sink.ts';
import { WRITE_NOW, releasesOnCallback, writesNow } from '../../../main/engine/receive-buffers.ts';

describe('DeviceSink', () => {
  it('writes to /dev/null, calls back after each write and is a sink whose buffers may be reused', async () => {
    const sink = new DeviceSink('/dev/null', 1024);
    expect(releasesOnCallback(sink)).toBe(true);
    expect(sink.path).toBe('/dev/null');
    let calledBack = 0;
    for (let i = 0; i < 10; i++) sink.write(Buffer.alloc(4096, i), () => calledBack++);
    sink.end();
    await once(sink, 'finish');
    expect(calledBack).toBe(10);
  });

  it.skipIf(!existsSync('/dev/full'))('reports ENOSPC from /dev/full as a stream error', async () => {
    const sink = new DeviceSink('/dev/full', 1024);
    const failed = once(sink, 'error');
    sink.write(Buffer.alloc(10));
    const [err] = (await failed) as [NodeJS.ErrnoException];
    expect(err.code).toBe('ENOSPC');
  });

  it('[WRITE_NOW] writes at once and says so; after end() it writes nothing and says that too', async () => {
    const sink = new DeviceSink('/dev/null', 1024);
    expect(writesNow(sink)).toBe(true);
    expect(sink[WRITE_NOW](Buffer.alloc(300_000, 1))).toBe(true);
    sink.end();
    expect(sink[WRITE_NOW](Buffer.alloc(10))).toBe(false);
    await once(sink, 'finish');
  });

  it.skipIf(!existsSync('/dev/full'))('[WRITE_NOW] on /dev/full returns false and the ENOSPC arrives as the stream error', async () => {
    const sink = new DeviceSink('/dev/full', 1024);
    const failed = once(sink, 'error');
    expect(sink[WRITE_NOW](Buffer.alloc(10))).toBe(false);
    expect(sink.destroyed).toBe(true);
    const [err] = (await failed) as [NodeJS.ErrnoException];
    expect(err.code).toBe('ENOSPC');
    expect(sink[WRITE_NOW](Buffer.alloc(10))).toBe(false);
  });

  it('throws at construction when the device cannot be opened', () => {
    expect(() => new DeviceSink('/nonexistent-dir/x', 1024)).toThrow();
  });
});
