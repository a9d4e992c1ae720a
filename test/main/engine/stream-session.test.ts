/**
 * StreamSession against real loopback servers: the fault scenarios of RELIABILITY.md (F1–F24) that
 * the engine owns, the bad-input list for host and port, and the state machine's invariants.
 */
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { StreamSession } from '../../../main/engine/stream-session.ts';
import { SESSION_LIMITS } from '../../../shared/session.ts';
import {
  closedPort,
  delay,
  dualStackLookup,
  listen,
  lookupReturning,
  record,
  startNonAcceptingListener,
  until,
  type LoopbackServer,
} from './loopback.ts';

const MiB = 1024 * 1024;
const servers: LoopbackServer[] = [];
const sessions: StreamSession[] = [];

async function serve(onConnection: (s: net.Socket) => void, host = '127.0.0.1'): Promise<LoopbackServer> {
  const s = await listen(onConnection, host, { allowHalfOpen: true });
  servers.push(s);
  return s;
}

function newSession(options: ConstructorParameters<typeof StreamSession>[1] = {}): StreamSession {
  const s = new StreamSession(`test-${sessions.length}`, options);
  sessions.push(s);
  return s;
}

afterEach(async () => {
  for (const s of sessions.splice(0)) s.cancel();
  for (const s of servers.splice(0)) await s.close();
});

/** The phases a recording went through, in order (flag changes within a phase collapsed). */
function phases(rec: ReturnType<typeof record>): string[] {
  return rec.statuses.map((s) => s.phase).filter((phase, i, all) => phase !== all[i - 1]);
}

