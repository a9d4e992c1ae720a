/**
 * Errors are data. Every failure that crosses a module or process boundary is an {@link AppError}
 * with a stable {@link ErrorCode}; the UI and the CLI switch on the code, never on message text.
 * docs/error-codes.md tables these codes; keep the two in step.
 */

import type { ProfileConflict } from './profile.ts';

/** Every stable error code, in one closed list. */
export const ERROR_CODES = [
  // Input, rejected before any DNS or socket activity.
  'INVALID_INPUT',
  // A datagram payload larger than its address family allows (65,507 bytes on IPv4, 65,527 on IPv6).
  'DATAGRAM_TOO_LARGE',
  // Session bookkeeping.
  'BUSY',
  'NOT_CONNECTED',
  'UNKNOWN_SESSION',
  'SESSION_LIMIT',
  // Listen mode: a client outgrew a bound (a line past the framing limit, a full reply queue).
  'LIMIT_EXCEEDED',
  // Name resolution.
  'DNS_NOT_FOUND',
  'DNS_FAILED',
  // Connecting.
  'REFUSED',
  'CONNECT_TIMEOUT',
  'HOST_UNREACHABLE',
  'NETWORK_UNREACHABLE',
  'ADDRESS_IN_USE',
  'PERMISSION_DENIED',
  // UDP: the target's host answered ICMP "port unreachable" (a connected datagram socket's ECONNREFUSED).
  'PORT_UNREACHABLE',
  // An open connection.
  'RESET',
  'BROKEN_PIPE',
  'ABORTED',
  // TLS: verification verdicts (also shown, not raised, when verify is off) and handshake failures.
  'TLS_UNTRUSTED',
  'TLS_SELF_SIGNED',
  'TLS_HOSTNAME_MISMATCH',
  'TLS_CERT_EXPIRED',
  'TLS_CERT_NOT_YET_VALID',
  'TLS_HANDSHAKE_FAILED',
  'TLS_CLIENT_CERT_REQUIRED',
  'TLS_CLIENT_CERT_REJECTED',
  'TLS_VERSION_UNSUPPORTED',
  'TLS_PROTOCOL_ERROR',
  // A STARTTLS preset's plain-text exchange failed: the server refused, answered otherwise, or closed.
  'STARTTLS_REFUSED',
  // Our own TLS credentials (CA file, client certificate, key, PFX, passphrase) are unusable.
  'TLS_CREDENTIALS_INVALID',
  // Local files (send a file, save a response, stream to a file).
  'FILE_ERROR',
  // The process (EMFILE) or the system (ENFILE) has no file descriptor left for a new socket.
  'TOO_MANY_FILES',
  // Profiles.
  'PROFILE_NOT_FOUND',
  'PROFILE_CONFLICT',
  'STORE_READ_ONLY',
  'STORE_CORRUPT',
  'IMPORT_FAILED',
  // IPC and web-mode guards.
  'FORBIDDEN',
  'UNKNOWN_CHANNEL',
  'RATE_LIMITED',
  // A call that this host (Electron or web mode) does not offer, e.g. native dialogs in a browser.
  'UNSUPPORTED',
  // Anything we did not foresee; the message carries Node's own text.
  'INTERNAL',
] as const;

/** A stable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One address tried during a connect attempt, and how it failed. */
export interface AttemptFailure {
  address: string;
  port: number;
  family: 4 | 6;
  /** Node's errno name, e.g. ECONNREFUSED. */
  errno: string;
  code: ErrorCode;
}

/** A failure as data. */
export interface AppError {
  code: ErrorCode;
  /**
   * A sentence for people; never empty. When `field` is set the message does not name the field:
   * each front end puts its own label in front ({@link labelledMessage}).
   */
  message: string;
  /** The input field or CLI option at fault (`host`, `port`, `payload`, `output`, …), as data. */
  field?: string;
  /** Zero-based position of the item at fault in an imported file (IMPORT_FAILED). */
  item?: number;
  /** Zero-based character position in the field's text, where one applies (messages say it counted from 1: "at character N+1"). */
  position?: number;
  /**
   * Which rule of the field's grammar failed (`hex-digit`, `port-range`, …; docs/error-codes.md
   * lists them), for a front end that words the sentence itself: the Chinese UI says as much as
   * the English message, not only the field's general rule. The English `message` stays the one
   * the CLI prints.
   */
  reason?: string;
  /** The values that rule's sentence names (the offending text, a limit), as data. */
  params?: Record<string, string | number>;
  /** Each address tried, when a connect failed on several (dual-stack). */
  attempts?: AttemptFailure[];
  /** PROFILE_CONFLICT on a stale update: the stored version and the refused one. */
  conflict?: ProfileConflict;
  /** Node's errno name when the error came from Node (for TLS, Node's or the TLS library's code). */
  errno?: string;
}

/** Success with a value, or failure with an {@link AppError}. Nothing is thrown across boundaries. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

/** Builds a success result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Builds a failure result. */
export function fail<T = never>(code: ErrorCode, message: string, extra: Omit<AppError, 'code' | 'message'> = {}): Result<T> {
  return { ok: false, error: { code, message, ...extra } };
}

/** True when `value` is one of {@link ERROR_CODES}. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** How one front end names error fields: the UI its field labels, the CLI its option names. */
export type FieldLabels = Readonly<Partial<Record<string, string>>>;

/** An error as the CLI's `--json` prints it (docs/cli.md). */
export type JsonError = Pick<AppError, 'code' | 'message'> & Partial<Pick<AppError, 'field' | 'position' | 'reason' | 'params'>>;

/**
 * `error` for a `--json` report: the code and message, and where the error has them the field,
 * position, reason and params, so a script can tell which rule a bad input broke without parsing
 * the English sentence.
 */
export function jsonError(error: AppError, message: string = error.message): JsonError {
  return {
    code: error.code,
    message,
    ...(error.field !== undefined ? { field: error.field } : {}),
    ...(error.position !== undefined ? { position: error.position } : {}),
    ...(error.reason !== undefined ? { reason: error.reason } : {}),
    ...(error.params !== undefined ? { params: error.params } : {}),
  };
}

/**
 * The message as a front end shows it: its own label for the error's field in front
 * (`Port: 0 is not a port…` in the UI, `PORT: 0 is not a port…` in the CLI), or the message alone
 * when there is no field or no label for it. The only place a label meets a message.
 */
export function labelledMessage(error: Pick<AppError, 'field' | 'message'>, labels: FieldLabels): string {
  const label = error.field === undefined ? undefined : labels[error.field];
  return label === undefined ? error.message : `${label}: ${error.message}`;
}
