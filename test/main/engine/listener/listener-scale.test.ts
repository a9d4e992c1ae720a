/**
 * The listener's per-client state after the scale work (issue 16): one ClientEntry per client, a
 * responder whose framer, timers and reply chain are made on first use, done() asked for only when
 * the session closes. The behaviour each of those could have broken, over real loopback sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { readUntilEnd } from '../loopback.ts';
import { startListener, type ClientInfo, type Listener } from '../../../../main/engine/listener/listener.ts';
import type { ResponderSpec } from '../../../../shared/listener.ts';

const listeners: Listener[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const l of listeners.splice(0)) await l.close();
});

async function start(responder: ResponderSpec): Promise<Listener> {
  const r = await startListener({ transport: 'tcp', host: '127.0.0.1', port: 0, responder });
  if (!r.ok) throw new Error(r.error.message);
  listeners.push(r.value);
  return r.value;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => resolve(s));
    sockets.push(s);
    s.once('error', reject);
  });
}


/** The next `n` bytes (as text) the socket receives. */
function nextBytes(s: net.Socket, n: number): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (d: Buffer): void => {
      text += d.toString('latin1');
      if (text.length >= n) {
        s.off('data', onData);
        resolve(text);
      }
    };
    s.on('data', onData);
  });
}

function until(cond: () => boolean, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = (): void => {
      if (cond()) resolve();
      else if (Date.now() - t0 > ms) reject(new Error('condition not met in time'));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

function closedEvents(l: Listener): { client: ClientInfo; outcome: string }[] {
  const seen: { client: ClientInfo; outcome: string }[] = [];
  l.on('closed', (client, outcome) => seen.push({ client, outcome }));
  return seen;
}

describe('listener clients after the scale work', () => {
  it('a client that never sends and half-closes gets our FIN, ends as peer-closed and leaves nothing behind', async () => {
    const l = await start({ kind: 'echo' });
    const closed = closedEvents(l);
    const c = await connect(l.port);
    await until(() => l.stats().active === 1);
    const text = readUntilEnd(c);
    c.end();
    expect(await text).toBe('');
    await until(() => closed.length === 1);
    expect(closed[0]!.outcome).toBe('peer-closed');
    expect(l.stats()).toMatchObject({ accepted: 1, active: 0 });
    expect(l.clientIds()).toEqual([]);
    // The listener made this session, so it released its memory once the client had gone.
    expect(closed[0]!.client.session?.dataReleased).toBe(true);
    expect(closed[0]!.client.session?.id).toMatch(/^listener-client-[0-9]+$/);
  });

  it('a client that never sends and vanishes is reported closed; one that stays is still served', async () => {
    const l = await start({ kind: 'echo' });
    const closed = closedEvents(l);
    const gone = await connect(l.port);
    const stays = await connect(l.port);
    await until(() => l.stats().active === 2);
    gone.resetAndDestroy();
    await until(() => closed.length === 1);
    expect(l.stats().active).toBe(1);
    const echoed = nextBytes(stays, 3);
    stays.write('hi\n');
    expect(await echoed).toBe('hi\n');
  });

  it('echo answers every message, also after the reply chain ran dry, and a FIN after them is answered with ours', async () => {
    const l = await start({ kind: 'echo' });
    const c = await connect(l.port);
    for (const word of ['one\n', 'two\n', 'three\n']) {
      const echoed = nextBytes(c, word.length);
      c.write(word);
      expect(await echoed).toBe(word);
    }
    const rest = readUntilEnd(c);
    c.end('last\n');
    expect(await rest).toBe('last\n');
  });

  it('a line split across reads is framed (the framer is made at the first byte); a delayed reply still precedes our FIN', async () => {
    const l = await start({
      kind: 'rules',
      framing: { kind: 'line' },
      rules: [{ match: { kind: 'exact', value: 'PING' }, reply: { mode: 'escapes', value: '+PONG\\r\\n' }, delayMs: 150, close: false }],
    });
    const hits: number[] = [];
    l.on('rule', (_c, i) => hits.push(i));
    const c = await connect(l.port);
    const text = readUntilEnd(c);
    c.write('PI');
    await until(() => l.stats().active === 1);
    c.write('NG\r\n');
    await until(() => hits.length === 1);
    // FIN before the delay has passed: the reply owed is written first, then our FIN.
    c.end();
    expect(await text).toBe('+PONG\r\n');
    expect(l.stats().ruleHits).toEqual([1]);
  });

  it('setResponder reaches connected clients; close() ends idle clients and reports each one', async () => {
    const l = await start({ kind: 'off' });
    const closed = closedEvents(l);
    const talker = await connect(l.port);
    const idle = await connect(l.port);
    await until(() => l.stats().active === 2);
    expect(l.setResponder({ kind: 'echo' }).ok).toBe(true);
    const echoed = nextBytes(talker, 4);
    talker.write('now\n');
    expect(await echoed).toBe('now\n');
    const idleEnd = readUntilEnd(idle);
    // Clients that answer our FIN with theirs let close() finish without the grace timer.
    for (const s of [talker, idle]) s.on('end', () => s.end());
    await l.close();
    expect(await idleEnd).toBe('');
    expect(closed.map((e) => e.outcome).sort()).toEqual(['closed-by-us', 'closed-by-us']);
    expect(l.stats().active).toBe(0);
  });
});
