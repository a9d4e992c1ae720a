/**
 * `socket-tester send HOST PORT [DATA] --udp`: one datagram out, every reply collected for the
 * reply window (`--wait`), with exact bytes and honest counts. docs/cli.md ("UDP") is the
 * user-facing reference.
 *
 * Invariants:
 * - Every argument is checked before any DNS or socket activity; a bad one exits with
 *   EXIT.INVALID_INPUT and a message naming the option (or HOST / PORT / DATA). TCP-only options
 *   are refused by name rather than ignored.
 * - Exactly one datagram is sent: DATA, --file or stdin (empty is a real 0-byte datagram).
 * - With --json exactly one JSON object is printed on stdout, whatever happens; without it, stdout
 *   carries only the replies' bytes, raw, in arrival order, and stderr one line per datagram and
 *   one summary line.
 * - The exchange itself is runDatagramExchange(), the same code the engine tests prove.
 */
import { parseArgs } from 'node:util';
import { readFile, stat } from 'node:fs/promises';
import { parseEndpoint } from '../../shared/endpoint.ts';
import { jsonError, type AppError, type ErrorCode, type JsonError } from '../../shared/errors.ts';
import { encodePayload, LINE_ENDINGS, TEXT_ENCODINGS, type LineEnding, type TextEncoding } from '../../shared/payload.ts';
import {
  DATAGRAM_LIMITS,
  MAX_DATAGRAM_PAYLOAD,
  type DatagramOutcome,
  type DatagramRecord,
  type DatagramSessionStatus,
} from '../../shared/session-datagram.ts';
import { runDatagramExchange } from '../engine/datagram/datagram-exchange.ts';
import { formatEndpoint, toFileError } from '../engine/error-mapping.ts';
import { EXIT, type CliIo } from './run-cli.ts';

/** Default --wait: how long to collect replies after the send. */
export const DEFAULT_WAIT_MS = 1_000;

/** `socket-tester send --udp --help`. A function: EXIT is read only once both modules have loaded. */
export function sendUdpHelp(): string {
  return `Usage: socket-tester send HOST PORT [DATA] --udp [options]

Sends one UDP datagram (DATA, a file, or stdin when it is not a terminal; nothing at all is a
0-byte datagram) and collects the replies: until --wait milliseconds pass without one (counted
from the send, restarted by each reply), or --max-datagrams replies. Without --json each reply's
bytes go to stdout as they arrive, and one line per datagram plus a summary go to stderr.

Options:
  --udp                  use UDP (required for the options below)
  --wait MS              collect replies until MS ms pass without one (default ${DEFAULT_WAIT_MS}; 0 = send and exit)
  --max-datagrams N      stop after N replies (default ${DATAGRAM_LIMITS.defaultMaxDatagrams})
  --max-bytes N          stop once N reply bytes arrived (default ${DATAGRAM_LIMITS.defaultMaxResponseBytes}); exits ${EXIT.LIMIT_REACHED}
  --from-anyone          take replies from any address and port (default: the target only, which
                         also reports ICMP "port unreachable" as PORT_UNREACHABLE)
  --local-port N         bind this local port (default: any free port)
  --broadcast            allow sending to a broadcast address
  --hex, --escapes, --encoding ENC, --line-ending END
                         read DATA as for TCP (socket-tester send --help)
  --file PATH            send this file as the datagram (at most ${MAX_DATAGRAM_PAYLOAD[6]} bytes)
  --json                 print one JSON object: outcome, bytesSent, bytesReceived, datagrams
                         [{from, port, atMs, base64}], kernelDrops, error
  -h, --help             show this help

Payloads: at most ${MAX_DATAGRAM_PAYLOAD[4]} bytes to an IPv4 target, ${MAX_DATAGRAM_PAYLOAD[6]} to IPv6.

Exit codes:
  0  the wait ended normally (with or without replies), or --max-datagrams was reached
  ${EXIT.FAILURE}  unexpected internal error
  ${EXIT.INVALID_INPUT}  invalid input, including a payload too large for one datagram (nothing was sent)
  ${EXIT.CONNECT_FAILED}  PORT_UNREACHABLE (ICMP), DNS failure, local port in use, permission denied
  ${EXIT.LIMIT_REACHED}  --max-bytes reached; the replies so far were printed
  ${EXIT.INTERRUPTED}  interrupted (Ctrl-C)
`;
}

