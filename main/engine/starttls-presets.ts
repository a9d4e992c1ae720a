/**
 * STARTTLS presets: the plain-text exchange by which a protocol agrees to switch to TLS on a live
 * connection (SMTP, IMAP, POP3, FTP, PostgreSQL), done for the user, then the usual TLS handshake
 * (startTls, the same code as connectTls and a manual upgrade).
 *
 * Invariants:
 * - Each exchange is bounded: lines of at most STARTTLS_LIMITS.maxLineBytes, at most
 *   maxExchangeBytes in all, a fixed number of steps, and the session's connect timeout over the
 *   whole of it (the step is 'starttls' meanwhile, so a timeout says so).
 * - A server that refuses (or answers something else, or closes) fails with STARTTLS_REFUSED,
 *   whose message quotes its reply line (cut, control characters escaped).
 * - Bytes the server sends after its go-ahead and before the handshake are refused, not carried
 *   into TLS: a man in the middle can inject them in plain text (the CVE-2011-0411 class of bug).
 * - The exchange's bytes are not the session's response: the plain socket is tracked for errors
 *   and its release only (`streamEvents: false`) until the TLS socket takes over.
 */
import type net from 'node:net';
import { fail, ok, type Result } from '../../shared/errors.ts';
import type { StartTlsProtocol } from '../../shared/tls.ts';
import { formatEndpoint } from './error-mapping.ts';
import { connectTcp, abandoned, type ConnectTcpOptions, type StreamOpener } from './stream-openers.ts';
import { buildSecureContext, startTls, type CheckedTlsOptions } from './tls-openers.ts';


export const STARTTLS_LIMITS = {
  /** Longest reply line (SMTP allows 512; servers' banners run longer). */
  maxLineBytes: 4096,
  /** Bytes the server may send during the whole exchange (an EHLO reply with many extensions fits). */
  maxExchangeBytes: 64 * 1024,
} as const;

/** PostgreSQL's SSLRequest: length 8, then the code 80877103 (1234 << 16 | 5679), big-endian. */
export const POSTGRES_SSL_REQUEST = Uint8Array.from([0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f]);

/** The name our SMTP EHLO gives (RFC 5321 4.1.4: the client's name; ours is not meant to resolve). */
const EHLO_NAME = 'socket-tester.invalid';

