/**
 * `socket-tester send HOST PORT [DATA]` or `send --profile NAME [DATA]`: one exchange from the
 * command line, like `ncat` but with exact bytes, honest outcomes and distinct exit codes.
 * docs/cli.md is the user-facing reference.
 *
 * Invariants:
 * - Every argument is checked before any DNS or socket activity; a bad one exits with
 *   EXIT.INVALID_INPUT and a message naming the option (or HOST / PORT / DATA). A profile that
 *   cannot be found or read is caught at the same stage and exits the same way.
 * - With --profile, the profile supplies every value the command line leaves out; an option given
 *   explicitly always wins (the merge at the end of parseSendArgs). The profile file is never modified.
 * - With --json exactly one JSON object is printed on stdout, whatever happens (invalid input
 *   included); without it, stdout carries only the response bytes, raw, and stderr one summary line.
 * - The exchange itself is runOneShot(), the same code the engine tests prove.
 * - With --tls (or --starttls) the TLS verdict is always reported (the `tls` object of --json, a
 *   line on stderr otherwise); a certificate that fails verification exits 8 unless --insecure,
 *   which carries on and reports `authorized: false`.
 */
import { parseCliArgs } from './fast-args.ts';
import { constants } from 'node:fs';
import { formatEndpoint, parseEndpoint, type ParsedEndpoint } from '../../shared/endpoint.ts';
import { fail, jsonError, labelledMessage, type AppError, type FieldLabels, type JsonError, type Result } from '../../shared/errors.ts';
import { encodePayload, LINE_ENDINGS, TEXT_ENCODINGS, type LineEnding, type TextEncoding } from '../../shared/payload.ts';
import { SESSION_LIMITS, type SessionOutcome, type SessionStatus } from '../../shared/session.ts';
import { STARTTLS_PROTOCOLS, type StartTlsProtocol, type TlsClientOptions, type TlsSessionInfo } from '../../shared/tls.ts';
import { checkTlsOptions } from '../engine/tls-openers.ts';
import { lazyFsPromises, lazyStream } from '../engine/lazy-builtins.ts';
import { runOneShot } from '../engine/one-shot.ts';
import { toFileError } from '../engine/error-mapping.ts';
import { checkConnectLimits, type CheckedConnectOptions } from '../engine/connect-options.ts';
import type { ProfileSendSettings } from './send-profile.ts';
import { checkInputFile, checkProfilesFile, openOutputTarget, watchStdout, type InputFile, type OutputTarget } from './cli-files.ts';
import { EXIT, type CliIo } from './run-cli.ts';

/**
 * `socket-tester send --help`. A function, not a constant: run-cli.ts imports this module and
 * owns EXIT, so EXIT may only be read once both modules have loaded.
 */
