/**
 * Listen mode through the app service: `listener:*` channels driven through the guarded dispatcher,
 * against clients no one here wrote (nc, curl, python3 sockets) and Node clients for the rest. Each
 * accepted client is a stream session of the calling window, outside the registry's live limits.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { spawn } from 'node:child_process';
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
import type { ListenerClientView, ResponderSpec } from '../../shared/listener.ts';
import { delay, listen, until } from './engine/loopback.ts';

let dir: string;
let service: AppService;
let registry: SessionRegistry;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'st-listener-svc-'));
  const profilesPath = join(dir, 'profiles.json');
  // Live limits far below the clients the tests connect: listener clients must not count.
  registry = new SessionRegistry({ maxLive: 4, maxLivePerOwner: 2, maxClosed: 2 });
  service = new AppService({
    info: { name: 'test', version: '0', host: 'web', platform: process.platform },
    sessions: registry,
    profiles: await ProfileStore.open({ filePath: profilesPath }),
    profilesPath,
  });
});

afterEach(async () => {
  await service.shutdown();
  await rm(dir, { recursive: true, force: true });
});

interface Client {
  ctx: ClientContext;
  events: Array<{ event: EventChannel; payload: unknown }>;
  call<C extends CallChannel>(channel: C, arg: CallArg<C>): Promise<Result<CallValue<C>>>;
  /** The client table as the page would hold it from the updates so far. */
  rows(id: string): Map<number, ListenerClientView>;
  updates(id: string): Array<EventPayload<'listener:update'>>;
}

function attach(): Client {
  const events: Array<{ event: EventChannel; payload: unknown }> = [];
  const sink = { alive: true, send: (event: EventChannel, payload: unknown) => events.push({ event, payload }) };
  const ctx = service.attachClient(sink as never);
  const dispatch = createClientDispatch(service.handlers, CALL_SCHEMAS, ctx, { perSecond: 10_000, burst: 10_000 });
  const updates = (id: string): Array<EventPayload<'listener:update'>> =>
    events.filter((e) => e.event === 'listener:update').map((e) => e.payload as EventPayload<'listener:update'>).filter((u) => u.id === id);
  const rows = (id: string): Map<number, ListenerClientView> => {
    const table = new Map<number, ListenerClientView>();
    for (const u of updates(id)) {
      for (const c of u.clients) table.set(c.clientId, c);
      for (const d of u.dropped) table.delete(d);
    }
    return table;
  };
  return { ctx, events, call: (c, a) => dispatch(c, a) as never, rows, updates };
}

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

const RULES: ResponderSpec = {
  kind: 'rules',
  framing: { kind: 'line' },
  rules: [
    { match: { kind: 'exact', value: 'PING' }, reply: { mode: 'escapes', value: '+PONG\\r\\n' }, delayMs: 0, close: false },
    { match: { kind: 'regex', value: '^GET (\\S+)' }, reply: { mode: 'escapes', value: 'HTTP/1.0 200 OK\\r\\nContent-Length: 9\\r\\n\\r\\nyou: ${1}\\n' }, delayMs: 0, close: true },
    { match: { kind: 'prefix', value: 'BYE' }, reply: null, delayMs: 0, close: true },
  ],
};

async function startTcp(c: Client, extra: Partial<CallArg<'listener:start'>> = {}): Promise<{ id: string; port: number }> {
  const v = value(await c.call('listener:start', { transport: 'tcp', host: '127.0.0.1', port: 0, responder: RULES, ...extra }));
  expect(v.port).toBeGreaterThan(0);
  expect(v.loopback).toBe(true);
  return v;
}

/** Runs a program to its end, with stdin text; bounded by the test timeout. */
function run(cmd: string, args: string[], input: string | null): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== null) child.stdin.end(input);
  });
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => resolve(s));
    s.once('error', reject);
  });
}

