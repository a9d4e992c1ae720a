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
  it('flags expired and not-yet-valid certificates', () => {
    expect(validityWords(cert)).toEqual({ text: '31 days left', bad: false });
    expect(validityWords({ ...cert, expired: true, daysLeft: -3 })).toEqual({ text: 'expired 3 days ago', bad: true });
    expect(validityWords({ ...cert, notYetValid: true })).toEqual({ text: 'not yet valid', bad: true });
  });

  it('joins the chain leaf first, one newline-terminated PEM block each', () => {
    expect(chainPem(info({}))).toBe(`${cert.pem}\n${cert.pem}\n`);
  });
});