export function sendHelp(): string {
  return `Usage: socket-tester send HOST PORT [DATA] [options]
       socket-tester send --profile NAME [--profiles FILE] [DATA] [options]

Connects, sends DATA (or a file, or stdin when it is not a terminal), ends our side (FIN) and
prints every byte the peer sends until it closes. Without --json the response goes to stdout as
raw bytes and a one-line summary to stderr.

With --profile, a saved profile supplies host, port, payload, timeouts, close-after-send and
response cap; HOST and PORT are not given. Options on the command line override the profile:
DATA or --file replaces its payload (stdin is not read), the other options replace their value.

Options:
  --profile NAME         use the saved profile NAME (FOLDER/NAME or /NAME when the name repeats)
  --profiles FILE        read profiles from FILE (default: the app's own profiles.json)
  --hex                  DATA is hex digits ("48 65 6c 6c 6f")
  --escapes              DATA has escapes: \\r \\n \\t \\0 \\\\ \\xHH \\u{HEX}
  --encoding ENC         utf8 (default) or latin1, for the characters of DATA
  --line-ending END      none (default), lf, cr or crlf, appended to DATA
  --file PATH            send this file, streamed (instead of DATA)
  --keep-open            do not end our side after sending; wait for the peer or --idle-timeout
  --half-close           end our side after sending (the default; overrides a keep-open profile)
  --connect-timeout MS   give up connecting after MS milliseconds (default ${SESSION_LIMITS.defaultConnectTimeoutMs})
  --idle-timeout MS      end when the peer is silent for MS milliseconds (default: wait for it)
  --max-bytes N          keep at most N response bytes (default ${SESSION_LIMITS.defaultMaxResponseBytes}); reaching it exits ${EXIT.LIMIT_REACHED}
  --output FILE          stream the response to FILE ("-" for stdout), with no cap
  --json                 print one JSON object: outcome, bytes, address, duration, error, tls, responseBase64
  --udp                  send one UDP datagram instead (options: socket-tester send --udp --help)
  -h, --help             show this help

TLS:
  --tls                  connect over TLS (the certificate is verified against the system CAs)
  --starttls PROTO       connect in plain text, do PROTO's STARTTLS exchange, then TLS, then send
                         DATA over TLS; PROTO: smtp (EHLO, STARTTLS, 220), imap (a1 STARTTLS,
                         a1 OK), pop3 (STLS, +OK), ftp (AUTH TLS, 234), postgres (SSLRequest, S).
                         Implies --tls; the exchange's bytes are not printed
  --servername NAME      SNI name to send (default: HOST when it is a name; none for an IP address)
  --no-servername        send no SNI at all
  --verify-name NAME     name the certificate must match (default: HOST)
  --insecure             do not stop on a certificate that fails verification; the verdict is
                         still reported (authorized: false in --json)
  --ca FILE              also trust the CA certificates in FILE (PEM)
  --cert FILE            client certificate (PEM), for servers that ask for one; needs --key
  --key FILE             the private key of --cert (PEM; encrypted: add --pass-env)
  --pfx FILE             client certificate and key as one PKCS#12 file, instead of --cert/--key
  --pass-env NAME        read the passphrase of --pfx or --key from environment variable NAME
                         (never from the command line, where ps and shell history would show it)
  --alpn LIST            ALPN protocols to offer, comma-separated in preference order (h2,http/1.1)
  --tls-min VERSION      oldest TLS version to accept: 1.2 or 1.3
  --tls-max VERSION      newest TLS version to offer: 1.2 or 1.3

Exit codes:
  0  normal end: the peer closed, or the idle timeout you asked for
  ${EXIT.FAILURE}  unexpected internal error
  ${EXIT.INVALID_INPUT}  invalid input (nothing was sent; the message names the option), including a
     profile that is not found, ambiguous, or in a file that cannot be read
  ${EXIT.CONNECT_FAILED}  could not connect: refused, unreachable, DNS failure
  ${EXIT.TIMEOUT}  connect timed out
  ${EXIT.CONNECTION_LOST}  connection lost: reset, broken pipe, aborted
  ${EXIT.LIMIT_REACHED}  response cap (--max-bytes) reached; the first N bytes were printed
  ${EXIT.FILE_ERROR}  reading --file, or writing --output or stdout, failed midway
  ${EXIT.TLS_VERIFY_FAILED}  TLS: the certificate failed verification (untrusted, self-signed, wrong name,
     expired, not yet valid) and --insecure was not given; nothing was sent
  ${EXIT.TLS_FAILED}  TLS: the handshake failed (no common version or cipher, client certificate
     required or refused, not TLS), or the server refused the --starttls exchange
  ${EXIT.INTERRUPTED}  interrupted (Ctrl-C or SIGTERM), at any stage
`;
}

/** Bytes read from stdin at most; bigger data belongs in --file, which is streamed. */
const MAX_STDIN_BYTES = 64 * 1024 * 1024;

interface SendArgs {
  /** Checked once here; the session takes it as is. */
  connect: CheckedConnectOptions;
  data: Uint8Array | null;
  file: string | null;
  keepOpen: boolean;
  output: string | null;
  json: boolean;
  /** The files read (--file, --profiles), which --output must not overwrite. */
  inputs: InputFile[];
  /** TLS options (checked), or null for plain TCP. */
  tls: TlsClientOptions | null;
  starttls: StartTlsProtocol | null;
}

/** One certificate of the `tls.chain` of --json. */
interface JsonCertificate {
  subject: string;
  issuer: string;
  subjectAltNames: string[];
  validFrom: string;
  validTo: string;
  fingerprint256: string;
  serialNumber: string;
}

/** The `tls` object of --json; docs/cli.md documents it. */
interface JsonTls {
  protocol: string;
  cipher: string;
  alpn: string | null;
  servername: string | null;
  authorized: boolean;
  authorizationError: string | null;
  chain: JsonCertificate[];
}

/** What the --json object holds; documented in docs/cli.md. */
interface JsonReport {
  outcome: SessionOutcome | null;
  bytesSent: number;
  bytesReceived: number;
  remoteAddress: string | null;
  remotePort: number | null;
  durationMs: number;
  error: JsonError | null;
  /** Null for plain TCP, and when TLS never got as far as a handshake. */
  tls: JsonTls | null;
  responseBase64?: string;
}

