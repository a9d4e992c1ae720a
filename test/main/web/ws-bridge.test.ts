/**
 * Web mode end to end at the protocol level: the real HTTP server, the real WebSocket bridge and
 * the real engine, against a real TCP server on loopback. Every R6 rejection is provoked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startWebMode, type RunningWebMode } from '../../../main/web/web-mode.ts';
import { decodeFrame, encodeFrame, TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL, type WireServerMessage } from '../../../shared/wire.ts';
import type { EventPayload } from '../../../shared/contract.ts';
import type { Result } from '../../../shared/errors.ts';

let dir: string;
let web: RunningWebMode;
let echo: Server;
let echoPort: number;
const echoSockets = new Set<Socket>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'st-web-'));
  await mkdir(join(dir, 'renderer', 'assets'), { recursive: true });
  await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>t</title>');
  await writeFile(join(dir, 'renderer', 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(dir, 'secret.txt'), 'do not serve');
  web = await startWebMode({ rendererDir: join(dir, 'renderer'), port: 0, host: '127.0.0.1', profilesPath: join(dir, 'profiles.json') });
  // Echo server that answers on our FIN: echoes everything, then ends.
  echo = createServer({ allowHalfOpen: true }, (s) => {
    echoSockets.add(s);
    s.on('close', () => echoSockets.delete(s));
    const parts: Buffer[] = [];
    s.on('data', (d) => parts.push(d));
    s.on('end', () => s.end(Buffer.concat(parts)));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  echoPort = (echo.address() as { port: number }).port;
});

afterAll(async () => {
  await web.stop();
  await new Promise((r) => echo.close(r));
  await rm(dir, { recursive: true, force: true });
});

function httpGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return httpRequest('GET', path, headers);
}

function httpRequest(method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ method, host: '127.0.0.1', port: web.port, path, headers: { host: `127.0.0.1:${web.port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Opens a WebSocket with chosen headers; resolves to the socket or to the refusal status. The token
 * travels as the page sends it, in the subprotocol list; `protocols` replaces that list outright.
 */
function openWs(opts: {
  token?: string | null;
  origin?: string | null;
  host?: string;
  path?: string;
  protocols?: string[];
}): Promise<WebSocket | number> {
  const token = opts.token === undefined ? web.token : opts.token;
  const path = opts.path ?? '/ws';
  const url = `ws://127.0.0.1:${web.port}${path}`;
  const protocols = opts.protocols ?? [WIRE_PROTOCOL, ...(token === null ? [] : [TOKEN_PROTOCOL_PREFIX + token])];
  const headers: Record<string, string> = { host: opts.host ?? `127.0.0.1:${web.port}` };
  const origin = opts.origin === undefined ? web.origin : opts.origin;
  if (origin !== null) headers['origin'] = origin;
  return new Promise((resolve) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

/** A minimal client over the wire format: calls, and collected events. */
function client(ws: WebSocket) {
  let n = 0;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const updates: Array<EventPayload<'session:update'>> = [];
  ws.on('message', (data: Buffer) => {
    const msg = decodeFrame(new Uint8Array(data)) as WireServerMessage;
    if (msg.t === 'result') pending.get(msg.n)?.(msg.result);
    else if (msg.event === 'session:update') updates.push(msg.payload as EventPayload<'session:update'>);
  });
  return {
    updates,
    call(channel: string, arg: unknown): Promise<Result<unknown>> {
      const id = ++n;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        ws.send(encodeFrame({ t: 'call', n: id, channel, arg }));
      });
    },
    async waitFor(pred: () => boolean, what: string): Promise<void> {
      for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
      if (!pred()) throw new Error(`timed out waiting for ${what}`);
    },
  };
}

