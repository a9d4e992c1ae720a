/**
 * The one place where Node's errno values become our stable {@link ErrorCode}s.
 *
 * Invariants:
 * - Every message is a complete, non-empty sentence naming the address (or file) involved. Node's
 *   dual-stack AggregateError has an empty message (RELIABILITY F2); it is unpacked into
 *   `attempts`, one per address, and the message lists each of them.
 * - Nothing here throws: an unknown value becomes INTERNAL carrying whatever text it had.
 * - When a send was in progress the message says "sent N of M bytes" (F22), so a user knows how far
 *   a large transfer got.
 */
import { isIP } from 'node:net';
import { formatEndpoint } from '../../shared/endpoint.ts';
import type { AppError, AttemptFailure, ErrorCode } from '../../shared/errors.ts';
import type { TlsCertificateInfo } from '../../shared/tls.ts';
import type { ConnectStep, SessionPhase } from '../../shared/session.ts';

/** What the engine knew when the error arrived. */
export interface ErrorContext {
  /** What the user asked for. */
  host: string;
  port: number;
  phase: SessionPhase;
  /** The connect step under way ('tls-handshake' while a TLS handshake runs), if any. */
  step?: ConnectStep | null;
  /** The connection speaks (or is negotiating) TLS, so TLS library errors are expected. */
  tls?: boolean;
  /** The address actually connected to, once known; messages prefer it over `host`. */
  remoteAddress?: string | null;
  /** Bytes of the send in progress accepted so far, and its total. */
  bytesSent?: number;
  bytesTotal?: number;
}

/** The subset of Node's system errors we read; every field is optional because errors are untyped. */
interface NodeErrorLike {
  code?: unknown;
  errno?: unknown;
  syscall?: unknown;
  address?: unknown;
  port?: unknown;
  message?: unknown;
  errors?: unknown;
}

/** errno → code and a verb phrase for the message, for failures reaching a peer. */
const ERRNO_TABLE: Readonly<Record<string, { code: ErrorCode; phrase: string }>> = {
  ECONNREFUSED: { code: 'REFUSED', phrase: 'Connection refused by' },
  EHOSTUNREACH: { code: 'HOST_UNREACHABLE', phrase: 'No route to host' },
  EHOSTDOWN: { code: 'HOST_UNREACHABLE', phrase: 'Host is down:' },
  ENETUNREACH: { code: 'NETWORK_UNREACHABLE', phrase: 'Network is unreachable for' },
  ENETDOWN: { code: 'NETWORK_UNREACHABLE', phrase: 'Network is down for' },
  EADDRINUSE: { code: 'ADDRESS_IN_USE', phrase: 'Local address already in use while connecting to' },
  EADDRNOTAVAIL: { code: 'ADDRESS_IN_USE', phrase: 'No usable local address or port to reach' },
  EACCES: { code: 'PERMISSION_DENIED', phrase: 'Permission denied connecting to' },
  EPERM: { code: 'PERMISSION_DENIED', phrase: 'Operation not permitted (firewall?) connecting to' },
  ECONNRESET: { code: 'RESET', phrase: 'Connection reset by' },
  EPIPE: { code: 'BROKEN_PIPE', phrase: 'Broken pipe: the peer closed the connection while we were sending to' },
  ECONNABORTED: { code: 'ABORTED', phrase: 'Connection aborted by the local network stack while talking to' },
  ERR_SOCKET_CONNECTION_TIMEOUT: { code: 'CONNECT_TIMEOUT', phrase: 'Connect timed out on every address of' },
  EMFILE: { code: 'TOO_MANY_FILES', phrase: 'No file descriptor left in this process (its open-file limit is reached; close some sessions or raise `ulimit -n`) for a socket to' },
  ENFILE: { code: 'TOO_MANY_FILES', phrase: 'No file descriptor left on this system (too many open files) for a socket to' },
};

/** DNS errnos that mean "this name does not exist" rather than "the resolver failed". */
const DNS_NOT_FOUND_ERRNOS = new Set(['ENOTFOUND', 'EAI_NONAME', 'EAI_NODATA', 'EAI_ADDRFAMILY', 'ENODATA']);

/** Priority when a dual-stack attempt failed differently per address: the most telling code wins. */
const ATTEMPT_PRIORITY: readonly ErrorCode[] = [
  'REFUSED',
  'CONNECT_TIMEOUT',
  'HOST_UNREACHABLE',
  'NETWORK_UNREACHABLE',
  'PERMISSION_DENIED',
  'ADDRESS_IN_USE',
];