describe('connect failures', () => {
  it('F1: refused names the address tried, then exactly one closed', async () => {
    const port = await closedPort();
    const session = newSession();
    const rec = record(session);
    const result = await session.connect({ host: '127.0.0.1', port });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('REFUSED');
    expect(result.error.message).toContain(`127.0.0.1:${port}`);
    expect(session.status).toMatchObject({ phase: 'closed', outcome: 'error', error: { code: 'REFUSED' } });
    expect(phases(rec)).toEqual(['connecting', 'closed']);
    expect(rec.transcript.map((e) => e.kind)).toEqual(['connecting', 'error', 'closed']);
    await session.done();
  });

  it('F2: dual-stack refusal lists each address with its code, never an empty message', async () => {
    const port = await closedPort();
    const session = newSession({ lookup: dualStackLookup });
    const result = await session.connect({ host: 'localhost', port });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const { error } = result;
    expect(error.message.length).toBeGreaterThan(20);
    expect(error.attempts?.map((a) => a.address)).toEqual(['::1', '127.0.0.1']);
    for (const attempt of error.attempts ?? []) {
      expect(attempt.errno).toBe('ECONNREFUSED');
      expect(attempt.code).toBe('REFUSED');
      expect(attempt.port).toBe(port);
    }
    expect(error.attempts?.map((a) => a.family)).toEqual([6, 4]);
    expect(error.code).toBe('REFUSED');
    expect(error.message).toContain(`[::1]:${port} ECONNREFUSED`);
    expect(error.message).toContain(`127.0.0.1:${port} ECONNREFUSED`);
  });

  it('F3: server on ::1 only, client to 127.0.0.1: refused, showing the address tried', async () => {
    const v6 = await serve(() => undefined, '::1');
    const session = newSession();
    const result = await session.connect({ host: '127.0.0.1', port: v6.port });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('REFUSED');
    expect(result.error.message).toContain(`127.0.0.1:${v6.port}`);
    expect(v6.accepted).toHaveLength(0);
  });

  it('F4: an unknown name is a DNS error, labelled as such', async () => {
    const session = newSession();
    const result = await session.connect({ host: 'nope.invalid', port: 80 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(['DNS_NOT_FOUND', 'DNS_FAILED']).toContain(result.error.code);
    expect(result.error.message).toMatch(/^DNS: .*nope\.invalid/);
  });

  it('F5: cancel during a slow DNS lookup: cancelled at once, no late events', async () => {
    let pendingCallback: (() => void) | null = null;
    const server = await serve(() => undefined);
    const slowLookup = lookupReturning([{ address: '127.0.0.1', family: 4 }], (_name, answer) => {
      pendingCallback = answer;
      return false;
    });
    const session = newSession({ lookup: slowLookup });
    const rec = record(session);
    const connecting = session.connect({ host: 'slow.example', port: server.port });
    await until(() => pendingCallback !== null, 'the lookup to start');
    session.cancel();
    const result = await connecting;
    expect(result.ok).toBe(true);
    expect(session.status).toMatchObject({ phase: 'closed', outcome: 'cancelled', error: null });
    const eventsAtCancel = rec.count();
    pendingCallback!();
    await delay(50);
    expect(rec.count()).toBe(eventsAtCancel);
    expect(server.accepted).toHaveLength(0);
    await session.done();
  });

  it('F6: a SYN never answered (backlog full) ends in CONNECT_TIMEOUT and a destroyed socket', async () => {
    const listener = await startNonAcceptingListener();
    const fillers: net.Socket[] = [];
    try {
      // Fill the accept queue; once it is full the kernel silently drops further SYNs.
      for (let i = 0; i < 4; i++) {
        const filler = net.connect({ host: '127.0.0.1', port: listener.port });
        filler.on('error', () => undefined);
        fillers.push(filler);
      }
      await delay(100);
      const session = newSession();
      const result = await session.connect({ host: '127.0.0.1', port: listener.port, connectTimeoutMs: 300 });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe('CONNECT_TIMEOUT');
      expect(result.error.message).toContain(`127.0.0.1:${listener.port}`);
      const final = await session.done();
      expect(final.outcome).toBe('error');
    } finally {
      for (const f of fillers) f.destroy();
      await listener.stop();
    }
  });

  it('F7: cancel while connecting is cancelled, not an error', async () => {
    const server = await serve(() => undefined);
    const session = newSession();
    const rec = record(session);
    const connecting = session.connect({ host: '127.0.0.1', port: server.port });
    session.cancel();
    expect((await connecting).ok).toBe(true);
    expect(session.status).toMatchObject({ outcome: 'cancelled', error: null });
    expect(rec.transcript.some((e) => e.kind === 'error')).toBe(false);
    await session.done();
  });

  it('F8: a second connect gets BUSY and there is only one socket', async () => {
    const server = await serve(() => undefined);
    const session = newSession();
    const first = session.connect({ host: '127.0.0.1', port: server.port });
    const second = await session.connect({ host: '127.0.0.1', port: server.port });
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.error.code).toBe('BUSY');
    expect((await first).ok).toBe(true);
    const third = await session.connect({ host: '127.0.0.1', port: server.port });
    expect(third.ok ? null : third.error.code).toBe('BUSY');
    await until(() => server.accepted.length === 1, 'the connection to arrive');
    await delay(50);
    expect(server.accepted).toHaveLength(1);
  });

  it('Happy Eyeballs: reports the address actually used', async () => {
    const server = await serve(() => undefined);
    // ::1 has nothing on this port (the server is IPv4 only), so the IPv4 attempt wins.
    const session = newSession({ lookup: dualStackLookup });
    const result = await session.connect({ host: 'localhost', port: server.port });
    expect(result.ok).toBe(true);
    expect(session.status).toMatchObject({ phase: 'open', remoteAddress: '127.0.0.1', remoteFamily: 4, host: 'localhost' });
    expect(session.status.localPort).toBeGreaterThan(0);
  });

  it('accepts IPv6 literals with and without brackets', async () => {
    const server = await serve(() => undefined, '::1');
    for (const host of ['::1', '[::1]']) {
      const session = newSession();
      const result = await session.connect({ host, port: server.port });
      expect(result.ok).toBe(true);
      expect(session.status).toMatchObject({ remoteAddress: '::1', remoteFamily: 6, host: '::1' });
      session.cancel();
    }
  });
});

describe('bad input is rejected before any DNS or socket activity', () => {
  const badHosts = [
    '',
    'a b',
    'localhost\0x',
    'exa\tmple.com',
    'a'.repeat(254),
    `${'a'.repeat(64)}.example`,
    'http://example.com',
    '[::1',
    '[nothost]',
    'host\u202e.example',
  ];
  it.each(badHosts)('host %j', async (host) => {
    let lookups = 0;
    const session = newSession({ lookup: () => void (lookups += 1) });
    const rec = record(session);
    const result = await session.connect({ host, port: 80 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: 'INVALID_INPUT', field: 'host' });
    expect(result.error.message).not.toMatch(/^Host\b/); // the field is data (field: 'host'), not a label in the text
    expect(lookups).toBe(0);
    expect(rec.count()).toBe(0);
    expect(session.status.phase).toBe('idle');
  });

  it.each([0, 65536, -1, 1.5, Number.NaN, '80' as unknown as number])('port %j', async (port) => {
    let lookups = 0;
    const session = newSession({ lookup: () => void (lookups += 1) });
    // A numeric string is not a port number at the engine boundary: whoever read the text converts it.
    const result = await session.connect({ host: 'example.com', port });
    expect(result.ok ? null : result.error).toMatchObject({ code: 'INVALID_INPUT', field: 'port' });
    expect(lookups).toBe(0);
  });

  it('host:port agreeing with the port is accepted; disagreeing is INVALID_INPUT on the port', async () => {
    const server = await serve(() => undefined);
    const agree = newSession();
    expect((await agree.connect({ host: `127.0.0.1:${server.port}`, port: server.port })).ok).toBe(true);
    const disagree = newSession();
    const result = await disagree.connect({ host: `127.0.0.1:${server.port + 1}`, port: server.port });
    expect(result.ok ? null : result.error).toMatchObject({ code: 'INVALID_INPUT', field: 'port' });
  });

  it('tcp:// prefixes are split and internationalised names are looked up in punycode', async () => {
    const server = await serve(() => undefined);
    const prefixed = newSession();
    expect((await prefixed.connect({ host: `tcp://127.0.0.1:${server.port}`, port: server.port })).ok).toBe(true);
    const asked: string[] = [];
    const recordingLookup = lookupReturning([{ address: '127.0.0.1', family: 4 }], (hostname) => asked.push(hostname) > 0);
    const idn = newSession({ lookup: recordingLookup });
    const result = await idn.connect({ host: 'bücher.example', port: server.port });
    expect(result.ok).toBe(true);
    expect(asked).toEqual(['xn--bcher-kva.example']);
    expect(idn.status.host).toBe('xn--bcher-kva.example');
  });

  it.each([
    { connectTimeoutMs: 0 },
    { connectTimeoutMs: SESSION_LIMITS.maxConnectTimeoutMs + 1 },
    { idleTimeoutMs: -1 },
    { maxResponseBytes: 0 },
    { maxResponseBytes: SESSION_LIMITS.maxResponseBytes + 1 },
  ])('limits %j', async (extra) => {
    const session = newSession({ lookup: () => undefined });
    const result = await session.connect({ host: 'example.com', port: 80, ...extra });
    expect(result.ok ? null : result.error).toMatchObject({ code: 'INVALID_INPUT', field: Object.keys(extra)[0] });
  });
});

describe('receiving', () => {
  it('F10: data then reset: RESET after 12 bytes, which are kept and counted', async () => {
    let peer: net.Socket | null = null;
    const server = await serve((s) => {
      peer = s;
      s.write('hello world!');
    });
    const session = newSession();
    const rec = record(session);
    await session.connect({ host: '127.0.0.1', port: server.port });
    await until(() => rec.dataBytes === 12, '12 bytes');
    (peer as net.Socket | null)?.resetAndDestroy();
    const final = await session.done();
    expect(final).toMatchObject({ outcome: 'error', error: { code: 'RESET' }, bytesReceived: 12 });
    expect(Buffer.from(session.response()).toString('latin1')).toBe('hello world!');
    expect(rec.transcript.filter((e) => e.kind === 'closed')).toHaveLength(1);
  });

  /*
   * F10 when the reset lands before we read (a loaded machine: the e2e "data then reset" once
   * showed "Closed by peer"). The peer writes and resets in one turn of this process's event loop,
   * so the 12 bytes and the RST are both in our receive queue when libuv next polls: it reads the
   * bytes and, seeing POLLHUP after a short read, reports EOF without reading the ECONNRESET.
   */
  for (const weFinished of [false, true]) {
    it(`F10: data and reset arriving together${weFinished ? ' after our FIN' : ''} are still a reset, not the peer's FIN`, async () => {
      let peer: net.Socket | null = null;
      const server = await serve((s) => {
        peer = s;
        s.resume();
      });
      const session = newSession();
      const rec = record(session);
      await session.connect({ host: '127.0.0.1', port: server.port });
      if (weFinished) await session.send(Buffer.from('bye'), { halfClose: true });
      await until(() => peer !== null && (!weFinished || server.accepted[0]?.readableEnded === true), 'the peer has the connection');
      const p = peer as unknown as net.Socket;
      p.write('hello world!');
      p.resetAndDestroy();
      const final = await session.done();
      expect(final).toMatchObject({ outcome: 'error', error: { code: 'RESET' }, bytesReceived: 12 });
      expect(Buffer.from(session.response()).toString('latin1')).toBe('hello world!');
      expect(rec.transcript.filter((e) => e.kind === 'closed')).toHaveLength(1);
      expect(rec.transcript.some((e) => e.kind === 'remote-ended')).toBe(false);
    });
  }

  it("F10 control: the peer's FIN after data (no reset) stays the peer's FIN, with or without our FIN first", async () => {
    const peers: net.Socket[] = [];
    const server = await serve((s) => {
      peers.push(s);
      s.resume();
    });
    const open = newSession();
    await open.connect({ host: '127.0.0.1', port: server.port });
    await until(() => peers.length === 1, 'first peer');
    peers[0]!.end('hello world!');
    await until(() => open.status.remoteEnded, 'the peer finished');
    expect(open.status).toMatchObject({ phase: 'open', remoteEnded: true, localEnded: false, bytesReceived: 12, error: null });

    const ended = newSession();
    await ended.connect({ host: '127.0.0.1', port: server.port });
    await ended.send(Buffer.from('bye'), { halfClose: true });
    await until(() => peers.length === 2 && peers[1]!.readableEnded, 'second peer saw our FIN');
    peers[1]!.end('hello world!');
    expect(await ended.done()).toMatchObject({ outcome: 'peer-closed', error: null, bytesReceived: 12 });
  });

  it('F11: accept then close with no data is a normal outcome', async () => {
    const server = await serve((s) => s.end());
    const session = newSession();
    await session.connect({ host: '127.0.0.1', port: server.port });
    await until(() => session.status.remoteEnded, 'the peer FIN');
    // The peer only finished sending; we are still open (F15) until we finish too.
    expect(session.status.phase).toBe('open');
    expect((await session.send(new Uint8Array(0), { halfClose: true })).ok).toBe(true);
    const final = await session.done();
    expect(final).toMatchObject({ outcome: 'peer-closed', error: null, bytesReceived: 0 });
  });

  it('F12: a reply sent only after our FIN is captured in full', async () => {
    const server = await serve((s) => {
      let got = '';
      s.on('data', (d: Buffer) => (got += d.toString('latin1')));
      s.on('end', () => s.end(`echo:${got}`));
    });
    const session = newSession();
    await session.connect({ host: '127.0.0.1', port: server.port });
    const sent = await session.send(new TextEncoder().encode('ping'), { halfClose: true });
    expect(sent.ok && sent.value.bytesSent).toBe(4);
    expect(session.status.localEnded).toBe(true);
    const final = await session.done();
    expect(final.outcome).toBe('peer-closed');
    expect(Buffer.from(session.response()).toString('latin1')).toBe('echo:ping');
  });

  it('F13: a reply 1.5 s after our FIN is still captured (no fixed linger)', async () => {
    const server = await serve((s) => {
      s.resume();
      s.on('end', () => setTimeout(() => s.end('late reply'), 1500));
    });
    const session = newSession();
    await session.connect({ host: '127.0.0.1', port: server.port });
    await session.send(new TextEncoder().encode('x'), { halfClose: true });
    const final = await session.done();
    expect(final.outcome).toBe('peer-closed');
    expect(Buffer.from(session.response()).toString('latin1')).toBe('late reply');
  });

  it('F14: a silent peer is ended by the idle timeout, data kept', async () => {
    const server = await serve((s) => s.write('hi'));
    const session = newSession();
    await session.connect({ host: '127.0.0.1', port: server.port, idleTimeoutMs: 200 });
    const final = await session.done();
    expect(final).toMatchObject({ outcome: 'idle-timeout', error: null, bytesReceived: 2 });
    expect(Buffer.from(session.response()).toString('latin1')).toBe('hi');
  });

  it('F15: the peer half-closes and keeps reading: remoteEnded, still open and writable', async () => {
    let received = '';
    const server = await serve((s) => {
      s.on('data', (d: Buffer) => (received += d.toString('latin1')));
      s.end('bye');
    });
    const session = newSession();
    const rec = record(session);
    await session.connect({ host: '127.0.0.1', port: server.port });
    await until(() => session.status.remoteEnded, 'the peer FIN');
    expect(session.status).toMatchObject({ phase: 'open', remoteEnded: true, localEnded: false });
    expect(rec.transcript.some((e) => e.kind === 'remote-ended')).toBe(true);
    const sent = await session.send(new TextEncoder().encode('still here'));
    expect(sent.ok).toBe(true);
    await until(() => received === 'still here', 'the server to read our bytes');
    session.close();
    const final = await session.done();
    expect(final.outcome).toBe('closed-by-us');
  });

  it('F16: a slow drip resets the idle timer per chunk', async () => {
    const server = await serve((s) => {
      let n = 0;
      const timer = setInterval(() => {
        s.write(String(n));
        n += 1;
        if (n === 6) clearInterval(timer);
      }, 100);
      s.on('close', () => clearInterval(timer));
    });
    const session = newSession();
    // Generous against a drip of 100 ms so a loaded machine cannot end it early.
    await session.connect({ host: '127.0.0.1', port: server.port, idleTimeoutMs: 1500 });
    const final = await session.done();
    expect(final.outcome).toBe('idle-timeout');
    expect(Buffer.from(session.response()).toString('latin1')).toBe('012345');
  });

  it('F17: an endless stream hits the response cap, keeping exactly the first N bytes', async () => {
    const pattern = Buffer.alloc(64 * 1024);
    for (let i = 0; i < pattern.length; i++) pattern[i] = i % 251;
    const server = await serve((s) => {
      const pump = (): void => {
        while (s.write(pattern));
      };
      s.on('drain', pump);
      pump();
    });
    const cap = 1_000_003;
    const session = newSession();
    await session.connect({ host: '127.0.0.1', port: server.port, maxResponseBytes: cap });
    const final = await session.done();
    expect(final).toMatchObject({ outcome: 'limit-reached', error: null, bytesReceived: cap });
    const response = session.response();
    expect(response.length).toBe(cap);
    for (const i of [0, 1, 250, 251, 65_535, 65_536, cap - 1]) expect(response[i]).toBe((i % pattern.length) % 251);
  });

  it('F18: 100 MiB then close: exact count in memory and through a sink, memory bounded with the sink', async () => {
    const size = 100 * MiB;
    const block = Buffer.alloc(MiB, 0x61);
    const server = await serve((s) => {
      let left = size / MiB;
      const pump = (): void => {
        while (left > 0) {
          left -= 1;
          if (!s.write(block)) return;
        }
        s.end();
      };
      s.on('drain', pump);
      pump();
    });

    const inMemory = newSession();
    await inMemory.connect({ host: '127.0.0.1', port: server.port, maxResponseBytes: 128 * MiB });
    await inMemory.send(new Uint8Array(0), { halfClose: true });
    expect(await inMemory.done()).toMatchObject({ outcome: 'peer-closed', bytesReceived: size });
    expect(inMemory.responseChunks().reduce((n, c) => n + c.length, 0)).toBe(size);
    expect(inMemory.response().length).toBe(size);
    expect(inMemory.responseChunks()).toHaveLength(1);

    let sunk = 0;
    const counter = new Writable({
      write(chunk: Buffer, _enc, callback) {
        sunk += chunk.length;
        callback();
      },
    });
    const rssBefore = process.memoryUsage().rss;
    const streamed = newSession({ sink: counter });
    await streamed.connect({ host: '127.0.0.1', port: server.port });
    await streamed.send(new Uint8Array(0), { halfClose: true });
    expect(await streamed.done()).toMatchObject({ outcome: 'peer-closed', bytesReceived: size });
    expect(sunk).toBe(size);
    expect(streamed.response().length).toBe(0);
    const growthMiB = (process.memoryUsage().rss - rssBefore) / MiB;
    // Loose: the sink path keeps no bytes, so RSS must not grow by anything like 100 MiB.
    expect(growthMiB).toBeLessThan(80);
  });

  it('honours a slow sink: pauses the socket and still delivers every byte in order', async () => {
    const payload = Buffer.alloc(4 * MiB);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) % 256;
    const server = await serve((s) => s.end(payload));
    const parts: Buffer[] = [];
    let drains = 0;
    const slowSink = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, callback) {
        parts.push(Buffer.from(chunk));
        setImmediate(callback);
      },
    });
    slowSink.on('drain', () => (drains += 1));
    const session = newSession({ sink: slowSink });
    await session.connect({ host: '127.0.0.1', port: server.port, idleTimeoutMs: 5_000 });
    await session.send(new Uint8Array(0), { halfClose: true });
    const final = await session.done();
    expect(final).toMatchObject({ outcome: 'peer-closed', bytesReceived: payload.length });
    await until(() => slowSink.writableLength === 0, 'the sink to flush');
    expect(Buffer.concat(parts).equals(payload)).toBe(true);
    expect(drains).toBeGreaterThan(0);
  });

  it('F23: hostile bytes arrive byte-exact', async () => {
    const hostile = Buffer.concat([
      Buffer.from([0x00, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
      Buffer.from('\u001b[31m<script>alert(1)</script>\u202e\u2066 evil', 'utf8'),
      Buffer.from([0x00, 0x0d, 0x0a, 0x80]),
    ]);
    const server = await serve((s) => s.end(hostile));
    const session = newSession();
    await session.connect({ host: '127.0.0.1', port: server.port });
    await session.send(new Uint8Array(0), { halfClose: true });
    await session.done();
    expect(Buffer.from(session.response()).equals(hostile)).toBe(true);
  });
});

