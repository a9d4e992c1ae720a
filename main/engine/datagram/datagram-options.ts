/**
 * Checks {@link DatagramOpenOptions} before a datagram session touches DNS or a socket, with the
 * same host and port rules as TCP (shared/endpoint.ts via checkEndpoint), and multicast group
 * addresses before a join.
 *
 * Invariant: a value that passes is safe to hand to `node:dgram` as is.
 */
import { isIP } from 'node:net';
import { parsePort } from '../../../shared/endpoint.ts';
import { fail, ok, type Result } from '../../../shared/errors.ts';
import { DATAGRAM_LIMITS, DATAGRAM_MODES, type DatagramMode, type DatagramOpenOptions } from '../../../shared/session-datagram.ts';
import { checkEndpoint } from '../connect-options.ts';

/** Open options with every default filled in and every value checked. */
export interface CheckedDatagramOptions {
  host: string;
  port: number;
  /** 0: any free port. */
  localPort: number;
  mode: DatagramMode;
  broadcast: boolean;
  /** 0: no reply window. */
  replyWindowMs: number;
  maxDatagrams: number;
  maxResponseBytes: number;
  multicastInterface: string | null;
}

function checkInteger(value: unknown, field: string, min: number, max: number, fallback: number): Result<number> {
  if (value === undefined) return ok(fallback);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    return fail('INVALID_INPUT', `${field} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.`, { field });
  }
  return ok(value);
}

/** Checks an interface given as text: an address (IPv4, or IPv6 with an optional %scope) or `%name`. */
function checkInterface(value: unknown, field: string): Result<string | null> {
  if (value === undefined || value === null || value === '') return ok(null);
  if (typeof value !== 'string' || value.length > 64 || !/^[0-9A-Za-z.:%_-]+$/.test(value)) {
    return fail('INVALID_INPUT', `${field} must be an interface address such as 127.0.0.1 or ::%lo, got ${JSON.stringify(value)}.`, { field });
  }
  return ok(value);
}

/** Checks every field of {@link DatagramOpenOptions} and fills in defaults. */
export function checkDatagramOptions(opts: DatagramOpenOptions): Result<CheckedDatagramOptions> {
  if (typeof opts !== 'object' || opts === null) return fail('INVALID_INPUT', 'Expected datagram options.', { field: 'host' });
  const endpoint = checkEndpoint(opts.host, opts.port);
  if (!endpoint.ok) return endpoint;
  let localPort = 0;
  if (opts.localPort !== undefined && opts.localPort !== 0) {
    if (typeof opts.localPort !== 'number') {
      return fail('INVALID_INPUT', `Local port: expected a number from 0 to 65535, got ${JSON.stringify(opts.localPort)}.`, { field: 'localPort' });
    }
    const checked = parsePort(opts.localPort, { allowZero: true });
    if (!checked.ok) return fail('INVALID_INPUT', checked.error.message.replace(/^Port:/, 'Local port:'), { field: 'localPort' });
    localPort = checked.value;
  }
  const mode = opts.mode ?? 'target-only';
  if (!DATAGRAM_MODES.includes(mode)) {
    return fail('INVALID_INPUT', `mode must be ${DATAGRAM_MODES.join(' or ')}, got ${JSON.stringify(mode)}.`, { field: 'mode' });
  }
  if (opts.broadcast !== undefined && typeof opts.broadcast !== 'boolean') {
    return fail('INVALID_INPUT', `broadcast must be true or false, got ${JSON.stringify(opts.broadcast)}.`, { field: 'broadcast' });
  }
  const replyWindowMs = checkInteger(opts.replyWindowMs, 'replyWindowMs', 0, DATAGRAM_LIMITS.maxReplyWindowMs, 0);
  if (!replyWindowMs.ok) return replyWindowMs;
  const maxDatagrams = checkInteger(opts.maxDatagrams, 'maxDatagrams', 1, DATAGRAM_LIMITS.maxDatagrams, DATAGRAM_LIMITS.defaultMaxDatagrams);
  if (!maxDatagrams.ok) return maxDatagrams;
  const maxResponseBytes = checkInteger(
    opts.maxResponseBytes,
    'maxResponseBytes',
    1,
    DATAGRAM_LIMITS.maxResponseBytes,
    DATAGRAM_LIMITS.defaultMaxResponseBytes,
  );
  if (!maxResponseBytes.ok) return maxResponseBytes;
  const multicastInterface = checkInterface(opts.multicastInterface, 'multicastInterface');
  if (!multicastInterface.ok) return multicastInterface;
  return ok({
    host: endpoint.value.host,
    port: endpoint.value.port,
    localPort,
    mode,
    broadcast: opts.broadcast === true,
    replyWindowMs: replyWindowMs.value,
    maxDatagrams: maxDatagrams.value,
    maxResponseBytes: maxResponseBytes.value,
    multicastInterface: multicastInterface.value,
  });
}

/** True for 224.0.0.0/4 and ff00::/8. */
export function isMulticastAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) {
    const first = Number(address.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  return family === 6 && /^ff[0-9a-f]{2}:/i.test(address);
}

/**
 * Checks a multicast group (and optional interface) for a socket of `family`. An IPv6 interface
 * given as a bare name (`lo`) becomes the scope form Node expects (`::%lo`).
 */
export function checkGroup(group: unknown, iface: unknown, family: 4 | 6): Result<{ group: string; iface: string | null }> {
  if (typeof group !== 'string' || !isMulticastAddress(group)) {
    return fail('INVALID_INPUT', `Group: expected a multicast address (224.0.0.0–239.255.255.255 or ff00::/8), got ${JSON.stringify(group)}.`, {
      field: 'group',
    });
  }
  if (isIP(group) !== family) {
    return fail('INVALID_INPUT', `Group: ${group} is IPv${isIP(group)}, but this session's socket is IPv${family}.`, { field: 'group' });
  }
  const checked = checkInterface(iface, 'interface');
  if (!checked.ok) return checked;
  let name = checked.value;
  if (name !== null && family === 6 && !name.includes(':')) name = name.startsWith('%') ? `::${name}` : `::%${name}`;
  if (name !== null && family === 4 && isIP(name) !== 4) {
    return fail('INVALID_INPUT', `Interface: an IPv4 group is joined on an interface's IPv4 address (e.g. 127.0.0.1), got ${JSON.stringify(name)}.`, {
      field: 'interface',
    });
  }
  return ok({ group, iface: name });
}