/** Re-exported for the engine's own messages (tcp-session.ts); the one formatter is in shared/. */
export { formatEndpoint };

function asNodeError(err: unknown): NodeErrorLike {
  return typeof err === 'object' && err !== null ? (err as NodeErrorLike) : { message: String(err) };
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function sentSuffix(context: ErrorContext): string {
  if (context.bytesTotal === undefined) return '';
  return `; sent ${context.bytesSent ?? 0} of ${context.bytesTotal} bytes`;
}

/** Maps one errno for one address to a code and a message; no AggregateError here. */
function mapSingle(e: NodeErrorLike, context: ErrorContext): AppError {
  const errno = stringField(e.code) ?? 'UNKNOWN';
  const where = formatEndpoint(
    stringField(e.address) ?? context.remoteAddress ?? context.host,
    typeof e.port === 'number' ? e.port : context.port,
  );
  const nodeText = stringField(e.message) ?? errno;

  if (e.syscall === 'getaddrinfo' || DNS_NOT_FOUND_ERRNOS.has(errno) || errno.startsWith('EAI_')) {
    const notFound = DNS_NOT_FOUND_ERRNOS.has(errno);
    return {
      code: notFound ? 'DNS_NOT_FOUND' : 'DNS_FAILED',
      message: notFound
        ? `DNS: the name "${context.host}" was not found (${errno}).`
        : `DNS: looking up "${context.host}" failed (${errno}); the resolver may be unreachable.`,
      errno,
    };
  }
  if (errno === 'ETIMEDOUT') {
    // During connect this is the SYN going unanswered; on an open connection the peer stopped
    // acknowledging our data, which ends the connection like an abort.
    return context.phase === 'connecting'
      ? { code: 'CONNECT_TIMEOUT', message: `Connect to ${where} timed out (ETIMEDOUT).`, errno }
      : { code: 'ABORTED', message: `Connection to ${where} timed out: the peer stopped acknowledging data (ETIMEDOUT)${sentSuffix(context)}.`, errno };
  }
  const known = ERRNO_TABLE[errno];
  if (known) {
    return { code: known.code, message: `${known.phrase} ${where} (${errno})${sentSuffix(context)}.`, errno };
  }
  return {
    code: 'INTERNAL',
    message: `Unexpected error talking to ${where}: ${nodeText}${sentSuffix(context)}.`,
    ...(errno === 'UNKNOWN' ? {} : { errno }),
  };
}

/** Unpacks a dual-stack AggregateError (F2) into one attempt per address. */
function mapAggregate(errors: unknown[], context: ErrorContext): AppError {
  const attempts: AttemptFailure[] = errors.map((item) => {
    const e = asNodeError(item);
    const address = stringField(e.address) ?? context.host;
    const single = mapSingle(e, context);
    return {
      address,
      port: typeof e.port === 'number' ? e.port : context.port,
      family: isIP(address) === 6 ? 6 : 4,
      errno: stringField(e.code) ?? 'UNKNOWN',
      code: single.code,
    };
  });
  const code = ATTEMPT_PRIORITY.find((c) => attempts.some((a) => a.code === c)) ?? attempts[0]?.code ?? 'INTERNAL';
  const listed = attempts.map((a) => `${formatEndpoint(a.address, a.port)} ${a.errno}`).join(', ');
  return {
    code,
    message: `Could not connect to ${formatEndpoint(context.host, context.port)} on any of its ${attempts.length} addresses: ${listed}.`,
    attempts,
    errno: attempts[0]?.errno ?? 'UNKNOWN',
  };
}

/** Bind failures of a listener, said as a bind (not "while connecting"), with a stable reason. */
const LISTEN_ERRNOS: Readonly<Record<string, { code: ErrorCode; reason: string; field: string; why: string }>> = {
  EADDRINUSE: {
    code: 'ADDRESS_IN_USE',
    reason: 'listen-in-use',
    field: 'port',
    why: 'another program (or listener) already listens there; pick another port, or 0 for any free one',
  },
  EACCES: { code: 'PERMISSION_DENIED', reason: 'listen-denied', field: 'port', why: 'permission denied (ports below 1024 need privileges)' },
  EADDRNOTAVAIL: { code: 'ADDRESS_IN_USE', reason: 'listen-no-address', field: 'bindHost', why: 'no network interface of this machine has that address' },
};

/**
 * A listener's server.listen() or socket.bind() failing: the address it asked for as data
 * (`params.address`), the field to fix, and a sentence about listening. Other errnos are mapped
 * as toAppError does.
 */
export function toListenError(err: unknown, host: string, port: number): AppError {
  const errno = stringField(asNodeError(err).code);
  const known = errno === undefined ? undefined : LISTEN_ERRNOS[errno];
  const address = formatEndpoint(host, port);
  if (errno === undefined || known === undefined) {
    // Any other failure (EAFNOSUPPORT binding :: without IPv6, EINVAL, an unknown zone) is still a bind.
    const said = stringField(asNodeError(err).message) ?? 'unknown error';
    return { code: 'INTERNAL', message: `Could not listen on ${address}: ${said}.`, field: 'bindHost', reason: 'listen-failed', params: { address }, ...(errno ? { errno } : {}) };
  }
  return {
    code: known.code,
    message: `Could not listen on ${address}: ${known.why} (${errno}).`,
    field: known.field,
    reason: known.reason,
    params: { address },
    errno,
  };
}

/**
 * Maps any error raised by a socket or by DNS to an {@link AppError}.
 * @param err whatever Node emitted or threw
 * @param context where the session was; `bytesSent`/`bytesTotal` when a send was in progress
 */
export function toAppError(err: unknown, context: ErrorContext): AppError {
  const e = asNodeError(err);
  if (Array.isArray(e.errors) && e.errors.length > 0) return withTarget(mapAggregate(e.errors, context), formatEndpoint(context.host, context.port));
  const error = mapTls(e, context) ?? mapSingle(e, context);
  const dns = error.code === 'DNS_NOT_FOUND' || error.code === 'DNS_FAILED';
  const address = stringField(e.address) ?? context.remoteAddress ?? context.host;
  return withTarget(error, dns ? context.host : formatEndpoint(address, typeof e.port === 'number' ? e.port : context.port));
}

/**
 * `params.target`: the address (or, for DNS, the name) a network error is about, as data, so a
 * front end that words the code itself (the Chinese UI) names it as main's message does.
 */
function withTarget(error: AppError, target: string): AppError {
  return { ...error, params: { ...error.params, target } };
}

// ── TLS ──────────────────────────────────────────────────────────────────────────────────────
//
// TLS library errors are matched on a key made of Node's `code`, the library's `reason` and the
// message, upper-cased with spaces as underscores. Node derives `code` from the library's reason
// ("ERR_SSL_" + reason), and OpenSSL (Node) and BoringSSL (Electron) share the reason names these
// patterns look for (TLSV1_ALERT_PROTOCOL_VERSION, UNSUPPORTED_PROTOCOL, WRONG_VERSION_NUMBER, …),
// except where both spellings are listed (OpenSSL's TLSV13_ALERT_CERTIFICATE_REQUIRED is
// BoringSSL's TLSV1_ALERT_CERTIFICATE_REQUIRED: the pattern matches CERTIFICATE_REQUIRED).

interface TlsPattern {
  test: RegExp;
  code: ErrorCode;
  /** The sentence after "TLS with host:port: ". */
  say: string;
}

const TLS_PATTERNS: readonly TlsPattern[] = [
  {
    test: /CERTIFICATE_REQUIRED/,
    code: 'TLS_CLIENT_CERT_REQUIRED',
    say: 'the server requires a client certificate; give one (certFile and keyFile, or pfxFile)',
  },
  {
    test: /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|VERSION_TOO_LOW|VERSION_TOO_HIGH|NO_SUPPORTED_VERSIONS|INAPPROPRIATE_FALLBACK/,
    code: 'TLS_VERSION_UNSUPPORTED',
    say: 'the server and we share no TLS protocol version; widen minVersion / maxVersion, or check which versions the server allows',
  },
  {
    test: /ALERT_BAD_CERTIFICATE|ALERT_UNKNOWN_CA|ALERT_CERTIFICATE_UNKNOWN|ALERT_UNSUPPORTED_CERTIFICATE|ALERT_CERTIFICATE_REVOKED|ALERT_CERTIFICATE_EXPIRED|ALERT_ACCESS_DENIED/,
    code: 'TLS_CLIENT_CERT_REJECTED',
    say: 'the server rejected our client certificate; check that it is issued by a CA the server trusts and is still valid',
  },
  {
    test: /NO_APPLICATION_PROTOCOL/,
    code: 'TLS_HANDSHAKE_FAILED',
    say: 'the server accepts none of the ALPN protocols we offered; offer one it supports, or none',
  },
  {
    test: /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|UNKNOWN_PROTOCOL|RECORD_LENGTH_MISMATCH|WRONG_SSL_VERSION|RECORD_TOO_LARGE|ENCRYPTED_LENGTH_TOO_LONG/,
    code: 'TLS_HANDSHAKE_FAILED',
    say: 'the server did not answer with TLS; check that this port speaks TLS directly (for a STARTTLS protocol, connect plain and upgrade)',
  },
  {
    test: /HANDSHAKE_FAILURE|NO_SHARED_CIPHER|NO_CIPHERS_AVAILABLE|NO_SHARED_GROUP|INSUFFICIENT_SECURITY/,
    code: 'TLS_HANDSHAKE_FAILED',
    say: 'the server refused the handshake: no cipher or key exchange in common, or it wants a client certificate',
  },
];

/** A TLS library error or a connection lost mid-handshake, mapped; null when it is neither. */
function mapTls(e: NodeErrorLike, context: ErrorContext): AppError | null {
  const code = stringField(e.code) ?? '';
  const message = stringField(e.message) ?? '';
  const reason = stringField((e as { reason?: unknown }).reason) ?? '';
  const where = formatEndpoint(context.remoteAddress ?? context.host, context.port);
  const handshaking = context.step === 'tls-handshake';
  const fromTlsLibrary = /^ERR_(SSL|OSSL|TLS)_/.test(code);
  if (fromTlsLibrary) {
    const key = `${code} ${reason} ${message}`.toUpperCase().replace(/[\s-]+/g, '_');
    const pattern = TLS_PATTERNS.find((p) => p.test.test(key));
    if (pattern) return { code: pattern.code, message: `TLS with ${where}: ${pattern.say} (${code}).`, errno: code };
    return handshaking
      ? { code: 'TLS_HANDSHAKE_FAILED', message: `TLS handshake with ${where} failed: ${reason || message || code} (${code}).`, errno: code }
      : { code: 'TLS_PROTOCOL_ERROR', message: `TLS error on the connection to ${where}: ${reason || message || code} (${code}).`, errno: code };
  }
  const lost = code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || /before secure TLS connection/i.test(message);
  if (handshaking && lost) {
    return {
      code: 'TLS_HANDSHAKE_FAILED',
      message:
        `The connection to ${where} was closed during the TLS handshake (${code || 'closed'}): the server may not speak TLS on ` +
        'this port, or refuse our server name, ALPN, TLS version or missing client certificate.',
      errno: code || 'ECONNRESET',
    };
  }
  return null;
}

/** Chain verdict codes (Node's `authorizationError`, OpenSSL's X509_V_ERR names) → our codes. */
const SELF_SIGNED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN']);

/**
 * The chain's verdict as an error. `authorizationError` is the X509_V_ERR name without its
 * prefix; BoringSSL keeps OpenSSL's X509_V_ERR numbering and Node names them from one table.
 * `enforced`: whether verification was on. When it was off the session went on anyway, and
 * advice to turn it off (to inspect the certificate) would tell the user to do what they did.
 */
export function toTlsVerifyError(verifyCode: string, where: string, leaf: TlsCertificateInfo | null, enforced = true): AppError {
  return withTarget(tlsVerifyError(verifyCode, where, leaf, enforced), where);
}

function tlsVerifyError(verifyCode: string, where: string, leaf: TlsCertificateInfo | null, enforced: boolean): AppError {
  const leafWords = leaf ? ` ("${leaf.subject}", issued by "${leaf.issuer}")` : '';
  if (SELF_SIGNED.has(verifyCode)) {
    return {
      code: 'TLS_SELF_SIGNED',
      message:
        `The certificate of ${where}${leafWords} is self-signed or its chain ends in a self-signed certificate we do not trust (${verifyCode}); ` +
        (enforced
          ? 'trust it by giving its certificate (or its CA) as the CA file, or turn verification off to inspect it.'
          : 'to trust it, give its certificate (or its CA) as the CA file.'),
      errno: verifyCode,
    };
  }
  if (verifyCode === 'CERT_HAS_EXPIRED') {
    const when = leaf?.expired ? ` (the server's certificate expired ${leaf.validTo})` : '';
    return {
      code: 'TLS_CERT_EXPIRED',
      message: `A certificate in the chain of ${where} has expired${when} (${verifyCode}); renew it on the server, or check this machine's clock.`,
      errno: verifyCode,
    };
  }
  if (verifyCode === 'CERT_NOT_YET_VALID') {
    const when = leaf?.notYetValid ? ` (the server's certificate is valid from ${leaf.validFrom})` : '';
    return {
      code: 'TLS_CERT_NOT_YET_VALID',
      message: `A certificate in the chain of ${where} is not valid yet${when} (${verifyCode}); check this machine's clock, or the certificate's start date.`,
      errno: verifyCode,
    };
  }
  return {
    code: 'TLS_UNTRUSTED',
    message:
      `The certificate chain of ${where}${leafWords} is not trusted (${verifyCode}); give the issuing CA as the CA file, ` +
      'or have the server send its intermediate certificates.',
    errno: verifyCode,
  };
}

/** The name check's verdict (tls.checkServerIdentity's error) as an error. */
export function toTlsNameError(err: unknown, verifyName: string, where: string): AppError {
  const e = asNodeError(err);
  // Node's reason ends with the names the certificate lists: "IP: 127.0.0.1 is not in the cert's
  // list: " when it lists none, which read as an unfinished sentence inside our parentheses.
  const raw = stringField((e as { reason?: unknown }).reason) ?? stringField(e.message) ?? 'no match';
  const reason = /:\s*$/.test(raw) ? `${raw.replace(/:\s*$/, '')}, which is empty` : raw;
  return withTarget({
    code: 'TLS_HOSTNAME_MISMATCH',
    message:
      `The certificate of ${where} is not valid for the name "${verifyName}" (${reason}); connect by a name the certificate lists, ` +
      'or set the name to verify.',
    errno: stringField(e.code) ?? 'ERR_TLS_CERT_ALTNAME_INVALID',
  }, where);
}

/**
 * Our own credentials (CA file, certificate, key, PFX, passphrase) refused while building the TLS
 * context. Never repeats the passphrase.
 */
export function toTlsCredentialError(err: unknown, field: string, hadPassphrase: boolean): AppError {
  const e = asNodeError(err);
  const code = stringField(e.code) ?? 'UNKNOWN';
  const key = `${code} ${stringField(e.message) ?? ''}`.toUpperCase().replace(/[\s-]+/g, '_');
  if (/MAC_VERIFY_FAILURE|BAD_DECRYPT|BAD_PASSWORD_READ|INCORRECT_PASSWORD|DECRYPT_ERROR|INTERRUPTED_OR_CANCELLED/.test(key)) {
    return {
      code: 'TLS_CREDENTIALS_INVALID',
      message: hadPassphrase
        ? `The passphrase does not open the ${field === 'pfxFile' ? 'PFX file' : 'private key'} (${code}); check the passphrase.`
        : `The ${field === 'pfxFile' ? 'PFX file' : 'private key'} is encrypted (${code}); give its passphrase.`,
      field: 'passphrase',
      errno: code,
    };
  }
  if (/KEY_VALUES_MISMATCH/.test(key)) {
    return { code: 'TLS_CREDENTIALS_INVALID', message: `The private key does not belong to the client certificate (${code}); give the matching pair.`, field: 'keyFile', errno: code };
  }
  return {
    code: 'TLS_CREDENTIALS_INVALID',
    message: `The ${field} could not be used: ${stringField(e.message) ?? code}; give a PEM (or PKCS#12 for pfxFile) file.`,
    field,
    errno: code,
  };
}

/**
 * errno → the reason a local file operation failed, as words; the one such table. Unknown errnos
 * fall back to Node's own text, as INTERNAL does for sockets.
 */
const FILE_ERRNO_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EFBIG: 'the file is too large',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EEXIST: 'the file already exists',
  EBUSY: 'the file is busy',
  ETXTBSY: 'the file is a running program',
  ELOOP: 'too many symbolic links in the path',
  ENAMETOOLONG: 'the path is too long',
  ENXIO: 'no device or reader at the other end (a FIFO that nobody reads, or a socket)',
  EPIPE: 'the reader closed the pipe',
  EAGAIN: 'the file is not ready for writing',
  EIO: 'an input/output error on the device',
  EXDEV: 'it is on another file system',
};

