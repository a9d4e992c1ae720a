/**
 * The transcript under a burst: back-to-back chunks of the same millisecond share one 'received'
 * entry, and nothing is lost by that: offsets are contiguous, byte counts add up to what arrived,
 * timestamps never go backwards, and 'closed' comes last.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamSession } from '../../../main/engine/stream-session.ts';
import { listen, type LoopbackServer } from './loopback.ts';

const servers: LoopbackServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe('StreamSession transcript', () => {
  it('merges a burst into few entries that still account for every byte, in order', async () => {
    const total = 32 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, 0x42);
    const server = await listen((s) => {
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          sent += chunk.length;
          if (!s.write(chunk)) return void s.once('drain', pump);
        }
        s.end();
      };
      pump();
    }, '127.0.0.1', { allowHalfOpen: true });
    servers.push(server);
    const session = new StreamSession('t');
    const dataEvents: number[] = [];
    session.on('data', (c) => dataEvents.push(c.byteLength));
    const emitted: string[] = [];
    session.on('transcript', (e) => emitted.push(e.kind));
    await session.connect({ host: '127.0.0.1', port: server.port, maxResponseBytes: 64 * 1024 * 1024 });
    await session.send(new Uint8Array(0), { halfClose: true });
    const final = await session.done();
    expect(final.outcome).toBe('peer-closed');
    expect(final.bytesReceived).toBe(total);

    const entries = session.transcript();
    const received = entries.filter((e) => e.kind === 'received');
    let offset = 0;
    for (const e of received) {
      if (e.kind !== 'received') continue;
      expect(e.offset).toBe(offset);
      offset += e.bytes;
    }
    expect(offset).toBe(total);
    expect(received.length).toBeLessThanOrEqual(dataEvents.length);
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.at).toBeGreaterThanOrEqual(entries[i - 1]!.at);
    expect(entries.at(-1)!.kind).toBe('closed');
    expect(session.response().byteLength).toBe(total);
  });

  it('writes the last entry of each burst by itself while the peer stays open, and re-arms for the next burst', async () => {
    let peer: Socket | null = null;
    const server = await listen((s) => {
      peer = s;
      s.write('first');
    }, '127.0.0.1', { allowHalfOpen: true });
    servers.push(server);
    const session = new StreamSession('t');
    const received: Array<{ offset: number; bytes: number }> = [];
    session.on('transcript', (e) => {
      if (e.kind === 'received') received.push({ offset: e.offset, bytes: e.bytes });
    });
    /** Waits (bounded) until `count` received entries were emitted: no further event forces them. */
    const entries = async (count: number): Promise<void> => {
      for (let i = 0; i < 500 && received.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    };
    await session.connect({ host: '127.0.0.1', port: server.port });
    await entries(1);
    expect(received).toEqual([{ offset: 0, bytes: 5 }]);
    peer!.write('second!');
    await entries(2);
    expect(received).toEqual([{ offset: 0, bytes: 5 }, { offset: 5, bytes: 7 }]);
    session.close();
    await session.done();
  });
});
