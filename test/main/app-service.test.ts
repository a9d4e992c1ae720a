/**
 * Every handler of the service behind the contract, driven as a client drives it: through the
 * guarded dispatcher (schema first, then the handler), against the real engine on loopback and a
 * real profile store in a temporary folder. Nothing of `net` or `fs` is replaced; only the native
 * dialogs (an Electron feature) are a scripted stand-in.
 *
 * For each channel: a bad argument is INVALID_INPUT naming the field and reaches nothing; a session
 * that belongs to another client is UNKNOWN_SESSION (the service's sender rule; the transports check
 * the sender before this: FORBIDDEN for every channel in test/main/electron/ipc-binding.test.ts, a
 * refused WebSocket upgrade in test/main/web/ws-bridge.test.ts); the engine or the store is really
 * asked; and its answer is mapped to the contract's value.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeAppService } from '../../main/app-composition.ts';
import type { AppService, ClientContext, NativeDialogs } from '../../main/app-service.ts';
import { createClientDispatch } from '../../main/ipc/dispatcher.ts';
import { CALL_SCHEMAS } from '../../main/ipc/schemas.ts';
import {
  CALL_CHANNELS,
  type CallArg,
  type CallChannel,
  type CallValue,
  type EventChannel,
  type EventPayload,
  type HostKind,
} from '../../shared/contract.ts';
import type { Result } from '../../shared/errors.ts';
import { PROFILE_FILE_VERSION, type Profile, type ProfileDraft } from '../../shared/profile.ts';
import { SESSION_LIMITS, type SessionStatus } from '../../shared/session.ts';
import { closedPort, echoOnEnd, listen, until, type LoopbackServer } from './engine/loopback.ts';
import { FIXTURES } from './profiles/test-helpers.ts';
import { makeTestCerts, nodeTlsServer, type TestCerts } from './engine/tls-peers.ts';
import { startTlsPeer } from './engine/starttls-peers.ts';

let dir: string;
let profilesPath: string;
let service: AppService;
/** The profile file as the new store created it, to prove a refused call changed nothing. */
let initialProfiles: string;
/** Answers the scripted dialogs give, in order; `asked` records what they were asked. */
let dialogAnswers: { file: Array<string | null>; save: Array<string | null> };
let dialogsAsked: string[];
const servers: LoopbackServer[] = [];

const dialogs: NativeDialogs = {
  pickFileToSend: () => {
    dialogsAsked.push('pickFileToSend');
    return Promise.resolve(dialogAnswers.file.shift() ?? null);
  },
  pickSavePath: (suggestedName) => {
    dialogsAsked.push(`pickSavePath:${suggestedName}`);
    return Promise.resolve(dialogAnswers.save.shift() ?? null);
  },
  pickTlsFile: (purpose) => {
    dialogsAsked.push(`pickTlsFile:${purpose}`);
    return Promise.resolve(dialogAnswers.file.shift() ?? null);
  },
};

async function startService(host: HostKind = 'electron', path = profilesPath): Promise<AppService> {
  return composeAppService({ host, profilesPath: path, ...(host === 'electron' ? { dialogs } : {}) });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'st-svc-'));
  profilesPath = join(dir, 'profiles.json');
  dialogAnswers = { file: [], save: [] };
  dialogsAsked = [];
  service = await startService();
  initialProfiles = await readFile(profilesPath, 'utf8');
});

afterEach(async () => {
  await service.shutdown();
  for (const s of servers.splice(0)) await s.close();
  await rm(dir, { recursive: true, force: true });
});

async function serve(onConnection: (socket: Socket) => void = () => undefined, allowHalfOpen = false): Promise<LoopbackServer> {
  const s = await listen(onConnection, '127.0.0.1', { allowHalfOpen });
  servers.push(s);
  return s;
}

interface TestClient {
  ctx: ClientContext;
  events: Array<{ event: EventChannel; payload: unknown }>;
  /** A typed call, as the renderer makes it. */
  call<C extends CallChannel>(channel: C, arg: CallArg<C>): Promise<Result<CallValue<C>>>;
  /** An untyped call, as a hostile page could make it. */
  raw(channel: string, arg: unknown): Promise<Result<unknown>>;
  updates(id: string): Array<EventPayload<'session:update'>>;
  /** The latest status main pushed for the session. */
  status(id: string): SessionStatus | undefined;
  /** Every received byte main pushed for the session, joined in offset order. */
  received(id: string): Buffer;
  profileChanges(): Profile[][];
}

function attach(on: AppService = service): TestClient {
  const events: Array<{ event: EventChannel; payload: unknown }> = [];
  const ctx = on.attachClient({ alive: true, send: (event, payload) => events.push({ event, payload }) });
  const dispatch = createClientDispatch(on.handlers, CALL_SCHEMAS, ctx);
  const updates = (id: string): Array<EventPayload<'session:update'>> =>
    events.filter((e) => e.event === 'session:update').map((e) => e.payload as EventPayload<'session:update'>).filter((u) => u.id === id);
  return {
    ctx,
    events,
    call: (channel, arg) => dispatch(channel, arg) as never,
    raw: (channel, arg) => dispatch(channel, arg),
    updates,
    status: (id) => updates(id).at(-1)?.status,
    received: (id) => {
      const parts = updates(id).filter((u) => u.data !== null);
      parts.forEach((u, i) => expect(u.dataOffset).toBe(i === 0 ? 0 : parts[i - 1]!.dataOffset + parts[i - 1]!.data!.byteLength));
      return Buffer.concat(parts.map((u) => u.data!));
    },
    profileChanges: () => events.filter((e) => e.event === 'profiles:changed').map((e) => (e.payload as EventPayload<'profiles:changed'>).profiles),
  };
}

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

