/**
 * "Copy as command": a tab's or a profile's settings as a command line for OpenBSD `nc`, `ncat`,
 * `socat`, `openssl s_client` or our own `socket-tester send`, so an exchange found in the app can be
 * repeated from a shell, a script or a bug report.
 *
 * Invariants:
 * - Byte-exact: the payload is encoded by `encodePayload` (the codec the app sends with) and the
 *   command writes exactly those bytes: `printf` with a format of plain characters and octal
 *   escapes (never `%b`, never `echo`, whose escapes differ between shells), or for binary data
 *   `printf '%s' HEX | xxd -r -p`. test/shared/command-line.test.ts runs every tool for real in
 *   `sh` against loopback peers and compares the bytes they received with the codec's.
 * - Nothing from the settings reaches the shell unquoted. The host and port are validated first
 *   (`parseEndpoint`: a name, an IPv4 or IPv6 literal, so nothing a shell or a tool would read as
 *   syntax); every other value is single-quoted; a value no quoting can carry (NUL) or that a
 *   tool's own syntax would split (socat's address options) is refused with INVALID_INPUT naming
 *   the field, never silently dropped.
 * - Every setting a tool cannot express is named on a `#` comment line above the command. Notes are
 *   written from numbers and fixed words, never from user text, so a comment can never end early
 *   and become a command.
 * - Pure: no Node or DOM APIs, so the renderer builds the same text the tests run.
 */
import { fail, ok, type Result } from './errors.ts';
import { parseEndpoint } from './endpoint.ts';
import { bytesToEscapes, encodePayload, LINE_ENDING_BYTES, type PayloadSpec } from './payload.ts';
import { PROFILE_DEFAULTS, UDP_PROFILE_DEFAULTS, type ProfileTlsSettings, type ProfileTransport, type UdpProfileSettings } from './profile.ts';
import type { TlsVersion } from './tls.ts';

/** The tools a command can be written for. */
export type CommandTool = 'nc' | 'ncat' | 'socat' | 'openssl' | 'socket-tester' | 'socket-tester-run';
/** Every tool, in the order a picker shows them. */
export const COMMAND_TOOLS: readonly CommandTool[] = ['socket-tester', 'socket-tester-run', 'nc', 'ncat', 'socat', 'openssl'];
/** What a picker calls each tool. */
export const COMMAND_TOOL_LABELS: Readonly<Record<CommandTool, string>> = {
  'socket-tester': 'socket-tester send',
  'socket-tester-run': 'socket-tester run',
  nc: 'nc (OpenBSD)',
  ncat: 'ncat',
  socat: 'socat',
  openssl: 'openssl s_client',
};

/**
 * Which tools can speak each transport (Debian's OpenBSD nc has no TLS; s_client is TLS only;
 * `socket-tester run` runs TCP conversations only in this build).
 */
export const COMMAND_TOOLS_BY_TRANSPORT: Readonly<Record<ProfileTransport, readonly CommandTool[]>> = {
  tcp: ['socket-tester', 'socket-tester-run', 'nc', 'ncat', 'socat'],
  tls: ['socket-tester', 'ncat', 'socat', 'openssl'],
  udp: ['socket-tester', 'nc', 'ncat', 'socat'],
};

/** Bounds the command text: bigger payloads belong in a file (`nc … < file`, `send --file`). */
export const COMMAND_LIMITS = { maxPayloadBytes: 64 * 1024 } as const;

/**
 * What a command is built from: a profile or a draft has exactly these fields, and a tab's settings
 * become one through `draftFromSettings`.
 */
export interface CommandSource {
  host: string;
  port: number | string;
  transport?: ProfileTransport;
  tls?: ProfileTlsSettings;
  payload: PayloadSpec;
  closeAfterSend: boolean;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  maxResponseBytes: number;
  udp?: UdpProfileSettings;
}

/** A built command. */
export interface CommandLine {
  tool: CommandTool;
  /** The comment lines (one per setting not expressed), then the command: what is copied. */
  script: string;
  /** The command alone. */
  command: string;
  /** What each comment line says, without its `# `. */
  notes: string[];
  /** The bytes the command sends (the codec's), for a byte count beside it. */
  bytes: Uint8Array;
}

