/**
 * The app service and the bounded registry: each client is the owner of its sessions (its share of
 * the limit), and a client whose closed session is evicted is told so, after which calls naming it
 * get UNKNOWN_SESSION with a message saying why.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppService, type ClientContext } from '../../main/app-service.ts';
import { SessionRegistry } from '../../main/engine/session-registry.ts';
import { createClientDispatch } from '../../main/ipc/dispatcher.ts';
import { CALL_SCHEMAS } from '../../main/ipc/schemas.ts';
import { ProfileStore } from '../../main/profiles/profile-store.ts';
import type { EventChannel } from '../../shared/contract.ts';
import type { Result } from '../../shared/errors.ts';

let dir: string;
let service: AppService;
let server: Server;
let port: number;
const serverSockets = new Set<Socket>();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'st-evict-'));
  const profilesPath = join(dir, 'profiles.json');
  service = new AppService({
    info: { name: 'test', version: '0', host: 'web', platform: process.platform },
    sessions: new SessionRegistry({ maxLive: 4, maxLivePerOwner: 2, maxClosed: 2 }),
    profiles: await ProfileStore.open({ filePath: profilesPath }),
    profilesPath,
  });
  // Says hello and closes.
  server = createServer((s) => {
    serverSockets.add(s);
    s.on('close', () => serverSockets.delete(s));
    s.on('error', () => undefined);
    s.end('hello');
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

type Call = (channel: string, arg: unknown) => Promise<Result<unknown>>;

function attach(): { ctx: ClientContext; events: Array<{ event: EventChannel; payload: unknown }>; call: Call } {
  const events: Array<{ event: EventChannel; payload: unknown }> = [];
  const ctx = service.attachClient({ alive: true, send: (event, payload) => events.push({ event, payload }) });
  return { ctx, events, call: createClientDispatch(service.handlers, CALL_SCHEMAS, ctx) as Call };
}

async function openAndFinish(client: ReturnType<typeof attach>): Promise<string> {
  const r = await client.call('session:open', { host: '127.0.0.1', port });
  if (!r.ok) throw new Error(r.error.message);
  const id = (r.value as { id: string }).id;
  const deadline = Date.now() + 10_000;
  while (!client.events.some((e) => e.event === 'session:update' && (e.payload as { id: string; status: { phase: string } }).id === id && (e.payload as { status: { phase: string } }).status.phase === 'closed')) {
    if (Date.now() > deadline) throw new Error('session never closed');
    await new Promise((r2) => setTimeout(r2, 10));
  }
  return id;
}

describe('AppService with a bounded registry', () => {
  it('tells the owner when its oldest closed session is released; calls then get UNKNOWN_SESSION', async () => {
    const client = attach();
    const first = await openAndFinish(client);
    await openAndFinish(client);
    expect(client.events.filter((e) => e.event === 'session:evicted')).toEqual([]);
    await openAndFinish(client);
    expect(client.events.filter((e) => e.event === 'session:evicted')).toEqual([
      { event: 'session:evicted', payload: { id: first, reason: 'too-many-closed' } },
    ]);
    const again = await client.call('session:close', { id: first });
    expect(again.ok ? null : again.error.code).toBe('UNKNOWN_SESSION');
    expect(again.ok ? '' : again.error.message).toContain('released');
  });

  it('each client has its own share of the live limit', async () => {
    const a = attach();
    const b = attach();
    // A silent server keeps these sessions live.
    const silent = createServer((s) => {
      serverSockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const silentPort = (silent.address() as { port: number }).port;
    try {
      for (let i = 0; i < 2; i++) expect((await a.call('session:open', { host: '127.0.0.1', port: silentPort })).ok).toBe(true);
      const third = await a.call('session:open', { host: '127.0.0.1', port: silentPort });
      expect(third.ok ? null : third.error.code).toBe('SESSION_LIMIT');
      expect((await b.call('session:open', { host: '127.0.0.1', port: silentPort })).ok).toBe(true);
    } finally {
      await service.shutdown();
      for (const s of serverSockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