describe('sending', () => {
  it('the final progress event (done) comes once the send slot is free, so a listener can send next', async () => {
    const got: Buffer[] = [];
    const server = await serve((s) => {
      s.on('data', (d: Buffer) => got.push(d));
      s.on('end', () => s.end());
    });
    const session = newSession();
    await session.connect({ host: '127.0.0.1', port: server.port });
    const fromListener: Promise<unknown>[] = [];
    session.on('send-progress', (p) => {
      if (p.done && p.sendId === 1) fromListener.push(session.send(new TextEncoder().encode('+next'), { halfClose: true }));
    });
    const first = await session.send(new Uint8Array(600 * 1024).fill(0x41));
    expect(first.ok).toBe(true);
    expect(fromListener).toHaveLength(1);
    expect(await fromListener[0]).toMatchObject({ ok: true, value: { sendId: 2, bytesSent: 5 } });
    await session.done();
    expect(Buffer.concat(got).length).toBe(600 * 1024 + 5);
  });

  it('send when not open is NOT_CONNECTED', async () => {
    const session = newSession();
    const before = await session.send(new Uint8Array([1]));
    expect(before.ok ? null : before.error.code).toBe('NOT_CONNECTED');
    session.cancel();
    const after = await session.send(new Uint8Array([1]));
    expect(after.ok ? null : after.error).toMatchObject({ code: 'NOT_CONNECTED' });
  });

  it('F19: peer never reads: progress reported, backpressure honoured, cancel works', async () => {
    const server = await serve((s) => s.pause());
    const session = newSession();
    const rec = record(session);
    await session.connect({ host: '127.0.0.1', port: server.port });
    const total = 100 * MiB;
    const sending = session.send(new Uint8Array(total));
    await until(() => rec.progress.length > 0, 'send progress');
    // The peer reads nothing, so the kernel buffers fill and the rest waits for 'drain'.
    await delay(100);
    const stalledAt = session.status.bytesSent;
    expect(stalledAt).toBeGreaterThan(0);
    expect(stalledAt).toBeLessThan(total);
    session.cancel();
    const result = await sending;
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('ABORTED');
    expect(result.error.message).toMatch(new RegExp(`sent ${session.status.bytesSent} of ${total} bytes`));
    expect(rec.progress.at(-1)?.done).toBe(false);
    expect(session.status.outcome).toBe('cancelled');
  });

  it('F20: write after the peer closed: one clear broken-pipe error, then NOT_CONNECTED', async () => {
    const server = await serve((s) => s.destroy());
    const session = newSession();
    const rec = record(session);
    await session.connect({ host: '127.0.0.1', port: server.port });
    await until(() => session.status.remoteEnded, 'the peer FIN');
    const first = await session.send(new TextEncoder().encode('one'));
    expect(first.ok).toBe(true);
    let failure: { code: string; message: string } | null = null;
    for (let attempt = 0; attempt < 300 && !failure; attempt++) {
      await delay(10);
      const next = await session.send(new TextEncoder().encode('two'));
      if (!next.ok) failure = next.error;
    }
    expect(failure).not.toBeNull();
    expect(['BROKEN_PIPE', 'RESET']).toContain(failure?.code);
    expect(session.status.outcome).toBe('error');
    expect(rec.transcript.filter((e) => e.kind === 'error')).toHaveLength(1);
    const after = await session.send(new TextEncoder().encode('three'));
    expect(after.ok ? null : after.error.code).toBe('NOT_CONNECTED');
  });

  it('F21: send after our own half-close is NOT_CONNECTED; a racing send gets BUSY', async () => {
    const server = await serve((s) => s.resume());
    const session = newSession();
    await session.connect({ host: '127.0.0.1', port: server.port });
    const firstSend = session.send(new Uint8Array(1024), { halfClose: true });
    const racing = await session.send(new Uint8Array(1));
    expect(racing.ok ? null : racing.error.code).toBe('BUSY');
    expect((await firstSend).ok).toBe(true);
    const late = await session.send(new Uint8Array(1));
    expect(late.ok ? null : late.error).toMatchObject({ code: 'NOT_CONNECTED' });
    if (!late.ok) expect(late.error.message).toMatch(/half-closed/);
  });

  it('F22: a reset during a large send reports "sent N of M bytes"', async () => {
    let readBytes = 0;
    const server = await serve((s) => {
      s.on('data', (d: Buffer) => {
        readBytes += d.length;
        if (readBytes > 2 * MiB) s.resetAndDestroy();
      });
    });
    const session = newSession();
    await session.connect({ host: '127.0.0.1', port: server.port });
    const total = 64 * MiB;
    const result = await session.send(new Uint8Array(total));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(['RESET', 'BROKEN_PIPE']).toContain(result.error.code);
    expect(result.error.message).toMatch(new RegExp(`sent \\d+ of ${total} bytes`));
    expect(session.status.bytesSent).toBeLessThan(total);
  });

  it('sendFile streams a file exactly; a bad path is FILE_ERROR and the session stays open', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'st-engine-'));
    try {
      const content = Buffer.alloc(3 * MiB + 17);
      for (let i = 0; i < content.length; i++) content[i] = (i * 13) % 256;
      const path = join(dir, 'payload.bin');
      await writeFile(path, content);
      const got: Buffer[] = [];
      const server = await serve((s) => {
        s.on('data', (d: Buffer) => got.push(d));
        s.on('end', () => s.end());
      });
      const session = newSession();
      const rec = record(session);
      await session.connect({ host: '127.0.0.1', port: server.port });
      const missing = await session.sendFile(join(dir, 'missing.bin'));
      expect(missing.ok ? null : missing.error).toMatchObject({ code: 'FILE_ERROR', errno: 'ENOENT' });
      expect(session.status.phase).toBe('open');
      const folder = await session.sendFile(dir);
      expect(folder.ok ? null : folder.error.code).toBe('FILE_ERROR');
      const sent = await session.sendFile(path, { halfClose: true });
      expect(sent.ok && sent.value.bytesSent).toBe(content.length);
      await session.done();
      expect(Buffer.concat(got).equals(content)).toBe(true);
      expect(rec.progress.at(-1)).toMatchObject({ sent: content.length, total: content.length, done: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('closing and invariants', () => {
  it('close is graceful: our FIN, then the peer FIN ends it as closed-by-us', async () => {
    const server = await serve((s) => {
      s.resume();
      s.on('end', () => s.end('goodbye'));
    });
    const session = newSession();
    const rec = record(session);
    await session.connect({ host: '127.0.0.1', port: server.port });
    session.close();
    expect(session.status).toMatchObject({ phase: 'closing', localEnded: true });
    const final = await session.done();
    expect(final.outcome).toBe('closed-by-us');
    expect(Buffer.from(session.response()).toString('latin1')).toBe('goodbye');
    expect(phases(rec)).toEqual(['connecting', 'open', 'closing', 'closed']);
  });

  it('close against a peer that never FINs ends by the grace timer', async () => {
    const server = await serve((s) => s.resume());
    const session = newSession();
    await session.connect({ host: '127.0.0.1', port: server.port });
    session.close();
    const final = await session.done();
    expect(final).toMatchObject({ outcome: 'closed-by-us', error: null });
  });

  it('F24: event storms end in one final state; cleanup is safe twice', async () => {
    const server = await serve(() => undefined);
    const session = newSession();
    const rec = record(session);
    await session.connect({ host: '127.0.0.1', port: server.port });
    session.close();
    session.cancel();
    session.cancel();
    session.close();
    await session.done();
    server.accepted[0]?.resetAndDestroy();
    await delay(50);
    expect(rec.statuses.filter((s) => s.phase === 'closed')).toHaveLength(1);
    expect(rec.transcript.filter((e) => e.kind === 'closed')).toHaveLength(1);
    expect(session.status.outcome).toBe('cancelled');
  });

  it('bounds the transcript and says so when it is truncated', async () => {
    const server = await serve((s) => s.resume());
    const session = newSession();
    await session.connect({ host: '127.0.0.1', port: server.port });
    const one = new Uint8Array([0x41]);
    for (let i = 0; i < SESSION_LIMITS.maxTranscriptEntries; i++) {
      const r = await session.send(one);
      if (!r.ok) throw new Error(r.error.message);
    }
    session.close();
    await session.done();
    const entries = session.transcript();
    expect(entries.length).toBeLessThanOrEqual(SESSION_LIMITS.maxTranscriptEntries);
    expect(entries.filter((e) => e.kind === 'truncated')).toHaveLength(1);
    expect(entries.at(-1)).toMatchObject({ kind: 'closed', outcome: 'closed-by-us' });
    expect(entries.some((e) => e.kind === 'local-ended')).toBe(true);
    expect(session.status.bytesSent).toBe(SESSION_LIMITS.maxTranscriptEntries);
  });

  it('a finished session cannot connect again', async () => {
    const session = newSession();
    session.cancel();
    const again = await session.connect({ host: '127.0.0.1', port: 1 });
    expect(again.ok ? null : again.error.code).toBe('BUSY');
  });
});
