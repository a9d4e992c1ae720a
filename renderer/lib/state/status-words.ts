/**
 * The words the status badge shows. One place, so the badge, the tab title and the tests agree.
 */
import type { AppError } from '../../../shared/errors.ts';
import type { SessionStatus } from '../../../shared/session.ts';
import { uiMessage } from '../field-labels.ts';
import { t } from '../i18n/index.ts';

export type StatusTone = 'idle' | 'busy' | 'ok' | 'done' | 'warn' | 'error';

export interface StatusWords {
  /** The state word(s): "Idle", "Connecting…", "Connected", "Closed by peer", "Timed out", "Error: …". */
  label: string;
  tone: StatusTone;
  /** Extra detail such as half-close flags or the full error message. */
  detail: string | null;
}

export function statusWords(status: SessionStatus | null, openError: AppError | null): StatusWords {
  if (!status) {
    if (openError) return { label: t('status.error', { message: uiMessage(openError) }), tone: 'error', detail: null };
    return { label: t('status.idle'), tone: 'idle', detail: null };
  }
  switch (status.phase) {
    case 'idle':
      return { label: t('status.idle'), tone: 'idle', detail: null };
    case 'connecting':
      // The TLS handshake is its own step: a server that accepts TCP and then stalls shows where.
      if (status.step === 'tls-handshake') return { label: t('status.tlsHandshake'), tone: 'busy', detail: t('status.tcpConnected') };
      return { label: t('status.connecting'), tone: 'busy', detail: null };
    case 'open': {
      if (status.step === 'tls-handshake') return { label: t('status.tlsHandshake'), tone: 'busy', detail: t('status.upgrading') };
      const flags = [status.localEnded ? t('status.weFinished') : null, status.remoteEnded ? t('status.peerFinished') : null].filter(Boolean);
      return { label: t('status.connected'), tone: 'ok', detail: flags.length ? flags.join(t('status.flagsJoin')) : null };
    }
    case 'closing':
      return { label: t('status.closing'), tone: 'busy', detail: null };
    case 'closed':
      switch (status.outcome) {
        case 'peer-closed':
          return { label: t('status.closedByPeer'), tone: 'done', detail: null };
        case 'closed-by-us':
          return { label: t('status.closed'), tone: 'done', detail: t('status.closedByUs') };
        case 'idle-timeout':
          return { label: t('status.timedOut'), tone: 'warn', detail: t('status.idleTimeout') };
        case 'limit-reached':
          return { label: t('status.limitReached'), tone: 'warn', detail: t('status.limitDetail') };
        case 'cancelled':
          return { label: t('status.cancelled'), tone: 'idle', detail: null };
        case 'error':
        default: {
          const e = status.error;
          if (e?.code === 'CONNECT_TIMEOUT') return { label: t('status.timedOut'), tone: 'error', detail: uiMessage(e) };
          return { label: t('status.error', { message: e ? uiMessage({ ...e, field: undefined }) : t('status.unknownFailure') }), tone: 'error', detail: e ? t('status.code', { code: e.code }) : null };
        }
      }
  }
}

/** True while a session holds a socket (or is getting one). */
export function isLive(status: SessionStatus | null): boolean {
  return !!status && status.phase !== 'closed';
}
