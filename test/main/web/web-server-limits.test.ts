/**
 * Web mode under a connection flood from a local process that has no token (R-WEB-CONN-FLOOD):
 * raw TCP sockets that never finish their headers, drip headers, or say nothing at all. On main they
 * were all held (4,000 of them, until a 1,024 descriptor limit refused new clients and broke an
 * existing client's session:open with EMFILE). Now at most `maxPendingConnections` are kept, the
 * oldest is dropped for a newcomer, and slow or idle ones are closed. Real server, real sockets;
 * the limits are shrunk so the test is quick, and every wait is bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startWebMode, type RunningWebMode } from '../../../main/web/web-mode.ts';
import { WEB_SERVER_LIMITS } from '../../../main/web/web-server.ts';
import { decodeFrame, encodeFrame, TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL, type WireServerMessage } from '../../../shared/wire.ts';
import type { Result } from '../../../shared/errors.ts';

const LIMITS = { maxPendingConnections: 8, pendingIdleMs: 600, headersTimeoutMs: 800, requestTimeoutMs: 1_200 };

let dir: string;
let web: RunningWebMode;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'st-web-limits-'));
  await mkdir(join(dir, 'renderer'));
  await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>t</title>');
  web = await startWebMode({ rendererDir: join(dir, 'renderer'), port: 0, host: '127.0.0.1', profilesPath: join(dir, 'profiles.json'), limits: LIMITS });
});

afterAll(async () => {
  await web.stop();
  await rm(dir, { recursive: true, force: true });
});

async function waitFor(pred: () => boolean, what: string, tries = 1_000): Promise<void> {
  for (let i = 0; i < tries && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!pred()) throw new Error(`timed out waiting for ${what}`);
}

interface RawSocket {
  socket: Socket;
  closed: boolean;
}

/** A raw socket that connects and then does `behave` with it; tracks whether the server closed it. */
function raw(behave: (s: Socket) => void): RawSocket {
  const socket = connect(web.port, '127.0.0.1');
  const r: RawSocket = { socket, closed: false };
  socket.on('error', () => undefined);
  socket.on('close', () => (r.closed = true));
  socket.on('connect', () => behave(socket));
  return r;
}

async function authorisedClient(): Promise<{ ws: WebSocket; call: (channel: string, arg: unknown) => Promise<Result<unknown>> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${web.port}/ws`, [WIRE_PROTOCOL, TOKEN_PROTOCOL_PREFIX + web.token], { headers: { origin: web.origin } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let n = 0;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  ws.on('message', (data: Buffer) => {
    const msg = decodeFrame(new Uint8Array(data)) as WireServerMessage;
    if (msg.t === 'result') pending.get(msg.n)?.(msg.result);
  });
  return {
    ws,
    call: (channel, arg) =>
      new Promise((resolve) => {
        const id = ++n;
        pending.set(id, resolve);
        ws.send(encodeFrame({ t: 'call', n: id, channel, arg }));
      }),
  };
}

describe('web mode connection limits (R-WEB-CONN-FLOOD)', () => {
  it('states its defaults', () => {
    expect(WEB_SERVER_LIMITS).toEqual({ maxPendingConnections: 64, pendingIdleMs: 10_000, headersTimeoutMs: 10_000, requestTimeoutMs: 15_000 });
  });

  it('holds at most the cap of half-open sockets, still admits an authorised client, then closes them all', async () => {
    const existing = await authorisedClient();
    const flood: RawSocket[] = [];
    for (let i = 0; i < 60; i++) flood.push(raw((s) => s.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${web.port}\r\n`)));
    // Every flood socket is either closed or pending; never more pending than the cap.
    await waitFor(() => flood.filter((r) => !r.closed).length <= LIMITS.maxPendingConnections, 'the flood to be cut to the cap');
    expect(web.pendingConnections()).toBeLessThanOrEqual(LIMITS.maxPendingConnections);

    const fresh = await authorisedClient();
    expect(await fresh.call('app:info', {})).toMatchObject({ ok: true });
    expect(await existing.call('profiles:list', {})).toMatchObject({ ok: true });

    await waitFor(() => flood.every((r) => r.closed), 'every half-open socket to be closed by the server');
    expect(web.pendingConnections()).toBe(0);
    // Authorised WebSockets are not pending and outlive the idle and header timeouts.
    await new Promise((r) => setTimeout(r, LIMITS.pendingIdleMs * 2));
    expect(existing.ws.readyState).toBe(WebSocket.OPEN);
    expect(await existing.call('app:info', {})).toMatchObject({ ok: true });
    existing.ws.close();
    fresh.ws.close();
  });

  it('closes a socket that drips header lines (slow headers) and one that sends nothing', async () => {
    let drip: NodeJS.Timeout | undefined;
    const dripping = raw((s) => {
      s.write('GET / HTTP/1.1\r\n');
      drip = setInterval(() => {
        if (!s.destroyed) s.write('X-Slow: 1\r\n');
      }, 100);
    });
    const silent = raw(() => undefined);
    try {
      await waitFor(() => dripping.closed && silent.closed, 'the slow and the silent socket to be closed');
    } finally {
      clearInterval(drip);
    }
  });

  it('still serves the page over keep-alive while the cap is in force', async () => {
    const got = await new Promise<string>((resolve, reject) => {
      const s = connect(web.port, '127.0.0.1', () => s.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${web.port}\r\n\r\n`));
      let text = '';
      s.setEncoding('utf8');
      s.on('data', (d) => {
        text += d;
        if (text.includes('</title>')) {
          s.destroy();
          resolve(text);
        }
      });
      s.on('error', reject);
    });
    expect(got).toMatch(/^HTTP\/1\.1 200/);
  });
});
