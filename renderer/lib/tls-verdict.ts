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

/** "expired 3 days ago", "not yet valid", "12 days left". */
export function validityWords(cert: TlsCertificateInfo): { text: string; bad: boolean } {
  if (cert.notYetValid) return { text: t('tls.notYetValid'), bad: true };
  if (cert.expired) return { text: t('tls.expiredAgo', { count: Math.abs(cert.daysLeft), n: Math.abs(cert.daysLeft) }), bad: true };
  return { text: t('tls.daysLeft', { count: cert.daysLeft, n: cert.daysLeft }), bad: false };
}

/** The chain as one PEM file, leaf first (what "Export chain" saves). */
export function chainPem(info: TlsSessionInfo | { peerChain: readonly TlsCertificateInfo[] }): string {
  return info.peerChain.map((c) => (c.pem.endsWith('\n') ? c.pem : `${c.pem}\n`)).join('');
}
