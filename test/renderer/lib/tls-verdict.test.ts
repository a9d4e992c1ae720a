import { describe, expect, it } from 'vitest';
import { chainPem, tlsVerdict, validityWords } from '../../../renderer/lib/tls-verdict.ts';
import type { TlsCertificateInfo, TlsSessionInfo } from '../../../shared/tls.ts';

const cert: TlsCertificateInfo = {
  subject: 'CN=localhost',
  issuer: 'CN=localhost',
  subjectAltNames: ['DNS:localhost'],
  validFrom: '2026-01-01T00:00:00.000Z',
  validTo: '2027-01-01T00:00:00.000Z',
  daysLeft: 31,
  expired: false,
  notYetValid: false,
  keyType: 'EC',
  keyBits: 256,
  signatureAlgorithm: 'ecdsa-with-SHA256',
  fingerprint256: 'AA:BB',
  serialNumber: '01',
  selfIssued: true,
  pem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
};

function info(verification: Partial<TlsSessionInfo['verification']>): TlsSessionInfo {
  return {
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_128_GCM_SHA256',
    alpnProtocol: null,
    serverNameSent: 'localhost',
    resumed: false,
    peerChain: [cert, cert],
    chainTruncated: false,
    verification: { ok: false, enforced: false, chainError: null, verifyName: 'localhost', nameError: null, ...verification },
  };
}

describe('tlsVerdict', () => {
  it('says Trusted when chain and name verified', () => {
    expect(tlsVerdict(info({ ok: true, enforced: true }))).toEqual({ trusted: true, headline: 'Trusted', reasons: [] });
  });

  it('says why it is not trusted and that the session continued because verification is off (as curl -k)', () => {
    const v = tlsVerdict(info({ chainError: { code: 'TLS_SELF_SIGNED', message: 'The certificate is self-signed.' } }));
    expect(v.headline).toBe('Not trusted: self-signed — continuing because verification is off');
    expect(v.reasons).toEqual(['The certificate is self-signed.']);
  });

  it('names every failure, and says the connection was refused when verification was on', () => {
    const v = tlsVerdict(
      info({
        enforced: true,
        chainError: { code: 'TLS_CERT_EXPIRED', message: 'expired' },
        nameError: { code: 'TLS_HOSTNAME_MISMATCH', message: 'mismatch' },
      }),
    );
    expect(v.headline).toBe('Not trusted: certificate expired, name mismatch — the connection was refused because verification is on');
  });
});

describe('validityWords and chainPem', () => {
  const end = Date.parse(cert.validTo);
  const HOUR = 3_600_000;

  it('flags expired and not-yet-valid certificates', () => {
    expect(validityWords(cert, end - 31.5 * 24 * HOUR)).toEqual({ text: '31 days left', bad: false });
    expect(validityWords({ ...cert, expired: true, daysLeft: -3 }, end + 3.2 * 24 * HOUR)).toEqual({ text: 'expired 3 days ago', bad: true });
    expect(validityWords({ ...cert, notYetValid: true })).toEqual({ text: 'not yet valid', bad: true });
  });

  it('says the hours under two days: 47 hours are not "1 day left", nor 5 hours "0 days left"', () => {
    const left = (hours: number): string => validityWords(cert, end - hours * HOUR).text;
    expect(left(48)).toBe('2 days left');
    expect(left(47.5)).toBe('1 day 23 hours left');
    expect(left(25)).toBe('1 day 1 hour left');
    expect(left(24.5)).toBe('1 day left');
    expect(left(23.9)).toBe('23 hours left');
    expect(left(1)).toBe('1 hour left');
    expect(left(0.5)).toBe('less than an hour left');
    const ago = (hours: number): string => validityWords({ ...cert, expired: true, daysLeft: -1 }, end + hours * HOUR).text;
    expect(ago(0.2)).toBe('expired less than an hour ago');
    expect(ago(5)).toBe('expired 5 hours ago');
    expect(ago(30)).toBe('expired 1 day 6 hours ago');
    expect(ago(50)).toBe('expired 2 days ago');
  });

  it("falls back to the engine's whole days when the end date cannot be read", () => {
    expect(validityWords({ ...cert, validTo: 'not a date', daysLeft: 12 })).toEqual({ text: '12 days left', bad: false });
  });

  it('joins the chain leaf first, one newline-terminated PEM block each', () => {
    expect(chainPem(info({}))).toBe(`${cert.pem}\n${cert.pem}\n`);
  });
});
