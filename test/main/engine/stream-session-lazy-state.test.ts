/**
 * What a StreamSession now makes on first use instead of at construction (issue 16, scale: the
 * AbortController, done()'s promise, close waiters, shared socket handlers, shared limits, a
 * transcript in an exact-size array): each still works the moment it is first needed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { StreamSession } from '../../../main/engine/stream-session.ts';
import { adopt } from '../../../main/engine/stream-openers.ts';
import { listen, lookupReturning, record, until, type LoopbackServer } from './loopback.ts';

const servers: LoopbackServer[] = [];
const sessions: StreamSession[] = [];
const clients: net.Socket[] = [];

afterEach(async () => {
  for (const s of sessions.splice(0)) s.cancel();
  for (const c of clients.splice(0)) c.destroy();
  for (const s of servers.splice(0)) await s.close();
});

/** A server whose accepted sockets each become an adopted session (as the listener does). */
async function acceptInto(limits: { idleTimeoutMs?: number; maxResponseBytes?: number } = {}) {
  const adopted: StreamSession[] = [];
  const server = await listen(
    (socket) => {
      const s = new StreamSession(`adopted-${adopted.length}`);
      sessions.push(s);
      adopted.push(s);
      void s.open(adopt(socket), limits);
    },
    '127.0.0.1',
    { allowHalfOpen: true },
  );
  servers.push(server);
  const connect = async (): Promise<net.Socket> => {
    const c = net.connect({ host: '127.0.0.1', port: server.port, allowHalfOpen: true });
    c.on('error', () => undefined);
    clients.push(c);
    await new Promise((resolve) => c.once('connect', resolve));
    return c;
  };
  return { adopted, connect };
}