/** A failure is INVALID_INPUT unless its code says otherwise (a profile's PROFILE_NOT_FOUND, …). */
type Checked<T> = Result<T>;

/** Invalid input; `field` names the option or argument at fault, labelled by {@link cliMessage}. */
function invalid(message: string, field?: string): Checked<never> {
  return fail('INVALID_INPUT', message, field === undefined ? {} : { field });
}

/** How the command line names each `field` of an error (the UI has its own labels). */
const CLI_LABELS: FieldLabels = {
  host: 'HOST',
  port: 'PORT',
  payload: 'DATA',
  file: '--file',
  output: '--output',
  profile: '--profile',
  profiles: '--profiles',
  connectTimeoutMs: '--connect-timeout',
  idleTimeoutMs: '--idle-timeout',
  maxResponseBytes: '--max-bytes',
  caFile: '--ca',
  certFile: '--cert',
  keyFile: '--key',
  pfxFile: '--pfx',
  passphrase: '--pass-env',
};

/** The CLI's names of the TLS options, for the engine's own messages ("alpn: …" becomes "--alpn: …"). */
const TLS_FLAGS: Readonly<Record<string, string>> = {
  tls: '--tls',
  serverName: '--servername',
  verifyName: '--verify-name',
  alpn: '--alpn',
  minVersion: '--tls-min',
  maxVersion: '--tls-max',
};

/** TLS options a --udp run refuses by name (send-udp.ts). */
export const TLS_OPTION_NAMES = [
  'tls',
  'starttls',
  'servername',
  'no-servername',
  'verify-name',
  'insecure',
  'ca',
  'cert',
  'key',
  'pfx',
  'pass-env',
  'alpn',
  'tls-min',
  'tls-max',
] as const;

const CLI_TLS_VERSIONS: Readonly<Record<string, 'TLSv1.2' | 'TLSv1.3'>> = { '1.2': 'TLSv1.2', '1.3': 'TLSv1.3' };

/** The error's message with the command line's name for its field in front, when it has one. */
export function cliMessage(error: AppError): string {
  return labelledMessage(error, CLI_LABELS);
}