/** Builds the command line for `tool`; INVALID_INPUT (with `field`) or UNSUPPORTED when it cannot. */
export function buildCommandLine(source: CommandSource, tool: CommandTool): Result<CommandLine> {
  const transport = source.transport ?? 'tcp';
  if (!COMMAND_TOOLS_BY_TRANSPORT[transport].includes(tool)) {
    return fail('UNSUPPORTED', `${COMMAND_TOOL_LABELS[tool]} cannot make a ${transport.toUpperCase()} connection; pick ${COMMAND_TOOLS_BY_TRANSPORT[transport].map((t) => COMMAND_TOOL_LABELS[t]).join(', ')}.`);
  }
  const endpoint = parseEndpoint(source.host, source.port);
  if (!endpoint.ok) return endpoint;
  const encoded = encodePayload(source.payload);
  if (!encoded.ok) return encoded;
  const bytes = encoded.value;
  if (bytes.length > COMMAND_LIMITS.maxPayloadBytes) {
    return fail(
      'LIMIT_EXCEEDED',
      `The payload is ${bytes.length} bytes; a command line carries at most ${COMMAND_LIMITS.maxPayloadBytes}. Save it to a file and send that (nc HOST PORT < FILE, socket-tester send --file FILE).`,
      { field: 'payload' },
    );
  }
  const tls = source.tls ?? {};
  const checked = checkTlsValues(tls);
  if (!checked.ok) return checked;
  const target: Target = {
    host: endpoint.value.host.host,
    family: endpoint.value.host.family,
    port: endpoint.value.port,
    transport,
    tls,
    bytes,
    source,
    udp: source.udp ?? UDP_PROFILE_DEFAULTS,
  };
  const built = BUILDERS[tool](target);
  if (!built.ok) return built;
  const { command, notes } = built.value;
  const script = [...notes.map((n) => `# ${n}`), command].join('\n');
  return ok({ tool, script, command, notes, bytes });
}

/** Quotes `value` as one shell word: bare when it holds only safe characters, else single-quoted. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A shell pipeline stage writing exactly `bytes` to stdout. Text-like bytes go through `printf` with
 * a format that holds only printable ASCII (the quote, backslash and percent escaped), `\n \r \t`
 * and three-digit octal escapes, all POSIX; mostly binary data is written as hex for `xxd -r -p`.
 */
export function payloadWriter(bytes: Uint8Array): string {
  if (bytes.length === 0) return "printf ''";
  let binary = 0;
  for (const b of bytes) if (!isTextByte(b)) binary++;
  if (binary * 4 > bytes.length) {
    let hex = '';
    for (const b of bytes) hex += b.toString(16).padStart(2, '0');
    return `printf '%s' ${hex} | xxd -r -p`;
  }
  const format = printfFormat(bytes);
  // A format starting with "-" would be read as an option by some printf builtins.
  return `printf '${format.startsWith('-') ? '\\055' + format.slice(1) : format}'`;
}

/** The printf format (inside single quotes) that prints `bytes`. */
export function printfFormat(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x25) out += '%%';
    else if (b === 0x5c) out += '\\\\';
    else if (b === 0x27) out += '\\047';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
    // Always three digits: a following digit character can then never extend the escape.
    else out += '\\' + b.toString(8).padStart(3, '0');
  }
  return out;
}

function isTextByte(b: number): boolean {
  return (b >= 0x20 && b <= 0x7e) || b === 0x0a || b === 0x0d || b === 0x09;
}

interface Target {
  host: string;
  family: 4 | 6 | null;
  port: number;
  transport: ProfileTransport;
  tls: ProfileTlsSettings;
  bytes: Uint8Array;
  source: CommandSource;
  udp: UdpProfileSettings;
}

interface Built {
  command: string;
  notes: string[];
}

const BUILDERS: Readonly<Record<CommandTool, (t: Target) => Result<Built>>> = {
  nc: buildNc,
  ncat: buildNcat,
  socat: buildSocat,
  openssl: buildOpenssl,
  'socket-tester': buildSocketTester,
  'socket-tester-run': buildSocketTesterRun,
};

