/**
 * What `listener:watch` gives a client's views besides its conversation: a TLS client's handshake
 * facts (a plain TCP client: null), and a UDP peer's datagrams (what main kept, then live in
 * `listener:update`'s `watched`), bounded. Through the guarded dispatcher, real sockets on loopback.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppService } from '../../main/app-service.ts';
import { SessionRegistry } from '../../main/engine/session-registry.ts';
import { createClientDispatch } from '../../main/ipc/dispatcher.ts';
import { CALL_SCHEMAS } from '../../main/ipc/schemas.ts';
import { ProfileStore } from '../../main/profiles/profile-store.ts';
import type { CallArg, CallChannel, CallValue, EventChannel, EventPayload } from '../../shared/contract.ts';
import type { Result } from '../../shared/errors.ts';
import { LISTENER_IPC_LIMITS, type ListenerDatagram } from '../../shared/listener.ts';
import { until } from './engine/loopback.ts';

let dir: string;
let service: AppService;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'st-listener-views-'));
  const profilesPath = join(dir, 'profiles.json');
  service = new AppService({
    info: { name: 'test', version: '0', host: 'web', platform: process.platform },
    sessions: new SessionRegistry(),
    profiles: await ProfileStore.open({ filePath: profilesPath }),
    profilesPath,
  });
});

afterEach(async () => {
  await service.shutdown();
  await rm(dir, { recursive: true, force: true });
});

function attach() {
  const events: Array<{ event: EventChannel; payload: unknown }> = [];
  const sink = { alive: true, send: (event: EventChannel, payload: unknown) => events.push({ event, payload }) };
  const ctx = service.attachClient(sink as never);
  const dispatch = createClientDispatch(service.handlers, CALL_SCHEMAS, ctx, { perSecond: 10_000, burst: 10_000 });
  const updates = (id: string): Array<EventPayload<'listener:update'>> =>
    events.filter((e) => e.event === 'listener:update').map((e) => e.payload as EventPayload<'listener:update'>).filter((u) => u.id === id);
  return {
    call: <C extends CallChannel>(channel: C, arg: CallArg<C>): Promise<Result<CallValue<C>>> => dispatch(channel, arg) as never,
    updates,
    /** The watched datagrams that came in updates, in order. */
    watched: (id: string, clientId: number): ListenerDatagram[] => updates(id).flatMap((u) => (u.watched?.clientId === clientId ? u.watched.datagrams : [])),
  };
}

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

const text = (d: ListenerDatagram): string => `${d.direction === 'sent' ? '>' : '<'}${d.seq}:${Buffer.from(d.bytes).toString('latin1')}`;