/** Parses a whole decimal number option within [min, max]; undefined when it was not given. */
function integerOption(name: string, text: string | undefined, min: number, max: number): Checked<number | undefined> {
  if (text === undefined) return { ok: true, value: undefined };
  if (!/^[0-9]{1,10}$/.test(text) || Number(text) < min || Number(text) > max) {
    return invalid(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}.`);
  }
  return { ok: true, value: Number(text) };
}

/** Maps how a session ended to the process exit code (table in sendHelp() and docs/cli.md). */
export function exitCodeFor(outcome: SessionOutcome | null, error: AppError | null): number {
  if (outcome === 'cancelled' && (error === null || error.code === 'ABORTED')) return EXIT.INTERRUPTED;
  if (error) {
    switch (error.code) {
      case 'INVALID_INPUT':
        return EXIT.INVALID_INPUT;
      case 'DNS_NOT_FOUND':
      case 'DNS_FAILED':
      case 'REFUSED':
      case 'HOST_UNREACHABLE':
      case 'NETWORK_UNREACHABLE':
      case 'ADDRESS_IN_USE':
      case 'PERMISSION_DENIED':
        return EXIT.CONNECT_FAILED;
      case 'CONNECT_TIMEOUT':
        return EXIT.TIMEOUT;
      case 'RESET':
      case 'BROKEN_PIPE':
      case 'ABORTED':
        return EXIT.CONNECTION_LOST;
      case 'FILE_ERROR':
        return EXIT.FILE_ERROR;
      case 'TLS_UNTRUSTED':
      case 'TLS_SELF_SIGNED':
      case 'TLS_HOSTNAME_MISMATCH':
      case 'TLS_CERT_EXPIRED':
      case 'TLS_CERT_NOT_YET_VALID':
        return EXIT.TLS_VERIFY_FAILED;
      case 'TLS_HANDSHAKE_FAILED':
      case 'TLS_CLIENT_CERT_REQUIRED':
      case 'TLS_CLIENT_CERT_REJECTED':
      case 'TLS_VERSION_UNSUPPORTED':
      case 'TLS_PROTOCOL_ERROR':
      case 'STARTTLS_REFUSED':
        return EXIT.TLS_FAILED;
      case 'TLS_CREDENTIALS_INVALID':
        return EXIT.INVALID_INPUT;
      default:
        return EXIT.FAILURE;
    }
  }
  return outcome === 'limit-reached' ? EXIT.LIMIT_REACHED : EXIT.OK;
}

/**
 * Reads stdin to its end, at most MAX_STDIN_BYTES; 'interrupted' when `signal` aborts first (a
 * writer that never closes the pipe must not outlive Ctrl-C or SIGTERM).
 */
async function readStdin(stdin: NodeJS.ReadableStream, signal: AbortSignal | undefined): Promise<Checked<Uint8Array> | 'interrupted'> {
  const parts: Buffer[] = [];
  let total = 0;
  if (signal?.aborted) return 'interrupted';
  // Destroying the stream on abort also releases the pipe handle, so the process can exit.
  // node:stream is loaded here, not at the top: loading it (operators, pipeline, compose) costs
  // every `send` a few ms of start-up, and only stdin needs it (issue 16).
  if (signal && 'destroy' in stdin) {
    lazyStream().addAbortSignal(signal, stdin as NodeJS.ReadableStream & import('node:stream').Readable);
  }
  try {
    for await (const chunk of stdin) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
      total += bytes.length;
      if (total > MAX_STDIN_BYTES) {
        return invalid(`stdin holds more than ${MAX_STDIN_BYTES} bytes; send big data with --file, which is streamed.`);
      }
      parts.push(bytes);
    }
  } catch (err) {
    if (signal?.aborted) return 'interrupted';
    throw err;
  }
  return { ok: true, value: Buffer.concat(parts, total) };
}

/**
 * Parses and checks every argument; touches no network. Reads stdin, checks files and, with
 * --profile, reads the profile file (read-only) once every argument-only check has passed.
 */
async function parseSendArgs(argv: string[], io: CliIo): Promise<Checked<SendArgs> | 'help' | 'interrupted'> {
  let parsed;
  try {
    parsed = parseCliArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        profile: { type: 'string' },
        profiles: { type: 'string' },
        hex: { type: 'boolean' },
        escapes: { type: 'boolean' },
        encoding: { type: 'string' },
        file: { type: 'string' },
        'line-ending': { type: 'string' },
        'keep-open': { type: 'boolean' },
        'half-close': { type: 'boolean' },
        'connect-timeout': { type: 'string' },
        'idle-timeout': { type: 'string' },
        'max-bytes': { type: 'string' },
        output: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        tls: { type: 'boolean' },
        starttls: { type: 'string' },
        servername: { type: 'string' },
        'no-servername': { type: 'boolean' },
        'verify-name': { type: 'string' },
        insecure: { type: 'boolean' },
        ca: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        pfx: { type: 'string' },
        'pass-env': { type: 'string' },
        alpn: { type: 'string' },
        'tls-min': { type: 'string' },
        'tls-max': { type: 'string' },
      },
    });
  } catch (err) {
    return invalid(`${(err as Error).message}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';

  const profileName = values.profile ?? null;
  if (values.profiles !== undefined && profileName === null) {
    return invalid('--profiles FILE only says which file --profile NAME is read from; give --profile NAME too (to see the profiles in FILE: socket-tester profiles list --profiles FILE).');
  }
  if (profileName !== null && profileName.trim() === '') return invalid('--profile needs a profile name (or FOLDER/NAME).');
  if (values.profiles !== undefined && values.profiles.trim() === '') return invalid('--profiles needs a file path.');

  let endpoint: ParsedEndpoint | null = null;
  let dataText: string | undefined;
  if (profileName === null) {
    if (positionals.length < 2) return invalid('HOST and PORT are required: socket-tester send HOST PORT [DATA], or send --profile NAME.');
    if (positionals.length > 3) {
      return invalid(`expected HOST PORT [DATA], got ${positionals.length} arguments; quote DATA that contains spaces.`);
    }
    const [hostText = '', portText = ''] = positionals;
    dataText = positionals[2];
    const parsedEndpoint = parseEndpoint(hostText, portText);
    if (!parsedEndpoint.ok) return parsedEndpoint;
    endpoint = parsedEndpoint.value;
  } else {
    // HOST and PORT next to a profile are refused rather than taken as an override: a profile is
    // a saved target, and silently sending its payload somewhere else would surprise more than help.
    if (positionals.length > 1) {
      return invalid(
        `with --profile, the profile supplies HOST and PORT, so the only argument is DATA; got ${positionals.length} arguments. Drop --profile to connect elsewhere, or quote DATA that contains spaces.`,
      );
    }
    dataText = positionals[0];
  }

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
  if (values['keep-open'] && values['half-close']) return invalid('--keep-open and --half-close cannot be combined: pick one.');

  const connectTimeout = integerOption('connect-timeout', values['connect-timeout'], 1, SESSION_LIMITS.maxConnectTimeoutMs);
  if (!connectTimeout.ok) return connectTimeout;
  const idleTimeout = integerOption('idle-timeout', values['idle-timeout'], 0, SESSION_LIMITS.maxIdleTimeoutMs);
  if (!idleTimeout.ok) return idleTimeout;
  const maxBytes = integerOption('max-bytes', values['max-bytes'], 1, SESSION_LIMITS.maxResponseBytes);
  if (!maxBytes.ok) return maxBytes;

  const output = values.output ?? null;
  if (output === '') return invalid('--output needs a file name, or "-" for stdout.');
  if (output !== null && values['max-bytes'] !== undefined) {
    return invalid('--max-bytes cannot be combined with --output: the output is streamed without a cap.');
  }
  if (output === '-' && values.json) {
    return invalid('--output - and --json both write to stdout; write the response to a file, or drop one of them.');
  }

  const inputs: InputFile[] = [];
  const file = values.file ?? null;
  if (file !== null) {
    if (dataText !== undefined) return invalid('give DATA or --file, not both.');
    if (codecOptionGiven) return invalid('--hex, --escapes, --encoding and --line-ending apply to DATA, not to --file (sent as is).');
    // A FIFO or a device would be read without end (or block): only regular files are sent.
    const checked = await checkInputFile(file, 'file');
    if (!checked.ok) return checked;
    if (checked.value) inputs.push(checked.value);
    try {
      await lazyFsPromises().access(file, constants.R_OK);
    } catch (err) {
      return invalid(toFileError(err, file, 'read').message, 'file');
    }
  } else if (profileName !== null && dataText === undefined && codecOptionGiven) {
    // Reading the saved text in another mode would send bytes nobody wrote down; the payload is
    // replaced as a whole (DATA with its options) or sent exactly as saved.
    return invalid("--hex, --escapes, --encoding and --line-ending apply to DATA; without DATA the profile's payload is sent as saved. Give DATA to replace it.");
  }

  const tlsArgs = await parseTlsArgs(values, inputs, io.env ?? process.env);
  if (!tlsArgs.ok) return tlsArgs;

  let profile: ProfileSendSettings | null = null;
  if (profileName !== null) {
    // Loaded only here: the store and its schema library would slow every plain `send` down.
    const profilesFile = await checkProfilesFile(values.profiles);
    if (!profilesFile.ok) return profilesFile;
    if (profilesFile.value.input) inputs.push(profilesFile.value.input);
    const { loadSendProfile } = await import('./send-profile.ts');
    const loaded = await loadSendProfile(profileName, profilesFile.value.path);
    if (!loaded.ok) return { ok: false, error: { ...loaded.error, field: 'profile' } };
    profile = loaded.value;
  }

  let data: Uint8Array | null = null;
  if (file === null) {
    let text: string | null = dataText ?? null;
    if (text === null && profile !== null) {
      // The profile's payload stands in for DATA; stdin is not read, so a script's idle stdin
      // (a pipe, /dev/null) can never silently replace it.
      data = profile.data;
    } else if (text === null) {
      const stdin = io.stdin ?? process.stdin;
      if (!(stdin as { isTTY?: boolean }).isTTY) {
        const read = await readStdin(stdin, io.interrupt);
        if (read === 'interrupted' || !read.ok) return read;
        if (codecOptionGiven) {
          try {
            text = new TextDecoder('utf-8', { fatal: true }).decode(read.value);
          } catch {
            return invalid('stdin is not valid UTF-8 text, which --hex, --escapes, --encoding and --line-ending need; drop them to send stdin as raw bytes.');
          }
        } else {
          data = read.value;
        }
      }
    }
    if (text !== null) {
      const encoded = encodePayload({
        text,
        mode: values.hex ? 'hex' : values.escapes ? 'escapes' : 'text',
        encoding: encoding as TextEncoding,
        lineEnding: lineEnding as LineEnding,
      });
      if (!encoded.ok) return encoded;
      data = encoded.value;
    }
  }

  const target = profile?.endpoint ?? endpoint;
  // Unreachable (without a profile the endpoint was parsed above); kept so the types need no cast.
  if (target === null) return invalid('HOST and PORT are required: socket-tester send HOST PORT [DATA], or send --profile NAME.');
  const connect = checkConnectLimits(target, {
    connectTimeoutMs: connectTimeout.value ?? profile?.connectTimeoutMs ?? SESSION_LIMITS.defaultConnectTimeoutMs,
    idleTimeoutMs: idleTimeout.value ?? profile?.idleTimeoutMs ?? 0,
    // With --output the response is streamed without a cap, the profile's included.
    maxResponseBytes: maxBytes.value ?? profile?.maxResponseBytes ?? SESSION_LIMITS.defaultMaxResponseBytes,
  });
  if (!connect.ok) return connect;
  return {
    ok: true,
    value: {
      connect: connect.value,
      data,
      file,
      keepOpen: values['keep-open'] === true ? true : values['half-close'] === true ? false : profile !== null && !profile.closeAfterSend,
      output,
      json: values.json === true,
      inputs,
      tls: tlsArgs.value.tls,
      starttls: tlsArgs.value.starttls,
    },
  };
}

/** The TLS options as parseArgs gives them. */
interface TlsValues {
  tls?: boolean | undefined;
  starttls?: string | undefined;
  servername?: string | undefined;
  'no-servername'?: boolean | undefined;
  'verify-name'?: string | undefined;
  insecure?: boolean | undefined;
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  pfx?: string | undefined;
  'pass-env'?: string | undefined;
  alpn?: string | undefined;
  'tls-min'?: string | undefined;
  'tls-max'?: string | undefined;
}

/** A readable regular file for --ca, --cert or --key (checked before any connection). */
async function checkCredentialFile(path: string, field: string, inputs: InputFile[]): Promise<Checked<void>> {
  if (path === '') return invalid('needs a file path.', field);
  const checked = await checkInputFile(path, field);
  if (!checked.ok) return checked;
  if (checked.value) inputs.push(checked.value);
  try {
    await lazyFsPromises().access(path, constants.R_OK);
  } catch (err) {
    return invalid(toFileError(err, path, 'read').message, field);
  }
  return { ok: true, value: undefined };
}

/** Builds and checks the TLS options; { tls: null } for plain TCP. TLS flags without --tls are refused. */
async function parseTlsArgs(values: TlsValues, inputs: InputFile[], env: NodeJS.ProcessEnv): Promise<Checked<{ tls: TlsClientOptions | null; starttls: StartTlsProtocol | null }>> {
  let starttls: StartTlsProtocol | null = null;
  if (values.starttls !== undefined) {
    if (!(STARTTLS_PROTOCOLS as readonly string[]).includes(values.starttls)) {
      return invalid(`--starttls must be one of ${STARTTLS_PROTOCOLS.join(', ')}, got ${JSON.stringify(values.starttls)}.`);
    }
    starttls = values.starttls as StartTlsProtocol;
  }
  const useTls = values.tls === true || starttls !== null;
  const given = TLS_OPTION_NAMES.filter((n) => n !== 'tls' && n !== 'starttls' && values[n] !== undefined);
  if (!useTls) {
    if (given.length > 0) return invalid(`--${given[0]} is a TLS option; add --tls (or --starttls PROTO) to connect over TLS.`);
    return { ok: true, value: { tls: null, starttls: null } };
  }
  if (values.servername !== undefined && values['no-servername']) {
    return invalid('--servername and --no-servername cannot be combined: send one name, or none.');
  }
  if (values.servername === '') return invalid('--servername needs a name; to send no SNI at all, use --no-servername.');
  const options: TlsClientOptions = {};
  if (values['no-servername']) options.serverName = '';
  else if (values.servername !== undefined) options.serverName = values.servername;
  if (values['verify-name'] !== undefined) options.verifyName = values['verify-name'];
  if (values.insecure) options.verify = false;
  if (values.ca !== undefined) {
    const ca = await checkCredentialFile(values.ca, 'caFile', inputs);
    if (!ca.ok) return ca;
    options.caFile = values.ca;
  }
  if ((values.cert === undefined) !== (values.key === undefined)) {
    return invalid(values.cert === undefined ? '--key needs --cert FILE, the client certificate it belongs to.' : '--cert needs --key FILE, its private key.');
  }
  if (values.cert !== undefined && values.key !== undefined) {
    const cert = await checkCredentialFile(values.cert, 'certFile', inputs);
    if (!cert.ok) return cert;
    const key = await checkCredentialFile(values.key, 'keyFile', inputs);
    if (!key.ok) return key;
    options.certFile = values.cert;
    options.keyFile = values.key;
  }
  if (values.pfx !== undefined) {
    if (values.cert !== undefined) return invalid('--pfx holds the certificate and its key: give --pfx FILE or --cert/--key, not both.');
    const pfx = await checkCredentialFile(values.pfx, 'pfxFile', inputs);
    if (!pfx.ok) return pfx;
    options.pfxFile = values.pfx;
  }
  const passEnv = values['pass-env'];
  if (passEnv !== undefined) {
    if (values.pfx === undefined && values.key === undefined) return invalid('--pass-env is the passphrase of --pfx or --key; give one of them.');
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(passEnv)) return invalid(`--pass-env takes the name of an environment variable (letters, digits, _), got ${JSON.stringify(passEnv)}.`);
    const passphrase = env[passEnv];
    // The name is said, never the value: a passphrase must not reach a terminal or a log.
    if (passphrase === undefined) return invalid(`--pass-env ${passEnv}: the environment variable ${passEnv} is not set.`);
    options.passphrase = passphrase;
  }
  if (values.alpn !== undefined) {
    const list = values.alpn.split(',').map((p) => p.trim());
    if (list.some((p) => p === '')) return invalid(`--alpn takes protocol names separated by commas (h2,http/1.1), got ${JSON.stringify(values.alpn)}.`);
    options.alpn = list;
  }
  for (const [flag, key] of [
    ['tls-min', 'minVersion'],
    ['tls-max', 'maxVersion'],
  ] as const) {
    const text = values[flag];
    if (text === undefined) continue;
    const version = CLI_TLS_VERSIONS[text];
    if (!version) return invalid(`--${flag} must be 1.2 or 1.3, got ${JSON.stringify(text)}.`);
    options[key] = version;
  }
  const checked = checkTlsOptions(options);
  if (!checked.ok) {
    const { field, message } = checked.error;
    const flag = field === undefined ? undefined : TLS_FLAGS[field];
    // The engine's messages start with its own name of the option; the CLI says its flag instead.
    if (flag) return { ok: false, error: { ...checked.error, field: 'tls', message: `${flag}: ${message.replace(/^[^:]+: /, '')}` } };
    return checked;
  }
  return { ok: true, value: { tls: options, starttls } };
}

