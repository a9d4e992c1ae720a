/**
 * TLS facts as data, read from a TLSSocket right after its handshake: protocol, cipher, ALPN,
 * SNI, resumption, the peer chain and the verification verdict.
 *
 * Invariants (docs/engine.md "TLS facts" says how each is obtained on OpenSSL and BoringSSL):
 * - Only APIs that Node (OpenSSL) and Electron (BoringSSL) share are used: getProtocol(),
 *   getCipher(), alpnProtocol, isSessionReused(), authorized/authorizationError,
 *   getPeerCertificate(true) and `crypto.X509Certificate` built from each certificate's DER.
 * - getPeerCertificate(true) is called before anything else reads the peer certificate: on Node 20,
 *   a getPeerX509Certificate() call first makes later getPeerCertificate() calls return {} (seen).
 * - Nothing here throws: a certificate the library cannot parse is described as far as it can be.
 */
import type tls from 'node:tls';
import { lazyCrypto, lazyTls } from './lazy-builtins.ts';
import { TLS_LIMITS, type TlsCertificateInfo, type TlsSessionInfo } from '../../shared/tls.ts';
import type { AcceptedTlsInfo } from '../../shared/listener.ts';
import { toTlsNameError, toTlsVerifyError } from './error-mapping.ts';

const DAY_MS = 86_400_000;

/** What describeTls needs beyond the socket. */
export interface DescribeTlsOptions {
  serverNameSent: string | null;
  verifyName: string;
  enforced: boolean;
  /** `host:port`, for messages. */
  where: string;
  /** The clock (tests pin it); default Date.now(). */
  now?: number;
}

/** Signature algorithm OIDs seen on real certificates, by their OpenSSL names. */
const SIGNATURE_OIDS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

/** Reads one DER tag-length header at `at`; null when malformed. */
function derHeader(der: Uint8Array, at: number): { tag: number; start: number; end: number } | null {
  if (at + 2 > der.length) return null;
  const tag = der[at]!;
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > der.length) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i]!;
    start += n;
  }
  const end = start + len;
  return end > der.length ? null : { tag, start, end };
}

/**
 * The signature algorithm, from the certificate's outer AlgorithmIdentifier
 * (Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }): neither
 * getPeerCertificate nor Node 20's X509Certificate reports it.
 */
