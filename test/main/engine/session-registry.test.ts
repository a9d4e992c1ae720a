/**
 * SessionRegistry: ids, the live-session limit, remove, closeAll on quit (F26), connect churn
 * leaving no handle or listener behind (F27), and the bounds of issue 11.4: what closed sessions
 * keep, O(1) bookkeeping, and a per-client share of the live limit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SessionRegistry, type Eviction } from '../../../main/engine/session-registry.ts';
import { StreamSession } from '../../../main/engine/stream-session.ts';
import type { SessionStatus } from '../../../shared/session.ts';
import { listen, until, type LoopbackServer } from './loopback.ts';

const servers: LoopbackServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A server that answers our FIN with its own, so graceful closes finish promptly. */
async function politeServer(): Promise<LoopbackServer & { closedConnections: () => number }> {
  let closed = 0;
  const s = await listen(
    (socket) => {
      socket.resume();
      socket.on('end', () => socket.end());
      socket.on('close', () => (closed += 1));
    },
    '127.0.0.1',
    { allowHalfOpen: true },
  );
  servers.push(s);
  return Object.assign(s, { closedConnections: () => closed });
}

function processListenerCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.eventNames()) counts[String(name)] = process.listenerCount(name);
  return counts;
}

function activeHandles(): number {
  return (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
}

describe('SessionRegistry', () => {
  it('creates sessions with UUIDs, finds, lists and removes them', async () => {
    const server = await politeServer();
    const manager = new SessionRegistry();
    const created = manager.createStream();
    if (!created.ok) throw new Error(created.error.message);
    const session = created.value;
    expect(session.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(manager.get(session.id)).toBe(session);
    await session.connect({ host: '127.0.0.1', port: server.port });
    expect(manager.list().map((s) => [s.id, s.phase])).toEqual([[session.id, 'open']]);
    const closed: string[] = [];
    manager.on('session-closed', (s) => closed.push(`${s.id}:${s.outcome}`));
    manager.remove(session.id);
    expect(manager.get(session.id)).toBeUndefined();
    expect(manager.list()).toEqual([]);
    await session.done();
    await until(() => closed.length === 1, 'session-closed');
    expect(closed).toEqual([`${session.id}:cancelled`]);
    manager.remove('no-such-id');
  });

  it('refuses sessions past the live limit, and counts only live ones', async () => {
    const manager = new SessionRegistry(2);
    const a = manager.createStream();
    const b = manager.createStream();
    expect(a.ok && b.ok).toBe(true);
    const c = manager.createStream();
    expect(c.ok ? null : c.error.code).toBe('SESSION_LIMIT');
    if (a.ok) a.value.cancel();
    expect(manager.createStream().ok).toBe(true);
  });

  it('F26: closeAll destroys every socket, mid-transfer included, and resolves when all are released', async () => {
    const server = await politeServer();
    const manager = new SessionRegistry();
    const sessions = [];
    for (let i = 0; i < 5; i++) {
      const created = manager.createStream();
      if (!created.ok) throw new Error(created.error.message);
      await created.value.connect({ host: '127.0.0.1', port: server.port });
      sessions.push(created.value);
    }
    const sending = sessions[0]!.send(new Uint8Array(32 * 1024 * 1024));
    const pending = manager.createStream();
    await manager.closeAll();
    expect(manager.list().every((s) => s.phase === 'closed')).toBe(true);
    expect((await sending).ok).toBe(false);
    expect(pending.ok && pending.value.status.outcome).toBe('cancelled');
  });

  it('F27: 1000 connect/close cycles return handles and listeners to baseline, with no MaxListeners warning', async () => {
    const server = await politeServer();
    const manager = new SessionRegistry();
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const baselineHandles = activeHandles();
      const baselineListeners = processListenerCounts();
      const cycles = 1000;
      for (let i = 0; i < cycles; i++) {
        const created = manager.createStream();
        if (!created.ok) throw new Error(created.error.message);
        const session = created.value;
        const connected = await session.connect({ host: '127.0.0.1', port: server.port });
        if (!connected.ok) throw new Error(connected.error.message);
        session.close();
        const final = await session.done();
        if (final.outcome !== 'closed-by-us') throw new Error(`cycle ${i}: ${final.outcome}`);
        manager.remove(session.id);
      }
      await until(() => server.closedConnections() === cycles, 'the server side to close');
      await until(() => activeHandles() <= baselineHandles, 'handles back to baseline');
      expect(activeHandles()).toBeLessThanOrEqual(baselineHandles);
      expect(processListenerCounts()).toEqual(baselineListeners);
      expect(manager.list()).toEqual([]);
      expect(manager.listenerCount('session-closed')).toBe(0);
      expect(warnings.filter((w) => w.includes('MaxListeners'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

/** A stream session that counts how often its status is read (to prove create() scans nothing). */
class CountingSession extends StreamSession {
  reads = 0;
  override get status(): SessionStatus {
    this.reads += 1;
    return super.status;
  }
}

/** Status reads of every session but `except`, since the counters were reset. */
function readsOfOthers(sessions: CountingSession[], except: CountingSession | null): number {
  return sessions.reduce((sum, s) => sum + (s === except ? 0 : s.reads), 0);
}

/** A server that writes `bytes` bytes, then FINs once ours arrives. */
async function replyingServer(bytes: number): Promise<LoopbackServer> {
  const s = await listen(
    (socket) => {
      socket.resume();
      socket.write(Buffer.alloc(bytes, 0x5a));
      socket.on('end', () => socket.end());
    },
    '127.0.0.1',
    { allowHalfOpen: true },
  );
  servers.push(s);
  return s;
}

/** Opens a session on `registry`, receives the server's reply, and closes it from our side. */
async function exchange(registry: SessionRegistry, port: number, bytes: number, owner?: unknown): Promise<StreamSession> {
  const created = registry.createStream({}, owner);
  if (!created.ok) throw new Error(created.error.message);
  const session = created.value;
  const opened = await session.connect({ host: '127.0.0.1', port });
  if (!opened.ok) throw new Error(opened.error.message);
  await until(() => session.status.bytesReceived === bytes, 'the reply');
  await session.send(new Uint8Array(0), { halfClose: true });
  await session.done();
  return session;
}

describe('SessionRegistry bounds (issue 11.4)', () => {
  it('keeps a bounded number of closed sessions and bytes, oldest released first, each eviction told once', async () => {
    const reply = 256 * 1024;
    const server = await replyingServer(reply);
    const registry = new SessionRegistry({ maxClosed: 6, maxClosedBytes: 1024 * 1024 });
    const evicted: Eviction[] = [];
    registry.on('session-evicted', (e) => evicted.push(e));
    const made: StreamSession[] = [];
    for (let i = 0; i < 40; i++) {
      made.push(await exchange(registry, server.port, reply));
      const { closed, closedBytes } = registry.stats();
      // The bound holds after every close, not only at the end.
      expect(closed).toBeLessThanOrEqual(6);
      expect(closedBytes).toBeLessThanOrEqual(1024 * 1024);
    }
    const stats = registry.stats();
    expect(stats.live).toBe(0);
    // 256 KiB plus a transcript each: three fit under 1 MiB, the fourth would not.
    expect(stats.closed).toBe(3);
    expect(stats.evicted).toBe(37);
    expect(evicted.map((e) => e.id)).toEqual(made.slice(0, 37).map((s) => s.id));
    expect(new Set(evicted.map((e) => e.reason))).toEqual(new Set(['too-many-bytes']));
    for (const s of made.slice(0, 37)) {
      expect(registry.get(s.id)).toBeUndefined();
      expect(s.response().byteLength).toBe(0);
      expect(s.transcript()).toEqual([]);
    }
    for (const s of made.slice(37)) {
      expect(registry.get(s.id)).toBe(s);
      expect(s.response().byteLength).toBe(reply);
    }
    expect(registry.list().map((s) => s.id)).toEqual(made.slice(37).map((s) => s.id));
  });

  it('evicts by count when sessions are small, and always keeps the newest closed session whole', async () => {
    const server = await replyingServer(2 * 1024 * 1024);
    const registry = new SessionRegistry({ maxClosed: 3, maxClosedBytes: 1024 * 1024 });
    const evicted: Eviction[] = [];
    registry.on('session-evicted', (e) => evicted.push(e));
    const big = await exchange(registry, server.port, 2 * 1024 * 1024);
    // Larger than the whole budget, but it is the newest closed session: kept.
    expect(registry.get(big.id)).toBe(big);
    expect(registry.stats().closedBytes).toBeGreaterThan(1024 * 1024);
    const small: StreamSession[] = [];
    for (let i = 0; i < 5; i++) {
      const c = registry.createStream();
      if (!c.ok) throw new Error(c.error.message);
      c.value.cancel();
      small.push(c.value);
    }
    expect(evicted[0]).toMatchObject({ id: big.id, reason: 'too-many-bytes' });
    expect(evicted.slice(1).map((e) => e.reason)).toEqual(['too-many-closed', 'too-many-closed']);
    expect(registry.list().map((s) => s.id)).toEqual(small.slice(2).map((s) => s.id));
    expect(registry.stats().closed).toBe(3);
  });

  it('create() and a close read no other session (O(1) bookkeeping), however many exist', async () => {
    const registry = new SessionRegistry({ maxLive: 10_000, maxLivePerOwner: 10_000, maxClosed: 10_000 });
    const make = (id: string): CountingSession => new CountingSession(id);
    const sessions: CountingSession[] = [];
    for (let i = 0; i < 2_000; i++) {
      const c = registry.create(make);
      if (!c.ok) throw new Error(c.error.message);
      sessions.push(c.value);
      // Half of them closed, half live: the old registry filtered every one of them per create().
      if (i % 2 === 0) c.value.cancel();
    }
    const reset = (): void => sessions.forEach((s) => (s.reads = 0));
    reset();
    const next = registry.create(make);
    if (!next.ok) throw new Error(next.error.message);
    // Only the new session's own status is read (once, to catch one that is closed already).
    expect(readsOfOthers(sessions, null)).toBe(0);
    expect(next.value.reads).toBe(1);
    sessions.push(next.value);
    reset();
    sessions[1]!.cancel();
    // The closing session reads its own status to emit it; nobody else's is read.
    expect(readsOfOthers(sessions, sessions[1]!)).toBe(0);
    reset();
    registry.remove(sessions[3]!.id);
    expect(readsOfOthers(sessions, sessions[3]!)).toBe(0);
    expect(registry.stats()).toMatchObject({ live: 999, closed: 1_001 });
  });

  it('gives each owner a share of the live limit, so one client cannot hold every slot', () => {
    const registry = new SessionRegistry({ maxLive: 6, maxLivePerOwner: 4 });
    const windowA = { name: 'A' };
    const windowB = { name: 'B' };
    const a = Array.from({ length: 4 }, () => registry.createStream({}, windowA));
    expect(a.every((r) => r.ok)).toBe(true);
    const refused = registry.createStream({}, windowA);
    expect(refused.ok ? null : refused.error).toMatchObject({ code: 'SESSION_LIMIT' });
    expect(refused.ok ? '' : refused.error.message).toContain('4 open sessions');
    // Another client still gets the slots left.
    expect(registry.createStream({}, windowB).ok).toBe(true);
    expect(registry.createStream({}, windowB).ok).toBe(true);
    const full = registry.createStream({}, windowB);
    expect(full.ok ? null : full.error.message).toContain('Too many open sessions (6)');
    // Closing one of A's sessions frees a slot for A (and for the total).
    if (a[0]!.ok) a[0]!.value.cancel();
    expect(registry.createStream({}, windowA).ok).toBe(true);
    registry.remove(registry.list()[1]!.id);
    expect(registry.stats().live).toBe(5);
  });
});

describe('SessionRegistry: listener clients (their own pool)', () => {
  it('never refuses a listener client, counts none against the live limits, and keeps and evicts closed ones apart', async () => {
    const registry = new SessionRegistry({ maxLive: 2, maxLivePerOwner: 1, maxClosed: 1, maxClosedClients: 3 });
    const evicted: Eviction[] = [];
    registry.on('session-evicted', (e) => evicted.push(e));
    const owner = {};
    const clients = Array.from({ length: 10 }, () => registry.adoptClient(owner));
    expect(new Set(clients.map((c) => c.id)).size).toBe(10);
    expect(registry.stats().live).toBe(0);
    // The owner still has its share for an outgoing session.
    const outgoing = registry.createStream({}, owner);
    expect(outgoing.ok).toBe(true);
    for (const c of clients) c.close();
    await Promise.all(clients.map((c) => c.done()));
    await until(() => registry.stats().closedClients === 3, 'the client pool at its bound');
    expect(evicted.map((e) => e.id)).toEqual(clients.slice(0, 7).map((c) => c.id));
    // The outgoing session's pool is untouched by ten closed clients.
    if (!outgoing.ok) throw new Error('unreachable');
    outgoing.value.close();
    await outgoing.value.done();
    expect(registry.stats()).toMatchObject({ closed: 1, closedClients: 3, live: 0 });
    expect(registry.get(outgoing.value.id)).toBe(outgoing.value);
  });
});
