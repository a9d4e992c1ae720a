/**
 * The words the TLS view leads with: trusted or not, why, and what the session did about it (as
 * curl -k says "continuing" rather than hiding the failure). Pure, so the view and tests agree.
 */
import type { AppError } from '../../shared/errors.ts';
import type { TlsCertificateInfo, TlsSessionInfo } from '../../shared/tls.ts';

export interface TlsVerdict {
  trusted: boolean;
  /** "Trusted" or "Not trusted: self-signed — continuing because verification is off". */
  headline: string;
  /** The engine's messages for the chain and the name, when they failed. */
  reasons: string[];
}

const SHORT_REASON: Partial<Record<AppError['code'], string>> = {
  TLS_SELF_SIGNED: 'self-signed',
  TLS_UNTRUSTED: 'issuer not trusted',
  TLS_CERT_EXPIRED: 'certificate expired',
  TLS_CERT_NOT_YET_VALID: 'certificate not yet valid',
  TLS_HOSTNAME_MISMATCH: 'name mismatch',
};

function shortReason(error: AppError): string {
  return SHORT_REASON[error.code] ?? error.code;
}

export function tlsVerdict(info: TlsSessionInfo): TlsVerdict {
  const v = info.verification;
  if (v.ok) return { trusted: true, headline: 'Trusted', reasons: [] };
  const errors = [v.chainError, v.nameError].filter((e): e is AppError => e !== null);
  const why = errors.map(shortReason).join(', ') || 'not verified';
  const after = v.enforced ? 'the connection was refused because verification is on' : 'continuing because verification is off';
  return { trusted: false, headline: `Not trusted: ${why} — ${after}`, reasons: errors.map((e) => e.message) };
}

/** "expired 3 days ago", "not yet valid", "12 days left". */
export function validityWords(cert: TlsCertificateInfo): { text: string; bad: boolean } {
  if (cert.notYetValid) return { text: 'not yet valid', bad: true };
  if (cert.expired) return { text: `expired ${Math.abs(cert.daysLeft)} day${Math.abs(cert.daysLeft) === 1 ? '' : 's'} ago`, bad: true };
  return { text: `${cert.daysLeft} day${cert.daysLeft === 1 ? '' : 's'} left`, bad: false };
}

/** The chain as one PEM file, leaf first (what "Export chain" saves). */
export function chainPem(info: TlsSessionInfo): string {
  return info.peerChain.map((c) => (c.pem.endsWith('\n') ? c.pem : `${c.pem}\n`)).join('');
}