/** The errno and the reason in words for a local file error; see {@link FILE_ERRNO_REASONS}. */
export function fileErrorReason(err: unknown): { errno: string; reason: string } {
  const e = asNodeError(err);
  const errno = stringField(e.code) ?? 'UNKNOWN';
  return { errno, reason: FILE_ERRNO_REASONS[errno] ?? stringField(e.message) ?? errno };
}

/**
 * FILE_ERROR for a failed `attempt` ("Could not save /x/profiles.json"): the attempt, the reason
 * in words and the errno, as `Could not save …: the disk is full (ENOSPC)`. No final period, so
 * callers can go on ("…; nothing was changed."). Every FILE_ERROR built from a Node error goes
 * through here, so no message is made of Node's own text unless its errno is unknown.
 */
export function fileErrorFor(err: unknown, attempt: string): AppError {
  const { errno, reason } = fileErrorReason(err);
  return { code: 'FILE_ERROR', message: `${attempt}: ${reason} (${errno})`, ...(errno === 'UNKNOWN' ? {} : { errno }) };
}

/**
 * Maps a local file error (reading a file to send, writing a response) to FILE_ERROR with a
 * message naming the path and what went wrong.
 */
export function toFileError(err: unknown, path: string, action: 'read' | 'write'): AppError {
  const error = fileErrorFor(err, `Could not ${action} "${path}"`);
  return { ...error, message: `${error.message}.` };
}