export function signatureAlgorithmOf(der: Uint8Array): string | null {
  const cert = derHeader(der, 0);
  if (!cert || cert.tag !== 0x30) return null;
  const tbs = derHeader(der, cert.start);
  if (!tbs) return null;
  const alg = derHeader(der, tbs.end);
  if (!alg || alg.tag !== 0x30) return null;
  const oid = derHeader(der, alg.start);
  if (!oid || oid.tag !== 0x06 || oid.end === oid.start) return null;
  const bytes = der.subarray(oid.start, oid.end);
  const parts: number[] = [Math.floor(bytes[0]! / 40), bytes[0]! % 40];
  let value = 0;
  for (let i = 1; i < bytes.length; i++) {
    value = value * 128 + (bytes[i]! & 0x7f);
    if (!(bytes[i]! & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  const dotted = parts.join('.');
  return SIGNATURE_OIDS[dotted] ?? dotted;
}

/** Splits Node's subjectAltName text ('DNS:a, IP Address:1.2.3.4'), keeping quoted commas. */
function splitAltNames(text: string | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    if (!quoted && c === ',' && text[i + 1] === ' ') {
      out.push(current);
      current = '';
      i++;
      continue;
    }
    current += c;
  }
  if (current) out.push(current);
  return out;
}

function isoOf(text: string): string {
  const t = Date.parse(text);
  return Number.isFinite(t) ? new Date(t).toISOString() : text;
}

const CURVE_BITS: Readonly<Record<string, number>> = {
  prime256v1: 256,
  'P-256': 256,
  secp384r1: 384,
  'P-384': 384,
  secp521r1: 521,
  'P-521': 521,
  secp256k1: 256,
};

/** Describes one certificate from the DER of a getPeerCertificate() entry. */
export function describeCertificate(raw: Buffer, fallback: { bits?: number }, now: number): TlsCertificateInfo {
  const x = new (lazyCrypto().X509Certificate)(raw);
  const validFrom = Date.parse(x.validFrom);
  const validTo = Date.parse(x.validTo);
  const key = x.publicKey;
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  const curveBits = details.namedCurve ? CURVE_BITS[details.namedCurve] : undefined;
  const edBits = type === 'ed25519' ? 256 : type === 'ed448' ? 456 : undefined;
  const keyBits = details.modulusLength ?? curveBits ?? edBits ?? fallback.bits ?? null;
  const subject = x.subject.split('\n').join(', ');
  const issuer = x.issuer.split('\n').join(', ');
  const signature = (x as { signatureAlgorithm?: string }).signatureAlgorithm ?? signatureAlgorithmOf(raw);
  return {
    subject,
    issuer,
    subjectAltNames: splitAltNames(x.subjectAltName),
    validFrom: isoOf(x.validFrom),
    validTo: isoOf(x.validTo),
    daysLeft: Number.isFinite(validTo) ? Math.floor((validTo - now) / DAY_MS) : 0,
    expired: Number.isFinite(validTo) && now > validTo,
    notYetValid: Number.isFinite(validFrom) && now < validFrom,
    keyType: type === 'rsa-pss' ? 'RSA-PSS' : type === 'ec' ? 'EC' : type === 'rsa' ? 'RSA' : type === 'dsa' ? 'DSA' : type.replace(/^ed/, 'Ed'),
    keyBits,
    signatureAlgorithm: signature,
    fingerprint256: x.fingerprint256,
    serialNumber: x.serialNumber.toUpperCase(),
    selfIssued: x.checkIssued(x),
    pem: x.toString(),
  };
}

/** The peer chain, leaf first, as getPeerCertificate(true) links it; bounded. */
function peerChain(leaf: tls.DetailedPeerCertificate | undefined, now: number): { chain: TlsCertificateInfo[]; truncated: boolean } {
  const chain: TlsCertificateInfo[] = [];
  let cert: tls.DetailedPeerCertificate | undefined = leaf;
  const seen = new Set<tls.DetailedPeerCertificate>();
  while (cert && cert.raw && !seen.has(cert)) {
    if (chain.length >= TLS_LIMITS.maxChainCertificates) return { chain, truncated: true };
    seen.add(cert);
    try {
      chain.push(describeCertificate(cert.raw, { bits: cert.bits }, now));
    } catch {
      // A certificate X509Certificate cannot parse: keep what getPeerCertificate said.
      chain.push({
        subject: JSON.stringify(cert.subject ?? {}),
        issuer: JSON.stringify(cert.issuer ?? {}),
        subjectAltNames: splitAltNames(cert.subjectaltname),
        validFrom: isoOf(cert.valid_from ?? ''),
        validTo: isoOf(cert.valid_to ?? ''),
        daysLeft: 0,
        expired: false,
        notYetValid: false,
        keyType: 'unknown',
        keyBits: cert.bits ?? null,
        signatureAlgorithm: null,
        fingerprint256: cert.fingerprint256 ?? '',
        serialNumber: (cert.serialNumber ?? '').toUpperCase(),
        selfIssued: cert.issuerCertificate === cert,
        pem: '',
      });
    }
    cert = cert.issuerCertificate;
  }
  return { chain, truncated: false };
}

/** Everything the handshake established; see the invariants at the top of this file. */
export function describeTls(socket: tls.TLSSocket, options: DescribeTlsOptions): TlsSessionInfo {
  const now = options.now ?? Date.now();
  // First: see the invariant about getPeerCertificate(true).
  const detailed = socket.getPeerCertificate(true);
  const { chain, truncated } = peerChain(detailed, now);
  const cipher = socket.getCipher();
  const chainError = socket.authorized
    ? null
    : toTlsVerifyError(String(socket.authorizationError ?? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'), options.where, chain[0] ?? null, options.enforced);
  let nameError = null;
  if (!detailed || !detailed.raw) {
    nameError = toTlsNameError(new Error('the server sent no certificate'), options.verifyName, options.where);
  } else {
    const mismatch = lazyTls().checkServerIdentity(options.verifyName, detailed);
    if (mismatch) nameError = toTlsNameError(mismatch, options.verifyName, options.where);
  }
  return {
    protocol: socket.getProtocol() ?? 'unknown',
    cipher: cipher.standardName || cipher.name,
    alpnProtocol: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : null,
    serverNameSent: options.serverNameSent,
    resumed: socket.isSessionReused(),
    peerChain: chain,
    chainTruncated: truncated,
    verification: {
      ok: chainError === null && nameError === null,
      enforced: options.enforced,
      chainError,
      verifyName: options.verifyName,
      nameError,
    },
  };
}

/**
 * What a handshake we accepted as the server established (a listener's client), read once right
 * after 'secure'. The client's certificate is described, not judged: a listener shows what it was
 * given. Same invariant as describeTls: getPeerCertificate(true) is the first read of the peer.
 */
export function describeAcceptedTls(socket: tls.TLSSocket, clientCertRequested: boolean, now = Date.now()): AcceptedTlsInfo {
  const detailed = clientCertRequested ? socket.getPeerCertificate(true) : undefined;
  const { chain, truncated } = peerChain(detailed && detailed.raw ? detailed : undefined, now);
  const cipher = socket.getCipher();
  const sni = (socket as tls.TLSSocket & { servername?: string | false }).servername;
  return {
    protocol: socket.getProtocol() ?? 'unknown',
    cipher: cipher.standardName || cipher.name,
    alpnProtocol: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : null,
    serverNameReceived: typeof sni === 'string' && sni.length > 0 ? sni : null,
    resumed: socket.isSessionReused(),
    clientCertRequested,
    clientChain: chain,
    clientChainTruncated: truncated,
  };
}
