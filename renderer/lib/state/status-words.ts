/**
 * The words the status badge shows. One place, so the badge, the tab title and the tests agree.
 */
import type { AppError } from '../../../shared/errors.ts';
import type { SessionStatus } from '../../../shared/session.ts';
import { uiMessage } from '../field-labels.ts';

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
    if (openError) return { label: `Error: ${uiMessage(openError)}`, tone: 'error', detail: null };
    return { label: 'Idle', tone: 'idle', detail: null };
  }
  switch (status.phase) {
    case 'idle':
      return { label: 'Idle', tone: 'idle', detail: null };
    case 'connecting':
      // The TLS handshake is its own step: a server that accepts TCP and then stalls shows where.
      if (status.step === 'tls-handshake') return { label: 'TLS handshake…', tone: 'busy', detail: 'TCP connected' };
      return { label: 'Connecting…', tone: 'busy', detail: null };
    case 'open': {
      if (status.step === 'tls-handshake') return { label: 'TLS handshake…', tone: 'busy', detail: 'upgrading the connection' };
      const flags = [status.localEnded ? 'we finished sending' : null, status.remoteEnded ? 'peer finished sending' : null].filter(Boolean);
      return { label: 'Connected', tone: 'ok', detail: flags.length ? flags.join('; ') : null };
    }
    case 'closing':
      return { label: 'Closing…', tone: 'busy', detail: null };
    case 'closed':
      switch (status.outcome) {
        case 'peer-closed':
          return { label: 'Closed by peer', tone: 'done', detail: null };
        case 'closed-by-us':
          return { label: 'Closed', tone: 'done', detail: 'closed by us' };
        case 'idle-timeout':
          return { label: 'Timed out', tone: 'warn', detail: 'no data within the idle timeout' };
        case 'limit-reached':
          return { label: 'Limit reached', tone: 'warn', detail: 'response cap reached; the first bytes are kept' };
        case 'cancelled':
          return { label: 'Cancelled', tone: 'idle', detail: null };
        case 'error':
        default: {
          const e = status.error;
          if (e?.code === 'CONNECT_TIMEOUT') return { label: 'Timed out', tone: 'error', detail: e.message };
          return { label: `Error: ${e?.message ?? 'unknown failure'}`, tone: 'error', detail: e ? `code ${e.code}` : null };
        }
      }
  }
}

/** True while a session holds a socket (or is getting one). */
export function isLive(status: SessionStatus | null): boolean {
  return !!status && status.phase !== 'closed';
}