/** Reads a plain socket line by line (or byte by byte) for one exchange, within the limits. */
class ExchangeReader {
  #buffer = Buffer.alloc(0);
  #total = 0;
  #ended = false;
  #wake: (() => void) | null = null;
  readonly #onData = (chunk: Buffer): void => {
    this.#total += chunk.length;
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    this.#wake?.();
  };
  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#wake?.();
  };
  readonly #onAbort = (): void => this.#wake?.();

  constructor(
    private readonly socket: net.Socket,
    private readonly signal: AbortSignal,
  ) {
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    signal.addEventListener('abort', this.#onAbort);
  }

  /** Stops reading; the socket is paused so no byte is lost before the TLS layer takes it. */
  detach(): void {
    this.socket.off('data', this.#onData);
    this.socket.off('end', this.#onEnd);
    this.signal.removeEventListener('abort', this.#onAbort);
    this.socket.pause();
  }

  /** Bytes received and not yet consumed. */
  get leftover(): number {
    return this.#buffer.length;
  }

  async #waitForMore(): Promise<Result<void> | 'aborted'> {
    if (this.signal.aborted) return 'aborted';
    if (this.#ended) return fail('STARTTLS_REFUSED', 'the server closed the connection');
    if (this.#total > STARTTLS_LIMITS.maxExchangeBytes) {
      return fail('STARTTLS_REFUSED', `the server sent more than ${STARTTLS_LIMITS.maxExchangeBytes} bytes without finishing its reply`);
    }
    await new Promise<void>((resolve) => (this.#wake = resolve));
    this.#wake = null;
    return this.signal.aborted ? 'aborted' : ok(undefined);
  }

  /** The next line without its CRLF (or LF), as latin1 text. */
  async line(): Promise<Result<string> | 'aborted'> {
    for (;;) {
      const at = this.#buffer.indexOf(0x0a);
      if (at !== -1 && at <= STARTTLS_LIMITS.maxLineBytes) {
        const line = this.#buffer.subarray(0, at).toString('latin1').replace(/\r$/, '');
        this.#buffer = this.#buffer.subarray(at + 1);
        return ok(line);
      }
      if (this.#buffer.length > STARTTLS_LIMITS.maxLineBytes) {
        return fail('STARTTLS_REFUSED', `the server sent a line longer than ${STARTTLS_LIMITS.maxLineBytes} bytes`);
      }
      const more = await this.#waitForMore();
      if (more === 'aborted' || !more.ok) return more;
    }
  }

  /** The next single byte. */
  async byte(): Promise<Result<number> | 'aborted'> {
    while (this.#buffer.length === 0) {
      const more = await this.#waitForMore();
      if (more === 'aborted' || !more.ok) return more;
    }
    const b = this.#buffer[0]!;
    this.#buffer = this.#buffer.subarray(1);
    return ok(b);
  }
}

/** A reply line as it may be quoted in a message: cut, control characters escaped. */
function quote(line: string): string {
  const cut = line.length > 200 ? `${line.slice(0, 200)}…` : line;
  return JSON.stringify(cut);
}

/**
 * Reads one SMTP or FTP reply (RFC 5321 4.2.1, RFC 959 4.2): lines "NNN-text" continue, the line
 * "NNN text" (or "NNN") ends it. Returns the code and the lines.
 */
async function numericReply(reader: ExchangeReader): Promise<Result<{ code: string; lines: string[] }> | 'aborted'> {
  const lines: string[] = [];
  // A reply of 1000 lines would be a server misbehaving; the byte bound applies anyway.
  for (let i = 0; i < 1000; i++) {
    const line = await reader.line();
    if (line === 'aborted' || !line.ok) return line;
    lines.push(line.value);
    const m = /^(\d{3})([ -]|$)/.exec(line.value);
    // FTP allows continuation lines without a code inside a multi-line reply.
    if (!m) {
      if (lines.length === 1) return fail('STARTTLS_REFUSED', `expected a numeric reply, got ${quote(line.value)}`);
      continue;
    }
    if (m[2] !== '-') return ok({ code: m[1]!, lines });
  }
  return fail('STARTTLS_REFUSED', 'the server sent a reply of more than 1000 lines');
}

/** What one preset needs from the connection. */
interface ExchangeIo {
  reader: ExchangeReader;
  write(text: string | Uint8Array): void;
}

type Exchange = (io: ExchangeIo) => Promise<Result<void> | 'aborted'>;

function refused(protocol: string, what: string): Result<never> {
  return fail('STARTTLS_REFUSED', `${protocol}: ${what}`);
}

const smtp: Exchange = async ({ reader, write }) => {
  const greeting = await numericReply(reader);
  if (greeting === 'aborted' || !greeting.ok) return greeting;
  if (greeting.value.code !== '220') return refused('SMTP', `the greeting was ${quote(greeting.value.lines.at(-1)!)}, not 220`);
  write(`EHLO ${EHLO_NAME}\r\n`);
  const ehlo = await numericReply(reader);
  if (ehlo === 'aborted' || !ehlo.ok) return ehlo;
  if (ehlo.value.code !== '250') return refused('SMTP', `EHLO was answered ${quote(ehlo.value.lines.at(-1)!)}, not 250`);
  if (!ehlo.value.lines.some((l) => /^250[ -]STARTTLS\b/i.test(l))) return refused('SMTP', 'the server does not offer STARTTLS (its EHLO reply does not list it)');
  write('STARTTLS\r\n');
  const go = await numericReply(reader);
  if (go === 'aborted' || !go.ok) return go;
  return go.value.code === '220' ? ok(undefined) : refused('SMTP', `STARTTLS was answered ${quote(go.value.lines.at(-1)!)}, not 220`);
};

const imap: Exchange = async ({ reader, write }) => {
  const greeting = await reader.line();
  if (greeting === 'aborted' || !greeting.ok) return greeting;
  if (!/^\* OK\b/i.test(greeting.value)) return refused('IMAP', `the greeting was ${quote(greeting.value)}, not "* OK"`);
  write('a1 STARTTLS\r\n');
  // Untagged lines ("* CAPABILITY …") may come before the tagged answer.
  for (let i = 0; i < 100; i++) {
    const line = await reader.line();
    if (line === 'aborted' || !line.ok) return line;
    if (line.value.startsWith('* ')) continue;
    if (/^a1 OK\b/i.test(line.value)) return ok(undefined);
    return refused('IMAP', `STARTTLS was answered ${quote(line.value)}, not "a1 OK"`);
  }
  return refused('IMAP', 'no tagged answer to STARTTLS within 100 lines');
};

const pop3: Exchange = async ({ reader, write }) => {
  const greeting = await reader.line();
  if (greeting === 'aborted' || !greeting.ok) return greeting;
  if (!greeting.value.startsWith('+OK')) return refused('POP3', `the greeting was ${quote(greeting.value)}, not "+OK"`);
  write('STLS\r\n');
  const go = await reader.line();
  if (go === 'aborted' || !go.ok) return go;
  return go.value.startsWith('+OK') ? ok(undefined) : refused('POP3', `STLS was answered ${quote(go.value)}, not "+OK"`);
};

const ftp: Exchange = async ({ reader, write }) => {
  const greeting = await numericReply(reader);
  if (greeting === 'aborted' || !greeting.ok) return greeting;
  if (greeting.value.code !== '220') return refused('FTP', `the greeting was ${quote(greeting.value.lines.at(-1)!)}, not 220`);
  write('AUTH TLS\r\n');
  const go = await numericReply(reader);
  if (go === 'aborted' || !go.ok) return go;
  return go.value.code === '234' ? ok(undefined) : refused('FTP', `AUTH TLS was answered ${quote(go.value.lines.at(-1)!)}, not 234`);
};

const postgres: Exchange = async ({ reader, write }) => {
  write(POSTGRES_SSL_REQUEST);
  const answer = await reader.byte();
  if (answer === 'aborted' || !answer.ok) return answer;
  if (answer.value === 0x53 /* S */) return ok(undefined);
  if (answer.value === 0x4e /* N */) return refused('PostgreSQL', 'the server answered the SSLRequest with "N": it does not accept TLS');
  if (answer.value === 0x45 /* E */) return refused('PostgreSQL', 'the server answered the SSLRequest with an error message ("E"); it may be older than 7.0 or not PostgreSQL');
  return refused('PostgreSQL', `the server answered the SSLRequest with byte 0x${answer.value.toString(16).padStart(2, '0')}, not "S" or "N"`);
};

const EXCHANGES: Readonly<Record<StartTlsProtocol, Exchange>> = { smtp, imap, pop3, ftp, postgres };

/**
 * Runs `protocol`'s STARTTLS exchange on a connected plain socket. Resolves ok when the server
 * agreed and nothing else is pending, 'aborted' when `signal` aborted first, or the refusal.
 */
export async function negotiateStartTls(
  socket: net.Socket,
  protocol: StartTlsProtocol,
  where: string,
  signal: AbortSignal,
): Promise<Result<void> | 'aborted'> {
  const reader = new ExchangeReader(socket, signal);
  try {
    const result = await EXCHANGES[protocol]({ reader, write: (data) => void socket.write(data) });
    if (result === 'aborted') return result;
    if (!result.ok) return { ok: false, error: { ...result.error, message: `STARTTLS with ${where} failed: ${result.error.message}.` } };
    // Give bytes already on their way a turn to arrive, so an injected tail is seen.
    await new Promise((resolve) => setImmediate(resolve));
    if (reader.leftover > 0) {
      return fail(
        'STARTTLS_REFUSED',
        `STARTTLS with ${where} failed: the server sent ${reader.leftover} more bytes after agreeing and before the TLS handshake; refusing them (plain-text bytes there can be injected by anyone on the path).`,
      );
    }
    return ok(undefined);
  } finally {
    reader.detach();
  }
}

/**
 * TCP, then `protocol`'s STARTTLS exchange, then TLS: the opener of `send --starttls`. Credentials
 * are read before the TCP connect, as connectTls does.
 */
export function connectStartTls(
  host: string,
  port: number,
  protocol: StartTlsProtocol,
  options: CheckedTlsOptions,
  tcp: ConnectTcpOptions = {},
): StreamOpener {
  const plainOpener = connectTcp(host, port, tcp);
  return {
    host,
    port,
    accepted: false,
    async open(ctx) {
      const built = await buildSecureContext(options);
      if (!built.ok) return { ok: false, error: built.error, tls: null };
      if (ctx.signal.aborted) return abandoned();
      // Tracked for its errors and release only: the exchange's bytes are not the response.
      const plain = await plainOpener.open({ ...ctx, track: (socket) => ctx.track(socket, { streamEvents: false }) });
      if (!plain.ok) return plain;
      ctx.reached(plain.socket);
      ctx.step('starttls');
      const agreed = await negotiateStartTls(plain.socket, protocol, formatEndpoint(host, port), ctx.signal);
      if (agreed === 'aborted') return abandoned();
      if (!agreed.ok) return { ok: false, error: agreed.error, tls: null };
      ctx.step('tls-handshake');
      return startTls(plain.socket, host, port, options, { signal: ctx.signal, track: ctx.track, secureContext: built.value });
    },
  };
}
