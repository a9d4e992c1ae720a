import { describe, expect, it } from 'vitest';
import type { SessionPhase, SessionStatus } from '../../../../shared/session.ts';
import { sendAction } from '../../../../renderer/lib/state/send-action.ts';

function status(phase: SessionPhase, extra: Partial<SessionStatus> = {}): SessionStatus {
  return {
    id: 's1', kind: 'stream', phase, step: null, tls: null, localEnded: false, remoteEnded: false, outcome: phase === 'closed' ? 'peer-closed' : null, error: null,
    host: '127.0.0.1', port: 7, remoteAddress: null, remoteFamily: null, localAddress: null, localPort: null,
    bytesSent: 0, bytesReceived: 0, startedAt: null, connectedAt: null, endedAt: null, ...extra,
  };
}
const base = { payloadOk: true, busy: false, pending: false };

describe('what Send does', () => {
  it('with no session, or after one ended, connects and sends in one action and says so', () => {
    for (const s of [null, status('idle'), status('closed'), status('closed', { outcome: 'error' })]) {
      const a = sendAction({ ...base, status: s });
      expect(a.kind).toBe('connect-and-send');
      expect(a.label).toBe('Connect and send');
    }
  });

  it('with no session and an error under Host or Port, says to fix them rather than do nothing', () => {
    for (const s of [null, status('closed')]) {
      expect(sendAction({ ...base, status: s, endpointOk: false })).toEqual({ kind: 'none', label: 'Connect and send', reason: 'Fix the host or port first.' });
    }
    // An open session sends whatever the fields now say: they apply to the next connect.
    expect(sendAction({ ...base, status: status('open'), endpointOk: false }).kind).toBe('send');
  });

  it('on an open session, sends', () => {
    expect(sendAction({ ...base, status: status('open') })).toMatchObject({ kind: 'send', label: 'Send' });
  });

  it('while connecting, sends once open', () => {
    expect(sendAction({ ...base, status: status('connecting') }).kind).toBe('send-when-open');
  });

  it('says why it cannot act, in words shown beside the button', () => {
    const cases = [
      sendAction({ ...base, status: status('open', { localEnded: true }) }),
      sendAction({ ...base, status: status('closing') }),
      sendAction({ ...base, status: status('open'), payloadOk: false }),
      sendAction({ ...base, status: null, payloadOk: false }),
      sendAction({ ...base, status: status('open'), busy: true }),
      sendAction({ ...base, status: status('connecting'), pending: true }),
    ];
    for (const a of cases) {
      expect(a.kind).toBe('none');
      if (a.kind === 'none') expect(a.reason.length).toBeGreaterThan(10);
    }
    expect(cases[3]!.label).toBe('Connect and send');
    expect(cases[4]!.label).toBe('Send');
  });
});
