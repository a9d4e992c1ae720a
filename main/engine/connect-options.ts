/**
 * Checks {@link ConnectOptions} before a session touches DNS or a socket (RELIABILITY "Bad input"):
 * Node alone would connect an empty host to localhost, cut `localhost\0x` at the NUL, and so on.
 *
 * Host and port rules live in shared/endpoint.ts (one copy for the UI, the CLI and the engine).
 *
 * Invariant: a value that passes is safe to hand to `net.connect` as is: host is a bare name or
 * address (IPv6 without brackets, names in ASCII), port an integer in 1–65535, limits in range.
 */
import { parseEndpoint, type ParsedEndpoint } from '../../shared/endpoint.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { SESSION_LIMITS, type ConnectOptions } from '../../shared/session.ts';

/** Connect options with every default filled in and every value checked; frozen. */
export interface CheckedConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly connectTimeoutMs: number;
  /** 0 disables the idle timeout. */
  readonly idleTimeoutMs: number;
  readonly maxResponseBytes: number;
}

/**
 * Every object this module returned. Validation happens once per open: the boundary (the app
 * service, the CLI) checks and hands the result to the session, whose own call finds it here and
 * returns it as is. The objects are frozen, so a remembered one still holds what was checked.
 */
const CHECKED = new WeakSet<object>();

/**
 * Checks the host (shared/endpoint.ts rules) and that a port pasted into it agrees with `port`.
 * Returns the form to hand to Node: brackets stripped, names in punycode.
 */
export function checkEndpoint(hostText: string, port: number): Result<{ host: string; port: number }> {
  // The engine takes numbers only: text is converted (and checked) by whoever read it.
  if (typeof port !== 'number') {
    return fail('INVALID_INPUT', `expected a number from 1 to 65535, got ${typeof port} ${JSON.stringify(port)}.`, { field: 'port' });
  }
  const endpoint = parseEndpoint(hostText, port);
  if (!endpoint.ok) return endpoint;
  return ok({ host: endpoint.value.host.host, port: endpoint.value.port });
}

function checkIntegerRange(value: unknown, field: string, min: number, max: number, fallback: number): Result<number> {
  if (value === undefined) return ok(fallback);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    // The field is data; the UI and the CLI put their own name for it in front.
    return fail('INVALID_INPUT', `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.`, { field });
  }
  return ok(value);
}

/** Checks every field of {@link ConnectOptions} and fills in defaults; a checked value passes as is. */
export function checkConnectOptions(opts: ConnectOptions): Result<CheckedConnectOptions> {
  if (CHECKED.has(opts)) return ok(opts as CheckedConnectOptions);
  const endpoint = checkEndpoint(opts.host, opts.port);
  if (!endpoint.ok) return endpoint;
  return checkLimits(endpoint.value, opts);
}

/**
 * For a front end that parsed host and port text itself with `parseEndpoint` (the CLI's HOST and
 * PORT, a profile): checks the remaining options, so the endpoint is not parsed a second time.
 */
export function checkConnectLimits(endpoint: ParsedEndpoint, opts: Omit<ConnectOptions, 'host' | 'port'>): Result<CheckedConnectOptions> {
  return checkLimits({ host: endpoint.host.host, port: endpoint.port }, opts);
}

function checkLimits(endpoint: { host: string; port: number }, opts: Omit<ConnectOptions, 'host' | 'port'>): Result<CheckedConnectOptions> {
  const connectTimeoutMs = checkIntegerRange(
    opts.connectTimeoutMs,
    'connectTimeoutMs',
    1,
    SESSION_LIMITS.maxConnectTimeoutMs,
    SESSION_LIMITS.defaultConnectTimeoutMs,
  );
  if (!connectTimeoutMs.ok) return connectTimeoutMs;
  const idleTimeoutMs = checkIntegerRange(opts.idleTimeoutMs, 'idleTimeoutMs', 0, SESSION_LIMITS.maxIdleTimeoutMs, 0);
  if (!idleTimeoutMs.ok) return idleTimeoutMs;
  const maxResponseBytes = checkIntegerRange(
    opts.maxResponseBytes,
    'maxResponseBytes',
    1,
    SESSION_LIMITS.maxResponseBytes,
    SESSION_LIMITS.defaultMaxResponseBytes,
  );
  if (!maxResponseBytes.ok) return maxResponseBytes;
  const checked: CheckedConnectOptions = Object.freeze({
    host: endpoint.host,
    port: endpoint.port,
    connectTimeoutMs: connectTimeoutMs.value,
    idleTimeoutMs: idleTimeoutMs.value,
    maxResponseBytes: maxResponseBytes.value,
  });
  CHECKED.add(checked);
  return ok(checked);
}
