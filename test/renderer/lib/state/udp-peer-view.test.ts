import { describe, expect, it } from 'vitest';
import { DatagramLog, describeCounts } from '../../../../renderer/lib/datagram-log.ts';
import { DatagramRows } from '../../../../renderer/lib/datagram-rows.ts';
import { feedPeerDatagrams, peerStatus } from '../../../../renderer/lib/state/udp-peer-view.ts';
import type { DatagramTab } from '../../../../renderer/lib/state/datagram-tab.svelte.ts';
import type { ListenerClientView, ListenerDatagram } from '../../../../shared/listener.ts';

const row = (over: Partial<ListenerClientView> = {}): ListenerClientView => ({
  clientId: 3,
  sessionId: null,
  address: '127.0.0.1',
  port: 5000,
  since: 1_000,
  endedAt: null,
  phase: 'open',
  localEnded: false,
  remoteEnded: false,
  outcome: null,
  error: null,
  bytesIn: 12,
  bytesOut: 4,
  tls: null,
  datagramsIn: 5,
  datagramsOut: 1,
  ...over,
});

/** The parts of a DatagramTab the feed uses: its stores, status and version (no Svelte here). */
function standIn(): DatagramTab {
  return { rows: new DatagramRows(), log: new DatagramLog({ keepDatagrams: false }), status: null, version: 0 } as unknown as DatagramTab;
}

const d = (direction: ListenerDatagram['direction'], seq: number, text: string): ListenerDatagram => ({ direction, seq, at: 2_000 + seq, bytes: new TextEncoder().encode(text) });
const listener = { address: '127.0.0.1', port: 9999 };

describe('a UDP listener peer in the datagram list', () => {
  it('reads the row as the counters\' status: both ways, open until the peer is forgotten', () => {
    expect(peerStatus(row(), listener)).toMatchObject({ phase: 'open', datagramsReceived: 5, bytesReceived: 12, datagramsSent: 1, bytesSent: 4, localPort: 9999, remoteFamily: 4 });
    expect(peerStatus(row({ phase: 'closed', address: '::1' }), listener)).toMatchObject({ phase: 'closed', remoteFamily: 6 });
  });

  it('lists what main kept, and counts the older ones as not kept, not as lost', () => {
    const tab = standIn();
    feedPeerDatagrams(tab, row(), listener, [d('received', 4, 'four'), d('sent', 1, 'ok'), d('received', 5, 'five')], true);
    expect(tab.rows.length).toBe(3);
    expect([0, 1, 2].map((i) => tab.rows.at(i)!.direction)).toEqual(['received', 'sent', 'received']);
    const counts = tab.log.counts(5);
    expect(counts).toMatchObject({ kept: 2, droppedOldest: 3, missing: 0, inTransit: 0 });
    expect(describeCounts(counts)).toContain('3 oldest not kept');
    expect(tab.version).toBe(1);

    // Later ones follow on; one main dropped on the way shows as lost, honestly.
    feedPeerDatagrams(tab, row({ datagramsIn: 7 }), listener, [d('received', 7, 'seven')], false);
    expect(tab.log.counts(7)).toMatchObject({ kept: 3, missing: 1, inTransit: 0 });
    expect(tab.status?.datagramsReceived).toBe(7);
  });

  it('a watch answer without received datagrams means main kept none of them', () => {
    const tab = standIn();
    feedPeerDatagrams(tab, row({ datagramsIn: 2 }), listener, [], true);
    expect(tab.log.counts(2)).toMatchObject({ kept: 0, droppedOldest: 2, inTransit: 0, missing: 0 });
  });
});