/** Options that only make sense for a TCP stream, with what to use instead. */
const TCP_ONLY: Readonly<Record<string, string>> = {
  'keep-open': 'UDP has no connection to keep open; --wait says how long to collect replies',
  'half-close': 'UDP has no half-close',
  'connect-timeout': 'UDP does not connect; --wait says how long to collect replies',
  'idle-timeout': 'with --udp, --wait is the reply window',
  output: 'redirect stdout to save the replies, or use --json for each datagram separately',
  profile: 'profiles hold TCP targets; give HOST and PORT',
  profiles: 'profiles hold TCP targets; give HOST and PORT',
};

/** TLS options (send-command.ts), refused by name: TLS runs over TCP (DTLS is not offered). */
const TLS_ONLY: Readonly<Record<string, 'string' | 'boolean'>> = {
  tls: 'boolean',
  starttls: 'string',
  servername: 'string',
  'no-servername': 'boolean',
  'verify-name': 'string',
  insecure: 'boolean',
  ca: 'string',
  cert: 'string',
  key: 'string',
  alpn: 'string',
  'tls-min': 'string',
  'tls-max': 'string',
};

interface UdpArgs {
  host: string;
  port: number;
  data: Uint8Array;
  waitMs: number;
  maxDatagrams: number;
  maxResponseBytes: number;
  fromAnyone: boolean;
  localPort: number;
  broadcast: boolean;
  json: boolean;
}

/** What the --json object holds; documented in docs/cli.md. */
interface UdpJsonReport {
  outcome: DatagramOutcome | null;
  bytesSent: number;
  bytesReceived: number;
  datagramsReceived: number;
  /** Datagrams the kernel dropped for our socket (receive buffer full); null where the system does not tell. */
  kernelDrops: number | null;
  remoteAddress: string | null;
  remotePort: number | null;
  localPort: number | null;
  datagrams: Array<{ from: string; port: number; atMs: number; base64: string }>;
  error: JsonError | null;
}

type Checked<T> = { ok: true; value: T } | { ok: false; message: string; code?: ErrorCode };

function invalid(message: string, code?: ErrorCode): Checked<never> {
  return code ? { ok: false, message, code } : { ok: false, message };
}

/** An error from the shared checks, named after the argument; drops the UI's own field label. */
function argumentError(argument: 'HOST' | 'PORT' | 'DATA', error: AppError): Checked<never> {
  const message = error.message.replace(/^(Host|Port|Payload): /, '');
  const position = error.position;
  const at = argument !== 'DATA' || position === undefined || message.includes(`character ${position + 1}`) ? '' : ` (at character ${position + 1})`;
  return invalid(`${argument}${at}: ${message}`);
}

