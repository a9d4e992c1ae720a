/**
 * A UDP listener's peer shown in the usual datagram list (DatagramPanel): the listener's table row
 * stands in for a datagram session's status, and the peer's datagrams from `listener:watch` and
 * `listener:update` fill the tab's bounded stores. Main numbers each peer's datagrams per direction,
 * so a gap before the first one listed is what main no longer kept (said as such, not as lost).
 */
import type { ListenerClientView, ListenerDatagram } from '../../../shared/listener.ts';
import type { DatagramSessionStatus } from '../../../shared/session-datagram.ts';
import type { DatagramTab } from './datagram-tab.svelte.ts';

/** The peer's row as the status the datagram list's counters read. */
export function peerStatus(row: ListenerClientView, listener: { address: string; port: number }): DatagramSessionStatus {
  const v6 = row.address.includes(':');
  return {
    kind: 'datagram',
    id: `listener-peer-${row.clientId}`,
    phase: row.phase === 'closed' ? 'closed' : 'open',
    outcome: null,
    error: row.error,
    host: row.address,
    port: row.port,
    mode: 'target-only',
    broadcast: false,
    remoteAddress: row.address,
    remoteFamily: v6 ? 6 : 4,
    localAddress: listener.address,
    localPort: listener.port,
    groups: [],
    datagramsSent: row.datagramsOut ?? 0,
    bytesSent: row.bytesOut,
    datagramsReceived: row.datagramsIn ?? 0,
    datagramsIgnored: 0,
    kernelDrops: null,
    bytesReceived: row.bytesIn,
    startedAt: row.since,
    openedAt: row.since,
    endedAt: row.endedAt,
  };
}

/**
 * Adds the peer's datagrams to the tab's list and counts, in the order main gave them. `first`:
 * the watch's answer, whose first received seq above 1 means older ones main did not keep.
 */
export function feedPeerDatagrams(
  dgram: DatagramTab,
  row: ListenerClientView,
  listener: { address: string; port: number },
  datagrams: readonly ListenerDatagram[],
  first: boolean,
): void {
  const family = row.address.includes(':') ? 6 : 4;
  let seenReceived = !first;
  for (const d of datagrams) {
    if (d.direction === 'sent') {
      dgram.rows.add('sent', row.address, row.port, d.at, d.bytes, d.seq);
      continue;
    }
    if (!seenReceived) dgram.log.notKeptThrough(d.seq - 1);
    seenReceived = true;
    dgram.log.append([{ record: { seq: d.seq, from: row.address, port: row.port, family, size: d.bytes.byteLength, at: d.at }, bytes: d.bytes }]);
    dgram.rows.add('received', row.address, row.port, d.at, d.bytes, d.seq);
  }
  // The watch's answer has every received seq main kept; none at all means it kept none of them.
  if (first && !seenReceived) dgram.log.notKeptThrough(row.datagramsIn ?? 0);
  dgram.rows.trim();
  dgram.status = peerStatus(row, listener);
  dgram.version++;
}