function errorOf(r: Result<unknown>): { code: string; field?: string; message: string } {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.value)}`);
  return r.error;
}

/** Opens a session to `port` and waits until main reports it open. */
async function openSession(c: TestClient, port: number, extra: Partial<CallArg<'session:open'>> = {}): Promise<string> {
  const { id } = value(await c.call('session:open', { host: '127.0.0.1', port, ...extra }));
  await until(() => c.status(id)?.phase === 'open', 'the session to open');
  return id;
}

async function untilPhase(c: TestClient, id: string, phase: SessionStatus['phase']): Promise<SessionStatus> {
  await until(() => c.status(id)?.phase === phase, `phase ${phase}`);
  return c.status(id)!;
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

const draft = (name: string, overrides: Partial<ProfileDraft> = {}): ProfileDraft => ({
  name,
  folder: null,
  host: '127.0.0.1',
  port: 7,
  payload: { text: 'hi', mode: 'text', encoding: 'utf8', lineEnding: 'lf' },
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 0,
  closeAfterSend: true,
  maxResponseBytes: 1024,
  notes: '',
  ...overrides,
});

async function profilesOnDisk(): Promise<Profile[]> {
  return (JSON.parse(await readFile(profilesPath, 'utf8')) as { profiles: Profile[] }).profiles;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * At least one bad argument per channel with the field the error must name ('' when the argument as
 * a whole is wrong). The mapped type makes a new channel without a case fail to compile.
 */
const BAD_ARGUMENTS: { [C in CallChannel]: Array<[label: string, arg: unknown, field: string]> } = {
  'app:info': [
    ['an unknown key', { verbose: true }, ''],
    ['null', null, ''],
  ],
  'session:open': [
    ['a string port', { host: '127.0.0.1', port: '80' }, 'port'],
    ['a missing host', { port: 80 }, 'host'],
    ['a zero connect timeout', { host: '127.0.0.1', port: 80, connectTimeoutMs: 0 }, 'connectTimeoutMs'],
    ['a fractional idle timeout', { host: '127.0.0.1', port: 80, idleTimeoutMs: 1.5 }, 'idleTimeoutMs'],
    ['a response cap above the limit', { host: '127.0.0.1', port: 80, maxResponseBytes: SESSION_LIMITS.maxResponseBytes + 1 }, 'maxResponseBytes'],
    ['a non-boolean follow flag', { host: '127.0.0.1', port: 80, finishWhenPeerFinishes: 'yes' }, 'finishWhenPeerFinishes'],
    ['a socket option outside the whitelist', { host: '127.0.0.1', port: 80, localAddress: '0.0.0.0' }, ''],
    ['an unknown TLS option', { host: '127.0.0.1', port: 80, tls: { rejectUnauthorized: false } }, 'tls'],
    ['a TLS version Node does not pin', { host: '127.0.0.1', port: 80, tls: { minVersion: 'TLSv1.0' } }, 'tls.minVersion'],
    ['an ALPN list that is not a list', { host: '127.0.0.1', port: 80, tls: { alpn: 'h2' } }, 'tls.alpn'],
    ['an empty ALPN name', { host: '127.0.0.1', port: 80, tls: { alpn: ['h2', ''] } }, 'tls.alpn.1'],
    ['too many ALPN names', { host: '127.0.0.1', port: 80, tls: { alpn: Array.from({ length: 17 }, (_, i) => `p${i}`) } }, 'tls.alpn'],
    ['an overlong passphrase', { host: '127.0.0.1', port: 80, tls: { passphrase: 'p'.repeat(1025) } }, 'tls.passphrase'],
    ['a string verify flag', { host: '127.0.0.1', port: 80, tls: { verify: 'no' } }, 'tls.verify'],
    ['an empty CA path', { host: '127.0.0.1', port: 80, tls: { caFile: '' } }, 'tls.caFile'],
  ],
  'session:ack': [
    ['no list', {}, 'acks'],
    ['a negative offset', { acks: [{ id: 'a', through: -1 }] }, 'acks.0.through'],
    ['a fractional offset', { acks: [{ id: 'a', through: 1.5 }] }, 'acks.0.through'],
    ['an empty id', { acks: [{ id: '', through: 0 }] }, 'acks.0.id'],
    ['too many sessions', { acks: Array.from({ length: 1001 }, () => ({ id: 'a', through: 0 })) }, 'acks'],
  ],
  'session:starttls': [
    ['a missing tls object', { id: 'a' }, 'tls'],
    ['an unknown TLS option', { id: 'a', tls: { ciphers: 'NULL' } }, 'tls'],
    ['a numeric server name', { id: 'a', tls: { serverName: 5 } }, 'tls.serverName'],
    ['an empty id', { id: '', tls: {} }, 'id'],
  ],
  'session:send': [
    ['text instead of bytes', { id: 'a', data: 'hello', halfClose: false }, 'data'],
    ['an array of numbers', { id: 'a', data: [1, 2], halfClose: false }, 'data'],
    ['a missing halfClose', { id: 'a', data: new Uint8Array(1) }, 'halfClose'],
    ['an empty id', { id: '', data: new Uint8Array(1), halfClose: false }, 'id'],
  ],
  'session:send-file': [
    ['a path smuggled in', { id: 'a', halfClose: false, path: '/etc/passwd' }, ''],
    ['a string halfClose', { id: 'a', halfClose: 'no' }, 'halfClose'],
  ],
  'session:half-close': [['an overlong id', { id: 'x'.repeat(101) }, 'id']],
  'session:close': [['a numeric id', { id: 7 }, 'id']],
  'session:cancel': [['a missing id', {}, 'id']],
  'session:discard': [['an array id', { id: ['a'] }, 'id']],
  'dialog:pick-tls-file': [
    ['an unknown purpose', { purpose: 'ssh-key' }, 'purpose'],
    ['a path smuggled in', { purpose: 'ca', path: '/etc/passwd' }, ''],
  ],
  'session:save-response': [
    ['a missing name', { id: 'a' }, 'suggestedName'],
    ['an overlong name', { id: 'a', suggestedName: 'n'.repeat(256) }, 'suggestedName'],
  ],
  'datagram:open': [
    ['a string port', { host: '127.0.0.1', port: '80' }, 'port'],
    ['an unknown mode', { host: '127.0.0.1', port: 80, mode: 'promiscuous' }, 'mode'],
    ['a string local port', { host: '127.0.0.1', port: 80, localPort: '53' }, 'localPort'],
    ['a negative reply window', { host: '127.0.0.1', port: 80, replyWindowMs: -1 }, 'replyWindowMs'],
    ['a zero datagram count', { host: '127.0.0.1', port: 80, maxDatagrams: 0 }, 'maxDatagrams'],
    ['a multicast interface (not offered to the UI)', { host: '127.0.0.1', port: 80, multicastInterface: '0.0.0.0' }, ''],
  ],
  'datagram:send': [
    ['text instead of bytes', { id: 'a', data: 'hello' }, 'data'],
    ['a halfClose (no FIN in UDP)', { id: 'a', data: new Uint8Array(1), halfClose: true }, ''],
  ],
  'datagram:join': [
    ['a missing group', { id: 'a' }, 'group'],
    ['an overlong interface', { id: 'a', group: '239.1.2.3', interface: 'i'.repeat(65) }, 'interface'],
  ],
  'datagram:leave': [['a numeric group', { id: 'a', group: 239 }, 'group']],
  'datagram:set-broadcast': [['a string flag', { id: 'a', on: 'yes' }, 'on']],
  'listener:start': [
    ['an unknown transport', { transport: 'sctp', host: '127.0.0.1', port: 0 }, 'transport'],
    ['a string port', { transport: 'tcp', host: '127.0.0.1', port: '0' }, 'port'],
    ['a socket option outside the whitelist', { transport: 'tcp', host: '127.0.0.1', port: 0, backlog: 1 }, ''],
    ['an unknown responder', { transport: 'tcp', host: '127.0.0.1', port: 0, responder: { kind: 'script' } }, 'responder.kind'],
    ['a rule with an unknown match', { transport: 'tcp', host: '127.0.0.1', port: 0, responder: { kind: 'rules', framing: { kind: 'line' }, rules: [{ match: { kind: 'glob', value: '*' }, reply: null, delayMs: 0, close: false }] } }, 'responder.rules.0.match.kind'],
    ['a TLS path that is empty', { transport: 'tls', host: '127.0.0.1', port: 0, tls: { kind: 'files', certFile: '', keyFile: 'k' } }, 'tls.certFile'],
  ],
  'listener:stop': [['a missing id', {}, 'id']],
  'listener:clients': [['a numeric id', { id: 1 }, 'id']],
  'listener:send': [
    ['text instead of bytes', { id: 'a', clientId: 1, data: 'hi' }, 'data'],
    ['a zero client id', { id: 'a', clientId: 0, data: new Uint8Array(1) }, 'clientId'],
  ],
  'listener:end-client': [['an unknown way to end', { id: 'a', clientId: 1, how: 'kill' }, 'how']],
  'listener:set-responder': [['a missing responder', { id: 'a' }, 'responder']],
  'listener:test': [
    ['text instead of a sample', { responder: { kind: 'echo' }, sample: 'PING' }, 'sample'],
    ['a sample over 64 KiB', { responder: { kind: 'echo' }, sample: new Uint8Array(64 * 1024 + 1) }, 'sample'],
  ],
  'listener:watch': [['a fractional client id', { id: 'a', clientId: 1.5 }, 'clientId']],
  'profiles:state': [['an unknown key', { path: '/tmp' }, '']],
  'profiles:list': [['a string', 'all', '']],
  'profiles:create': [
    ['an empty name', { draft: draft('') }, 'draft.name'],
    ['a port out of range', { draft: draft('P', { port: 70_000 }) }, 'draft.port'],
    ['an unknown draft key', { draft: { ...draft('P'), script: 'alert(1)' } }, 'draft'],
    ['an unknown payload mode', { draft: draft('P', { payload: { text: '', mode: 'base64' as never, encoding: 'utf8', lineEnding: 'lf' } }) }, 'draft.payload.mode'],
  ],
  'profiles:update': [
    ['a missing draft', { id: 'p' }, 'draft'],
    ['a host with a space', { id: 'p', draft: draft('P', { host: 'a b' }) }, 'draft.host'],
  ],
  'profiles:rename': [['a numeric name', { id: 'p', name: 5 }, 'name']],
  'profiles:duplicate': [['an empty id', { id: '' }, 'id']],
  'profiles:delete': [['a null id', { id: null }, 'id']],
  'profiles:restore': [
    ['a negative index', { profile: { ...draft('P'), id: 'p1', revision: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' }, index: -1 }, 'index'],
    ['an id with a slash', { profile: { ...draft('P'), id: '../p', revision: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' }, index: 0 }, 'profile.id'],
  ],
  'profiles:import-preview': [['a missing file name', { text: '{}' }, 'fileName']],
  'profiles:import': [['an unknown duplicate policy', { text: '{}', fileName: 'a.json', onDuplicate: 'merge' }, 'onDuplicate']],
  'profiles:export': [
    ['ids missing (null must be explicit)', {}, 'ids'],
    ['an empty id in the list', { ids: ['ok', ''] }, 'ids.1'],
  ],
  'conversation:check': [
    ['a missing yaml', {}, 'yaml'],
    ['a yaml above the file limit', { yaml: 'x'.repeat(1024 * 1024 + 1) }, 'yaml'],
    ['a macro as a variable', { yaml: 'a', variables: { counter: '1' } }, 'variables.counter'],
  ],
  'conversation:run': [
    ['a numeric yaml', { yaml: 5 }, 'yaml'],
    ['a variable that is not text', { yaml: 'a', variables: { key: 5 } }, 'variables.key'],
    ['an unknown key', { yaml: 'a', target: { host: 'x' } }, ''],
  ],
  'conversation:cancel': [['an empty run id', { runId: '' }, 'runId']],
};

describe('guards: every channel', () => {
  it('has a handler and a schema for exactly the contract\'s channels', () => {
    expect(Object.keys(service.handlers).sort()).toEqual([...CALL_CHANNELS].sort());
    expect(Object.keys(CALL_SCHEMAS).sort()).toEqual([...CALL_CHANNELS].sort());
  });

  it.each(CALL_CHANNELS.flatMap((channel) => BAD_ARGUMENTS[channel].map(([label, arg, field]) => [channel, label, arg, field] as const)))(
    '%s refuses %s as INVALID_INPUT naming the field, touching nothing',
    async (channel, _label, arg, field) => {
      const peer = await serve();
      const c = attach();
      // The arguments above that name a port use 80; point them at the live peer instead, so a
      // guard that let them through would show up as an accepted connection.
      const aimed = arg && typeof arg === 'object' && 'port' in arg && (arg as { port: unknown }).port === 80 ? { ...arg, port: peer.port } : arg;
      const error = errorOf(await c.raw(channel, aimed));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.field).toBe(field === '' ? undefined : field);
      expect(error.message).toContain(channel);
      expect(peer.accepted).toHaveLength(0);
      expect(dialogsAsked).toEqual([]);
      expect(c.events).toEqual([]);
      expect(await readFile(profilesPath, 'utf8')).toBe(initialProfiles);
    },
  );
});

describe('app:info', () => {
  it('answers the name, version and host it was composed with', async () => {
    const info = value(await attach().call('app:info', {}));
    expect(info).toEqual({
      name: 'Socket Tester',
      version: process.env['npm_package_version'] ?? '0.0.0-dev',
      host: 'electron',
      platform: process.platform,
    });
    const web = await startService('web', join(dir, 'web-profiles.json'));
    try {
      expect(value(await attach(web).call('app:info', {})).host).toBe('web');
    } finally {
      await web.shutdown();
    }
  });
});

describe('session:open', () => {
  it('connects to the peer and pushes its status to the client that opened it, only', async () => {
    const peer = await serve();
    const a = attach();
    const b = attach();
    const { id } = value(await a.call('session:open', { host: '127.0.0.1', port: peer.port }));
    expect(id).toMatch(UUID);
    const open = await untilPhase(a, id, 'open');
    expect(open).toMatchObject({ id, host: '127.0.0.1', port: peer.port, remoteAddress: '127.0.0.1', remoteFamily: 4, outcome: null });
    await until(() => peer.accepted.length === 1, 'the peer to accept');
    expect(peer.accepted[0]!.remotePort).toBe(open.localPort);
    expect(b.events).toEqual([]);
  });

  it('names the host or port field and opens nothing when the endpoint is wrong', async () => {
    const peer = await serve();
    const c = attach();
    const badHost = errorOf(await c.call('session:open', { host: 'no spaces allowed', port: peer.port }));
    expect(badHost).toMatchObject({ code: 'INVALID_INPUT', field: 'host' });
    const badPort = errorOf(await c.call('session:open', { host: '127.0.0.1', port: 0 }));
    expect(badPort).toMatchObject({ code: 'INVALID_INPUT', field: 'port' });
    const tooHigh = errorOf(await c.call('session:open', { host: '127.0.0.1', port: 65_536 }));
    expect(tooHigh).toMatchObject({ code: 'INVALID_INPUT', field: 'port' });
    await new Promise((r) => setTimeout(r, 50));
    expect(peer.accepted).toHaveLength(0);
    expect(c.events).toEqual([]);
  });

  it('accepts a port written in the host field', async () => {
    const peer = await serve();
    const c = attach();
    const { id } = value(await c.call('session:open', { host: `127.0.0.1:${peer.port}`, port: peer.port }));
    expect((await untilPhase(c, id, 'open')).port).toBe(peer.port);
  });

  it('reports a refused connection as a closed session with the engine\'s error', async () => {
    const port = await closedPort();
    const c = attach();
    const { id } = value(await c.call('session:open', { host: '127.0.0.1', port }));
    const closed = await untilPhase(c, id, 'closed');
    expect(closed.outcome).toBe('error');
    expect(closed.error?.code).toBe('REFUSED');
  });

  it('follows the peer\'s FIN by default, so a peer that ends means "closed by peer"', async () => {
    const peer = await serve((s) => s.end('bye'), true);
    const c = attach();
    const { id } = value(await c.call('session:open', { host: '127.0.0.1', port: peer.port }));
    const closed = await untilPhase(c, id, 'closed');
    expect(closed).toMatchObject({ outcome: 'peer-closed', remoteEnded: true, localEnded: true, bytesReceived: 3 });
    expect(c.received(id).toString()).toBe('bye');
  });

  it('keeps our side writable after the peer\'s FIN when finishWhenPeerFinishes is off (F15)', async () => {
    const got: Buffer[] = [];
    const peer = await serve((s) => {
      s.on('data', (d: Buffer) => got.push(d));
      s.end('half');
    }, true);
    const c = attach();
    const { id } = value(await c.call('session:open', { host: '127.0.0.1', port: peer.port, finishWhenPeerFinishes: false }));
    await until(() => c.status(id)?.remoteEnded === true, 'the peer\'s FIN');
    // Give the policy (were it wrongly on) a chance to act before checking it did not.
    await new Promise((r) => setTimeout(r, 50));
    expect(c.status(id)).toMatchObject({ phase: 'open', remoteEnded: true, localEnded: false });
    expect(value(await c.call('session:send', { id, data: bytes('still here'), halfClose: false })).bytesSent).toBe(10);
    await until(() => Buffer.concat(got).toString() === 'still here', 'the peer to receive');
  });

  it('passes the response cap to the engine, which ends the session at it', async () => {
    const peer = await serve((s) => s.write(Buffer.alloc(4096, 0x41)));
    const c = attach();
    const { id } = value(await c.call('session:open', { host: '127.0.0.1', port: peer.port, maxResponseBytes: 1000 }));
    const closed = await untilPhase(c, id, 'closed');
    expect(closed.outcome).toBe('limit-reached');
    expect(closed.bytesReceived).toBe(1000);
    expect(c.received(id)).toHaveLength(1000);
  });

  it('refuses a session past the window\'s share of the live limit with SESSION_LIMIT and opens nothing more', async () => {
    const peer = await serve();
    const c = attach();
    const share = SESSION_LIMITS.maxSessionsPerClient;
    for (let i = 0; i < share; i += 1) value(await c.call('session:open', { host: '127.0.0.1', port: peer.port }));
    await until(() => peer.accepted.length === share, 'every session to connect');
    const refused = errorOf(await c.call('session:open', { host: '127.0.0.1', port: peer.port }));
    expect(refused.code).toBe('SESSION_LIMIT');
    await new Promise((r) => setTimeout(r, 50));
    expect(peer.accepted).toHaveLength(share);
    // Another window still gets its own share.
    expect((await attach().call('session:open', { host: '127.0.0.1', port: peer.port })).ok).toBe(true);
  });
});

/** The ownership rule every per-session channel shares: not yours (or never existed) = UNKNOWN_SESSION. */
describe.each([
  ['session:send', (id: string) => ({ id, data: bytes('x'), halfClose: false })],
  ['session:starttls', (id: string) => ({ id, tls: {} })],
  ['session:send-file', (id: string) => ({ id, halfClose: false })],
  ['session:half-close', (id: string) => ({ id })],
  ['session:close', (id: string) => ({ id })],
  ['session:cancel', (id: string) => ({ id })],
  ['session:discard', (id: string) => ({ id })],
  ['session:save-response', (id: string) => ({ id, suggestedName: 'r.bin' })],
  ['datagram:send', (id: string) => ({ id, data: bytes('x') })],
  ['datagram:join', (id: string) => ({ id, group: '239.1.2.3' })],
  ['datagram:leave', (id: string) => ({ id, group: '239.1.2.3' })],
  ['datagram:set-broadcast', (id: string) => ({ id, on: true })],
] as const)('%s ownership', (channel, argFor) => {
  it('answers UNKNOWN_SESSION for another client\'s session and for an id that never existed, and leaves the session alone', async () => {
    const received: Buffer[] = [];
    const peer = await serve((s) => s.on('data', (d: Buffer) => received.push(d)));
    const owner = attach();
    const other = attach();
    const id = await openSession(owner, peer.port);
    for (const target of [id, '00000000-0000-4000-8000-000000000000']) {
      const error = errorOf(await other.raw(channel, argFor(target)));
      expect(error.code).toBe('UNKNOWN_SESSION');
      expect(error.message).toContain(target);
    }
    expect(dialogsAsked).toEqual([]);
    await new Promise((r) => setTimeout(r, 50));
    expect(owner.status(id)).toMatchObject({ phase: 'open', localEnded: false, bytesSent: 0 });
    expect(received).toEqual([]);
    expect(other.events).toEqual([]);
    // The owner still reaches it.
    expect(value(await owner.call('session:send', { id, data: bytes('mine'), halfClose: false })).bytesSent).toBe(4);
  });
});

describe('session:send', () => {
  it('sends the exact bytes, half-closes when asked, and maps the engine\'s result', async () => {
    const peer = await echoOnEnd();
    servers.push(peer);
    const c = attach();
    const id = await openSession(c, peer.port);
    const payload = new Uint8Array([0x00, 0xff, 0x0d, 0x0a, 0x41]);
    expect(await c.call('session:send', { id, data: payload, halfClose: false })).toEqual({ ok: true, value: { sendId: 1, bytesSent: 5 } });
    expect(await c.call('session:send', { id, data: bytes('!'), halfClose: true })).toEqual({ ok: true, value: { sendId: 2, bytesSent: 1 } });
    const closed = await untilPhase(c, id, 'closed');
    expect(closed).toMatchObject({ outcome: 'peer-closed', bytesSent: 6, localEnded: true });
    expect([...c.received(id)]).toEqual([...bytes('got:'), 0x00, 0xff, 0x0d, 0x0a, 0x41, 0x21]);
  });

  it('answers NOT_CONNECTED once the session has closed', async () => {
    const peer = await serve();
    const c = attach();
    const id = await openSession(c, peer.port);
    value(await c.call('session:cancel', { id }));
    await untilPhase(c, id, 'closed');
    expect(errorOf(await c.call('session:send', { id, data: bytes('late'), halfClose: false })).code).toBe('NOT_CONNECTED');
  });
});

describe('session:send-file', () => {
  it('streams the file the dialog picked and names it in the result', async () => {
    const got: Buffer[] = [];
    const peer = await serve((s) => s.on('data', (d: Buffer) => got.push(d)), true);
    const file = join(dir, 'request.bin');
    const content = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    await writeFile(file, content);
    dialogAnswers.file.push(file);
    const c = attach();
    const id = await openSession(c, peer.port);
    const sent = value(await c.call('session:send-file', { id, halfClose: true }));
    expect(sent).toEqual({ sendId: 1, bytesSent: content.length, fileName: 'request.bin' });
    expect(dialogsAsked).toEqual(['pickFileToSend']);
    await until(() => Buffer.concat(got).length === content.length, 'the peer to receive the file');
    expect(Buffer.concat(got).equals(content)).toBe(true);
    await until(() => c.status(id)?.localEnded === true, 'our FIN');
  });

  it('answers null when the dialog is cancelled, sending nothing', async () => {
    const got: Buffer[] = [];
    const peer = await serve((s) => s.on('data', (d: Buffer) => got.push(d)));
    const c = attach();
    const id = await openSession(c, peer.port);
    expect(await c.call('session:send-file', { id, halfClose: true })).toEqual({ ok: true, value: null });
    await new Promise((r) => setTimeout(r, 50));
    expect(c.status(id)).toMatchObject({ phase: 'open', localEnded: false, bytesSent: 0 });
    expect(got).toEqual([]);
  });

  it('maps a file that cannot be read to FILE_ERROR naming it', async () => {
    const peer = await serve();
    const missing = join(dir, 'gone.bin');
    dialogAnswers.file.push(missing);
    const c = attach();
    const id = await openSession(c, peer.port);
    const error = errorOf(await c.call('session:send-file', { id, halfClose: false }));
    expect(error.code).toBe('FILE_ERROR');
    expect(error.message).toContain(missing);
  });

  it('is UNSUPPORTED in web mode, where the browser sends the file itself', async () => {
    const web = await startService('web', join(dir, 'web-profiles.json'));
    try {
      const peer = await serve();
      const c = attach(web);
      const id = await openSession(c, peer.port);
      expect(errorOf(await c.call('session:send-file', { id, halfClose: false })).code).toBe('UNSUPPORTED');
    } finally {
      await web.shutdown();
    }
  });
});

describe('session:half-close', () => {
  it('sends our FIN without data and keeps reading', async () => {
    let peerSawEnd = false;
    const peer = await serve((s) => {
      s.on('end', () => {
        peerSawEnd = true;
        s.write('after your FIN');
      });
    }, true);
    const c = attach();
    const id = await openSession(c, peer.port);
    expect(await c.call('session:half-close', { id })).toEqual({ ok: true, value: null });
    await until(() => peerSawEnd, 'the peer to see our FIN');
    await until(() => c.received(id).toString() === 'after your FIN', 'the reply after our FIN');
    expect(c.status(id)).toMatchObject({ phase: 'open', localEnded: true, remoteEnded: false, bytesSent: 0 });
  });

  it('answers NOT_CONNECTED for a second half-close', async () => {
    const peer = await serve(() => undefined, true);
    const c = attach();
    const id = await openSession(c, peer.port);
    value(await c.call('session:half-close', { id }));
    expect(errorOf(await c.call('session:half-close', { id })).code).toBe('NOT_CONNECTED');
  });
});

describe('session:close and session:cancel', () => {
  it('close ends gracefully: our FIN, the peer\'s FIN, outcome closed-by-us', async () => {
    const peer = await serve((s) => s.on('end', () => s.end()), true);
    const c = attach();
    const id = await openSession(c, peer.port);
    expect(await c.call('session:close', { id })).toEqual({ ok: true, value: null });
    expect(await untilPhase(c, id, 'closed')).toMatchObject({ outcome: 'closed-by-us', localEnded: true, error: null });
  });

  it('cancel destroys at once: outcome cancelled, the peer sees the connection go', async () => {
    const peer = await serve();
    const c = attach();
    const id = await openSession(c, peer.port);
    await until(() => peer.accepted.length === 1, 'the peer to accept');
    expect(await c.call('session:cancel', { id })).toEqual({ ok: true, value: null });
    expect(await untilPhase(c, id, 'closed')).toMatchObject({ outcome: 'cancelled', error: null });
    await until(() => peer.accepted[0]!.destroyed || peer.accepted[0]!.readableEnded, 'the peer\'s socket to close');
  });

  it('closing an already closed session is ok and changes nothing', async () => {
    const peer = await serve();
    const c = attach();
    const id = await openSession(c, peer.port);
    value(await c.call('session:cancel', { id }));
    const closed = await untilPhase(c, id, 'closed');
    expect(await c.call('session:close', { id })).toEqual({ ok: true, value: null });
    expect(await c.call('session:cancel', { id })).toEqual({ ok: true, value: null });
    await new Promise((r) => setTimeout(r, 50));
    expect(c.status(id)).toEqual(closed);
  });
});

describe('session:discard', () => {
  it('cancels a live session, stops its updates and forgets its id', async () => {
    const peer = await serve();
    const c = attach();
    const id = await openSession(c, peer.port);
    await until(() => peer.accepted.length === 1, 'the peer to accept');
    expect(await c.call('session:discard', { id })).toEqual({ ok: true, value: null });
    await until(() => peer.accepted[0]!.destroyed || peer.accepted[0]!.readableEnded, 'the peer\'s socket to close');
    const updatesAfter = c.updates(id).length;
    await new Promise((r) => setTimeout(r, 100));
    expect(c.updates(id)).toHaveLength(updatesAfter);
    expect(errorOf(await c.call('session:send', { id, data: bytes('x'), halfClose: false })).code).toBe('UNKNOWN_SESSION');
    expect(errorOf(await c.call('session:discard', { id })).code).toBe('UNKNOWN_SESSION');
  });

  it('frees the slot: a discarded session no longer counts against the limit', async () => {
    const peer = await serve();
    const c = attach();
    const ids: string[] = [];
    for (let i = 0; i < SESSION_LIMITS.maxSessionsPerClient; i += 1) ids.push(value(await c.call('session:open', { host: '127.0.0.1', port: peer.port })).id);
    expect(errorOf(await c.call('session:open', { host: '127.0.0.1', port: peer.port })).code).toBe('SESSION_LIMIT');
    value(await c.call('session:discard', { id: ids[0]! }));
    expect((await c.call('session:open', { host: '127.0.0.1', port: peer.port })).ok).toBe(true);
  });
});

describe('session:save-response', () => {
  it('writes exactly the kept response bytes to the path the dialog picked', async () => {
    const reply = Buffer.from([0x48, 0x00, 0xff, 0x0a, 0x49]);
    const peer = await serve((s) => s.end(reply), true);
    const c = attach();
    const { id } = value(await c.call('session:open', { host: '127.0.0.1', port: peer.port }));
    await untilPhase(c, id, 'closed');
    const target = join(dir, 'saved.bin');
    dialogAnswers.save.push(target);
    expect(await c.call('session:save-response', { id, suggestedName: 'response-1.bin' })).toEqual({ ok: true, value: { path: target } });
    expect(dialogsAsked).toEqual(['pickSavePath:response-1.bin']);
    expect((await readFile(target)).equals(reply)).toBe(true);
  });

  it('answers null when the dialog is cancelled and writes nothing', async () => {
    const peer = await serve((s) => s.end('x'), true);
    const c = attach();
    const { id } = value(await c.call('session:open', { host: '127.0.0.1', port: peer.port }));
    await untilPhase(c, id, 'closed');
    const before = await readdir(dir);
    expect(await c.call('session:save-response', { id, suggestedName: 'r.bin' })).toEqual({ ok: true, value: null });
    expect(await readdir(dir)).toEqual(before);
  });

  it('maps a path that cannot be written to FILE_ERROR naming the path', async () => {
    const peer = await serve((s) => s.end('x'), true);
    const c = attach();
    const { id } = value(await c.call('session:open', { host: '127.0.0.1', port: peer.port }));
    await untilPhase(c, id, 'closed');
    // A folder at the target path: a write error for root too.
    const target = join(dir, 'occupied');
    await mkdir(target);
    dialogAnswers.save.push(target);
    const error = errorOf(await c.call('session:save-response', { id, suggestedName: 'r.bin' }));
    expect(error.code).toBe('FILE_ERROR');
    expect(error.message).toContain(target);
  });

  it('is UNSUPPORTED in web mode, where the browser downloads the response itself', async () => {
    const web = await startService('web', join(dir, 'web-profiles.json'));
    try {
      const peer = await serve();
      const c = attach(web);
      const id = await openSession(c, peer.port);
      expect(errorOf(await c.call('session:save-response', { id, suggestedName: 'r.bin' })).code).toBe('UNSUPPORTED');
    } finally {
      await web.shutdown();
    }
  });
});

describe('dialog:pick-tls-file', () => {
  it('answers the path the native dialog picked for that purpose, or null when cancelled', async () => {
    const c = attach();
    dialogAnswers.file.push('/home/me/ca.pem');
    expect(await c.call('dialog:pick-tls-file', { purpose: 'ca' })).toEqual({ ok: true, value: { path: '/home/me/ca.pem' } });
    expect(await c.call('dialog:pick-tls-file', { purpose: 'pfx' })).toEqual({ ok: true, value: null });
    expect(dialogsAsked).toEqual(['pickTlsFile:ca', 'pickTlsFile:pfx']);
  });

  it('is UNSUPPORTED in web mode, where the browser reads the file and the call carries its bytes', async () => {
    const web = await startService('web', join(dir, 'web-profiles.json'));
    try {
      expect(errorOf(await attach(web).call('dialog:pick-tls-file', { purpose: 'ca' })).code).toBe('UNSUPPORTED');
    } finally {
      await web.shutdown();
    }
  });
});

describe('profiles:state', () => {
  it('reports a new store as created and writable, with its path', async () => {
    expect(await attach().call('profiles:state', {})).toEqual({
      ok: true,
      value: { status: 'created', readOnly: false, message: null, filePath: profilesPath },
    });
  });

  it('reports a file from a newer version as read-only, and every change is refused as STORE_READ_ONLY', async () => {
    const newer = join(dir, 'newer', 'profiles.json');
    await mkdir(join(dir, 'newer'));
    const fixture = await readFile(join(FIXTURES, 'store', 'future-version.json'));
    await writeFile(newer, fixture);
    const ro = await startService('electron', newer);
    try {
      const c = attach(ro);
      const state = value(await c.call('profiles:state', {}));
      expect(state).toMatchObject({ status: 'newer-version-read-only', readOnly: true, filePath: newer });
      expect(state.message).toContain('newer');
      const [first] = value(await c.call('profiles:list', {}));
      expect(first?.name).toBe('Echo');
      const id = first!.id;
      const refusals = await Promise.all([
        c.call('profiles:create', { draft: draft('New') }),
        c.call('profiles:update', { id, draft: draft('Echo', { port: 8 }) }),
        c.call('profiles:rename', { id, name: 'Renamed' }),
        c.call('profiles:duplicate', { id }),
        c.call('profiles:delete', { id }),
        c.call('profiles:import', { text: JSON.stringify({ format: 'socket-tester-profiles', version: 1, profiles: [] }), fileName: 'e.json', onDuplicate: 'skip' }),
      ]);
      expect(refusals.map((r) => errorOf(r).code)).toEqual(Array(6).fill('STORE_READ_ONLY'));
      expect(c.profileChanges()).toEqual([]);
      expect((await readFile(newer)).equals(fixture)).toBe(true);
    } finally {
      await ro.shutdown();
    }
  });
});

describe('profiles: create, list, update, rename, duplicate, delete, restore', () => {
  it('create stores the draft, writes it to disk, answers the profile and tells every client', async () => {
    const a = attach();
    const b = attach();
    const created = value(await a.call('profiles:create', { draft: draft('Echo', { folder: 'Lab' }) }));
    expect(created).toEqual({ ...draft('Echo', { folder: 'Lab' }), id: expect.stringMatching(UUID), revision: 1, createdAt: expect.stringMatching(ISO), updatedAt: created.createdAt });
    expect(await profilesOnDisk()).toEqual([created]);
    expect(await a.call('profiles:list', {})).toEqual({ ok: true, value: [created] });
    expect(a.profileChanges()).toEqual([[created]]);
    expect(b.profileChanges()).toEqual([[created]]);
  });

  it('create refuses a name taken in the same folder (ignoring case) as PROFILE_CONFLICT on name, telling nobody', async () => {
    const a = attach();
    value(await a.call('profiles:create', { draft: draft('Echo') }));
    const error = errorOf(await a.call('profiles:create', { draft: draft('ECHO') }));
    expect(error).toMatchObject({ code: 'PROFILE_CONFLICT', field: 'name' });
    expect(a.profileChanges()).toHaveLength(1);
    // The same name in another folder is fine.
    expect((await a.call('profiles:create', { draft: draft('Echo', { folder: 'Lab' }) })).ok).toBe(true);
    expect((await profilesOnDisk()).map((p) => [p.folder, p.name])).toEqual([[null, 'Echo'], ['Lab', 'Echo']]);
  });

  it('create refuses a name with a bidi override or surrounding spaces, naming draft.name', async () => {
    const c = attach();
    for (const name of ['bad\u202Ename', '  Echo  ']) {
      expect(errorOf(await c.call('profiles:create', { draft: draft(name) }))).toMatchObject({ code: 'INVALID_INPUT', field: 'draft.name' });
    }
    expect(await readFile(profilesPath, 'utf8')).toBe(initialProfiles);
    expect(c.profileChanges()).toEqual([]);
  });

  it('list answers copies in stored order', async () => {
    const c = attach();
    const names = ['B', 'A', 'C'];
    for (const name of names) value(await c.call('profiles:create', { draft: draft(name) }));
    const listed = value(await c.call('profiles:list', {}));
    expect(listed.map((p) => p.name)).toEqual(names);
    listed[0]!.name = 'changed by the caller';
    expect(value(await c.call('profiles:list', {}))[0]!.name).toBe('B');
  });

  it('update replaces the draft, keeps id and createdAt, and tells every client', async () => {
    const c = attach();
    const created = value(await c.call('profiles:create', { draft: draft('Echo') }));
    const updated = value(await c.call('profiles:update', { id: created.id, draft: draft('Echo', { port: 8080, notes: 'moved' }) }));
    expect(updated).toEqual({ ...created, port: 8080, notes: 'moved', revision: created.revision + 1, updatedAt: expect.stringMatching(ISO) });
    expect(await profilesOnDisk()).toEqual([updated]);
    expect(c.profileChanges().at(-1)).toEqual([updated]);
  });

  it('update of an unknown id is PROFILE_NOT_FOUND and tells nobody', async () => {
    const c = attach();
    const error = errorOf(await c.call('profiles:update', { id: 'nope', draft: draft('Echo') }));
    expect(error.code).toBe('PROFILE_NOT_FOUND');
    expect(error.message).toContain('nope');
    expect(c.profileChanges()).toEqual([]);
  });

  it('rename trims the name, refuses a clash and a control character by field', async () => {
    const c = attach();
    const echo = value(await c.call('profiles:create', { draft: draft('Echo') }));
    value(await c.call('profiles:create', { draft: draft('Other') }));
    expect(value(await c.call('profiles:rename', { id: echo.id, name: '  Ping  ' }))).toMatchObject({ id: echo.id, name: 'Ping' });
    expect(errorOf(await c.call('profiles:rename', { id: echo.id, name: 'other' }))).toMatchObject({ code: 'PROFILE_CONFLICT', field: 'name' });
    expect(errorOf(await c.call('profiles:rename', { id: echo.id, name: 'a\nb' }))).toMatchObject({ code: 'INVALID_INPUT', field: 'name' });
    expect(errorOf(await c.call('profiles:rename', { id: 'nope', name: 'x' })).code).toBe('PROFILE_NOT_FOUND');
    expect((await profilesOnDisk()).map((p) => p.name)).toEqual(['Ping', 'Other']);
    expect(c.profileChanges()).toHaveLength(3);
  });

  it('duplicate places "name (copy)" right after the original with a new id', async () => {
    const c = attach();
    const first = value(await c.call('profiles:create', { draft: draft('Echo', { port: 9 }) }));
    value(await c.call('profiles:create', { draft: draft('Last') }));
    const copy = value(await c.call('profiles:duplicate', { id: first.id }));
    expect(copy).toEqual({ ...first, name: 'Echo (copy)', id: expect.stringMatching(UUID), createdAt: expect.stringMatching(ISO), updatedAt: copy.createdAt });
    expect(copy.id).not.toBe(first.id);
    expect(value(await c.call('profiles:duplicate', { id: first.id })).name).toBe('Echo (copy 2)');
    expect((await profilesOnDisk()).map((p) => p.name)).toEqual(['Echo', 'Echo (copy 2)', 'Echo (copy)', 'Last']);
    expect(errorOf(await c.call('profiles:duplicate', { id: 'nope' })).code).toBe('PROFILE_NOT_FOUND');
  });

  it('delete answers the removed profile and its index; restore puts it back there', async () => {
    const c = attach();
    const [a, b, d] = [
      value(await c.call('profiles:create', { draft: draft('A') })),
      value(await c.call('profiles:create', { draft: draft('B') })),
      value(await c.call('profiles:create', { draft: draft('D') })),
    ];
    const removed = value(await c.call('profiles:delete', { id: b.id }));
    expect(removed).toEqual({ removed: b, index: 1 });
    expect(await profilesOnDisk()).toEqual([a, d]);
    expect(c.profileChanges().at(-1)).toEqual([a, d]);
    expect(errorOf(await c.call('profiles:delete', { id: b.id })).code).toBe('PROFILE_NOT_FOUND');

    expect(await c.call('profiles:restore', { profile: removed.removed, index: removed.index })).toEqual({ ok: true, value: b });
    expect(await profilesOnDisk()).toEqual([a, b, d]);
    expect(c.profileChanges().at(-1)).toEqual([a, b, d]);
    // Restoring it again clashes on the id; an index past the end is clamped.
    expect(errorOf(await c.call('profiles:restore', { profile: b, index: 0 }))).toMatchObject({ code: 'PROFILE_CONFLICT', field: 'id' });
    value(await c.call('profiles:delete', { id: a.id }));
    value(await c.call('profiles:restore', { profile: a, index: 99 }));
    expect((await profilesOnDisk()).map((p) => p.name)).toEqual(['B', 'D', 'A']);
  });
});

describe('profiles: export, import-preview, import', () => {
  async function seed(c: TestClient): Promise<Profile[]> {
    return [
      value(await c.call('profiles:create', { draft: draft('Echo') })),
      value(await c.call('profiles:create', { draft: draft('Redis', { folder: 'Lab', port: 6379 }) })),
    ];
  }

  it('export answers our format with all profiles, or only the ids asked for', async () => {
    const c = attach();
    const [echo, redis] = await seed(c);
    const all = JSON.parse(value(await c.call('profiles:export', { ids: null })).json) as Record<string, unknown>;
    expect(all).toEqual({ format: 'socket-tester-profiles', version: PROFILE_FILE_VERSION, exportedAt: expect.stringMatching(ISO), profiles: [echo, redis] });
    const some = JSON.parse(value(await c.call('profiles:export', { ids: [redis!.id, 'unknown'] })).json) as { profiles: Profile[] };
    expect(some.profiles).toEqual([redis]);
    expect(c.profileChanges()).toHaveLength(2);
  });

  it('import-preview maps each item and writes nothing', async () => {
    const c = attach();
    const seeded = await seed(c);
    const exported = value(await c.call('profiles:export', { ids: null })).json;
    value(await c.call('profiles:delete', { id: seeded[1]!.id }));
    const onDisk = await readFile(profilesPath, 'utf8');
    const changes = c.profileChanges().length;
    const preview = value(await c.call('profiles:import-preview', { text: exported, fileName: 'export.json' }));
    expect(preview).toEqual({
      source: 'socket-tester',
      items: [
        { sourceName: 'Echo', status: 'duplicate', reason: expect.any(String), name: 'Echo', endpoint: '127.0.0.1:7' },
        { sourceName: 'Redis', status: 'ok', reason: null, name: 'Redis', endpoint: '127.0.0.1:6379' },
      ],
    });
    expect(await readFile(profilesPath, 'utf8')).toBe(onDisk);
    expect(c.profileChanges()).toHaveLength(changes);
  });

  it('import-preview reads a Packet Sender packets.ini and says which packets it skips', async () => {
    const text = await readFile(join(FIXTURES, 'packetsender', 'packets.ini'), 'utf8');
    const preview = value(await attach().call('profiles:import-preview', { text, fileName: 'packets.ini' }));
    expect(preview.source).toBe('packet-sender-ini');
    expect(preview.items.length).toBeGreaterThan(0);
    for (const item of preview.items) {
      if (item.status === 'ok') {
        expect(item.reason).toBeNull();
        expect(item.endpoint).toMatch(/:\d+$/);
      } else {
        expect(item.name === null || item.status === 'duplicate').toBe(true);
        expect(item.reason).toEqual(expect.any(String));
      }
    }
    // The UDP packets of the fixture cannot be TCP profiles.
    expect(preview.items.find((i) => i.sourceName === 'DNS dannagle.com')).toMatchObject({ status: 'skipped', name: null, endpoint: null });
  });

  it('import-preview and import refuse a file that is not an import as INVALID_INPUT, writing nothing', async () => {
    const c = attach();
    const results = [
      await c.call('profiles:import-preview', { text: 'hello', fileName: 'notes.txt' }),
      await c.call('profiles:import', { text: 'hello', fileName: 'notes.txt', onDuplicate: 'skip' }),
    ];
    for (const r of results) {
      const error = errorOf(r);
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain('notes.txt');
    }
    expect(await readFile(profilesPath, 'utf8')).toBe(initialProfiles);
    expect(c.profileChanges()).toEqual([]);
  });

  it.each([
    ['skip', { imported: 1, skipped: 1 }, ['Echo', 'Redis', 'New']],
    ['rename', { imported: 2, skipped: 0 }, ['Echo', 'Redis', 'echo (2)', 'New']],
    ['replace', { imported: 2, skipped: 0 }, ['Echo', 'Redis', 'New']],
  ] as const)('import with onDuplicate %s answers the counts and applies the policy', async (policy, counts, names) => {
    const c = attach();
    const [echo] = await seed(c);
    const file = {
      format: 'socket-tester-profiles',
      version: 1,
      profiles: [
        { ...draft('echo', { port: 1234 }), id: 'x1', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' },
        { ...draft('New'), id: 'x2', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' },
      ],
    };
    const before = c.profileChanges().length;
    expect(await c.call('profiles:import', { text: JSON.stringify(file), fileName: 'in.json', onDuplicate: policy })).toEqual({ ok: true, value: counts });
    const stored = await profilesOnDisk();
    expect(stored.map((p) => p.name)).toEqual(names);
    const storedEcho = stored.find((p) => p.id === echo!.id)!;
    // Replace keeps the existing profile's identity and takes the imported fields.
    expect(storedEcho.port).toBe(policy === 'replace' ? 1234 : 7);
    expect(storedEcho.name).toBe('Echo');
    expect(c.profileChanges()).toHaveLength(before + 1);
    expect(c.profileChanges().at(-1)).toEqual(stored);
  });
});

describe('detaching and shutting down', () => {
  it('detaching a client cancels its sessions and leaves other clients\' sessions alone (F25)', async () => {
    const peer = await serve();
    const a = attach();
    const b = attach();
    const idA = await openSession(a, peer.port);
    const idB = await openSession(b, peer.port);
    await until(() => peer.accepted.length === 2, 'both connections');
    const [socketA, socketB] = peer.accepted as [Socket, Socket];
    // Which accepted socket is whose: match the peer's remote port with the session's local port.
    const mineFirst = socketA.remotePort === a.status(idA)!.localPort;
    const [ofA, ofB] = mineFirst ? [socketA, socketB] : [socketB, socketA];
    service.detachClient(a.ctx);
    service.detachClient(a.ctx);
    await until(() => ofA.destroyed || ofA.readableEnded, 'the detached client\'s socket to close');
    await new Promise((r) => setTimeout(r, 50));
    expect(ofB.destroyed || ofB.readableEnded).toBe(false);
    expect(value(await b.call('session:send', { id: idB, data: bytes('ok'), halfClose: false })).bytesSent).toBe(2);
    // The detached client's context knows no sessions any more.
    expect(errorOf(await a.call('session:send', { id: idA, data: bytes('x'), halfClose: false })).code).toBe('UNKNOWN_SESSION');
  });

  it('quit mid-transfer destroys sockets and flushes pending profile writes (F26)', async () => {
    const peer = await serve((s) => {
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = (): void => {
        while (!s.destroyed && s.write(chunk));
        if (!s.destroyed) s.once('drain', pump);
      };
      pump();
    });
    const c = attach();
    value(await c.call('session:open', { host: '127.0.0.1', port: peer.port, maxResponseBytes: SESSION_LIMITS.maxResponseBytes }));
    await until(() => peer.accepted.length === 1, 'the connection');
    const pending = c.call('profiles:create', { draft: draft('Saved while quitting') });
    await service.shutdown();
    expect(value(await pending).name).toBe('Saved while quitting');
    await until(() => peer.accepted[0]!.destroyed || peer.accepted[0]!.readableEnded, 'the peer socket to close');
    expect((await profilesOnDisk()).map((p) => p.name)).toEqual(['Saved while quitting']);
  });

  it('session:open refuses a bad endpoint with the shared message and field, creating no session', async () => {
    const c = attach();
    const r = (await c.call('session:open', { host: '127.0.0.1:8080', port: 80 })) as { ok: boolean; error?: { code: string; field?: string; message: string } };
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({ code: 'INVALID_INPUT', field: 'port', message: 'the host includes port 8080, but the port is 80; remove one of them.' });
    expect(c.ctx.sessions.size).toBe(0);
  });

  it('the import preview shows IPv6 endpoints in brackets', async () => {
    const c = attach();
    // Exported by the app itself, then previewed as an import (both are duplicates by then; the
    // preview still shows each endpoint).
    for (const [name, host, port] of [['v6', '::1', 80], ['v4', '127.0.0.1', 7]] as const) {
      expect(((await c.call('profiles:create', { draft: { ...draft(name), host, port } })) as { ok: boolean }).ok).toBe(true);
    }
    const exported = (await c.call('profiles:export', { ids: null })) as { value: { json: string } };
    const text = exported.value.json;
    const r = (await c.call('profiles:import-preview', { text, fileName: 'p.json' })) as { ok: boolean; value?: { items: { endpoint: string | null }[] } };
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(r.value?.items.map((i) => i.endpoint)).toEqual(['[::1]:80', '127.0.0.1:7']);
  });
});

describe('TLS through the service: session:open with tls, session:starttls', () => {
  let certs: TestCerts;
  const tlsPeers: Array<{ close(): Promise<void> }> = [];
  beforeAll(async () => {
    certs = await makeTestCerts();
  }, 60_000);
  afterAll(async () => certs.remove());
  afterEach(async () => {
    for (const p of tlsPeers.splice(0)) await p.close();
  });

  it('session:open with tls connects over TLS and pushes the verdict in status.tls', async () => {
    const peer = await nodeTlsServer({ key: await certs.read('server.key'), cert: await certs.read('server.pem'), ALPNProtocols: ['h2'] });
    tlsPeers.push(peer);
    const c = attach();
    const id = await openSession(c, peer.port, { tls: { caFile: certs.path('ca.pem'), serverName: 'localhost', alpn: ['h2'] } });
    const status = c.status(id)!;
    expect(status.tls).toMatchObject({ protocol: 'TLSv1.3', alpnProtocol: 'h2', serverNameSent: 'localhost', verification: { ok: true } });
    await until(() => peer.serverNames.length === 1, 'the server to see the handshake');
    expect(peer.serverNames).toEqual(['localhost']);
    value(await c.call('session:send', { id, data: bytes('ping'), halfClose: true }));
    await untilPhase(c, id, 'closed');
    expect(c.received(id).toString()).toBe('ping');
  });

  it('session:open with a wrong PFX passphrase fails naming the field, and the passphrase appears nowhere', async () => {
    const c = attach();
    const secret = 'not-the-passphrase-7d1f';
    const peer = await serve();
    const { id } = value(await c.call('session:open', { host: '127.0.0.1', port: peer.port, tls: { pfxFile: certs.path('client.p12'), passphrase: secret } }));
    const closed = await untilPhase(c, id, 'closed');
    expect(closed.error).toMatchObject({ code: 'TLS_CREDENTIALS_INVALID', field: 'passphrase' });
    // Credentials are read before the connect: the bad passphrase cost no connection.
    expect(peer.accepted).toHaveLength(0);
    expect(JSON.stringify(c.events)).not.toContain(secret);
  });

  it('session:starttls upgrades a live plain session after a hand-made SMTP exchange; the transcript marks where TLS began', async () => {
    const peer = await startTlsPeer('smtp', { key: await certs.read('server.key'), cert: await certs.read('server.pem') });
    tlsPeers.push(peer);
    const c = attach();
    const id = await openSession(c, peer.port);
    await until(() => c.received(id).toString().endsWith('ready\r\n'), 'the greeting');
    value(await c.call('session:send', { id, data: bytes('EHLO me\r\n'), halfClose: false }));
    await until(() => c.received(id).toString().includes('250 8BITMIME\r\n'), 'the EHLO reply');
    value(await c.call('session:send', { id, data: bytes('STARTTLS\r\n'), halfClose: false }));
    await until(() => c.received(id).toString().endsWith('Ready to start TLS\r\n'), 'the go-ahead');
    const plainReceived = c.received(id).length;
    const info = value(await c.call('session:starttls', { id, tls: { caFile: certs.path('ca.pem') } }));
    expect(info).toMatchObject({ protocol: 'TLSv1.3', verification: { ok: true } });
    value(await c.call('session:send', { id, data: bytes('over tls'), halfClose: true }));
    await untilPhase(c, id, 'closed');
    expect(c.received(id).subarray(plainReceived).toString()).toBe('tls:over tls');
    const transcript = c.updates(id).flatMap((u) => u.transcript);
    const mark = transcript.find((e) => e.kind === 'tls');
    expect(mark).toMatchObject({ sentOffset: 'EHLO me\r\nSTARTTLS\r\n'.length, receivedOffset: plainReceived, verified: true });
    const kinds = transcript.map((e) => e.kind);
    expect(kinds.indexOf('tls')).toBeGreaterThan(kinds.lastIndexOf('received', kinds.indexOf('tls')));
    expect(c.status(id)!.bytesSent).toBe('EHLO me\r\nSTARTTLS\r\n'.length + 'over tls'.length);
    // A second upgrade, or one on a closed session, is refused with a stable code.
    expect(errorOf(await c.call('session:starttls', { id, tls: {} })).code).toBe('NOT_CONNECTED');
  });

  it('session:starttls with a failed verification ends the session with the verdict; a TLS session cannot upgrade again', async () => {
    const peer = await startTlsPeer('pop3', { key: await certs.read('self.key'), cert: await certs.read('self.pem') });
    tlsPeers.push(peer);
    const c = attach();
    const id = await openSession(c, peer.port);
    await until(() => c.received(id).toString().startsWith('+OK'), 'the greeting');
    value(await c.call('session:send', { id, data: bytes('STLS\r\n'), halfClose: false }));
    await until(() => c.received(id).toString().includes('Begin TLS'), 'the go-ahead');
    expect(errorOf(await c.call('session:starttls', { id, tls: {} })).code).toBe('TLS_SELF_SIGNED');
    const closed = await untilPhase(c, id, 'closed');
    expect(closed.error?.code).toBe('TLS_SELF_SIGNED');
    expect(closed.tls?.verification.ok).toBe(false);

    const tlsPeer = await nodeTlsServer({ key: await certs.read('server.key'), cert: await certs.read('server.pem') });
    tlsPeers.push(tlsPeer);
    const already = await openSession(c, tlsPeer.port, { tls: { caFile: certs.path('ca.pem') } });
    expect(errorOf(await c.call('session:starttls', { id: already, tls: {} })).code).toBe('BUSY');
  });
});