/** A NUL cannot be in an argument at all; refuse it rather than cut the value short. */
function checkTlsValues(tls: ProfileTlsSettings): Result<true> {
  const fields: Array<[keyof ProfileTlsSettings, string | undefined]> = [
    ['serverName', tls.serverName],
    ['verifyName', tls.verifyName],
    ['caFile', tls.caFile],
    ['certFile', tls.certFile],
    ['keyFile', tls.keyFile],
    ['pfxFile', tls.pfxFile],
    ['alpn', tls.alpn?.join(',')],
  ];
  for (const [field, value] of fields) {
    if (value !== undefined && value.includes('\u0000')) {
      return fail('INVALID_INPUT', 'contains a NUL character, which no command line can carry.', { field });
    }
  }
  return ok(true);
}

// ── shared wording of the notes ────────────────────────────────────────────────────────────────

function ms(value: number): string {
  return `${value} ms`;
}

function size(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** Whole seconds, rounded up (tools that count in seconds), and a note when that changed the value. */
function seconds(valueMs: number, what: string, notes: string[]): number {
  const s = Math.max(1, Math.ceil(valueMs / 1000));
  if (s * 1000 !== valueMs) notes.push(`${what} ${ms(valueMs)} is rounded up to ${s} s (this tool counts whole seconds)`);
  return s;
}

/** Seconds as a decimal for tools that take fractions (socat). */
function decimalSeconds(valueMs: number): string {
  return String(valueMs / 1000);
}

function capNote(t: Target, tool: string): string {
  return `response cap ${size(t.source.maxResponseBytes)}: ${tool} keeps reading without a limit`;
}

function idleNote(t: Target, tool: string): string | null {
  return t.source.idleTimeoutMs > 0 ? `idle timeout ${ms(t.source.idleTimeoutMs)}: ${tool} has no idle timeout here` : null;
}

function emptyDatagramNote(t: Target, tool: string): string | null {
  return t.bytes.length === 0 ? `empty payload: ${tool} sends no datagram at all, where the app sends one of 0 bytes` : null;
}

/** A day stands in for "no reply window" (the tab stays open until closed), in every tool. */
const OPEN_UNTIL_CLOSED_MS = 86_400_000;

function replyWindowOf(t: Target, notes: string[]): number {
  if (t.udp.replyWindowMs > 0) return t.udp.replyWindowMs;
  notes.push('no reply window (open until closed): the command waits up to a day for replies; press Ctrl-C to stop it');
  return OPEN_UNTIL_CLOSED_MS;
}

function udpCommonNotes(t: Target, tool: string, notes: string[]): void {
  const empty = emptyDatagramNote(t, tool);
  if (empty) notes.push(empty);
  if (t.udp.maxDatagrams !== UDP_PROFILE_DEFAULTS.maxDatagrams) notes.push(`stop after ${t.udp.maxDatagrams} replies: not expressed`);
  if (t.source.maxResponseBytes !== PROFILE_DEFAULTS.maxResponseBytes) notes.push(capNote(t, tool));
}

function pfxNote(t: Target, tool: string, notes: string[]): void {
  if (t.tls.pfxFile) notes.push(`PKCS#12 client certificate: ${tool} reads PEM only (convert it with openssl pkcs12 -nodes)`);
}

function versionNote(t: Target, tool: string, notes: string[]): void {
  if (t.tls.minVersion || t.tls.maxVersion) notes.push(`TLS version limits (min ${t.tls.minVersion ?? 'default'}, max ${t.tls.maxVersion ?? 'default'}): not expressed by ${tool}`);
}

/** The SNI name the app sends: the setting ('' = none), else the host when it is a name. */
function sniOf(t: Target): string | null {
  if (t.tls.serverName !== undefined) return t.tls.serverName === '' ? null : t.tls.serverName;
  return t.family === null ? t.host : null;
}

function verifyOf(t: Target): boolean {
  return t.tls.verify !== false;
}

// ── OpenBSD nc ─────────────────────────────────────────────────────────────────────────────────

function buildNc(t: Target): Result<Built> {
  const notes: string[] = [];
  const args = ['nc'];
  if (t.transport === 'udp') {
    args.push('-u');
    // -w is nc's idle timeout, which for UDP ends the wait once replies stop: the reply window.
    args.push('-w', String(seconds(replyWindowOf(t, notes), 'reply window', notes)));
    if (t.udp.localPort > 0) args.push('-p', String(t.udp.localPort));
    if (t.udp.mode === 'from-anyone') notes.push('replies from anyone: nc -u connects its socket, so only the target can answer');
    if (t.udp.broadcast) notes.push('broadcast: this nc has no option to allow it');
    udpCommonNotes(t, 'nc', notes);
  } else {
    if (t.source.closeAfterSend) args.push('-N');
    // nc -w is both the connect timeout and an idle timeout; it is written only when the tab has
    // an idle timeout, since without one the session waits for the peer however long it is silent.
    if (t.source.idleTimeoutMs > 0) {
      args.push('-w', String(seconds(t.source.idleTimeoutMs, 'idle timeout', notes)));
      notes.push(`connect timeout ${ms(t.source.connectTimeoutMs)}: nc -w also limits connecting, to the idle timeout`);
    } else {
      notes.push(`connect timeout ${ms(t.source.connectTimeoutMs)}: nc -w would also end a silent connection, so it is left out`);
    }
    notes.push(capNote(t, 'nc'));
  }
  args.push(t.host, String(t.port));
  return ok({ command: `${payloadWriter(t.bytes)} | ${args.map(shellQuote).join(' ')}`, notes });
}

// ── ncat ───────────────────────────────────────────────────────────────────────────────────────

function buildNcat(t: Target): Result<Built> {
  const notes: string[] = [];
  const args = ['ncat'];
  let writer = payloadWriter(t.bytes);
  if (t.transport === 'udp') {
    args.push('-u');
    if (t.udp.localPort > 0) args.push('-p', String(t.udp.localPort));
    // ncat -u quits at the end of its input, before any reply: keeping stdin open is the wait.
    const s = seconds(replyWindowOf(t, notes), 'reply window', notes);
    writer = `{ ${writer}; sleep ${s}; }`;
    notes.push(`reply window: stdin is kept open ${s} s, not restarted by each reply`);
    if (t.udp.mode === 'from-anyone') notes.push('replies from anyone: ncat -u connects its socket, so only the target can answer');
    if (t.udp.broadcast) notes.push('broadcast: ncat has no option to allow it');
    udpCommonNotes(t, 'ncat', notes);
  } else {
    if (!t.source.closeAfterSend) args.push('--no-shutdown');
    args.push('-w', `${t.source.connectTimeoutMs}ms`);
    if (t.source.idleTimeoutMs > 0) args.push('-i', `${t.source.idleTimeoutMs}ms`);
    notes.push(capNote(t, 'ncat'));
    if (t.transport === 'tls') {
      args.push('--ssl');
      if (verifyOf(t)) args.push('--ssl-verify');
      if (t.tls.caFile) {
        args.push('--ssl-trustfile', t.tls.caFile);
        if (verifyOf(t)) notes.push('CA file: ncat trusts only that file, where the app trusts it besides the system CAs');
      }
      if (t.tls.certFile) args.push('--ssl-cert', t.tls.certFile);
      if (t.tls.keyFile) args.push('--ssl-key', t.tls.keyFile);
      const sni = sniOf(t);
      if (sni !== null && sni !== t.host) args.push('--ssl-servername', sni);
      if (sni === null && t.family === null) notes.push('no SNI: ncat always sends the host name');
      if (verifyOf(t) && t.family !== null) notes.push('verifying an IP address: ncat matches names only, so this fails; connect by name');
      if (t.tls.verifyName && verifyOf(t)) notes.push('name to verify: ncat checks the certificate against the host name (or the SNI name)');
      if (t.tls.alpn?.length) args.push('--ssl-alpn', t.tls.alpn.join(','));
      pfxNote(t, 'ncat', notes);
      versionNote(t, 'ncat', notes);
    }
  }
  args.push(t.host, String(t.port));
  return ok({ command: `${writer} | ${args.map(shellQuote).join(' ')}`, notes });
}

// ── socat ──────────────────────────────────────────────────────────────────────────────────────

/** socat reads `:` `,` `!` quotes, brackets and spaces inside an address as its own syntax. */
const SOCAT_SAFE_VALUE = /^[A-Za-z0-9._/+@=~-]+$/;

/** After our end of input socat waits this long (-t) for the peer; the app waits without end. */
const SOCAT_LINGER_S = 86_400;

function socatHost(t: Target): string {
  return t.family === 6 ? `[${t.host}]` : t.host;
}

function buildSocat(t: Target): Result<Built> {
  const notes: string[] = [];
  const global: string[] = ['socat'];
  let address: string;
  const options: string[] = [];
  if (t.transport === 'udp') {
    address = `${t.udp.mode === 'from-anyone' ? 'UDP-DATAGRAM' : 'UDP'}:${socatHost(t)}:${t.port}`;
    // socat waits -t after the end of its input, then stops: the reply window, not restarted.
    global.push('-t', decimalSeconds(replyWindowOf(t, notes)));
    notes.push('reply window: socat waits that long once, not restarted by each reply');
    if (t.udp.localPort > 0) {
      if (t.udp.mode === 'from-anyone') options.push(`bind=:${t.udp.localPort}`);
      else options.push(`sourceport=${t.udp.localPort}`);
    }
    if (t.udp.broadcast) options.push('broadcast');
    udpCommonNotes(t, 'socat', notes);
  } else {
    global.push('-t', String(SOCAT_LINGER_S));
    notes.push(`after sending, socat waits at most ${SOCAT_LINGER_S} s for the peer to finish (the app waits as long as it takes)`);
    if (t.source.idleTimeoutMs > 0) global.push('-T', decimalSeconds(t.source.idleTimeoutMs));
    address = `${t.transport === 'tls' ? 'OPENSSL' : 'TCP'}:${socatHost(t)}:${t.port}`;
    options.push(`connect-timeout=${decimalSeconds(t.source.connectTimeoutMs)}`);
    if (!t.source.closeAfterSend) options.push('shut-none');
    notes.push(capNote(t, 'socat'));
    if (t.transport === 'tls') {
      const values: Array<[string, string, string | undefined]> = [
        ['cafile', 'caFile', t.tls.caFile],
        ['cert', 'certFile', t.tls.certFile],
        ['key', 'keyFile', t.tls.keyFile],
      ];
      options.push(`verify=${verifyOf(t) ? 1 : 0}`);
      for (const [option, field, value] of values) {
        if (!value) continue;
        if (!SOCAT_SAFE_VALUE.test(value)) return socatRefusal(field);
        options.push(`${option}=${value}`);
      }
      const sni = sniOf(t);
      if (sni === null) options.push('nosni');
      else if (sni !== t.host) {
        if (!SOCAT_SAFE_VALUE.test(sni)) return socatRefusal('serverName');
        options.push(`snihost=${sni}`);
      }
      const verifyName = t.tls.verifyName ?? (t.family === null ? t.host : null);
      if (verifyOf(t) && verifyName) {
        if (!SOCAT_SAFE_VALUE.test(verifyName)) return socatRefusal('verifyName');
        if (verifyName !== t.host) options.push(`commonname=${verifyName}`);
      }
      if (verifyOf(t) && t.family !== null && !t.tls.verifyName) notes.push('name check for an IP address: socat compares the IP as a name');
      if (t.tls.minVersion) options.push(`min-version=${socatVersion(t.tls.minVersion)}`);
      if (t.tls.maxVersion) options.push(`max-version=${socatVersion(t.tls.maxVersion)}`);
      if (t.tls.alpn?.length) notes.push('ALPN: socat 1.7 cannot offer protocols');
      pfxNote(t, 'socat', notes);
    }
  }
  const full = [address, ...options].join(',');
  return ok({ command: `${payloadWriter(t.bytes)} | ${[...global, '-', full].map(shellQuote).join(' ')}`, notes });
}

function socatVersion(v: TlsVersion): string {
  return v === 'TLSv1.2' ? 'TLS1.2' : 'TLS1.3';
}

function socatRefusal(field: string): Result<never> {
  return fail('INVALID_INPUT', "holds characters that socat's address syntax reserves (: , ! quotes, brackets, spaces); pick another tool or a plainer path.", { field });
}

// ── openssl s_client ───────────────────────────────────────────────────────────────────────────

function buildOpenssl(t: Target): Result<Built> {
  const notes: string[] = [];
  // -quiet (which implies -ign_eof) waits for the peer after the payload: without it s_client
  // closes at the end of its input and loses the reply. -nocommands: a payload line starting with
  // Q, R or k is data, not an instruction to s_client.
  const args = ['openssl', 's_client', '-quiet', '-nocommands', '-connect', `${socatHost(t)}:${t.port}`];
  const sni = sniOf(t);
  if (sni === null) args.push('-noservername');
  else if (sni !== t.host) args.push('-servername', sni);
  if (verifyOf(t)) {
    args.push('-verify_return_error');
    const name = t.tls.verifyName ?? t.host;
    const isIp = t.tls.verifyName === undefined ? t.family !== null : /^[0-9.]+$|:/.test(name);
    args.push(isIp ? '-verify_ip' : '-verify_hostname', name);
  }
  if (t.tls.caFile) args.push('-CAfile', t.tls.caFile);
  if (t.tls.certFile) args.push('-cert', t.tls.certFile);
  if (t.tls.keyFile) args.push('-key', t.tls.keyFile);
  if (t.tls.alpn?.length) args.push('-alpn', t.tls.alpn.join(','));
  if (t.tls.minVersion) args.push('-min_protocol', t.tls.minVersion);
  if (t.tls.maxVersion) args.push('-max_protocol', t.tls.maxVersion);
  pfxNote(t, 'openssl s_client', notes);
  if (t.source.closeAfterSend) notes.push('close after send: s_client keeps the connection open after the payload, until the peer closes');
  notes.push(`connect timeout ${ms(t.source.connectTimeoutMs)}: not expressed by s_client`);
  const idle = idleNote(t, 's_client');
  if (idle) notes.push(idle);
  notes.push(capNote(t, 's_client'));
  return ok({ command: `${payloadWriter(t.bytes)} | ${args.map(shellQuote).join(' ')}`, notes });
}

// ── socket-tester send ─────────────────────────────────────────────────────────────────────────

/** The environment variable the copied `send` reads a passphrase from. */
export const SOCKET_TESTER_PASS_ENV = 'SOCKET_TESTER_PASSPHRASE';

const TLS_VERSION_ARG: Readonly<Record<TlsVersion, string>> = { 'TLSv1.2': '1.2', 'TLSv1.3': '1.3' };

function buildSocketTester(t: Target): Result<Built> {
  const notes: string[] = [];
  const args = ['socket-tester', 'send'];
  // DATA is given even when empty, so stdin is never read in its place. Printable ASCII goes as
  // typed; anything else as escapes, which read back exactly for every byte (bytesToEscapes).
  let data = t.bytes;
  const ending = t.source.payload.lineEnding;
  const endingBytes = LINE_ENDING_BYTES[ending] ?? [];
  if (endingBytes.length > 0 && endsWith(data, endingBytes)) {
    data = data.subarray(0, data.length - endingBytes.length);
    args.push('--line-ending', ending);
  }
  let text: string;
  if (data.every((b) => b >= 0x20 && b <= 0x7e)) text = String.fromCharCode(...data);
  else {
    args.push('--escapes');
    text = bytesToEscapes(data);
  }
  if (t.transport === 'udp') {
    args.push('--udp');
    // --wait 0 would send and exit; the tab's 0 means "open until closed".
    args.push('--wait', String(replyWindowOf(t, notes)));
    if (t.udp.maxDatagrams !== UDP_PROFILE_DEFAULTS.maxDatagrams) args.push('--max-datagrams', String(t.udp.maxDatagrams));
    if (t.udp.mode === 'from-anyone') args.push('--from-anyone');
    if (t.udp.localPort > 0) args.push('--local-port', String(t.udp.localPort));
    if (t.udp.broadcast) args.push('--broadcast');
    if (t.source.maxResponseBytes !== PROFILE_DEFAULTS.maxResponseBytes) args.push('--max-bytes', String(t.source.maxResponseBytes));
  } else {
    if (!t.source.closeAfterSend) args.push('--keep-open');
    if (t.source.connectTimeoutMs !== PROFILE_DEFAULTS.connectTimeoutMs) args.push('--connect-timeout', String(t.source.connectTimeoutMs));
    if (t.source.idleTimeoutMs > 0) args.push('--idle-timeout', String(t.source.idleTimeoutMs));
    if (t.source.maxResponseBytes !== PROFILE_DEFAULTS.maxResponseBytes) args.push('--max-bytes', String(t.source.maxResponseBytes));
    if (t.transport === 'tls') {
      args.push('--tls');
      if (t.tls.serverName === '') args.push('--no-servername');
      else if (t.tls.serverName !== undefined) args.push('--servername', t.tls.serverName);
      if (t.tls.verifyName) args.push('--verify-name', t.tls.verifyName);
      if (!verifyOf(t)) args.push('--insecure');
      if (t.tls.caFile) args.push('--ca', t.tls.caFile);
      if (t.tls.certFile) args.push('--cert', t.tls.certFile);
      if (t.tls.keyFile) args.push('--key', t.tls.keyFile);
      if (t.tls.alpn?.length) args.push('--alpn', t.tls.alpn.join(','));
      if (t.tls.minVersion) args.push('--tls-min', TLS_VERSION_ARG[t.tls.minVersion]);
      if (t.tls.maxVersion) args.push('--tls-max', TLS_VERSION_ARG[t.tls.maxVersion]);
      if (t.tls.pfxFile) {
        // The passphrase is never written into a command (ps and shell history would show it).
        args.push('--pfx', t.tls.pfxFile, '--pass-env', SOCKET_TESTER_PASS_ENV);
        notes.push(`PKCS#12 passphrase: set ${SOCKET_TESTER_PASS_ENV} to it first (read -rs ${SOCKET_TESTER_PASS_ENV}; export ${SOCKET_TESTER_PASS_ENV})`);
      } else if (t.tls.keyFile) notes.push(`an encrypted client key also needs --pass-env ${SOCKET_TESTER_PASS_ENV} with its passphrase in that variable`);
    }
  }
  args.push(t.host, String(t.port));
  // After `--` everything is DATA, so a payload starting with "-" is never read as an option.
  if (text.startsWith('-')) args.push('--');
  const words = args.map(shellQuote);
  words.push(text === '' ? "''" : shellQuote(text));
  return ok({ command: words.join(' '), notes });
}

// ── socket-tester run (a conversation file) ────────────────────────────────────────────────────

/** The longest `expect` timeout a conversation accepts (docs/conversations.md). */
const MAX_EXPECT_TIMEOUT_MS = 600_000;

/**
 * A one-step conversation in a temporary file: send the bytes as hex (a template of hex digits and
 * spaces only, so no `${…}` and no YAML syntax can appear), FIN if the tab does, then wait for the
 * peer to close. The heredoc's delimiter is quoted, so the shell expands nothing inside it.
 */
function buildSocketTesterRun(t: Target): Result<Built> {
  const notes: string[] = [];
  const lines = ['target:', `  host: "${t.host}"`, `  port: ${t.port}`];
  if (t.source.connectTimeoutMs !== PROFILE_DEFAULTS.connectTimeoutMs) lines.push(`  connect_timeout_ms: ${t.source.connectTimeoutMs}`);
  lines.push('steps:');
  if (t.bytes.length > 0) {
    let hex = '';
    for (const b of t.bytes) hex += (hex ? ' ' : '') + b.toString(16).padStart(2, '0');
    lines.push(`  - send: {hex: "${hex}"}`);
  }
  if (t.source.closeAfterSend) lines.push('  - close_write: true');
  const wait = t.source.idleTimeoutMs > 0 ? Math.min(t.source.idleTimeoutMs, MAX_EXPECT_TIMEOUT_MS) : MAX_EXPECT_TIMEOUT_MS;
  if (t.source.idleTimeoutMs === 0) notes.push(`no idle timeout: the conversation waits at most ${wait / 1000} s for the peer to close`);
  else if (t.source.idleTimeoutMs > MAX_EXPECT_TIMEOUT_MS) notes.push(`idle timeout ${ms(t.source.idleTimeoutMs)}: a conversation waits at most ${wait / 1000} s`);
  else notes.push('idle timeout: the wait for the peer to close is one timeout, not restarted by each byte');
  lines.push(`  - expect: {eof: true, timeout_ms: ${wait}}`);
  notes.push(capNote(t, 'socket-tester run'));
  notes.push('the report says whether the peer closed; add --transcript to see the bytes received');
  // In a subshell, so `exit` keeps the run's status without closing the user's own shell.
  const command = ['(f=$(mktemp) &&', `cat > "$f" <<'END_OF_CONVERSATION' &&`, ...lines, 'END_OF_CONVERSATION', 'socket-tester run "$f"; status=$?; rm -f "$f"; exit $status)'].join('\n');
  return ok({ command, notes });
}

function endsWith(bytes: Uint8Array, tail: readonly number[]): boolean {
  if (bytes.length < tail.length) return false;
  return tail.every((b, i) => bytes[bytes.length - tail.length + i] === b);
}
