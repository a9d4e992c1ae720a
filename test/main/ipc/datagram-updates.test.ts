/**
 * The datagram coalescer with a real DatagramSession and a burst from a real UDP socket on
 * loopback; the sink is a plain recorder (it stands for a window or a WebSocket).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DatagramSession } from '../../../main/engine/datagram/datagram-session.ts';
import { forwardDatagramUpdates, MAX_UPDATE_DATAGRAMS, type DatagramUpdateSink } from '../../../main/ipc/datagram-updates.ts';
import type { DatagramUpdate } from '../../../shared/session-datagram.ts';
import { bindSocket, closePeers, echoPeer } from '../engine/datagram/udp-peers.ts';

afterEach(closePeers);

function recorder(backlog: () => number = () => 0): DatagramUpdateSink & { updates: DatagramUpdate[] } {
  const updates: DatagramUpdate[] = [];
  return { alive: true, updates, sendDatagramUpdate: (u) => updates.push(u), backlog };
}

/** Resolves once the recorder holds a closed status and `n` datagrams (bounded by the test timeout). */
async function settled(sink: { updates: DatagramUpdate[] }, n: number): Promise<void> {
  for (;;) {
    const delivered = sink.updates.reduce((sum, u) => sum + u.datagrams.length, 0);
    if (delivered >= n && sink.updates.at(-1)?.status.phase === 'closed') return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('forwardDatagramUpdates', () => {
  it('delivers a 5,000-datagram burst whole, in order, exactly once, in bounded updates', async () => {
    const peer = await echoPeer();
    const session = new DatagramSession('burst');
    await session.open({ host: '127.0.0.1', port: peer.port, mode: 'from-anyone', replyWindowMs: 500 });
    const sink = recorder();
    forwardDatagramUpdates(session, sink);
    const burst = await bindSocket();
    for (let i = 1; i <= 5_000; i++) burst.send(Buffer.from(`#${i}`), session.status.localPort!, '127.0.0.1');
    await session.send(Buffer.from('arm'));
    const final = await session.done();
    await settled(sink, final.datagramsReceived);
    const seqs = sink.updates.flatMap((u) => u.datagrams.map((d) => d.record.seq));
    expect(seqs).toEqual(Array.from({ length: final.datagramsReceived }, (_, i) => i + 1));
    expect(Math.max(...sink.updates.map((u) => u.datagrams.length))).toBeLessThanOrEqual(MAX_UPDATE_DATAGRAMS);
    // Far fewer updates than datagrams: coalesced, about 30 a second.
    expect(sink.updates.length).toBeLessThan(final.datagramsReceived / 10);
    const closed = sink.updates.filter((u) => u.status.phase === 'closed');
    expect(closed.length).toBeGreaterThanOrEqual(1);
    expect(closed[0]!.transcript.map((e) => e.kind)).toContain('closed');
  });

  it('holds datagrams (not status) while the sink is backlogged, then delivers every one', async () => {
    const peer = await echoPeer();
    const session = new DatagramSession('slow');
    await session.open({ host: '127.0.0.1', port: peer.port, replyWindowMs: 300 });
    let backlog = 100 * 1024 * 1024;
    const sink = recorder(() => backlog);
    forwardDatagramUpdates(session, sink);
    for (let i = 0; i < 5; i++) await session.send(Buffer.from(`d${i}`));
    await new Promise((r) => setTimeout(r, 150));
    expect(sink.updates.every((u) => u.datagrams.length === 0)).toBe(true);
    // The status is fresh meanwhile: main's count runs ahead of what was delivered.
    expect(sink.updates.at(-1)!.status.datagramsReceived).toBeGreaterThan(0);
    backlog = 0;
    const final = await session.done();
    await settled(sink, 5);
    expect(final.datagramsReceived).toBe(5);
    expect(sink.updates.flatMap((u) => u.datagrams.map((d) => Buffer.from(d.bytes).toString()))).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);
  });

  it('stops at once when the client is gone', async () => {
    const peer = await echoPeer();
    const session = new DatagramSession('gone');
    await session.open({ host: '127.0.0.1', port: peer.port });
    const sink = { alive: true, updates: [] as DatagramUpdate[], sendDatagramUpdate(u: DatagramUpdate) { this.updates.push(u); } };
    forwardDatagramUpdates(session, sink);
    expect(sink.updates).toHaveLength(1);
    sink.alive = false;
    await session.send(Buffer.from('x'));
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.updates).toHaveLength(1);
    expect(session.listenerCount('datagram')).toBe(0);
    session.close();
    await session.done();
  });
});
