/**
 * The bridge's last line of defence: a call whose answer cannot even be encoded (a handler that
 * returned a value JSON cannot hold) is answered INTERNAL, the client stays connected, and nothing
 * rejects unhandled. Real HTTP server, real WebSocket, real service with one handler swapped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { composeAppService } from '../../../main/app-composition.ts';
import type { AppService } from '../../../main/app-service.ts';
import { startWebServer, type RunningWebServer } from '../../../main/web/web-server.ts';
import { attachWsBridge } from '../../../main/web/ws-bridge.ts';
import { ok, type Result } from '../../../shared/errors.ts';
import { decodeFrame, encodeFrame, TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL, type WireServerMessage } from '../../../shared/wire.ts';

let dir: string;
let web: RunningWebServer;
let service: AppService;
let closeBridge: () => Promise<void>;
const logged: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'st-bridge-internal-'));
  await mkdir(join(dir, 'renderer'));
  await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>t</title>');
  service = await composeAppService({ host: 'web', profilesPath: join(dir, 'profiles.json') });
  // A handler that "succeeds" with a BigInt: encodeFrame (JSON) throws on it.
  (service.handlers as unknown as Record<string, () => Result<unknown>>)['app:info'] = () => ok({ big: 10n });
  web = await startWebServer({ rendererDir: join(dir, 'renderer'), port: 0, host: '127.0.0.1' });
  closeBridge = attachWsBridge(web, service, (line) => logged.push(line));
});

afterAll(async () => {
  await closeBridge();
  await service.shutdown();
  await web.close();
  await rm(dir, { recursive: true, force: true });
});

describe('ws bridge, unforeseen failures', () => {
  it('answers INTERNAL when a result cannot be encoded, and keeps the client', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${web.port}/ws`, [WIRE_PROTOCOL, TOKEN_PROTOCOL_PREFIX + web.token], {
      headers: { origin: web.origin },
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const answers = new Map<number, Result<unknown>>();
    ws.on('message', (data: Buffer) => {
      const msg = decodeFrame(new Uint8Array(data)) as WireServerMessage;
      if (msg.t === 'result') answers.set(msg.n, msg.result);
    });
    ws.send(encodeFrame({ t: 'call', n: 1, channel: 'app:info', arg: {} }));
    ws.send(encodeFrame({ t: 'call', n: 2, channel: 'profiles:list', arg: {} }));
    for (let i = 0; i < 500 && answers.size < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(answers.get(1)).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(answers.get(2)).toMatchObject({ ok: true });
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(logged.some((l) => l.includes('could not send a result'))).toBe(true);
    ws.close();
  });
});
