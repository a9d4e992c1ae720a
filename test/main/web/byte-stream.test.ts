/**
 * Web mode's byte stream (`GET /bytes/<id>`, SessionOpenArg.byteStream): the real server, bridge and
 * engine against a real TCP peer. Refused without the token, with a wrong one, for an unknown
 * session, from a foreign Host, and a second time; with the token it carries exactly the received
 * bytes while the updates carry none, within the acknowledged window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startWebMode, type RunningWebMode } from '../../../main/web/web-mode.ts';
import { decodeFrame, encodeFrame, TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL, type WireServerMessage } from '../../../shared/wire.ts';
import type { EventPayload } from '../../../shared/contract.ts';
import type { Result } from '../../../shared/errors.ts';

const TOTAL = 24 * 1024 * 1024;
const byteAt = (i: number): number => (i * 7 + (i >>> 12)) & 0xff;

let dir: string;
let web: RunningWebMode;
let peer: Server;
let peerPort: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'st-bytes-'));
  await mkdir(join(dir, 'renderer'), { recursive: true });
  await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>t</title>');
  web = await startWebMode({ rendererDir: join(dir, 'renderer'), port: 0, host: '127.0.0.1', profilesPath: join(dir, 'profiles.json') });
  peer = createServer((s) => {
    s.on('error', () => undefined);
    let sent = 0;
    const pump = (): void => {
      while (sent < TOTAL) {
        const n = Math.min(256 * 1024, TOTAL - sent);
        const chunk = Buffer.allocUnsafe(n);
        for (let i = 0; i < n; i++) chunk[i] = byteAt(sent + i);
        sent += n;
        if (!s.write(chunk)) return void s.once('drain', pump);
      }
      s.end();
    };
    pump();
  });
  await new Promise<void>((r) => peer.listen(0, '127.0.0.1', () => r()));
  peerPort = (peer.address() as { port: number }).port;
});

afterAll(async () => {
  await web.stop();
  await new Promise((r) => peer.close(r));
  await rm(dir, { recursive: true, force: true });
});

/** GET with chosen headers; `onChunk` sees the body as it streams. */
function get(path: string, headers: Record<string, string>, onChunk?: (b: Buffer) => void): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: web.port, path, headers: { host: `127.0.0.1:${web.port}`, ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        parts.push(c);
        onChunk?.(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openClient(): Promise<{ call(channel: string, arg: unknown): Promise<Result<unknown>>; updates: Array<EventPayload<'session:update'>>; ws: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${web.port}/ws`, [WIRE_PROTOCOL, TOKEN_PROTOCOL_PREFIX + web.token], { headers: { origin: web.origin } });
    let n = 0;
    const pending = new Map<number, (r: Result<unknown>) => void>();
    const updates: Array<EventPayload<'session:update'>> = [];
    ws.on('message', (data: Buffer) => {
      const msg = decodeFrame(new Uint8Array(data)) as WireServerMessage;
      if (msg.t === 'result') pending.get(msg.n)?.(msg.result);
      else if (msg.event === 'session:update') updates.push(msg.payload as EventPayload<'session:update'>);
    });
    ws.on('open', () =>
      resolve({
        ws,
        updates,
        call: (channel, arg) =>
          new Promise((r) => {
            const id = ++n;
            pending.set(id, r);
            ws.send(encodeFrame({ t: 'call', n: id, channel, arg }));
          }),
      }),
    );
  });
}

describe('web mode byte stream', () => {
  it('refuses a missing or wrong token, an unknown session and a foreign Host', async () => {
    expect((await get('/bytes/x', {})).status).toBe(403);
    expect((await get('/bytes/x', { 'x-socket-tester-token': 'wrong' })).status).toBe(403);
    expect((await get('/bytes/nope', { 'x-socket-tester-token': web.token })).status).toBe(404);
    expect((await get('/bytes/x', { host: 'evil.example', 'x-socket-tester-token': web.token })).status).toBe(421);
  });

  it('streams exactly the received bytes, in order, within the acknowledged window; updates carry none', async () => {
    const c = await openClient();
    try {
      const opened = await c.call('session:open', { host: '127.0.0.1', port: peerPort, maxResponseBytes: TOTAL + 1, byteStream: true });
      if (!opened.ok) throw new Error(opened.error.message);
      const id = (opened.value as { id: string }).id;
      let got = 0;
      let acking = Promise.resolve();
      const r = await get(`/bytes/${id}`, { 'x-socket-tester-token': web.token }, (chunk) => {
        got += chunk.byteLength;
        const through = got;
        acking = acking.then(async () => void (await c.call('session:ack', { acks: [{ id, through }] })));
      });
      expect(r.status).toBe(200);
      expect(r.body.byteLength).toBe(TOTAL);
      for (let i = 0; i < TOTAL; i += 4099) if (r.body[i] !== byteAt(i)) throw new Error(`byte ${i} differs`);
      expect(c.updates.every((u) => u.data === null)).toBe(true);
      // The status goes over the WebSocket, the bytes over this response: two connections, so the
      // last status may still be on its way when the body has ended (bounded wait, never a sleep).
      for (let i = 0; i < 500 && c.updates.at(-1)?.status.bytesReceived !== TOTAL; i++) await new Promise((r) => setTimeout(r, 10));
      expect(c.updates.at(-1)?.status.bytesReceived).toBe(TOTAL);
      // Given once: a second request gets an empty body.
      expect((await get(`/bytes/${id}`, { 'x-socket-tester-token': web.token })).body.byteLength).toBe(0);
    } finally {
      c.ws.close();
    }
  }, 60_000);
});
