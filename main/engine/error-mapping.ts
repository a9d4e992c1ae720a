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