describe('listener:watch for the TLS view', () => {
  it('answers a TLS client\'s handshake facts, and null for a plain TCP client', async () => {
    const c = attach();
    const secure = value(await c.call('listener:start', { transport: 'tls', host: '127.0.0.1', port: 0, tls: { kind: 'self-signed', requestClientCert: true } }));
    const client = tls.connect({ host: '127.0.0.1', port: secure.port, rejectUnauthorized: false, servername: 'example.test' });
    client.on('error', () => undefined);
    await new Promise((r) => client.once('secureConnect', r));
    await until(() => c.updates(secure.id).some((u) => u.clients.length > 0), 'the TLS client row');
    const watched = value(await c.call('listener:watch', { id: secure.id, clientId: 1 }));
    expect(watched.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(watched.tls).toMatchObject({ protocol: client.getProtocol(), serverNameReceived: 'example.test', clientCertRequested: true, clientChain: [] });
    client.destroy();

    const plain = value(await c.call('listener:start', { transport: 'tcp', host: '127.0.0.1', port: 0 }));
    const s = net.connect(plain.port, '127.0.0.1');
    s.on('error', () => undefined);
    await until(() => c.updates(plain.id).some((u) => u.clients.length > 0), 'the TCP client row');
    expect(value(await c.call('listener:watch', { id: plain.id, clientId: 1 })).tls).toBeNull();
    s.destroy();
    // The argument is still checked strictly: nothing new is accepted on the way in.
    const extra = await c.call('listener:watch', { id: plain.id, clientId: 1, tls: true } as never);
    expect(extra.ok ? 'ok' : extra.error.code).toBe('INVALID_INPUT');
  });
});

describe('listener:watch for a UDP peer', () => {
  it('answers what main kept of the peer both ways, then sends later datagrams once each, in order', async () => {
    const c = attach();
    const l = value(
      await c.call('listener:start', {
        transport: 'udp',
        host: '127.0.0.1',
        port: 0,
        responder: { kind: 'rules', framing: { kind: 'chunk' }, rules: [{ match: { kind: 'exact', value: 'PING' }, reply: { mode: 'text', value: 'PONG' }, delayMs: 0, close: false }] },
      }),
    );
    const peer = dgram.createSocket('udp4');
    const other = dgram.createSocket('udp4');
    try {
      await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
      await new Promise<void>((r) => other.bind(0, '127.0.0.1', () => r()));
      const got: string[] = [];
      peer.on('message', (m) => got.push(m.toString()));
      peer.send('PING', l.port, '127.0.0.1');
      await until(() => got.length === 1, 'the rule reply');
      other.send('not yours', l.port, '127.0.0.1');
      peer.send('second', l.port, '127.0.0.1');
      await until(() => c.updates(l.id).some((u) => u.clients.some((r) => r.clientId === 1 && r.datagramsIn === 2)), 'two datagrams from peer 1');

      const w = value(await c.call('listener:watch', { id: l.id, clientId: 1 }));
      expect(w.sessionId).toBeNull();
      expect(w.datagrams!.map(text)).toEqual(['<1:PING', '>1:PONG', '<2:second']);
      expect(w.datagrams!.every((d) => d.at > 0)).toBe(true);

      // Live: a datagram from the peer, a send to it, and one from another peer (not in the list).
      peer.send('third', l.port, '127.0.0.1');
      other.send('still not yours', l.port, '127.0.0.1');
      value(await c.call('listener:send', { id: l.id, clientId: 1, data: new TextEncoder().encode('to you') }));
      await until(() => c.watched(l.id, 1).length === 2, 'the live datagrams');
      expect(c.watched(l.id, 1).map(text).sort()).toEqual(['<3:third', '>2:to you']);
      await until(() => c.updates(l.id).some((u) => u.clients.some((r) => r.clientId === 1 && r.datagramsOut === 2)), 'the row counts');

      // Watching another peer stops this one's; watching none stops all.
      value(await c.call('listener:watch', { id: l.id, clientId: 2 }));
      peer.send('unwatched', l.port, '127.0.0.1');
      await until(() => c.updates(l.id).some((u) => u.clients.some((r) => r.clientId === 1 && r.datagramsIn === 4)), 'the unwatched datagram counted');
      expect(c.watched(l.id, 1)).toHaveLength(2);
      value(await c.call('listener:watch', { id: l.id, clientId: null }));
    } finally {
      peer.close();
      other.close();
    }
  });

  it('a watch answers at most one update\'s worth, the newest, with the older ones as a gap in seq, also after Stop', async () => {
    const c = attach();
    const l = value(await c.call('listener:start', { transport: 'udp', host: '127.0.0.1', port: 0 }));
    const peer = dgram.createSocket('udp4');
    try {
      await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
      // 40 datagrams of 60,000 bytes: more than one answer carries (udpBytesPerUpdate).
      const big = Buffer.alloc(60_000, 0x61);
      const total = 40;
      const inOf = (): number => Math.max(0, ...c.updates(l.id).flatMap((u) => u.clients.map((r) => r.datagramsIn ?? 0)));
      // A few at a time, each batch counted before the next: a loopback receive buffer holds only a few.
      for (let sent = 0; sent < total; ) {
        for (let i = 0; i < 2 && sent < total; i++, sent++) peer.send(big, l.port, '127.0.0.1');
        const want = sent;
        await until(() => inOf() >= want, `datagram ${want} counted`);
      }
      value(await c.call('listener:stop', { id: l.id }));
      const w = value(await c.call('listener:watch', { id: l.id, clientId: 1 }));
      const kept = w.datagrams!;
      const bytes = kept.reduce((n, d) => n + d.bytes.byteLength, 0);
      expect(bytes).toBeLessThanOrEqual(Math.min(LISTENER_IPC_LIMITS.udpKeptBytes, LISTENER_IPC_LIMITS.udpBytesPerUpdate));
      expect(kept.length).toBeGreaterThan(0);
      // The newest are kept, in order without gaps among themselves; the ones before are missing.
      const seqs = kept.map((d) => d.seq);
      expect(seqs[0]!).toBeGreaterThan(1);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
      expect(seqs.at(-1)).toBe(total);
    } finally {
      peer.close();
    }
  });
});
