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
import type { AppError, AttemptFailure, ErrorCode } from '../../shared/errors.ts';
import type { SessionPhase } from '../../shared/session.ts';

/** What the engine knew when the error arrived. */
export interface ErrorContext {
  /** What the user asked for. */
  host: string;
  port: number;
  phase: SessionPhase;
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

/** `host:port`, with brackets around IPv6 literals so the port stays readable. */
export function formatEndpoint(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

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

/**
 * Maps any error raised by a socket or by DNS to an {@link AppError}.
 * @param err whatever Node emitted or threw
 * @param context where the session was; `bytesSent`/`bytesTotal` when a send was in progress
 */
export function toAppError(err: unknown, context: ErrorContext): AppError {
  const e = asNodeError(err);
  if (Array.isArray(e.errors) && e.errors.length > 0) return mapAggregate(e.errors, context);
  return mapSingle(e, context);
}

/**
 * Maps a local file error (reading a file to send, writing a response) to FILE_ERROR with a
 * message naming the path and what went wrong.
 */
export function toFileError(err: unknown, path: string, action: 'read' | 'write'): AppError {
  const e = asNodeError(err);
  const errno = stringField(e.code) ?? 'UNKNOWN';
  const reasons: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'it is a directory',
    ENOTDIR: 'a part of the path is not a directory',
    ENOSPC: 'the disk is full',
    EROFS: 'the file system is read-only',
    EMFILE: 'too many open files',
  };
  const reason = reasons[errno] ?? stringField(e.message) ?? errno;
  return {
    code: 'FILE_ERROR',
    message: `Could not ${action} "${path}": ${reason} (${errno}).`,
    ...(errno === 'UNKNOWN' ? {} : { errno }),
  };
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
    return {
      code: 'PORT_UNREACHABLE',
      message: `Port unreachable: ${target} answered ICMP "port unreachable", so nothing listens on UDP port ${context.port} there (ECONNREFUSED).`,
      errno,
    };
  }
  if (errno === 'EMSGSIZE') {
    return {
      code: 'DATAGRAM_TOO_LARGE',
      message: `The datagram to ${target} is larger than the network path allows; nothing was sent (EMSGSIZE).`,
      field: 'payload',
      errno,
    };
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
    return {
      code: 'PERMISSION_DENIED',
      message: `Permission denied sending to ${target} (EACCES); a broadcast address needs broadcast turned on.`,
      errno,
    };
  }
  return toAppError(err, { host: context.host, port: context.port, phase: 'open', remoteAddress: context.remoteAddress ?? null });
}
