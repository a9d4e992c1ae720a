/**
 * What the Send button (and Ctrl+Enter) does in each state of the tab, and what it says. One place,
 * so the button's label, its reason when it can't act, and the keyboard path never disagree.
 *
 * With no session (never connected, or the last one closed) Send connects and sends in one action:
 * a one-off request needs one press, as the sidebar's ▶ does for a profile.
 */
import { t } from '../i18n/index.ts';
import type { SessionStatus } from '../../../shared/session.ts';

export type SendAction =
  /** Send on the open session. */
  | { kind: 'send'; label: string; hint: string }
  /** Open a new session, wait for it, then send. */
  | { kind: 'connect-and-send'; label: string; hint: string }
  /** A connect is under way (the user pressed Connect): send as soon as it is open. */
  | { kind: 'send-when-open'; label: string; hint: string }
  /** Nothing to do now; `reason` is shown beside the button, not only in a tooltip. */
  | { kind: 'none'; label: string; reason: string };

export interface SendActionInput {
  status: SessionStatus | null;
  /** The payload encodes (no hex or escape error). */
  payloadOk: boolean;
  /** A send is in flight. */
  busy: boolean;
  /** A connect-and-send (or send-when-open) is waiting for the session to open. */
  pending: boolean;
  /**
   * No error shows under Host or Port (an empty host before any Connect shows none: pressing then
   * names it). False keeps connect-and-send from being a button that does nothing.
   */
  endpointOk?: boolean;
}

export function sendAction({ status, payloadOk, busy, pending, endpointOk = true }: SendActionInput): SendAction {
  const phase = status?.phase ?? 'idle';
  const connected = phase === 'open';
  if (pending) return { kind: 'none', label: t('sendAction.connecting'), reason: t('sendAction.whenOpen') };
  // The label stays "Send" during a send: a word flickering on every press would be noise.
  if (busy) return { kind: 'none', label: t('sendAction.send'), reason: t('sendAction.inProgress') };
  if (!payloadOk) return { kind: 'none', label: connected ? t('sendAction.send') : t('sendAction.connectAndSend'), reason: t('sendAction.fixPayload') };
  switch (phase) {
    case 'open':
      if (status?.localEnded) {
        return { kind: 'none', label: t('sendAction.send'), reason: t('sendAction.alreadyFinished') };
      }
      return { kind: 'send', label: t('sendAction.send'), hint: t('sendAction.sendHint') };
    case 'connecting':
      return { kind: 'send-when-open', label: t('sendAction.sendWhenConnected'), hint: t('sendAction.sendWhenConnectedHint') };
    case 'closing':
      return { kind: 'none', label: t('sendAction.send'), reason: t('sendAction.closing') };
    case 'idle':
    case 'closed':
      if (!endpointOk) return { kind: 'none', label: t('sendAction.connectAndSend'), reason: t('sendAction.fixEndpoint') };
      return { kind: 'connect-and-send', label: t('sendAction.connectAndSend'), hint: t('sendAction.connectAndSendHint') };
  }
}
