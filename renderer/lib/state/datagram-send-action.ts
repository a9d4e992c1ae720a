/**
 * What Send does on a UDP tab: with no open socket it opens one and sends; while open it sends
 * again on the same socket, any number of times (no FIN in UDP, so nothing "finishes sending").
 */
import { t } from '../i18n/index.ts';
import type { DatagramSessionStatus } from '../../../shared/session-datagram.ts';
import type { SendAction } from './send-action.ts';

export interface DatagramSendActionInput {
  status: DatagramSessionStatus | null;
  payloadOk: boolean;
  busy: boolean;
  pending: boolean;
  /** No error shows under Host or Port (see SendActionInput.endpointOk). */
  endpointOk?: boolean;
}

export function datagramSendAction({ status, payloadOk, busy, pending, endpointOk = true }: DatagramSendActionInput): SendAction {
  const phase = status?.phase ?? 'idle';
  if (pending) return { kind: 'none', label: t('sendAction.opening'), reason: t('sendAction.whenUdpOpen') };
  if (busy) return { kind: 'none', label: t('sendAction.send'), reason: t('sendAction.inProgress') };
  if (!payloadOk) return { kind: 'none', label: phase === 'open' ? t('sendAction.send') : t('sendAction.openAndSend'), reason: t('sendAction.fixPayload') };
  switch (phase) {
    case 'open':
      return { kind: 'send', label: t('sendAction.send'), hint: t('sendAction.sendDatagramHint') };
    case 'binding':
      return { kind: 'send-when-open', label: t('sendAction.sendWhenOpen'), hint: t('sendAction.sendWhenOpenHint') };
    case 'idle':
    case 'closed':
      if (!endpointOk) return { kind: 'none', label: t('sendAction.openAndSend'), reason: t('sendAction.fixEndpoint') };
      return { kind: 'connect-and-send', label: t('sendAction.openAndSend'), hint: t('sendAction.openAndSendHint') };
  }
}
