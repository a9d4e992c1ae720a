/**
 * The words the TLS view leads with: trusted or not, why, and what the session did about it (as
 * curl -k says "continuing" rather than hiding the failure). Pure, so the view and tests agree.
 */
import type { AppError } from '../../shared/errors.ts';
import type { TlsCertificateInfo, TlsSessionInfo } from '../../shared/tls.ts';
import { uiMessage } from './field-labels.ts';
import { t, type Key } from './i18n/index.ts';

export interface TlsVerdict {
  trusted: boolean;
  /** "Trusted" or "Not trusted: self-signed — continuing because verification is off". */
  headline: string;
  /** The engine's messages for the chain and the name, when they failed. */
  reasons: string[];
}

const SHORT_REASON: Partial<Record<AppError['code'], Key>> = {
  TLS_SELF_SIGNED: 'tls.selfSigned',
  TLS_UNTRUSTED: 'tls.untrusted',
  TLS_CERT_EXPIRED: 'tls.expired',
  TLS_CERT_NOT_YET_VALID: 'tls.notYetValidCert',
  TLS_HOSTNAME_MISMATCH: 'tls.nameMismatch',
};

function shortReason(error: AppError): string {
  const key = SHORT_REASON[error.code];
  return key ? t(key) : error.code;
}

export function tlsVerdict(info: TlsSessionInfo): TlsVerdict {
  const v = info.verification;
  if (v.ok) return { trusted: true, headline: t('tls.trusted'), reasons: [] };
  const errors = [v.chainError, v.nameError].filter((e): e is AppError => e !== null);
  const why = errors.map(shortReason).join(t('tls.reasonJoin')) || t('tls.notVerified');
  const after = v.enforced ? t('tls.refused') : t('tls.continuing');
  return { trusted: false, headline: t('tls.notTrusted', { why, after }), reasons: errors.map((e) => uiMessage({ ...e, field: undefined })) };
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * "expired 3 days ago", "not yet valid", "12 days left"; under two days with the hours too
 * ("1 day 23 hours left", "5 hours left", "less than an hour left"), since whole days alone said
 * "1 day left" for 47 hours and "0 days left" for a certificate still valid all afternoon. Counted
 * from `now` to the certificate's end; the engine's whole days when its end cannot be read.
 */
export function validityWords(cert: TlsCertificateInfo, now = Date.now()): { text: string; bad: boolean } {
  if (cert.notYetValid) return { text: t('tls.notYetValid'), bad: true };
  const end = Date.parse(cert.validTo);
  const span = Number.isFinite(end) ? Math.abs(end - now) : Math.abs(cert.daysLeft) * DAY_MS;
  const words = spanWords(cert.expired ? 'expired' : 'left', span);
  return { text: words, bad: cert.expired };
}

/** A span as the TLS view words it: whole days from two days on, hours below that. */
function spanWords(kind: 'left' | 'expired', span: number): string {
  const days = Math.floor(span / DAY_MS);
  const hours = Math.floor((span - days * DAY_MS) / HOUR_MS);
  if (days >= 2 || (days === 1 && hours === 0)) {
    return kind === 'left' ? t('tls.daysLeft', { count: days, n: days }) : t('tls.expiredAgo', { count: days, n: days });
  }
  if (days === 1) return kind === 'left' ? t('tls.dayHoursLeft', { count: hours, n: hours }) : t('tls.expiredDayHoursAgo', { count: hours, n: hours });
  if (hours >= 1) return kind === 'left' ? t('tls.hoursLeft', { count: hours, n: hours }) : t('tls.expiredHoursAgo', { count: hours, n: hours });
  return kind === 'left' ? t('tls.underHourLeft') : t('tls.expiredUnderHour');
}

/** The chain as one PEM file, leaf first (what "Export chain" saves). */
export function chainPem(info: TlsSessionInfo | { peerChain: readonly TlsCertificateInfo[] }): string {
  return info.peerChain.map((c) => (c.pem.endsWith('\n') ? c.pem : `${c.pem}\n`)).join('');
}
