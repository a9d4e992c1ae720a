/**
 * What Send does on a UDP tab: with no open socket it opens one and sends; while open it sends
 * again on the same socket, any number of times (no FIN in UDP, so nothing "finishes sending").
 */
import type { DatagramSessionStatus } from '../../../shared/session-datagram.ts';
import type { SendAction } from './send-action.ts';

export interface DatagramSendActionInput {
  status: DatagramSessionStatus | null;
  payloadOk: boolean;
  busy: boolean;
  pending: boolean;
}

export function datagramSendAction({ status, payloadOk, busy, pending }: DatagramSendActionInput): SendAction {
  const phase = status?.phase ?? 'idle';
  if (pending) return { kind: 'none', label: 'Opening…', reason: 'Sends as soon as the UDP socket is open.' };
  if (busy) return { kind: 'none', label: 'Send', reason: 'A send is in progress.' };
  if (!payloadOk) return { kind: 'none', label: phase === 'open' ? 'Send' : 'Open and send', reason: 'Fix the payload first.' };
  switch (phase) {
    case 'open':
      return { kind: 'send', label: 'Send', hint: 'Send one datagram (Ctrl+Enter)' };
    case 'binding':
      return { kind: 'send-when-open', label: 'Send when open', hint: 'Send once the UDP socket is open (Ctrl+Enter)' };
    case 'idle':
    case 'closed':
      return { kind: 'connect-and-send', label: 'Open and send', hint: 'Open a UDP socket, then send one datagram (Ctrl+Enter)' };
  }
}