/** The `tls` object of --json. */
function jsonTls(info: TlsSessionInfo | null): JsonTls | null {
  if (!info) return null;
  const v = info.verification;
  return {
    protocol: info.protocol,
    cipher: info.cipher,
    alpn: info.alpnProtocol,
    servername: info.serverNameSent,
    authorized: v.ok,
    authorizationError: v.chainError?.code ?? v.nameError?.code ?? null,
    chain: info.peerChain.map((c) => ({
      subject: c.subject,
      issuer: c.issuer,
      subjectAltNames: c.subjectAltNames,
      validFrom: c.validFrom,
      validTo: c.validTo,
      fingerprint256: c.fingerprint256,
      serialNumber: c.serialNumber,
    })),
  };
}

/** The one-line TLS verdict on stderr (without --json). */
function tlsVerdictLine(info: TlsSessionInfo): string {
  const v = info.verification;
  const alpn = info.alpnProtocol ? `, ALPN ${info.alpnProtocol}` : '';
  const sni = info.serverNameSent ? `, SNI ${info.serverNameSent}` : ', no SNI';
  const leaf = info.peerChain[0]?.subject;
  const problem = v.chainError ?? v.nameError;
  const verdict = v.ok
    ? `certificate trusted${leaf ? ` (${leaf})` : ''}`
    : `certificate NOT trusted: ${problem?.code ?? 'unknown'}${v.enforced ? '' : ' (continued: --insecure)'}`;
  return `socket-tester send: TLS ${info.protocol} ${info.cipher}${alpn}${sni}; ${verdict}\n`;
}