describe('state made on first use', () => {
  it("the first byte of an adopted session is in its transcript and response; entries keep their shape ('at' last)", async () => {
    const { adopted, connect } = await acceptInto();
    const client = await connect();
    await until(() => adopted[0]?.status.phase === 'open', 'the session opened');
    const session = adopted[0]!;
    const rec = record(session);
    client.write('x');
    await until(() => session.transcript().some((e) => e.kind === 'received'), 'the first byte was recorded');
    const entries = session.transcript();
    expect(entries.map((e) => e.kind)).toEqual(['connected', 'received']);
    expect(entries[1]).toMatchObject({ kind: 'received', bytes: 1, offset: 0 });
    for (const e of entries) expect(Object.keys(e).at(-1)).toBe('at');
    expect(Object.keys(entries[1]!)).toEqual(['kind', 'bytes', 'offset', 'at']);
    expect(Buffer.from(session.response()).toString()).toBe('x');
    expect(rec.transcript).toEqual(entries.slice(1));
    // A long transcript keeps every entry in order past the small-array size.
    for (let i = 0; i < 12; i++) {
      const r = await session.send(Buffer.from(String.fromCharCode(97 + i)));
      expect(r.ok).toBe(true);
    }
    const kinds = session.transcript().map((e) => e.kind);
    expect(kinds.slice(0, 2)).toEqual(['connected', 'received']);
    expect(kinds.filter((k) => k === 'sent')).toHaveLength(12);
    expect(session.transcript().filter((e) => e.kind === 'sent').map((e) => (e as { offset: number }).offset)).toEqual(
      Array.from({ length: 12 }, (_, i) => i),
    );
  });

  it("a byte after a quiet spell gets its own 'received' event (the flush timer, dropped when quiet, is made again)", async () => {
    const { adopted, connect } = await acceptInto();
    const client = await connect();
    await until(() => adopted[0]?.status.phase === 'open', 'the session opened');
    const session = adopted[0]!;
    const received: { bytes: number; offset: number }[] = [];
    session.on('transcript', (e) => {
      if (e.kind === 'received') received.push({ bytes: e.bytes, offset: e.offset });
    });
    client.write('a');
    await until(() => received.length === 1, 'the first entry was emitted');
    // Well past the flush wait: the timer has fired and, the session being quiet, gone.
    await new Promise((r) => setTimeout(r, 100));
    client.write('bc');
    await until(() => received.reduce((n, e) => n + e.bytes, 0) === 3, 'the later bytes were emitted');
    expect(received[0]).toEqual({ bytes: 1, offset: 0 });
    expect(received[1]?.offset).toBe(1);
  });

  it('a client that never sends closes cleanly: done() once released, the same promise every time', async () => {
    const { adopted, connect } = await acceptInto();
    const client = await connect();
    await until(() => adopted[0]?.status.phase === 'open', 'the session opened');
    const session = adopted[0]!;
    const first = session.done();
    expect(session.done()).toBe(first);
    client.end();
    await until(() => session.status.remoteEnded, "the client's FIN arrived");
    // The peer only half-closed (F15): the session stays open until we close it.
    expect(session.status.phase).toBe('open');
    session.close();
    const final = await first;
    expect(final).toMatchObject({ phase: 'closed', outcome: 'closed-by-us', error: null, bytesReceived: 0 });
    expect(session.done()).toBe(first);
    expect(session.transcript().map((e) => e.kind)).toEqual(['connected', 'remote-ended', 'local-ended', 'closed']);
    // Asked for only after the end: resolved at once with the same final status.
    const late = new StreamSession('late');
    late.close();
    await expect(late.done()).resolves.toMatchObject({ phase: 'closed', outcome: 'closed-by-us' });
  });

  it("the idle timer of each adopted session fires for that session only (socket handlers are shared, each finds its own)", async () => {
    const { adopted, connect } = await acceptInto({ idleTimeoutMs: 300 });
    const quiet = await connect();
    const chatty = await connect();
    await until(() => adopted.length === 2 && adopted.every((s) => s.status.phase === 'open'), 'both sessions opened');
    const [a, b] = adopted as [StreamSession, StreamSession];
    // Keep the second one busy while the first one's timer runs out.
    const keepAlive = setInterval(() => chatty.write('.'), 50);
    const port = (x: StreamSession): number | null => x.status.port;
    const quietIsA = port(a) === quiet.localPort;
    const [quietSession, chattySession] = quietIsA ? [a, b] : [b, a];
    try {
      const final = await quietSession.done();
      expect(final.outcome).toBe('idle-timeout');
      expect(chattySession.status.phase).toBe('open');
      expect(chattySession.status.bytesReceived).toBeGreaterThan(0);
      expect(quietSession.status.bytesReceived).toBe(0);
    } finally {
      clearInterval(keepAlive);
    }
  });

  it('cancel during connect still aborts the opener (the AbortSignal is made when the opener first asks)', async () => {
    // A lookup that never answers: the connect waits on the signal alone.
    const stalled = new StreamSession('stalled', { lookup: lookupReturning([{ address: '127.0.0.1', family: 4 }], () => false) });
    sessions.push(stalled);
    const pending = stalled.connect({ host: 'stalls.invalid', port: 9 });
    await until(() => stalled.status.phase === 'connecting', 'connecting');
    stalled.cancel();
    const result = await pending;
    expect(result.ok && result.value.outcome).toBe('cancelled');
    await stalled.done();
  });

  it('a send waiting for drain gives up when the session is cancelled (close waiters made on demand)', async () => {
    const server = await listen((socket) => socket.pause(), '127.0.0.1', { allowHalfOpen: true });
    servers.push(server);
    const session = new StreamSession('blocked');
    sessions.push(session);
    const opened = await session.connect({ host: '127.0.0.1', port: server.port });
    expect(opened.ok).toBe(true);
    const big = new Uint8Array(64 * 1024 * 1024);
    const sending = session.send(big);
    await until(() => session.status.bytesSent > 0, 'some bytes accepted');
    session.cancel();
    const r = await sending;
    expect(r.ok).toBe(false);
    expect(session.status.phase).toBe('closed');
    // A later session on the same process still waits and wakes normally.
    const again = new StreamSession('after');
    sessions.push(again);
    expect((await again.connect({ host: '127.0.0.1', port: server.port })).ok).toBe(true);
    again.cancel();
    await again.done();
  });

  it('sessions with different limits keep their own (limits objects are shared only when equal)', async () => {
    const small = await acceptInto({ maxResponseBytes: 4 });
    const roomy = await acceptInto({ maxResponseBytes: 1024 });
    const c1 = await small.connect();
    const c2 = await roomy.connect();
    await until(() => small.adopted[0]?.status.phase === 'open' && roomy.adopted[0]?.status.phase === 'open', 'both open');
    c1.write('123456789');
    c2.write('123456789');
    const final = await small.adopted[0]!.done();
    expect(final).toMatchObject({ outcome: 'limit-reached', bytesReceived: 4 });
    await until(() => roomy.adopted[0]!.status.bytesReceived === 9, 'the roomy session kept all 9 bytes');
    expect(roomy.adopted[0]!.status.phase).toBe('open');
  });
});
