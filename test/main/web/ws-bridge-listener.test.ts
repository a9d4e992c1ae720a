/**
 * Listen mode through web mode: the real HTTP server and WebSocket bridge, binary frames both ways
 * (a rule test's sample and reply bytes, a watched client's bytes), and `listener:update` pushed to
 * the page. A page that goes away stops its listeners.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startWebMode, type RunningWebMode } from '../../../main/web/web-mode.ts';
import { decodeFrame, encodeFrame, TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL, type WireServerMessage } from '../../../shared/wire.ts';
import type { EventPayload } from '../../../shared/contract.ts';
import type { Result } from '../../../shared/errors.ts';
import type { ListenerView, RuleTestResult } from '../../../shared/listener.ts';

let dir: string;
let web: RunningWebMode;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'st-web-listener-'));
  await mkdir(join(dir, 'renderer'), { recursive: true });
  await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>t</title>');
  web = await startWebMode({ rendererDir: join(dir, 'renderer'), port: 0, host: '127.0.0.1', profilesPath: join(dir, 'profiles.json') });
});

afterAll(async () => {
  await web.stop();
  await rm(dir, { recursive: true, force: true });
});

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${web.port}/ws`, [WIRE_PROTOCOL, TOKEN_PROTOCOL_PREFIX + web.token], {
      headers: { host: `127.0.0.1:${web.port}`, origin: web.origin },
    });
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
  });
}

function client(ws: WebSocket) {
  let n = 0;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const events: Array<{ event: string; payload: unknown }> = [];
  ws.on('message', (data: Buffer) => {
    const msg = decodeFrame(new Uint8Array(data)) as WireServerMessage;
    if (msg.t === 'result') pending.get(msg.n)?.(msg.result);
    else events.push({ event: msg.event, payload: msg.payload });
  });
  return {
    events,
    call<T>(channel: string, arg: unknown): Promise<T> {
      const id = ++n;
      return new Promise((resolve, reject) => {
        pending.set(id, (r) => (r.ok ? resolve(r.value as T) : reject(new Error(`${r.error.code}: ${r.error.message}`))));
        ws.send(encodeFrame({ t: 'call', n: id, channel, arg }));
      });
    },
    async waitFor(pred: () => boolean, what: string): Promise<void> {
      for (let i = 0; i < 1000 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
      if (!pred()) throw new Error(`timed out waiting for ${what}`);
    },
  };
}

describe('listener over web mode', () => {
  it('starts a listener, pushes its table, tests a rule with bytes both ways, replays a watched client, and stops when the page goes', async () => {
    const ws = await open();
    const c = client(ws);
    const responder = {
      kind: 'rules',
      framing: { kind: 'line' },
      rules: [{ match: { kind: 'hex', value: '00 ff' }, reply: { mode: 'hex', value: 'ca fe' }, delayMs: 0, close: false }],
    };
    const test = await c.call<RuleTestResult>('listener:test', { responder, sample: new Uint8Array([1, 0, 0xff, 0x0a]) });
    expect(test.verdicts[0]!.rule).toBe(0);
    expect(test.verdicts[0]!.reply).toBeInstanceOf(Uint8Array);
    expect([...test.verdicts[0]!.reply!]).toEqual([0xca, 0xfe]);

    const started = await c.call<ListenerView>('listener:start', { transport: 'tcp', host: '127.0.0.1', port: 0, responder });
    const peer = net.connect({ host: '127.0.0.1', port: started.port });
    const got: Buffer[] = [];
    peer.on('data', (d: Buffer) => got.push(d));
    peer.on('error', () => undefined);
    peer.write(Buffer.from([0x00, 0xff, 0x0a]));
    await c.waitFor(() => Buffer.concat(got).equals(Buffer.from([0xca, 0xfe])), 'the rule reply');
    const updates = (): Array<EventPayload<'listener:update'>> =>
      c.events.filter((e) => e.event === 'listener:update').map((e) => e.payload as EventPayload<'listener:update'>);
    await c.waitFor(() => updates().some((u) => u.stats.ruleHits[0] === 1 && u.clients.some((r) => r.bytesIn === 3)), 'the row and the counter');

    const { sessionId } = await c.call<{ sessionId: string }>('listener:watch', { id: started.id, clientId: 1 });
    await c.waitFor(
      () => c.events.some((e) => e.event === 'session:update' && (e.payload as EventPayload<'session:update'>).id === sessionId && (e.payload as EventPayload<'session:update'>).data?.byteLength === 3),
      'the replayed bytes',
    );
    const replay = c.events.find((e) => e.event === 'session:update')!.payload as EventPayload<'session:update'>;
    expect(replay.data).toBeInstanceOf(Uint8Array);
    expect([...replay.data!]).toEqual([0x00, 0xff, 0x0a]);

    ws.close();
    await new Promise<void>((resolve) => peer.once('close', () => resolve()));
    // Nothing listens there any more.
    const refused = await new Promise<string>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: started.port });
      s.on('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});