describe('web mode HTTP', () => {
  // R-WEB-TOKEN-LEAK: the token used to be set as a cookie, and cookies are not port-scoped, so every
  // other service on 127.0.0.1 the browser visited received it. Now it lives in the URL fragment.
  it('prints the token in the fragment only, serves the renderer without it, and sets no cookie (R-WEB-TOKEN-LEAK)', async () => {
    const printed = new URL(web.url);
    expect(printed.search).toBe('');
    expect(printed.hash).toBe(`#token=${web.token}`);
    for (const path of ['/', '/assets/app.js', `/?token=${web.token}`]) {
      const r = await httpGet(path);
      expect(r.status).toBe(200);
      expect(r.headers['set-cookie']).toBeUndefined();
      expect(r.body).not.toContain(web.token);
    }
    expect((await httpGet('/')).body).toContain('<title>t</title>');
  });

  it.each(['evil.example', `evil.example:PORT`, 'localhost.evil.example:PORT', '127.0.0.1:1', '[::2]:PORT'])('refuses Host %s (DNS rebinding)', async (host) => {
    const r = await httpGet('/', { host: host.replace('PORT', String(web.port)) });
    expect(r.status).toBe(421);
  });

  it('serves the page as localhost too', async () => {
    expect((await httpGet('/', { host: `localhost:${web.port}` })).status).toBe(200);
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/.%2e/secret.txt'])(
    'refuses path traversal %s',
    async (path) => {
      const r = await httpGet(path);
      expect(r.status).toBe(404);
      expect(r.body).not.toContain('do not serve');
    },
  );

  it('refuses methods other than GET and HEAD', async () => {
    expect((await httpRequest('POST', '/')).status).toBe(405);
  });

  it('sends no CORS headers, even when asked', async () => {
    const r = await httpGet('/', { origin: 'https://evil.example' });
    expect(Object.keys(r.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });
});

describe('web mode WebSocket', () => {
  it.each([
    ['no token', { token: null }],
    ['a wrong token', { token: 'nope' }],
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['a null Origin', { origin: 'null' }],
    ['no Origin', { origin: null }],
    ['a rebinding Host', { host: 'evil.example:80' }],
    ['an unknown path', { path: '/other' }],
    ['the token in the query instead of the subprotocol', { path: `/ws?token=TOKEN`, token: null }],
    ['the token without the wire protocol', { protocols: [`${TOKEN_PROTOCOL_PREFIX}TOKEN`] }],
    ['the token as the bare protocol', { protocols: [WIRE_PROTOCOL, 'TOKEN'] }],
    ['a prefix of the token', { protocols: [WIRE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}TOKEN`.slice(0, -1)] }],
    ['the Origin of another local port', { origin: 'http://127.0.0.1:1' }],
    ['an https Origin of our own port', { origin: 'https://127.0.0.1:PORT' }],
  ])('refuses an upgrade with %s', async (_what, opts) => {
    const fill = (v: string): string => v.replace('TOKEN', web.token).replace('PORT', String(web.port));
    const r = await openWs({
      ...opts,
      ...('path' in opts && opts.path ? { path: fill(opts.path) } : {}),
      ...('origin' in opts && opts.origin ? { origin: fill(opts.origin) } : {}),
      ...('protocols' in opts && opts.protocols ? { protocols: opts.protocols.map(fill) } : {}),
    });
    expect(r).not.toBeInstanceOf(WebSocket);
    if (typeof r === 'number' && r > 0) expect(r).toBe(403);
  });

  it.each(['127.0.0.1', 'localhost'])('accepts the page opened as %s, answering with the wire protocol only', async (name) => {
    const ws = await openWs({ host: `${name}:${web.port}`, origin: `http://${name}:${web.port}` });
    expect(ws).toBeInstanceOf(WebSocket);
    expect((ws as WebSocket).protocol).toBe(WIRE_PROTOCOL);
    (ws as WebSocket).close();
  });

  // R-WEB-HOSTILE-FRAME: one frame whose channel is an object with a non-callable toString ended the
  // whole process (unhandled rejection, exit 1). It must answer that call and nothing else.
  it('answers a call with a hostile channel and keeps serving the same client (R-WEB-HOSTILE-FRAME)', async () => {
    const ws = (await openWs({})) as WebSocket;
    const c = client(ws);
    const frames: Array<Record<string, unknown>> = [
      { t: 'call', n: 1, channel: { toString: 1 }, arg: {} },
      { t: 'call', n: 2, channel: { toString: 1, valueOf: 1 }, arg: { toString: 1 } },
      { t: 'call', n: 3, channel: ['app:info'], arg: {} },
      { t: 'call', n: 4, channel: 'app:info', arg: { toString: 1 } },
    ];
    const answers = new Map<number, Result<unknown>>();
    ws.on('message', (data: Buffer) => {
      const msg = decodeFrame(new Uint8Array(data)) as WireServerMessage;
      if (msg.t === 'result') answers.set(msg.n, msg.result);
    });
    for (const f of frames) ws.send(encodeFrame(f));
    await c.waitFor(() => answers.size === frames.length, 'an answer to every hostile call');
    expect(answers.get(1)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(answers.get(2)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(answers.get(3)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(answers.get(4)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await c.call('app:info', {})).toMatchObject({ ok: true });
    ws.close();
  });

  it('rejects unknown channels and bad arguments over the wire', async () => {
    const ws = (await openWs({})) as WebSocket;
    const c = client(ws);
    const unknown = await c.call('shell:exec', { cmd: 'id' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    const bad = await c.call('session:open', { host: '127.0.0.1', port: 'eighty' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'port' } });
    const badHost = await c.call('session:open', { host: 'bad host', port: 80 });
    expect(badHost).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'host' } });
    ws.close();
  });

  it('drives a real session: open, send with half-close, receive the echo, closed by peer', async () => {
    const ws = (await openWs({})) as WebSocket;
    const c = client(ws);
    const info = await c.call('app:info', {});
    expect(info).toMatchObject({ ok: true, value: { name: 'Socket Tester', host: 'web' } });
    const opened = (await c.call('session:open', { host: '127.0.0.1', port: echoPort })) as Result<{ id: string }>;
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    const id = opened.value.id;
    await c.waitFor(() => c.updates.some((u) => u.id === id && u.status.phase === 'open'), 'open');
    const payload = new Uint8Array([0x00, 0xff, 0x0d, 0x0a, 0x3c, 0x73, 0x3e, 0x00]);
    const sent = await c.call('session:send', { id, data: payload, halfClose: true });
    expect(sent).toMatchObject({ ok: true, value: { bytesSent: 8 } });
    await c.waitFor(() => c.updates.some((u) => u.id === id && u.status.phase === 'closed'), 'closed');
    const mine = c.updates.filter((u) => u.id === id);
    const bytes = mine.flatMap((u) => (u.data ? [...u.data] : []));
    expect(bytes).toEqual([...payload]);
    const last = mine.at(-1)!;
    expect(last.status).toMatchObject({ outcome: 'peer-closed', bytesSent: 8, bytesReceived: 8, remoteAddress: '127.0.0.1' });
    // Offsets are contiguous: each update starts where the previous data ended.
    let expected = 0;
    for (const u of mine) if (u.data) {
      expect(u.dataOffset).toBe(expected);
      expected += u.data.byteLength;
    }
    // Another client cannot touch this session.
    const other = client((await openWs({})) as WebSocket);
    expect(await other.call('session:cancel', { id })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_SESSION' } });
    ws.close();
  });

  it('ends a client\'s sessions when its WebSocket goes away (F25)', async () => {
    const ws = (await openWs({})) as WebSocket;
    const c = client(ws);
    const before = echoSockets.size;
    const opened = (await c.call('session:open', { host: '127.0.0.1', port: echoPort })) as Result<{ id: string }>;
    expect(opened.ok).toBe(true);
    await c.waitFor(() => echoSockets.size === before + 1, 'server to see the connection');
    ws.terminate();
    await c.waitFor(() => echoSockets.size === before, 'the session socket to be closed');
    expect(echoSockets.size).toBe(before);
  });
});
