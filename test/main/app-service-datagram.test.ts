/**
 * UDP through the app service: `datagram:*` channels driven through the guarded dispatcher against
 * a real UDP echo peer on 127.0.0.1 port 0; datagram sessions share the registry's limits, the
 * per-client share, close/cancel/discard and eviction with stream sessions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppService, type ClientContext } from '../../main/app-service.ts';
import { SessionRegistry } from '../../main/engine/session-registry.ts';
import { createClientDispatch } from '../../main/ipc/dispatcher.ts';
import { CALL_SCHEMAS } from '../../main/ipc/schemas.ts';
import { ProfileStore } from '../../main/profiles/profile-store.ts';
import type { CallArg, CallChannel, CallValue, EventChannel, EventPayload } from '../../shared/contract.ts';
import type { Result } from '../../shared/errors.ts';
import type { DatagramSessionStatus } from '../../shared/session-datagram.ts';
import { until } from './engine/loopback.ts';

let dir: string;
let service: AppService;
let echo: dgram.Socket;
let echoPort: number;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'st-dgram-svc-'));
  const profilesPath = join(dir, 'profiles.json');
  service = new AppService({
    info: { name: 'test', version: '0', host: 'web', platform: process.platform },
    sessions: new SessionRegistry({ maxLive: 4, maxLivePerOwner: 2, maxClosed: 2 }),
    profiles: await ProfileStore.open({ filePath: profilesPath }),
    profilesPath,
  });
  echo = dgram.createSocket('udp4');
  echo.on('message', (msg, rinfo) => echo.send(msg, rinfo.port, rinfo.address));
  await new Promise<void>((resolve) => echo.bind(0, '127.0.0.1', resolve));
  echoPort = echo.address().port;
});

afterEach(async () => {
  await service.shutdown();
  await new Promise<void>((resolve) => echo.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

interface Client {
  ctx: ClientContext;
  events: Array<{ event: EventChannel; payload: unknown }>;
  call<C extends CallChannel>(channel: C, arg: CallArg<C>): Promise<Result<CallValue<C>>>;
  updates(id: string): Array<EventPayload<'datagram:update'>>;
  status(id: string): DatagramSessionStatus | undefined;
}

function attach(): Client {
  const events: Array<{ event: EventChannel; payload: unknown }> = [];
  const ctx = service.attachClient({ alive: true, send: (event, payload) => events.push({ event, payload }) });
  const dispatch = createClientDispatch(service.handlers, CALL_SCHEMAS, ctx);
  const updates = (id: string): Array<EventPayload<'datagram:update'>> =>
    events.filter((e) => e.event === 'datagram:update').map((e) => e.payload as EventPayload<'datagram:update'>).filter((u) => u.id === id);
  return { ctx, events, call: (c, a) => dispatch(c, a) as never, updates, status: (id) => updates(id).at(-1)?.status };
}

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

async function openUdp(c: Client, extra: Partial<CallArg<'datagram:open'>> = {}): Promise<string> {
  const { id } = value(await c.call('datagram:open', { host: '127.0.0.1', port: echoPort, ...extra }));
  await until(() => c.status(id)?.phase === 'open', 'the datagram session to open');
  return id;
}

describe('datagram channels', () => {
  it('sends three times on one socket and delivers the three replies whole, in order, once each', async () => {
    const c = attach();
    const id = await openUdp(c);
    for (const text of ['one', 'two', 'three']) {
      expect(value(await c.call('datagram:send', { id, data: new TextEncoder().encode(text) })).bytesSent).toBe(text.length);
    }
    await until(() => c.updates(id).flatMap((u) => u.datagrams).length === 3, 'three replies');
    const got = c.updates(id).flatMap((u) => u.datagrams);
    expect(got.map((d) => d.record.seq)).toEqual([1, 2, 3]);
    expect(got.map((d) => Buffer.from(d.bytes).toString())).toEqual(['one', 'two', 'three']);
    await until(() => c.status(id)?.datagramsSent === 3, 'the sent count');
    expect(c.status(id)).toMatchObject({ kind: 'datagram', datagramsSent: 3, bytesSent: 11, datagramsReceived: 3, bytesReceived: 11 });
  });

  it('names the field of a bad host or local port before creating anything', async () => {
    const c = attach();
    const bad = await c.call('datagram:open', { host: 'a b', port: echoPort });
    expect(!bad.ok && bad.error).toMatchObject({ code: 'INVALID_INPUT', field: 'host' });
    const badLocal = await c.call('datagram:open', { host: '127.0.0.1', port: echoPort, localPort: 70_000 });
    expect(!badLocal.ok && badLocal.error).toMatchObject({ code: 'INVALID_INPUT', field: 'localPort' });
    expect(c.events).toEqual([]);
  });

  it('closes with session:close (closed-by-us) and cancels with session:cancel', async () => {
    const c = attach();
    const a = await openUdp(c);
    value(await c.call('session:close', { id: a }));
    await until(() => c.status(a)?.phase === 'closed', 'closed');
    expect(c.status(a)?.outcome).toBe('closed-by-us');
    const b = await openUdp(c);
    value(await c.call('session:cancel', { id: b }));
    await until(() => c.status(b)?.phase === 'closed', 'cancelled');
    expect(c.status(b)?.outcome).toBe('cancelled');
    value(await c.call('session:discard', { id: b }));
    const after = await c.call('datagram:send', { id: b, data: new Uint8Array(1) });
    expect(!after.ok && after.error.code).toBe('UNKNOWN_SESSION');
  });

  it('counts against the per-client share of the session limit, together with stream sessions', async () => {
    const c = attach();
    await openUdp(c);
    await openUdp(c);
    const third = await c.call('datagram:open', { host: '127.0.0.1', port: echoPort });
    expect(!third.ok && third.error.code).toBe('SESSION_LIMIT');
    expect((await attach().call('datagram:open', { host: '127.0.0.1', port: echoPort })).ok).toBe(true);
  });

  it('ends with count-reached after maxDatagrams replies', async () => {
    const c = attach();
    const id = await openUdp(c, { maxDatagrams: 2 });
    for (let i = 0; i < 3; i++) await c.call('datagram:send', { id, data: new Uint8Array([i]) });
    await until(() => c.status(id)?.phase === 'closed', 'count reached');
    expect(c.status(id)).toMatchObject({ outcome: 'count-reached', datagramsReceived: 2 });
  });

  it('joins and leaves a multicast group and sets broadcast, reporting groups in the status', async () => {
    const c = attach();
    const id = await openUdp(c, { mode: 'from-anyone' });
    const joined = await c.call('datagram:join', { id, group: '239.255.7.7', interface: '127.0.0.1' });
    if (!joined.ok) {
      // Some hosts have no multicast route on loopback; the refusal is still data with a code.
      expect(joined.error.code).toMatch(/^[A-Z_]+$/);
      return;
    }
    await until(() => (c.status(id)?.groups ?? []).length === 1, 'the group in the status');
    value(await c.call('datagram:leave', { id, group: '239.255.7.7', interface: '127.0.0.1' }));
    await until(() => (c.status(id)?.groups ?? []).length === 0, 'the group gone');
    value(await c.call('datagram:set-broadcast', { id, on: true }));
    await until(() => c.status(id)?.broadcast === true, 'broadcast on');
  });

  it('tells the client when its closed datagram session is evicted', async () => {
    const c = attach();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await openUdp(c);
      await c.call('datagram:send', { id, data: new Uint8Array([i]) });
      await until(() => c.status(id)?.datagramsReceived === 1, 'a reply');
      value(await c.call('session:close', { id }));
      await until(() => c.status(id)?.phase === 'closed', 'closed');
      ids.push(id);
    }
    await until(() => c.events.some((e) => e.event === 'session:evicted'), 'an eviction');
    const evicted = c.events.find((e) => e.event === 'session:evicted')!.payload as EventPayload<'session:evicted'>;
    expect(evicted.id).toBe(ids[0]);
  });
});
