/**
 * TLS as data: what a TLS client session is asked to do ({@link TlsClientOptions}) and what it
 * found after the handshake ({@link TlsSessionInfo}). Shared by the engine (which fills them), the
 * CLI and the UI (which show them). Nothing here holds a secret: a PFX passphrase is passed per
 * call and never copied into a status, a transcript or a profile.
 */
import type { AppError } from './errors.ts';

/** TLS protocol versions a client may pin (Node's names). */
export const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/**
 * Protocols whose STARTTLS exchange the engine can do itself before the handshake
 * (main/engine/starttls-presets.ts); the CLI's --starttls names them.
 */
export const STARTTLS_PROTOCOLS = ['smtp', 'imap', 'pop3', 'ftp', 'postgres'] as const;
export type StartTlsProtocol = (typeof STARTTLS_PROTOCOLS)[number];

/** Options of a TLS client: TLS over a fresh TCP connection, or a STARTTLS upgrade of a live one. */
export interface TlsClientOptions {
  /**
   * Server name sent in SNI. Absent: the host when it is a name; nothing when the host is an IP
   * address (RFC 6066 forbids IP literals in SNI). An empty string sends no SNI at all.
   */
  serverName?: string;
  /** Name the certificate must match; default the host. Separate from SNI on purpose. */
  verifyName?: string;
  /**
   * Verify the chain and the name (default true). Off: the session continues whatever the verdict,
   * and the verdict stays visible in `TlsSessionInfo.verification`.
   */
  verify?: boolean;
  /** Path of a PEM file with CA certificates trusted in addition to the default store. */
  caFile?: string;
  /** Trust only `caFile`, not the default store (pinning a private CA). Default false. */
  caFileOnly?: boolean;
  /** Client certificate chain (PEM file) and its key (PEM file), for servers that ask for one. */
  certFile?: string;
  keyFile?: string;
  /** A PKCS#12 (PFX) file holding the client certificate and key instead of certFile/keyFile. */
  pfxFile?: string;
  /**
   * The same four credentials as bytes instead of paths: web mode's browser reads a chosen file
   * (it cannot name a path) and the call carries what it read, at most
   * {@link TLS_LIMITS.maxCredentialFileBytes} each. Give a path or bytes for each, not both. Like
   * a passphrase they live for the call only: profiles and exports keep paths, never these.
   */
  caData?: Uint8Array;
  certData?: Uint8Array;
  keyData?: Uint8Array;
  pfxData?: Uint8Array;
  /** Passphrase of the PFX file or of an encrypted PEM key; used for this call only, never stored. */
  passphrase?: string;
  /** ALPN protocols to offer, in preference order (e.g. ['h2', 'http/1.1']). */
  alpn?: string[];
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
}

/** Which TLS credential a file chooser is for: decides its title and file filters. */
export type TlsFilePurpose = 'ca' | 'cert' | 'key' | 'pfx';
export const TLS_FILE_PURPOSES: readonly TlsFilePurpose[] = ['ca', 'cert', 'key', 'pfx'];

/** Limits on TLS options (R5). */
export const TLS_LIMITS = {
  /** Largest CA, certificate, key or PFX file read. */
  maxCredentialFileBytes: 1024 * 1024,
  maxAlpnProtocols: 16,
  /** Bytes of one ALPN protocol name (RFC 7301: 1–255). */
  maxAlpnProtocolBytes: 255,
  /** Certificates of a peer chain described (a longer chain is cut and flagged). */
  maxChainCertificates: 10,
} as const;

/** One certificate of the chain as the peer sent it. */
export interface TlsCertificateInfo {
  subject: string;
  issuer: string;
  /** subjectAltName entries as Node prints them, e.g. ['DNS:example.com', 'IP Address:127.0.0.1']. */
  subjectAltNames: string[];
  /** ISO 8601 UTC. */
  validFrom: string;
  validTo: string;
  /** Whole days until validTo (negative once expired), at the time of the handshake. */
  daysLeft: number;
  expired: boolean;
  notYetValid: boolean;
  /** 'RSA', 'EC', 'Ed25519', … and the key size in bits where it has one. */
  keyType: string;
  keyBits: number | null;
  /** e.g. 'sha256WithRSAEncryption'; null when the TLS library does not say. */
  signatureAlgorithm: string | null;
  /** SHA-256 of the DER, as colon-separated upper-case hex. */
  fingerprint256: string;
  serialNumber: string;
  /** True when subject and issuer are the same (a self-signed or root certificate). */
  selfIssued: boolean;
  /** The certificate in PEM, for export. */
  pem: string;
}

/** The verification verdict, computed after every handshake. */
export interface TlsVerification {
  /** Chain trusted and name matched. */
  ok: boolean;
  /** Whether the session was asked to verify (off: it continued regardless). */
  enforced: boolean;
  /** The chain's verdict: null when trusted, else the error (code TLS_UNTRUSTED, TLS_CERT_EXPIRED, …). */
  chainError: AppError | null;
  /** The name checked against the certificate, and the error when it did not match. */
  verifyName: string;
  nameError: AppError | null;
}

/** What a TLS handshake established and what the peer presented. */
export interface TlsSessionInfo {
  /** e.g. 'TLSv1.3'. */
  protocol: string;
  /** Cipher suite, IANA name where the library gives one (e.g. 'TLS_AES_256_GCM_SHA384'). */
  cipher: string;
  /** The protocol the server chose by ALPN, or null. */
  alpnProtocol: string | null;
  /** The SNI name we sent, or null when none was sent. */
  serverNameSent: string | null;
  /** True when the session was resumed from a ticket or session id. */
  resumed: boolean;
  /** The peer's chain as sent, leaf first (at most TLS_LIMITS.maxChainCertificates). */
  peerChain: TlsCertificateInfo[];
  /** The chain was longer than described. */
  chainTruncated: boolean;
  verification: TlsVerification;
}
