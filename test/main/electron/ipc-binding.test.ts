/**
 * The Electron IPC binding with `electron` replaced (test/fakes/electron.ts): every channel is
 * registered, foreign senders are refused before anything else, and a reloaded or destroyed page
 * loses its sessions and is never sent to again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recorded, FakeWebContents } from '../../fakes/electron.ts';
import { bindIpc, isTrustedSender } from '../../../main/electron/ipc-binding.ts';
import { composeAppService } from '../../../main/app-composition.ts';
import type { AppService } from '../../../main/app-service.ts';
import { CALL_CHANNELS, type CallArg, type CallChannel } from '../../../shared/contract.ts';
import type { Result } from '../../../shared/errors.ts';

let dir: string;
let service: AppService;
let unbind: () => void;
let server: Server;
let port: number;
const serverSockets = new Set<Socket>();

beforeEach(async () => {
  recorded.reset();
  dir = await mkdtemp(join(tmpdir(), 'st-ipc-'));
  service = await composeAppService({ host: 'electron', profilesPath: join(dir, 'profiles.json') });
  unbind = bindIpc(service, undefined);
  server = createServer((s) => {
    serverSockets.add(s);
    s.on('close', () => serverSockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
});

afterEach(async () => {
  unbind();
  await service.shutdown();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

const PROFILE_DRAFT: CallArg<'profiles:create'>['draft'] = {
  name: 'P',
  folder: null,
  host: '127.0.0.1',
  port: 7,
  payload: { text: 'hi', mode: 'text', encoding: 'utf8', lineEnding: 'lf' },
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 0,
  closeAfterSend: false,
  maxResponseBytes: 1024,
  notes: '',
};

function eventFrom(contents: FakeWebContents, frame: { url: string } | null = contents.mainFrame) {
  return { sender: contents, senderFrame: frame };
}

async function call(channel: string, arg: unknown, ev: ReturnType<typeof eventFrom>): Promise<Result<unknown>> {
  const handler = recorded.ipcHandlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return (await handler(ev, arg)) as Result<unknown>;
}

async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!pred()) throw new Error(`timed out waiting for ${what}`);
}

describe('Electron IPC binding', () => {
  it('registers exactly the contract channels', () => {
    expect([...recorded.ipcHandlers.keys()].sort()).toEqual([...CALL_CHANNELS].sort());
  });

  it('refuses calls from a foreign page, a subframe or a missing frame', async () => {
    const wc = new FakeWebContents();
    for (const frame of [{ url: 'https://evil.example/' }, { url: 'file:///tmp/x.html' }, { url: 'app://socket-tester/index.html' }, null]) {
      const r = await call('app:info', {}, eventFrom(wc, frame));
      expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(isTrustedSender(eventFrom(wc) as never, undefined)).toBe(true);
  });

  it('refuses every channel from a foreign page with FORBIDDEN, even with a valid argument, and runs nothing', async () => {
    const owner = new FakeWebContents();
    const opened = (await call('session:open', { host: '127.0.0.1', port }, eventFrom(owner))) as Result<{ id: string }>;
    if (!opened.ok) throw new Error(opened.error.message);
    await until(() => serverSockets.size === 1, 'the connection');
    const id = opened.value.id;
    const profile = { ...PROFILE_DRAFT, id: 'p1', revision: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
    // A valid argument per channel, so only the sender can be the reason for a refusal. The mapped
    // type makes a new channel without an entry fail to compile.
    const validArgs: { [C in CallChannel]: CallArg<C> } = {
      'app:info': {},
      'session:open': { host: '127.0.0.1', port },
      'session:starttls': { id, tls: {} },
      'session:send': { id, data: new Uint8Array([1]), halfClose: true },
      'session:send-file': { id, halfClose: false },
      'session:half-close': { id },
      'session:close': { id },
      'session:cancel': { id },
      'session:ack': { acks: [{ id, through: 0 }] },
      'session:discard': { id },
      'dialog:pick-tls-file': { purpose: 'ca' },
      'session:save-response': { id, suggestedName: 'r.bin' },
      'datagram:open': { host: '127.0.0.1', port },
      'datagram:send': { id, data: new Uint8Array([1]) },
      'datagram:join': { id, group: '239.1.2.3' },
      'datagram:leave': { id, group: '239.1.2.3' },
      'datagram:set-broadcast': { id, on: true },
      'listener:start': { transport: 'tcp', host: '127.0.0.1', port: 0 },
      'listener:stop': { id },
      'listener:clients': { id },
      'listener:send': { id, clientId: null, data: new Uint8Array([1]) },
      'listener:end-client': { id, clientId: 1, how: 'close' },
      'listener:set-responder': { id, responder: { kind: 'echo' } },
      'listener:test': { responder: { kind: 'echo' }, sample: new Uint8Array([1]) },
      'listener:watch': { id, clientId: null },
      'profiles:state': {},
      'profiles:list': {},
      'profiles:create': { draft: PROFILE_DRAFT },
      'profiles:update': { id: 'p1', draft: PROFILE_DRAFT },
      'profiles:rename': { id: 'p1', name: 'Renamed' },
      'profiles:duplicate': { id: 'p1' },
      'profiles:delete': { id: 'p1' },
      'profiles:restore': { profile, index: 0 },
      'profiles:import-preview': { text: '{}', fileName: 'a.json' },
      'profiles:import': { text: '{}', fileName: 'a.json', onDuplicate: 'skip' },
      'profiles:export': { ids: null },
      'conversation:check': { yaml: 'steps: []' },
      'conversation:run': { yaml: 'steps: []' },
      'conversation:cancel': { runId: 'r1' },
    };
    // A page of someone else's in its own top frame (a navigated-away window, a webview).
    const intruder = new FakeWebContents();
    (intruder.mainFrame as { url: string }).url = 'https://evil.example/';
    const senders = [
      ['a foreign top frame', eventFrom(intruder)],
      ['a foreign subframe of our page', eventFrom(owner, { url: 'https://evil.example/' })],
      ['a subframe of our page showing our URL', eventFrom(owner, { url: 'app://socket-tester/index.html' })],
      ['no frame at all', eventFrom(owner, null)],
    ] as const;
    for (const channel of CALL_CHANNELS) {
      for (const [who, ev] of senders) {
        const r = await call(channel, validArgs[channel], ev);
        expect(r.ok ? 'ok' : r.error.code, `${channel} from ${who}`).toBe('FORBIDDEN');
        if (!r.ok) expect(r.error.message).toContain(channel);
      }
    }
    await new Promise((r) => setTimeout(r, 50));
    // Nothing ran: the owner's session is still open and untouched, no second connection, no profile.
    expect(serverSockets.size).toBe(1);
    const info = (await call('profiles:list', {}, eventFrom(owner))) as Result<unknown[]>;
    expect(info).toEqual({ ok: true, value: [] });
    const last = owner.events().at(-1)?.payload as { status: { phase: string; bytesSent: number; localEnded: boolean } } | undefined;
    expect(last?.status).toMatchObject({ phase: 'open', bytesSent: 0, localEnded: false });
    // A refused sender gets no client context, hence no event port and no event.
    expect(intruder.posted).toEqual([]);
    expect(intruder.events()).toEqual([]);
  });

  it('refuses, without throwing, a call whose frame was disposed (its getters throw)', async () => {
    const wc = new FakeWebContents();
    const disposed = {
      get url(): string {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
    };
    Object.defineProperty(wc, 'mainFrame', { value: disposed });
    const r = await call('app:info', {}, eventFrom(wc, disposed as never));
    expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('validates arguments after the sender check', async () => {
    const wc = new FakeWebContents();
    const r = await call('session:open', { host: '127.0.0.1', port: 80, proxy: 'x' }, eventFrom(wc));
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('runs a session and pushes coalesced updates to the page that opened it', async () => {
    const wc = new FakeWebContents();
    const opened = (await call('session:open', { host: '127.0.0.1', port }, eventFrom(wc))) as Result<{ id: string }>;
    expect(opened.ok).toBe(true);
    await until(() => wc.events().some((m) => (m.payload as { status: { phase: string } }).status.phase === 'open'), 'open');
    expect(wc.events().every((m) => m.channel === 'session:update')).toBe(true);
    // Events travel on the page's one event port, never through webContents.send.
    expect(wc.posted.map((p) => p.channel)).toEqual(['socket-tester:event-port']);
    expect(wc.sent).toEqual([]);
  });

  it('a reload ends the old page\'s sessions and nothing is sent to destroyed contents (F25)', async () => {
    const wc = new FakeWebContents();
    const opened = (await call('session:open', { host: '127.0.0.1', port }, eventFrom(wc))) as Result<{ id: string }>;
    expect(opened.ok).toBe(true);
    await until(() => serverSockets.size === 1, 'the connection');
    wc.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false });
    await until(() => serverSockets.size === 0, 'the session to end');
    // The new page gets a fresh client: the old session id is unknown to it.
    if (opened.ok) {
      const r = await call('session:cancel', { id: opened.value.id }, eventFrom(wc));
      expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_SESSION' } });
    }
    const opened2 = (await call('session:open', { host: '127.0.0.1', port }, eventFrom(wc))) as Result<{ id: string }>;
    expect(opened2.ok).toBe(true);
    await until(() => serverSockets.size === 1, 'the second connection');
    wc.destroy();
    await until(() => serverSockets.size === 0, 'the second session to end');
    // Each page got its own event port, closed when that page went; the fake port throws when
    // posted to after close, so reaching here means nothing was sent to a gone page.
    expect(wc.posted.length).toBe(2);
    expect(wc.posted.every((p) => p.ports[0]!.closed)).toBe(true);
  });

  it('ignores same-document navigations', async () => {
    const wc = new FakeWebContents();
    await call('session:open', { host: '127.0.0.1', port }, eventFrom(wc));
    await until(() => serverSockets.size === 1, 'the connection');
    wc.emit('did-start-navigation', { isMainFrame: true, isSameDocument: true });
    wc.emit('did-start-navigation', { isMainFrame: false, isSameDocument: false });
    await new Promise((r) => setTimeout(r, 50));
    expect(serverSockets.size).toBe(1);
  });
});

describe('preload', () => {
  it('exposes one function per call and nothing else, and passes main\'s event port on to the page', async () => {
    recorded.reset();
    (globalThis as { window?: unknown }).window = {
      postMessage: (data: unknown, targetOrigin: string, ports: unknown[]) => recorded.windowMessages.push({ data, targetOrigin, ports }),
    };
    try {
      await import('../../../main/preload.ts');
      const bridge = recorded.exposed.get('socketTester') as { calls: Record<string, (a: unknown) => Promise<unknown>> };
      expect(Object.keys(bridge)).toEqual(['calls']);
      expect(Object.keys(bridge.calls).sort()).toEqual([...CALL_CHANNELS].sort());
      expect(Object.isFrozen(bridge)).toBe(true);
      expect(Object.isFrozen(bridge.calls)).toBe(true);
      await bridge.calls['session:close']!({ id: 'x' });
      expect(recorded.invoked).toEqual([{ channel: 'session:close', arg: { id: 'x' } }]);
      // The only thing the preload listens to is the port hand-over, and it keeps nothing of it.
      expect([...recorded.rendererListeners.keys()]).toEqual(['socket-tester:event-port']);
      const [listener] = recorded.rendererListeners.get('socket-tester:event-port')!;
      const port = { fake: 'port' };
      listener!({ ports: [port], sender: 'secret' }, null);
      listener!({ ports: [] }, null); // no port: nothing is posted
      expect(recorded.windowMessages).toEqual([{ data: { type: 'socket-tester:event-port' }, targetOrigin: '*', ports: [port] }]);
    } finally {
      delete (globalThis as { window?: unknown }).window;
    }
  });
});