function writeJson(io: CliIo, report: JsonReport): void {
  io.stdout.write(`${JSON.stringify(report)}\n`);
}

function emptyReport(error: AppError | null): JsonReport {
  return {
    outcome: null,
    bytesSent: 0,
    bytesReceived: 0,
    remoteAddress: null,
    remotePort: null,
    durationMs: 0,
    error: error ? jsonError(error) : null,
    tls: null,
  };
}

const OUTCOME_TEXT: Record<SessionOutcome, string> = {
  'peer-closed': 'closed by peer',
  'closed-by-us': 'closed by us',
  'idle-timeout': 'idle timeout',
  'limit-reached': 'response cap reached',
  cancelled: 'cancelled',
  error: 'failed',
};

function summaryLine(status: SessionStatus, error: AppError | null): string {
  const peer = status.remoteAddress ? ` ${formatEndpoint(status.remoteAddress, status.port)}` : '';
  const duration = status.startedAt !== null && status.endedAt !== null ? ` in ${status.endedAt - status.startedAt} ms` : '';
  const what = status.outcome ? OUTCOME_TEXT[status.outcome] : 'not started';
  const counts = `sent ${status.bytesSent} bytes, received ${status.bytesReceived} bytes`;
  const head = `socket-tester send:${peer} ${what}, ${counts}${duration}`;
  return error ? `${head}\nsocket-tester send: ${error.code}: ${error.message}\n` : `${head}\n`;
}

