/**
 * ListenerTable's UDP datagram log: bounded in datagrams and bytes for all peers together (oldest
 * first), the watched peer's datagrams sent once each, in order, bounded per update. A stand-in
 * listener emits the engine's events, so the bounds are reached without flooding a socket.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ListenerTable } from '../../../main/ipc/listener-updates.ts';
import type { ClientInfo, Listener, ListenerEvents } from '../../../main/engine/listener/listener.ts';
import { TypedEmitter } from '../../../main/engine/typed-emitter.ts';
import type { EventPayload } from '../../../shared/contract.ts';
import { LISTENER_IPC_LIMITS, type ListenerDatagram } from '../../../shared/listener.ts';
import { until } from '../engine/loopback.ts';

class StandInListener extends TypedEmitter<ListenerEvents> {
  readonly transport = 'udp' as const;
  stats() {
    return { accepted: 0, refused: 0, active: 0, ruleHits: [] };
  }
  /** What the engine would emit. */
  fire<K extends keyof ListenerEvents & string>(event: K, ...args: ListenerEvents[K]): void {
    this.emit(event, ...args);
  }
}

const tables: ListenerTable[] = [];
afterEach(() => {
  for (const t of tables.splice(0)) t.dispose();
});

function setUp() {
  const listener = new StandInListener();
  const updates: Array<EventPayload<'listener:update'>> = [];
  const table = new ListenerTable('l1', listener as unknown as Listener, { alive: true, sendListenerUpdate: (u) => updates.push(u) });
  tables.push(table);
  const peers = [1, 2].map((id): ClientInfo => ({ id, address: '127.0.0.1', port: 40_000 + id }));
  for (const p of peers) listener.fire('accepted', p);
  return { listener, updates, table, peers, watched: (): ListenerDatagram[] => updates.flatMap((u) => (u.watched?.clientId === 1 ? u.watched.datagrams : [])) };
}

describe('ListenerTable UDP datagrams', () => {
  it('keeps at most udpKeptDatagrams for all peers together, the newest, and a watch answers at most one update\'s worth', () => {
    const { listener, table, peers } = setUp();
    const n = LISTENER_IPC_LIMITS.udpKeptDatagrams + 500;
    for (let i = 1; i <= n; i++) listener.fire('received', peers[i % 2 === 0 ? 1 : 0]!, Uint8Array.of(i & 0xff));
    const answer = table.watchDatagrams(1);
    expect(answer).toHaveLength(LISTENER_IPC_LIMITS.udpDatagramsPerUpdate);
    // Peer 1 sent the odd ones: seq 1…(n+1)/2; the answer ends at its last one, without gaps.
    const last = Math.ceil(n / 2);
    expect(answer.at(-1)!.seq).toBe(last);
    expect(answer.map((d) => d.seq)).toEqual(answer.map((_, i) => last - answer.length + 1 + i));
    expect(table.snapshotRow(1)).toMatchObject({ datagramsIn: last, datagramsOut: 0, bytesIn: last });
  });

  it('keeps at most udpKeptBytes, and a peer whose datagrams all went gets an empty answer', () => {
    const { listener, table, peers } = setUp();
    listener.fire('received', peers[0]!, new Uint8Array(100));
    const big = new Uint8Array(64 * 1024);
    const count = Math.ceil(LISTENER_IPC_LIMITS.udpKeptBytes / big.byteLength) + 10;
    for (let i = 0; i < count; i++) listener.fire('received', peers[1]!, big);
    expect(table.watchDatagrams(1)).toEqual([]);
    const answer = table.watchDatagrams(2);
    expect(answer.reduce((s, d) => s + d.bytes.byteLength, 0)).toBeLessThanOrEqual(LISTENER_IPC_LIMITS.udpBytesPerUpdate);
    expect(answer.at(-1)!.seq).toBe(count);
  });

  it('sends the watched peer\'s later datagrams once each, in order, a copy of the bytes, none of the others', async () => {
    const { listener, table, peers, watched } = setUp();
    listener.fire('received', peers[0]!, Uint8Array.of(1));
    expect(table.watchDatagrams(1).map((d) => d.seq)).toEqual([1]);
    const reply = Uint8Array.of(9, 9);
    listener.fire('sent', peers[0]!, reply);
    listener.fire('received', peers[1]!, Uint8Array.of(7));
    listener.fire('received', peers[0]!, Uint8Array.of(2));
    reply[0] = 0;
    await until(() => watched().length === 2, 'the two later datagrams');
    expect(watched().map((d) => [d.direction, d.seq, [...d.bytes]])).toEqual([
      ['sent', 1, [9, 9]],
      ['received', 2, [2]],
    ]);
    table.watchDatagrams(null);
    listener.fire('received', peers[0]!, Uint8Array.of(3));
    await until(() => table.snapshotRow(1)?.datagramsIn === 3, 'the count');
    await new Promise((r) => setTimeout(r, 250));
    expect(watched()).toHaveLength(2);
  });

  it('spreads a backlog of the watched peer over several updates, each within the per-update bounds', async () => {
    const { listener, table, peers, updates, watched } = setUp();
    table.watchDatagrams(1);
    const total = LISTENER_IPC_LIMITS.udpDatagramsPerUpdate * 2 + 5;
    for (let i = 0; i < total; i++) listener.fire('received', peers[0]!, Uint8Array.of(i & 0xff));
    await until(() => watched().length === total, 'every datagram', 15_000);
    expect(watched().map((d) => d.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    for (const u of updates) expect(u.watched?.datagrams.length ?? 0).toBeLessThanOrEqual(LISTENER_IPC_LIMITS.udpDatagramsPerUpdate);
  });
});
