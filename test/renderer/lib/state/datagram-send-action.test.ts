import { describe, expect, it } from 'vitest';
import { datagramSendAction } from '../../../../renderer/lib/state/datagram-send-action.ts';
import type { DatagramSessionStatus } from '../../../../shared/session-datagram.ts';

const status = (phase: DatagramSessionStatus['phase']): DatagramSessionStatus => ({
  kind: 'datagram', id: 'd', phase, outcome: phase === 'closed' ? 'closed-by-us' : null, error: null, host: '127.0.0.1', port: 53,
  mode: 'target-only', broadcast: false, remoteAddress: null, remoteFamily: null, localAddress: null, localPort: null, groups: [],
  datagramsSent: 0, bytesSent: 0, datagramsReceived: 0, datagramsIgnored: 0, kernelDrops: null, bytesReceived: 0, startedAt: null, openedAt: null, endedAt: null,
});

describe('datagramSendAction', () => {
  it('opens and sends with no socket, sends again and again while open', () => {
    expect(datagramSendAction({ status: null, payloadOk: true, busy: false, pending: false }).kind).toBe('connect-and-send');
    expect(datagramSendAction({ status: status('open'), payloadOk: true, busy: false, pending: false }).kind).toBe('send');
    expect(datagramSendAction({ status: status('binding'), payloadOk: true, busy: false, pending: false }).kind).toBe('send-when-open');
    expect(datagramSendAction({ status: status('closed'), payloadOk: true, busy: false, pending: false }).label).toBe('Open and send');
  });

  it('with no socket and an error under Host or Port, says to fix them (the button did nothing)', () => {
    expect(datagramSendAction({ status: null, payloadOk: true, busy: false, pending: false, endpointOk: false })).toEqual({
      kind: 'none',
      label: 'Open and send',
      reason: 'Fix the host or port first.',
    });
  });

  it('says why not when busy, pending or the payload is wrong', () => {
    for (const input of [{ busy: true, pending: false, payloadOk: true }, { busy: false, pending: true, payloadOk: true }, { busy: false, pending: false, payloadOk: false }]) {
      const a = datagramSendAction({ status: status('open'), ...input });
      expect(a.kind).toBe('none');
      expect(a.kind === 'none' && a.reason.length > 0).toBe(true);
    }
  });
});