/** Stops before connecting because of Ctrl-C or SIGTERM: exit 130, with --json a 'cancelled' report. */
function interruptedBeforeStart(io: CliIo, json: boolean): number {
  if (json) writeJson(io, { ...emptyReport(null), outcome: 'cancelled' });
  io.stderr.write('socket-tester send: interrupted before connecting; nothing was sent.\n');
  return EXIT.INTERRUPTED;
}

/** Runs `send`; resolves to the exit code. */
export async function runSendCommand(argv: string[], io: CliIo): Promise<number> {
  const jsonRequested = argv.includes('--json');
  const stdout = watchStdout(io.stdout);
  const args = await parseSendArgs(argv, io);
  if (args === 'help') {
    io.stdout.write(sendHelp());
    return EXIT.OK;
  }
  if (args === 'interrupted' || io.interrupt?.aborted) return interruptedBeforeStart(io, jsonRequested);
  if (!args.ok) {
    const error = args.error;
    io.stderr.write(`socket-tester send: ${cliMessage(error)}\n`);
    // The usage hint helps with arguments, not with a profile that is missing or unreadable.
    if (jsonRequested) writeJson(io, emptyReport({ ...error, message: cliMessage(error) }));
    else if (error.code === 'INVALID_INPUT') io.stderr.write('Run "socket-tester send --help" for usage.\n');
    return EXIT.INVALID_INPUT;
  }
  const options = args.value;

  let output: OutputTarget | null = null;
  if (options.output !== null && options.output !== '-') {
    const opened = await openOutputTarget(options.output, options.inputs);
    if (!opened.ok) {
      io.stderr.write(`socket-tester send: ${cliMessage(opened.error)}\n`);
      if (options.json) writeJson(io, emptyReport({ ...opened.error, message: cliMessage(opened.error) }));
      return EXIT.INVALID_INPUT;
    }
    output = opened.value;
  }
  if (io.interrupt?.aborted) {
    await output?.finish();
    return interruptedBeforeStart(io, options.json);
  }
  const sink = options.output === '-' ? io.stdout : (output?.stream ?? undefined);

  const result = await runOneShot({
    connect: {
      ...options.connect,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.starttls ? { starttls: options.starttls } : {}),
    },
    ...(options.data ? { data: options.data } : {}),
    ...(options.file ? { file: options.file } : {}),
    halfClose: !options.keepOpen,
    ...(sink ? { sink } : {}),
    ...(io.interrupt ? { signal: io.interrupt } : {}),
  });

  // The session reports a failing sink as FILE_ERROR too, but only while it runs and without the
  // path of a pipe; the target's own record covers the whole life of the stream.
  const sinkError = output ? await output.finish() : options.output === '-' ? await stdout.flushed() : null;
  let error = sinkError && (result.error === null || result.error.code === 'FILE_ERROR') ? sinkError : result.error;
  const { status } = result;
  if (options.json) {
    const report: JsonReport = {
      outcome: status.outcome,
      bytesSent: status.bytesSent,
      bytesReceived: status.bytesReceived,
      remoteAddress: status.remoteAddress,
      remotePort: status.remoteAddress ? status.port : null,
      durationMs: status.startedAt !== null && status.endedAt !== null ? status.endedAt - status.startedAt : 0,
      error: error ? jsonError(error) : null,
      tls: jsonTls(status.tls),
    };
    if (options.output === null) report.responseBase64 = Buffer.from(result.response).toString('base64');
    writeJson(io, report);
    const printed = await stdout.flushed();
    if (printed) {
      // The report itself could not be written: say so where it can still be read.
      io.stderr.write(`socket-tester send: ${printed.code}: ${printed.message}\n`);
      return EXIT.FILE_ERROR;
    }
  } else {
    if (options.output === null) {
      for (const chunk of result.responseChunks) io.stdout.write(chunk);
      error = error ?? (await stdout.flushed());
    }
    if (status.tls) io.stderr.write(tlsVerdictLine(status.tls));
    io.stderr.write(summaryLine(status, error));
  }
  return exitCodeFor(status.outcome, error);
}