/** What a datagram session knew when an error arrived. */
export interface DatagramErrorContext {
  /** What the user asked for, and the address it resolved to once known. */
  host: string;
  port: number;
  remoteAddress?: string | null;
  /** Where the error came from: resolving, binding the local port, sending, or receiving. */
  stage: 'resolve' | 'bind' | 'send' | 'receive';
  /** The local port asked for (0: any), for bind errors. */
  localPort?: number;
}

/**
 * Maps an error raised by a UDP socket. Datagrams change what some errnos mean: ECONNREFUSED on a
 * connected datagram socket is the ICMP "port unreachable" answer to an earlier datagram (Linux
 * reports it on the next receive), EMSGSIZE is a payload the kernel refused whole, and a bind
 * error is about our local port, not the target. Everything else is mapped as for TCP.
 */
export function toDatagramError(err: unknown, context: DatagramErrorContext): AppError {
  const e = asNodeError(err);
  const errno = stringField(e.code) ?? 'UNKNOWN';
  const target = formatEndpoint(context.remoteAddress ?? context.host, context.port);
  if (errno === 'ECONNREFUSED') {
    return withTarget({
      code: 'PORT_UNREACHABLE',
      message: `Port unreachable: ${target} answered ICMP "port unreachable", so nothing listens on UDP port ${context.port} there (ECONNREFUSED).`,
      errno,
    }, target);
  }
  if (errno === 'EMSGSIZE') {
    return withTarget({
      code: 'DATAGRAM_TOO_LARGE',
      message: `The datagram to ${target} is larger than the network path allows; nothing was sent (EMSGSIZE).`,
      field: 'payload',
      errno,
    }, target);
  }
  if (context.stage === 'bind' && (errno === 'EADDRINUSE' || errno === 'EACCES' || errno === 'EADDRNOTAVAIL')) {
    const port = context.localPort ? `local UDP port ${context.localPort}` : 'a local UDP port';
    const reason =
      errno === 'EADDRINUSE'
        ? 'it is already in use'
        : errno === 'EACCES'
          ? 'permission denied (ports below 1024 need privileges)'
          : 'no usable local address';
    return {
      code: errno === 'EACCES' ? 'PERMISSION_DENIED' : 'ADDRESS_IN_USE',
      message: `Could not bind ${port}: ${reason} (${errno}).`,
      field: 'localPort',
      errno,
    };
  }
  if (context.stage === 'send' && errno === 'EACCES') {
    return withTarget({
      code: 'PERMISSION_DENIED',
      message: `Permission denied sending to ${target} (EACCES); a broadcast address needs broadcast turned on.`,
      errno,
    }, target);
  }
  return toAppError(err, { host: context.host, port: context.port, phase: 'open', remoteAddress: context.remoteAddress ?? null });
}
