/**
 * SessionManager: ids, the live-session limit, remove, closeAll on quit (F26), and connect churn
 * leaving no handle or listener behind (F27).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SessionManager } from '../../../main/engine/session-manager.ts';
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

describe('SessionManager', () => {
  it('creates sessions with UUIDs, finds, lists and removes them', async () => {
    const server = await politeServer();
    const manager = new SessionManager();
    const created = manager.create();
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
    const manager = new SessionManager(2);
    const a = manager.create();
    const b = manager.create();
    expect(a.ok && b.ok).toBe(true);
    const c = manager.create();
    expect(c.ok ? null : c.error.code).toBe('SESSION_LIMIT');
    if (a.ok) a.value.cancel();
    expect(manager.create().ok).toBe(true);
  });

  it('F26: closeAll destroys every socket, mid-transfer included, and resolves when all are released', async () => {
    const server = await politeServer();
    const manager = new SessionManager();
    const sessions = [];
    for (let i = 0; i < 5; i++) {
      const created = manager.create();
      if (!created.ok) throw new Error(created.error.message);
      await created.value.connect({ host: '127.0.0.1', port: server.port });
      sessions.push(created.value);
    }
    const sending = sessions[0]!.send(new Uint8Array(32 * 1024 * 1024));
    const pending = manager.create();
    await manager.closeAll();
    expect(manager.list().every((s) => s.phase === 'closed')).toBe(true);
    expect((await sending).ok).toBe(false);
    expect(pending.ok && pending.value.status.outcome).toBe('cancelled');
  });

  it('F27: 1000 connect/close cycles return handles and listeners to baseline, with no MaxListeners warning', async () => {
    const server = await politeServer();
    const manager = new SessionManager();
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const baselineHandles = activeHandles();
      const baselineListeners = processListenerCounts();
      const cycles = 1000;
      for (let i = 0; i < cycles; i++) {
        const created = manager.create();
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
