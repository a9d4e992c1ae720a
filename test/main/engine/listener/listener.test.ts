/**
 * Listener and responder over real loopback sockets, clients written here for the edge cases:
 * 200 clients at once (the 201st refused), a reset, a half-close that keeps reading, a regex bomb,
 * an over-long line, UDP from two source ports.
 */
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { readUntilEnd } from '../loopback.ts';
import dgram from 'node:dgram';
import { startListener, type Listener } from '../../../../main/engine/listener/listener.ts';
import type { ResponderSpec } from '../../../../shared/listener.ts';

const listeners: Listener[] = [];
afterEach(async () => {
  for (const l of listeners.splice(0)) await l.close();
});

async function start(responder: ResponderSpec, extra: { maxClients?: number; maxBytesPerClient?: number; transport?: 'tcp' | 'udp' } = {}): Promise<Listener> {
  const { transport = 'tcp', ...limits } = extra;
  const r = await startListener({ transport, host: '127.0.0.1', port: 0, responder, ...limits });
  if (!r.ok) throw new Error(r.error.message);
  listeners.push(r.value);
  return r.value;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => resolve(s));
    s.once('error', reject);
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

const rules = (framing: 'line' | 'chunk' = 'line'): ResponderSpec => ({
  kind: 'rules',
  framing: { kind: framing },
  rules: [
    { match: { kind: 'exact', value: 'PING' }, reply: { mode: 'escapes', value: '+PONG\\r\\n' }, delayMs: 0, close: false },
    { match: { kind: 'regex', value: '^GET (\\S+)' }, reply: { mode: 'text', value: 'path=${1} n=${counter}\n' }, delayMs: 5, close: false },
    { match: { kind: 'regex', value: '(a|aa)*b' }, reply: { mode: 'text', value: 'bomb-defused\n' }, delayMs: 0, close: true },
    { match: { kind: 'hex', value: 'de ad' }, reply: { mode: 'hex', value: 'be ef' }, delayMs: 0, close: false },
  ],
});

describe('stream listener', () => {
  it('refuses bad hosts and options before binding', async () => {
    const remote = await startListener({ transport: 'tcp', host: '0.0.0.0', port: 0 });
    expect(!remote.ok && remote.error).toMatchObject({ field: 'bindHost', reason: 'bind-not-loopback', params: { text: '0.0.0.0' } });
    // A label never sits inside the message: each front end puts its own in front (Bind address, --host).
    expect(!remote.ok && remote.error.message).toBe('0.0.0.0 is not a loopback address: binding it lets other machines connect, which needs your explicit consent.');
    for (const [host, reason] of [['300.1.1.1', 'ipv4-over-255'], ['my host', 'bind-not-ip'], ['example.com', 'bind-not-ip'], ['127.0.0.1:80', 'bind-not-ip'], ['', 'bind-empty']] as const) {
      const bad = await startListener({ transport: 'tcp', host, port: 0 });
      expect(!bad.ok && bad.error, host).toMatchObject({ code: 'INVALID_INPUT', field: 'bindHost', reason });
    }
    const badPort = await startListener({ transport: 'tcp', host: '127.0.0.1', port: 70000 });
    expect(!badPort.ok && badPort.error).toMatchObject({ field: 'port', reason: 'port-range', params: { value: '70000', lowest: 0 } });
    const badRegex = await startListener({ transport: 'tcp', host: '127.0.0.1', port: 0, responder: { kind: 'rules', framing: { kind: 'line' }, rules: [{ match: { kind: 'regex', value: '(a)\\1' }, reply: null, delayMs: 0, close: false }] } });
    expect(!badRegex.ok && badRegex.error.field).toBe('rules[0].match.regex');
  });

  it('a port in use is said as a bind failure, with the address as data (TCP and UDP)', async () => {
    for (const transport of ['tcp', 'udp'] as const) {
      const first = await start({ kind: 'off' }, { transport });
      const second = await startListener({ transport, host: '127.0.0.1', port: first.port });
      expect(!second.ok && second.error, transport).toEqual({
        code: 'ADDRESS_IN_USE',
        message: `Could not listen on 127.0.0.1:${first.port}: another program (or listener) already listens there; pick another port, or 0 for any free one (EADDRINUSE).`,
        field: 'port',
        reason: 'listen-in-use',
        params: { address: `127.0.0.1:${first.port}` },
        errno: 'EADDRINUSE',
      });
    }
  });

  it('answers rules per line, with captures, counters and hits; a half-closed client still gets every reply', async () => {
    const l = await start(rules());
    const s = await connect(l.port);
    const all = readUntilEnd(s);
    s.end(Buffer.from('PING\r\nGET /a HTTP/1.0\r\nGET /b\n\xde\xad\n', 'latin1'));
    expect(await all).toBe('+PONG\r\npath=/a n=1\npath=/b n=2\n\xbe\xef');
    expect(l.stats().ruleHits).toEqual([1, 2, 0, 1]);
  });

  it('a regex bomb is answered (linear-time engine) and the listener keeps serving', async () => {
    const l = await start(rules('chunk'));
    const s = await connect(l.port);
    const all = readUntilEnd(s);
    s.write('a'.repeat(60_000) + 'c');
    s.write('a'.repeat(3_000) + 'b');
    expect(await all).toBe('bomb-defused\n');
    const s2 = await connect(l.port);
    const all2 = readUntilEnd(s2);
    s2.end('PING');
    expect(await all2).toBe('+PONG\r\n');
  });

  it('a line past the framing limit is an error for that client only', async () => {
    const l = await start(rules());
    const errors: string[] = [];
    l.on('client-error', (_c, e) => errors.push(e.code));
    const s = await connect(l.port);
    const all = readUntilEnd(s);
    s.write(Buffer.alloc(70_000, 0x61));
    await all;
    expect(errors).toEqual(['LIMIT_EXCEEDED']);
  });

  it('200 clients at once; the 201st is refused and counted; a reset client is reported', async () => {
    const l = await start({ kind: 'echo' }, { maxClients: 200 });
    const sockets = await Promise.all(Array.from({ length: 200 }, () => connect(l.port)));
    await until(() => l.stats().active === 200);
    const extra = await connect(l.port);
    await readUntilEnd(extra);
    expect(l.stats()).toMatchObject({ accepted: 200, refused: 1, active: 200 });
    const outcomes: string[] = [];
    l.on('closed', (_c, outcome, error) => outcomes.push(`${outcome}:${error?.code ?? ''}`));
    sockets[0]!.resetAndDestroy();
    await until(() => outcomes.length === 1);
    expect(outcomes[0]).toBe('error:RESET');
    const echoed = readUntilEnd(sockets[1]!);
    sockets[1]!.end('hello');
    expect(await echoed).toBe('hello');
    for (const s of sockets) s.destroy();
  }, 60_000);

  it('a client past its byte cap is closed with limit-reached; what it sent first was kept and answered', async () => {
    const l = await start({ kind: 'echo' }, { maxBytesPerClient: 1000 });
    const outcomes: string[] = [];
    l.on('closed', (_c, outcome) => outcomes.push(outcome));
    const s = await connect(l.port);
    const all = readUntilEnd(s);
    s.write(Buffer.alloc(10, 0x62));
    await new Promise((r) => s.once('data', r));
    s.write(Buffer.alloc(5000, 0x61));
    await all;
    await until(() => outcomes.length === 1);
    expect(outcomes).toEqual(['limit-reached']);
  });

  it('fixed reply on connect and after the first message', async () => {
    const l = await start({ kind: 'fixed', reply: { mode: 'text', value: 'hi ${counter}\n' }, when: 'connect' });
    const s = await connect(l.port);
    const all = readUntilEnd(s);
    s.end();
    expect(await all).toBe('hi 1\n');
  });
});

