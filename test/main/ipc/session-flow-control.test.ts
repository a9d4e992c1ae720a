/**
 * Flow control between main and a page that acknowledges (main/ipc/session-updates.ts), through the
 * app service with a real TCP peer streaming as fast as loopback goes: while the page takes
 * nothing, main's bytes waiting for it stay under the stated bound (the session stops reading; the
 * peer is pushed back by TCP), and once acknowledgements resume every byte arrives, in order,
 * exactly once. A hostile ack (beyond what was sent) is refused and changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppService, type ClientContext } from '../../../main/app-service.ts';
import { SessionRegistry } from '../../../main/engine/session-registry.ts';
import { createClientDispatch } from '../../../main/ipc/dispatcher.ts';
import { ACK_WINDOW_BYTES, HOLD_READING_BYTES } from '../../../main/ipc/session-updates.ts';
import { CALL_SCHEMAS } from '../../../main/ipc/schemas.ts';
import { ProfileStore } from '../../../main/profiles/profile-store.ts';
import type { EventPayload } from '../../../shared/contract.ts';
import type { Result } from '../../../shared/errors.ts';

type Update = EventPayload<'session:update'>;
type Call = (channel: string, arg: unknown) => Promise<Result<unknown>>;

const TOTAL = 64 * 1024 * 1024;
/** One read on top of the hold threshold: the socket is paused after the read that crossed it. */
const BOUND = HOLD_READING_BYTES + 2 * 1024 * 1024;
const byteAt = (i: number): number => (i * 31 + (i >>> 16)) & 0xff;

let dir: string;
let service: AppService;
let server: Server;
let port: number;
let peerWritten = 0;
const serverSockets = new Set<Socket>();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'st-flow-'));
  const profilesPath = join(dir, 'profiles.json');
  service = new AppService({
    info: { name: 'test', version: '0', host: 'web', platform: process.platform },
    sessions: new SessionRegistry(),
    profiles: await ProfileStore.open({ filePath: profilesPath }),
    profilesPath,
  });
  peerWritten = 0;
  // Streams TOTAL bytes of a known pattern as fast as the socket takes them, then ends.
  server = createServer((s) => {
    serverSockets.add(s);
    s.on('close', () => serverSockets.delete(s));
    s.on('error', () => undefined);
    const pump = (): void => {
      while (peerWritten < TOTAL) {
        const n = Math.min(256 * 1024, TOTAL - peerWritten);
        const chunk = Buffer.allocUnsafe(n);
        for (let i = 0; i < n; i++) chunk[i] = byteAt(peerWritten + i);
        peerWritten += n;
        if (!s.write(chunk)) return void s.once('drain', pump);
      }
      s.end();
    };
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
});

afterEach(async () => {
  await service.shutdown();
  for (const s of serverSockets) s.destroy();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

function attach(): { ctx: ClientContext; updates: Update[]; call: Call } {
  const updates: Update[] = [];
  const ctx = service.attachClient({
    alive: true,
    acknowledges: true,
    send: (event, payload) => {
      if (event === 'session:update') updates.push(payload as Update);
    },
  });
  return { ctx, updates, call: createClientDispatch(service.handlers, CALL_SCHEMAS, ctx) as Call };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits (bounded) until `read()` has not changed for `quietMs`. */
async function settled(read: () => number, quietMs: number, limitMs: number): Promise<number> {
  const deadline = Date.now() + limitMs;
  let last = read();
  let since = Date.now();
  while (Date.now() < deadline) {
    await sleep(50);
    const now = read();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return now;
  }
  throw new Error('never settled');
}

describe('session flow control with a page that acknowledges', () => {
  it('keeps main under the bound while the page takes nothing, then delivers every byte in order once it acks', async () => {
    const client = attach();
    const opened = await client.call('session:open', { host: '127.0.0.1', port, maxResponseBytes: 128 * 1024 * 1024, idleTimeoutMs: 2000 });
    if (!opened.ok) throw new Error(opened.error.message);
    const id = (opened.value as { id: string }).id;
    const forwarder = client.ctx.forwarders.get(id)!;
    const received = (): number => client.updates.at(-1)?.status.bytesReceived ?? 0;
    const delivered = (): number => client.updates.reduce((n, u) => n + (u.data?.byteLength ?? 0), 0);

    // Frozen page: nothing acknowledged. Main reads until the hold, then stops (and its idle timer
    // does not fire: the session stays open although no byte moves for longer than its timeout).
    const stalledAt = await settled(() => forwarder.waiting(), 2500, 20_000);
    expect(stalledAt).toBeGreaterThan(0);
    expect(stalledAt).toBeLessThanOrEqual(BOUND);
    expect(delivered()).toBeLessThanOrEqual(ACK_WINDOW_BYTES);
    expect(received()).toBeLessThan(TOTAL);
    expect(client.updates.at(-1)!.status.phase).toBe('open');
    const updatesWhileFrozen = client.updates.length;
    await sleep(300);
    expect(client.updates.length).toBe(updatesWhileFrozen); // a shut window sends nothing, not even status

    // A hostile ack beyond what was sent is refused and opens nothing.
    const bad = await client.call('session:ack', { acks: [{ id, through: delivered() + 1 }] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatchObject({ code: 'INVALID_INPUT', field: 'acks.0.through' });
    // An ack for a session this client does not have is a race, not an error.
    expect((await client.call('session:ack', { acks: [{ id: 'gone', through: 5 }] })).ok).toBe(true);

    // The page resumes: it acknowledges what it has, as it arrives, until the session ends.
    let maxWaiting = 0;
    const deadline = Date.now() + 60_000;
    while (!(client.updates.at(-1)?.status.phase === 'closed' && delivered() === received())) {
      if (Date.now() > deadline) throw new Error(`stalled at ${delivered()} of ${TOTAL}`);
      maxWaiting = Math.max(maxWaiting, forwarder.waiting());
      const r = await client.call('session:ack', { acks: [{ id, through: delivered() }] });
      expect(r.ok).toBe(true);
      await sleep(5);
    }
    expect(maxWaiting).toBeLessThanOrEqual(BOUND);
    expect(received()).toBe(TOTAL);
    expect(client.updates.at(-1)!.status.outcome).toBe('peer-closed');
    // In order, contiguous, exactly once, byte for byte.
    let expected = 0;
    for (const u of client.updates) {
      expect(u.dataOffset).toBe(expected);
      const d = u.data;
      if (!d) continue;
      for (let i = 0; i < d.byteLength; i += 4093) if (d[i] !== byteAt(expected + i)) throw new Error(`byte ${expected + i} differs`);
      if (d[d.byteLength - 1] !== byteAt(expected + d.byteLength - 1)) throw new Error('last byte differs');
      expected += d.byteLength;
    }
    expect(expected).toBe(TOTAL);
  }, 90_000);
});
