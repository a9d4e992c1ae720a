/**
 * Checks {@link ConnectOptions} before a session touches DNS or a socket (RELIABILITY "Bad input"):
 * Node alone would connect an empty host to localhost, cut `localhost\0x` at the NUL, and so on.
 *
 * Host and port rules live in shared/endpoint.ts (one copy for the UI, the CLI and the engine).
 *
 * Invariant: a value that passes is safe to hand to `net.connect` as is: host is a bare name or
 * address (IPv6 without brackets, names in ASCII), port an integer in 1–65535, limits in range.
 */
import { parseHost, parsePort } from '../../shared/endpoint.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { SESSION_LIMITS, type ConnectOptions } from '../../shared/session.ts';

/** Connect options with every default filled in and every value checked. */
export interface CheckedConnectOptions {
  host: string;
  port: number;
  connectTimeoutMs: number;
  /** 0 disables the idle timeout. */
  idleTimeoutMs: number;
  maxResponseBytes: number;
}

/**
 * Checks the host (shared/endpoint.ts rules) and that a port pasted into it agrees with `port`.
 * Returns the form to hand to Node: brackets stripped, names in punycode.
 */
export function checkEndpoint(hostText: string, port: number): Result<{ host: string; port: number }> {
  const host = parseHost(hostText);
  if (!host.ok) return host;
  // The engine takes numbers only: text is converted (and checked) by whoever read it.
  if (typeof port !== 'number') {
    return fail('INVALID_INPUT', `expected a number from 1 to 65535, got ${typeof port} ${JSON.stringify(port)}.`, {
      field: 'port',
    });
  }
  const checkedPort = parsePort(port);
  if (!checkedPort.ok) return checkedPort;
  if (host.value.port !== undefined && host.value.port !== checkedPort.value) {
    return fail(
      'INVALID_INPUT',
      `the host names port ${host.value.port} but the port given is ${checkedPort.value}; remove one of them.`,
      { field: 'port', position: 0 },
    );
  }
  return ok({ host: host.value.host, port: checkedPort.value });
}

function checkIntegerRange(value: unknown, field: string, min: number, max: number, fallback: number): Result<number> {
  if (value === undefined) return ok(fallback);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    // The field is data; the UI and the CLI put their own name for it in front.
    return fail('INVALID_INPUT', `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.`, { field });
  }
  return ok(value);
}

/** Checks every field of {@link ConnectOptions} and fills in defaults. */
export function checkConnectOptions(opts: ConnectOptions): Result<CheckedConnectOptions> {
  const endpoint = checkEndpoint(opts.host, opts.port);
  if (!endpoint.ok) return endpoint;
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
  return ok({
    host: endpoint.value.host,
    port: endpoint.value.port,
    connectTimeoutMs: connectTimeoutMs.value,
    idleTimeoutMs: idleTimeoutMs.value,
    maxResponseBytes: maxResponseBytes.value,
  });
}