describe('udp listener', () => {
  it('two source ports are two peers, each answered', async () => {
    const l = await start({ kind: 'echo' }, { transport: 'udp' });
    const accepted: string[] = [];
    l.on('accepted', (c) => accepted.push(`${c.address}:${c.port}`));
    const replies: string[] = [];
    const clients = [dgram.createSocket('udp4'), dgram.createSocket('udp4')];
    try {
      for (const [i, c] of clients.entries()) {
        c.on('message', (m) => replies.push(`${i}:${m.toString()}`));
        await new Promise<void>((r) => c.bind(0, '127.0.0.1', () => r()));
        c.send(`from ${i}`, l.port, '127.0.0.1');
      }
      await until(() => replies.length === 2);
      expect(new Set(accepted).size).toBe(2);
      expect(replies.sort()).toEqual(['0:from 0', '1:from 1']);
      expect(l.stats().active).toBe(2);
    } finally {
      for (const c of clients) c.close();
    }
  });
});

describe('client outcomes and calls', () => {
  it('a client that sends its FIN first ends as peer-closed (after its replies); one a rule closes ends as closed-by-us', async () => {
    const l = await start(rules());
    const outcomes: string[] = [];
    l.on('closed', (_c, outcome) => outcomes.push(outcome));
    const a = await connect(l.port);
    const replyA = readUntilEnd(a);
    a.end('PING\n');
    expect(await replyA).toBe('+PONG\r\n');
    await until(() => outcomes.length === 1);
    expect(outcomes).toEqual(['peer-closed']);
  });

  it('sends to a client by id, half-closes, resets (the client sees ECONNRESET), and names a client that has gone', async () => {
    const l = await start({ kind: 'off' });
    const a = await connect(l.port);
    const b = await connect(l.port);
    await until(() => l.clientIds().length === 2);
    const [ida, idb] = l.clientIds();
    const gotA = readUntilEnd(a);
    expect(await l.sendToClient(ida!, new TextEncoder().encode('hi a'))).toEqual({ ok: true, value: 4 });
    expect((await l.endClient(ida!, 'half-close')).ok).toBe(true);
    expect(await gotA).toBe('hi a');
    const resetSeen = new Promise<string>((resolve) => {
      b.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      b.on('end', () => resolve('end'));
    });
    expect((await l.endClient(idb!, 'reset')).ok).toBe(true);
    expect(await resetSeen).toBe('ECONNRESET');
    await until(() => !l.clientIds().includes(idb!));
    const gone = await l.sendToClient(idb!, new Uint8Array(1));
    expect(gone.ok ? 'ok' : [gone.error.code, gone.error.field]).toEqual(['UNKNOWN_SESSION', 'clientId']);
    a.destroy();
  });
});