describe('listener channels', () => {
  it('answers nc by a rule and reports the client that closed first as closed by the peer, with its bytes', async () => {
    const c = attach();
    const { id, port } = await startTcp(c);
    // netcat-openbsd: -N sends our FIN once stdin ends; nc then prints what arrives until the server's FIN.
    const nc = await run('nc', ['-N', '127.0.0.1', String(port)], 'PING\r\n');
    expect(nc.code).toBe(0);
    expect(nc.stdout).toBe('+PONG\r\n');
    await until(() => c.rows(id).get(1)?.phase === 'closed', 'the nc client to be closed in the table');
    const row = c.rows(id).get(1)!;
    expect(row.outcome).toBe('peer-closed');
    expect(row).toMatchObject({ bytesIn: 6, bytesOut: 7, remoteEnded: true, localEnded: true, address: '127.0.0.1' });
    expect(row.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    await until(() => c.updates(id).at(-1)?.stats.ruleHits[0] === 1, 'the rule counter');
  });

  it('answers curl with a regex rule that closes, and curl gets exactly that reply', async () => {
    const c = attach();
    const { id, port } = await startTcp(c);
    const curl = await run('curl', ['-sS', '--max-time', '10', `http://127.0.0.1:${port}/status?x=1`], null);
    expect(curl.stderr).toBe('');
    expect(curl.code).toBe(0);
    expect(curl.stdout).toBe('you: /sta');
    await until(() => c.rows(id).get(1)?.phase === 'closed', 'the curl client to be closed');
    expect(c.rows(id).get(1)!.outcome).toBe('closed-by-us');
    expect(c.updates(id).at(-1)!.stats.ruleHits).toEqual([0, 1, 0]);
  });

  it('takes more clients than the registry allows sessions, refuses past maxClients, and leaves outgoing sessions their slots', async () => {
    const c = attach();
    const { id, port } = await startTcp(c, { maxClients: 6 });
    const sockets = await Promise.all(Array.from({ length: 6 }, () => connect(port)));
    await until(() => c.rows(id).size === 6, 'six clients in the table');
    const extra = await connect(port);
    extra.on('error', () => undefined);
    // Refused: closed at once (half-open allowed here, so its FIN shows as 'end').
    await new Promise((r) => {
      extra.once('end', r);
      extra.once('close', r);
    });
    extra.destroy();
    await until(() => c.updates(id).at(-1)?.stats.refused === 1, 'the refused count');
    expect(c.updates(id).some((u) => u.refused?.reason.includes('max clients (6)'))).toBe(true);
    // The window's own sessions are untouched by six listener clients (its share is 2 here).
    const server = await listen(() => undefined);
    try {
      const a = value(await c.call('session:open', { host: '127.0.0.1', port: server.port }));
      const b = value(await c.call('session:open', { host: '127.0.0.1', port: server.port }));
      expect(a.id).not.toBe(b.id);
      expect(registry.stats().live).toBe(2);
    } finally {
      for (const s of sockets) s.destroy();
      await server.close();
    }
  });

  it('sends to one client and to all, half-closes, closes and resets clients (python3 peers)', async () => {
    const c = attach();
    const { id, port } = await startTcp(c, { responder: { kind: 'off' } });
    // Each peer prints what it reads, then how the connection ended.
    const py = `
import socket, sys
s = socket.create_connection(('127.0.0.1', ${port}))
s.sendall(b'hello\\n')
got = b''
try:
    while True:
        d = s.recv(65536)
        if not d:
            print('EOF', repr(got)); break
        got += d
except ConnectionResetError:
    print('RESET', repr(got))
sys.stdout.flush()
`;
    const peers = [run('python3', ['-c', py], null), run('python3', ['-c', py], null), run('python3', ['-c', py], null)];
    await until(() => [...c.rows(id).values()].filter((r) => r.bytesIn === 6).length === 3, 'three python clients that said hello');
    const one = value(await c.call('listener:send', { id, clientId: 2, data: enc('just you;') }));
    expect(one).toEqual({ clients: 1, bytesSent: 9 });
    const all = value(await c.call('listener:send', { id, clientId: null, data: enc('everyone;') }));
    expect(all).toEqual({ clients: 3, bytesSent: 27 });
    value(await c.call('listener:end-client', { id, clientId: 1, how: 'half-close' }));
    value(await c.call('listener:end-client', { id, clientId: 2, how: 'close' }));
    value(await c.call('listener:end-client', { id, clientId: 3, how: 'reset' }));
    const outputs = (await Promise.all(peers)).map((p) => p.stdout.trim()).sort();
    expect(outputs).toEqual(["EOF b'everyone;'", "EOF b'just you;everyone;'", "RESET b'everyone;'"]);
    await until(() => [...c.rows(id).values()].every((r) => r.phase === 'closed'), 'every client closed');
    const rows = c.rows(id);
    // Client 1: we half-closed, python closed after our FIN: the peer ended it.
    expect(rows.get(1)!.outcome).toBe('peer-closed');
    expect(rows.get(2)!.outcome).toBe('closed-by-us');
    expect(rows.get(3)!.outcome).toBe('cancelled');
    expect(rows.get(2)!.bytesOut).toBe(18);
    // A client that has gone is named as such.
    const gone = await c.call('listener:send', { id, clientId: 2, data: enc('x') });
    expect(gone.ok ? 'ok' : gone.error.code).toBe('UNKNOWN_SESSION');
  });

  it('shows a watched client from its first byte through session:update, then live, and the session channels work on it', async () => {
    const c = attach();
    const { id, port } = await startTcp(c, { responder: { kind: 'echo' } });
    const s = await connect(port);
    s.on('data', () => undefined);
    s.write('before watching;');
    await until(() => c.rows(id).get(1)?.bytesIn === 16 && c.rows(id).get(1)?.bytesOut === 16, 'the first bytes and their echo');
    const { sessionId } = value(await c.call('listener:watch', { id, clientId: 1 }));
    expect(sessionId).toBe(c.rows(id).get(1)!.sessionId);
    s.write('after;');
    const received = (): string =>
      c.events
        .filter((e) => e.event === 'session:update' && (e.payload as { id: string }).id === sessionId)
        .map((e) => e.payload as EventPayload<'session:update'>)
        .map((u) => (u.data ? dec(u.data) : ''))
        .join('');
    await until(() => received() === 'before watching;after;', 'the replayed and the live bytes');
    const first = c.events.find((e) => e.event === 'session:update' && (e.payload as { id: string }).id === sessionId)!.payload as EventPayload<'session:update'>;
    expect(first.dataOffset).toBe(0);
    expect(first.transcript.some((t) => t.kind === 'received')).toBe(true);
    // The echo main sent before the watch began comes with its first bytes, at its offset.
    expect(first.sentHeads?.map((h) => [h.offset, dec(h.head)])).toEqual([[0, 'before watching;']]);
    // The client is a session of this window: session:send reaches it.
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    value(await c.call('session:send', { id: sessionId!, data: enc('via session:send'), halfClose: false }));
    await until(() => Buffer.concat(got).toString().includes('via session:send'), 'the session:send bytes');
    // Another window sees neither the listener nor the client's session.
    const other = attach();
    const r1 = await other.call('listener:watch', { id, clientId: 1 });
    const r2 = await other.call('session:send', { id: sessionId!, data: enc('x'), halfClose: false });
    expect([r1.ok ? 'ok' : r1.error.code, r2.ok ? 'ok' : r2.error.code]).toEqual(['UNKNOWN_SESSION', 'UNKNOWN_SESSION']);
    s.destroy();
  });

  it('tests rules without a client, and replaces the responder of a live listener', async () => {
    const c = attach();
    const t = value(await c.call('listener:test', { responder: RULES, sample: enc('PING\r\nGET /a b\r\nnothing\r\nBY') }));
    expect(t.verdicts.map((v) => v.rule)).toEqual([0, 1, null]);
    expect(dec(t.verdicts[0]!.reply!)).toBe('+PONG\r\n');
    expect(t.verdicts[1]!.captures.map((x) => (x ? dec(x) : null))).toEqual(['GET /a', '/a']);
    expect(t.verdicts[1]!.close).toBe(true);
    expect(t.leftover).toBe(2);
    const bad = await c.call('listener:test', { responder: { kind: 'rules', framing: { kind: 'line' }, rules: [{ match: { kind: 'regex', value: '(a' }, reply: null, delayMs: 0, close: false }] }, sample: enc('a') });
    expect(bad.ok ? 'ok' : [bad.error.code, bad.error.field]).toEqual(['INVALID_INPUT', 'rules[0].match.regex']);

    const { id, port } = await startTcp(c);
    const s = await connect(port);
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    s.write('PING\n');
    await until(() => Buffer.concat(got).toString() === '+PONG\r\n', 'the rule reply');
    value(await c.call('listener:set-responder', { id, responder: { kind: 'echo' } }));
    s.write('echo me');
    await until(() => Buffer.concat(got).toString() === '+PONG\r\necho me', 'the echo of the new responder');
    const invalid = await c.call('listener:set-responder', { id, responder: { kind: 'rules', framing: { kind: 'length', length: 0 }, rules: RULES.kind === 'rules' ? RULES.rules : [] } });
    expect(invalid.ok ? 'ok' : invalid.error.field).toBe('responder.framing.length');
    s.destroy();
  });

  it('coalesces a flooding client into a bounded number of updates with exact byte counts', async () => {
    const c = attach();
    const { id, port } = await startTcp(c, { responder: { kind: 'off' } });
    const s = await connect(port);
    const t0 = performance.now();
    const chunk = Buffer.alloc(100, 0x61);
    for (let i = 0; i < 5000; i++) {
      if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
      if (i % 500 === 0) await delay(1);
    }
    await until(() => c.rows(id).get(1)?.bytesIn === 500_000, 'every byte counted');
    const seconds = (performance.now() - t0) / 1000;
    // About 10 a second, plus the first and a few for phase changes.
    expect(c.updates(id).length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 5);
    s.destroy();
  });

  it('stops a window’s listeners when the window goes away, freeing the port', async () => {
    const c = attach();
    const { port } = await startTcp(c);
    const s = await connect(port);
    s.on('error', () => undefined);
    service.detachClient(c.ctx);
    await until(() => s.destroyed || s.readableEnded, 'the client to be let go');
    await until(() => registry.stats().live === 0, 'no live sessions');
    // The port is free again: a plain server can bind it.
    let bound = false;
    for (let i = 0; i < 50 && !bound; i++) {
      bound = await new Promise<boolean>((resolve) => {
        const srv = net.createServer();
        srv.once('error', () => resolve(false));
        srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
      });
      if (!bound) await delay(100);
    }
    expect(bound).toBe(true);
  });

  it('refuses a non-loopback bind unless asked, naming the bind address field, and stops with its counters', async () => {
    const c = attach();
    const r = await c.call('listener:start', { transport: 'tcp', host: '0.0.0.0', port: 0 });
    expect(r.ok ? 'ok' : [r.error.code, r.error.field]).toEqual(['INVALID_INPUT', 'bindHost']);
    const { id, port } = await startTcp(c);
    const nc = await run('nc', ['-N', '127.0.0.1', String(port)], 'PING\n');
    expect(nc.stdout).toBe('+PONG\r\n');
    const stats = value(await c.call('listener:stop', { id }));
    expect(stats).toMatchObject({ accepted: 1, refused: 0, active: 0, ruleHits: [1, 0, 0] });
    expect(c.updates(id).at(-1)!.phase).toBe('stopped');
    // Stopped, it is still this window's: Stop again answers the same counters, the table stays.
    expect(value(await c.call('listener:stop', { id }))).toEqual(stats);
    expect(value(await c.call('listener:clients', { id })).clients.map((r) => r.outcome)).toEqual(['peer-closed']);
    const gone = await attach().call('listener:stop', { id });
    expect(gone.ok ? 'ok' : gone.error.code).toBe('UNKNOWN_SESSION');
  });
});

describe('watching a client that has gone', () => {
  it('replays a closed client whole: its bytes and its transcript', async () => {
    const c = attach();
    const { id, port } = await startTcp(c);
    const nc = await run('nc', ['-N', '127.0.0.1', String(port)], 'PING\r\n');
    expect(nc.stdout).toBe('+PONG\r\n');
    await until(() => c.rows(id).get(1)?.phase === 'closed', 'the client closed');
    const { sessionId } = value(await c.call('listener:watch', { id, clientId: 1 }));
    await until(() => c.events.some((e) => e.event === 'session:update' && (e.payload as { id: string }).id === sessionId), 'an update');
    const u = c.events.find((e) => e.event === 'session:update')!.payload as EventPayload<'session:update'>;
    expect(u.status.phase).toBe('closed');
    expect(u.data && dec(u.data)).toBe('PING\r\n');
    expect(u.transcript.map((t) => t.kind)).toEqual(expect.arrayContaining(['received', 'sent', 'remote-ended', 'closed']));
    expect(u.sentHeads?.map((h) => dec(h.head))).toEqual(['+PONG\r\n']);
  });
});