function integerOption(name: string, text: string | undefined, min: number, max: number): Checked<number | undefined> {
  if (text === undefined) return { ok: true, value: undefined };
  if (!/^[0-9]{1,10}$/.test(text) || Number(text) < min || Number(text) > max) {
    return invalid(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}.`);
  }
  return { ok: true, value: Number(text) };
}

/** Maps how an exchange ended to the exit code (table in sendUdpHelp() and docs/cli.md). */
export function udpExitCode(outcome: DatagramOutcome | null, error: AppError | null): number {
  if (outcome === 'cancelled' && error === null) return EXIT.INTERRUPTED;
  if (error) {
    switch (error.code) {
      case 'INVALID_INPUT':
      case 'DATAGRAM_TOO_LARGE':
        return EXIT.INVALID_INPUT;
      case 'PORT_UNREACHABLE':
      case 'DNS_NOT_FOUND':
      case 'DNS_FAILED':
      case 'HOST_UNREACHABLE':
      case 'NETWORK_UNREACHABLE':
      case 'ADDRESS_IN_USE':
      case 'PERMISSION_DENIED':
        return EXIT.CONNECT_FAILED;
      default:
        return EXIT.FAILURE;
    }
  }
  return outcome === 'limit-reached' ? EXIT.LIMIT_REACHED : EXIT.OK;
}

/** Reads at most `max + 1` bytes of stdin, so a payload one byte too large is still seen whole. */
async function readStdin(stdin: NodeJS.ReadableStream, max: number): Promise<Checked<Uint8Array>> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    total += bytes.length;
    if (total > max) {
      return invalid(`stdin holds more than ${max} bytes, more than one UDP datagram can carry.`, 'DATAGRAM_TOO_LARGE');
    }
    parts.push(bytes);
  }
  return { ok: true, value: Buffer.concat(parts, total) };
}

/** The largest payload for this target: known for a literal address, the IPv6 maximum for a name. */
function maxPayloadFor(family: 4 | 6 | null): number {
  return MAX_DATAGRAM_PAYLOAD[family ?? 6];
}

function tooLarge(size: number, family: 4 | 6 | null, what: string): Checked<never> {
  const max = maxPayloadFor(family);
  const limit = family === null ? `${max} bytes (the IPv6 maximum; ${MAX_DATAGRAM_PAYLOAD[4]} on IPv4)` : `${max} bytes on IPv${family}`;
  return invalid(`${what}: ${size} bytes is more than one UDP datagram holds (${limit}); nothing was sent.`, 'DATAGRAM_TOO_LARGE');
}

/**
 * Joins what one event-loop turn writes into one write per stream. A burst delivers hundreds of
 * datagrams per turn, and one write (a system call for a file or a pipe) per datagram and per line
 * slowed the reader, so the kernel dropped more of the burst. Measured with 200,000 datagrams sent
 * as fast as Python can to the CLI writing to files (median of 3 alternating runs on a busy
 * 2-core machine): 115,939 dropped with a write each, 84,160 with one write per turn; --json,
 * which writes nothing per datagram, about 10,000. Order within each stream is kept; bounded by
 * flushing at 1 MiB.
 */
class TurnBatcher {
  #parts: Array<Uint8Array | string> = [];
  #bytes = 0;
  #scheduled = false;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  /** Bytes, or text (UTF-8; only our own ASCII lines are pushed as text). */
  push(bytes: Uint8Array | string): void {
    this.#parts.push(bytes);
    this.#bytes += typeof bytes === 'string' ? bytes.length : bytes.byteLength;
    if (this.#bytes >= 1024 * 1024) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#parts.length === 0) return;
    const parts = this.#parts;
    const joined = parts.every((p) => typeof p === 'string')
      ? parts.join('')
      : Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    this.#parts = [];
    this.#bytes = 0;
    this.stream.write(joined);
  }
}

/** Parses and checks every argument; touches no network. Reads stdin or --file once the rest passed. */
async function parseUdpArgs(argv: string[], io: CliIo): Promise<Checked<UdpArgs> | 'help'> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        udp: { type: 'boolean' },
        wait: { type: 'string' },
        'max-datagrams': { type: 'string' },
        'max-bytes': { type: 'string' },
        'from-anyone': { type: 'boolean' },
        'local-port': { type: 'string' },
        broadcast: { type: 'boolean' },
        hex: { type: 'boolean' },
        escapes: { type: 'boolean' },
        encoding: { type: 'string' },
        'line-ending': { type: 'string' },
        file: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        // Known only to be refused by name (TCP_ONLY).
        'keep-open': { type: 'boolean' },
        'half-close': { type: 'boolean' },
        'connect-timeout': { type: 'string' },
        'idle-timeout': { type: 'string' },
        output: { type: 'string' },
        profile: { type: 'string' },
        profiles: { type: 'string' },
        ...Object.fromEntries(Object.entries(TLS_ONLY).map(([name, type]) => [name, { type }])),
      },
    });
  } catch (err) {
    return invalid((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  for (const [name, why] of Object.entries(TCP_ONLY)) {
    if ((values as Record<string, unknown>)[name] !== undefined) return invalid(`--${name} cannot be used with --udp: ${why}.`);
  }
  for (const name of Object.keys(TLS_ONLY)) {
    if ((values as Record<string, unknown>)[name] !== undefined) {
      return invalid(`--${name} cannot be used with --udp: TLS runs over TCP, and DTLS is not offered; drop --udp to use TLS.`);
    }
  }

  if (positionals.length < 2) return invalid('HOST and PORT are required: socket-tester send HOST PORT [DATA] --udp.');
  if (positionals.length > 3) return invalid(`expected HOST PORT [DATA], got ${positionals.length} arguments; quote DATA that contains spaces.`);
  const [hostText = '', portText = '', dataText] = positionals;
  const endpoint = parseEndpoint(hostText, portText);
  if (!endpoint.ok) return argumentError(endpoint.error.field === 'port' ? 'PORT' : 'HOST', endpoint.error);
  const family = endpoint.value.host.family;

  if (values.hex && values.escapes) return invalid('--hex and --escapes cannot be combined: pick one way to read DATA.');
  const encoding = values.encoding ?? 'utf8';
  if (!(TEXT_ENCODINGS as readonly string[]).includes(encoding)) {
    return invalid(`--encoding must be ${TEXT_ENCODINGS.join(' or ')}, got ${JSON.stringify(encoding)}.`);
  }
  const lineEnding = values['line-ending'] ?? 'none';
  if (!(LINE_ENDINGS as readonly string[]).includes(lineEnding)) {
    return invalid(`--line-ending must be one of ${LINE_ENDINGS.join(', ')}, got ${JSON.stringify(lineEnding)}.`);
  }
  const codecOptionGiven =
    values.hex === true || values.escapes === true || values.encoding !== undefined || values['line-ending'] !== undefined;

  const wait = integerOption('wait', values.wait, 0, DATAGRAM_LIMITS.maxReplyWindowMs);
  if (!wait.ok) return wait;
  const maxDatagrams = integerOption('max-datagrams', values['max-datagrams'], 1, DATAGRAM_LIMITS.maxDatagrams);
  if (!maxDatagrams.ok) return maxDatagrams;
  const maxBytes = integerOption('max-bytes', values['max-bytes'], 1, DATAGRAM_LIMITS.maxResponseBytes);
  if (!maxBytes.ok) return maxBytes;
  const localPort = integerOption('local-port', values['local-port'], 0, 65_535);
  if (!localPort.ok) return localPort;

  const max = maxPayloadFor(family);
  let data: Uint8Array;
  const file = values.file ?? null;
  if (file !== null) {
    if (dataText !== undefined) return invalid('give DATA or --file, not both.');
    if (codecOptionGiven) return invalid('--hex, --escapes, --encoding and --line-ending apply to DATA, not to --file (sent as is).');
    try {
      const info = await stat(file);
      if (!info.isFile()) return invalid(`--file ${JSON.stringify(file)} is not a regular file.`);
      // Checked before reading: a datagram is small, a mistaken path may not be.
      if (info.size > max) return tooLarge(info.size, family, '--file');
      data = await readFile(file);
    } catch (err) {
      return invalid(`--file: ${toFileError(err, file, 'read').message}`);
    }
    if (data.length > max) return tooLarge(data.length, family, '--file');
  } else if (dataText !== undefined) {
    const encoded = encodePayload({
      text: dataText,
      mode: values.hex ? 'hex' : values.escapes ? 'escapes' : 'text',
      encoding: encoding as TextEncoding,
      lineEnding: lineEnding as LineEnding,
    });
    if (!encoded.ok) return argumentError('DATA', encoded.error);
    data = encoded.value;
    if (data.length > max) return tooLarge(data.length, family, 'DATA');
  } else {
    const stdin = io.stdin ?? process.stdin;
    data = new Uint8Array(0);
    if (!(stdin as { isTTY?: boolean }).isTTY) {
      const read = await readStdin(stdin, max);
      if (!read.ok) return read;
      data = read.value;
      if (codecOptionGiven) {
        let text: string;
        try {
          text = new TextDecoder('utf-8', { fatal: true }).decode(read.value);
        } catch {
          return invalid('stdin is not valid UTF-8 text, which --hex, --escapes, --encoding and --line-ending need; drop them to send stdin as raw bytes.');
        }
        const encoded = encodePayload({
          text,
          mode: values.hex ? 'hex' : values.escapes ? 'escapes' : 'text',
          encoding: encoding as TextEncoding,
          lineEnding: lineEnding as LineEnding,
        });
        if (!encoded.ok) return argumentError('DATA', encoded.error);
        data = encoded.value;
        if (data.length > max) return tooLarge(data.length, family, 'stdin');
      }
    }
  }

  return {
    ok: true,
    value: {
      host: endpoint.value.host.host,
      port: endpoint.value.port,
      data,
      waitMs: wait.value ?? DEFAULT_WAIT_MS,
      maxDatagrams: maxDatagrams.value ?? DATAGRAM_LIMITS.defaultMaxDatagrams,
      maxResponseBytes: maxBytes.value ?? DATAGRAM_LIMITS.defaultMaxResponseBytes,
      fromAnyone: values['from-anyone'] === true,
      localPort: localPort.value ?? 0,
      broadcast: values.broadcast === true,
      json: values.json === true,
    },
  };
}

function emptyReport(error: AppError): UdpJsonReport {
  return {
    outcome: null,
    bytesSent: 0,
    bytesReceived: 0,
    datagramsReceived: 0,
    kernelDrops: null,
    remoteAddress: null,
    remotePort: null,
    localPort: null,
    datagrams: [],
    error: jsonError(error),
  };
}

const OUTCOME_TEXT: Record<DatagramOutcome, string> = {
  'closed-by-us': 'sent, not waiting for replies',
  'idle-timeout': 'wait ended',
  'count-reached': '--max-datagrams reached',
  'limit-reached': '--max-bytes reached',
  cancelled: 'interrupted',
  error: 'failed',
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function summaryLine(status: DatagramSessionStatus, outcome: DatagramOutcome | null, error: AppError | null): string {
  const target = status.remoteAddress ? ` udp ${formatEndpoint(status.remoteAddress, status.port)}` : ' udp';
  const what = outcome ? OUTCOME_TEXT[outcome] : 'not started';
  const counts =
    `sent ${plural(status.datagramsSent, 'datagram')} (${plural(status.bytesSent, 'byte')}), ` +
    `received ${plural(status.datagramsReceived, 'datagram')} (${plural(status.bytesReceived, 'byte')})`;
  const duration = status.startedAt !== null && status.endedAt !== null ? ` in ${status.endedAt - status.startedAt} ms` : '';
  // Only a non-zero count is news; a burst the kernel could not hold must never pass unmentioned.
  const drops = status.kernelDrops ? `; the kernel dropped ${plural(status.kernelDrops, 'datagram')} (receive buffer full)` : '';
  const head = `socket-tester send:${target} ${what}, ${counts}${duration}${drops}`;
  return error ? `${head}\nsocket-tester send: ${error.code}: ${error.message}\n` : `${head}\n`;
}

/** Runs `send --udp`; resolves to the exit code. */
export async function runSendUdpCommand(argv: string[], io: CliIo): Promise<number> {
  const jsonRequested = argv.includes('--json');
  const args = await parseUdpArgs(argv, io);
  if (args === 'help') {
    io.stdout.write(sendUdpHelp());
    return EXIT.OK;
  }
  if (!args.ok) {
    const error: AppError = { code: args.code ?? 'INVALID_INPUT', message: args.message };
    io.stderr.write(`socket-tester send: ${args.message}\n`);
    if (jsonRequested) io.stdout.write(`${JSON.stringify(emptyReport(error))}\n`);
    else if (error.code === 'INVALID_INPUT') io.stderr.write('Run "socket-tester send --udp --help" for usage.\n');
    return EXIT.INVALID_INPUT;
  }
  const options = args.value;

  // main/cli.ts turns SIGINT/SIGTERM into io.interrupt; tests abort it instead.
  const interrupt = new AbortController();
  const onAbort = (): void => interrupt.abort();
  if (io.interrupt?.aborted) interrupt.abort();
  else io.interrupt?.addEventListener('abort', onAbort, { once: true });
  // Without --json each reply is written as it arrives; its time is reported from the send.
  let sentAt: number | null = null;
  const out = new TurnBatcher(io.stdout);
  const err = new TurnBatcher(io.stderr);
  const onDatagram = options.json
    ? undefined
    : (record: DatagramRecord, bytes: Uint8Array): void => {
        out.push(bytes);
        const after = sentAt === null ? '' : `, +${Math.max(0, record.at - sentAt)} ms`;
        err.push(`socket-tester send: datagram ${record.seq} from ${formatEndpoint(record.from, record.port)}, ${plural(record.size, 'byte')}${after}\n`);
      };
  let result;
  try {
    result = await runDatagramExchange({
      open: {
        host: options.host,
        port: options.port,
        localPort: options.localPort,
        mode: options.fromAnyone ? 'from-anyone' : 'target-only',
        broadcast: options.broadcast,
        replyWindowMs: options.waitMs,
        maxDatagrams: options.maxDatagrams,
        maxResponseBytes: options.maxResponseBytes,
      },
      data: options.data,
      signal: interrupt.signal,
      onSent: (at) => {
        sentAt = at;
      },
      ...(onDatagram ? { onDatagram } : {}),
    });
  } finally {
    io.interrupt?.removeEventListener('abort', onAbort);
  }
  const { status, outcome, error } = result;
  if (options.json) {
    const origin = result.sentAt ?? status.openedAt ?? 0;
    const report: UdpJsonReport = {
      outcome,
      bytesSent: status.bytesSent,
      bytesReceived: status.bytesReceived,
      datagramsReceived: status.datagramsReceived,
      kernelDrops: status.kernelDrops,
      remoteAddress: status.remoteAddress,
      remotePort: status.remoteAddress ? status.port : null,
      localPort: status.localPort,
      datagrams: result.datagrams.map(({ record, bytes }) => ({
        from: record.from,
        port: record.port,
        atMs: Math.max(0, record.at - origin),
        base64: Buffer.from(bytes).toString('base64'),
      })),
      error: error ? jsonError(error) : null,
    };
    io.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    out.flush();
    err.flush();
    io.stderr.write(summaryLine(status, outcome, error));
  }
  return udpExitCode(outcome, error);
}
