/**
 * The reverse of "copy as command": reads a pasted `nc`, `ncat` or `socket-tester send` command
 * line (optionally fed by `printf … |`, `echo … |` or `printf '%s' HEX | xxd -r -p`) into the
 * settings it stands for, and says what it took and what it ignored.
 *
 * Invariants:
 * - Nothing is executed or expanded: the text is split into words as `sh` would quote them, and a
 *   word with an expansion (`$VAR`, `$(…)`, backticks, globs) is refused by name rather than read
 *   literally, since the shell would have sent something else.
 * - Every word is either used (listed in `taken`) or listed in `ignored`; nothing is dropped silently.
 * - The payload bytes are what the pasted command would send (printf's POSIX escapes, echo as bash
 *   runs it, nc -C's LF → CR LF), written back as editor text that encodes to exactly those bytes.
 * - Bounded: the text is at most COMMAND_PARSE_LIMITS.maxChars characters; every loop is over it.
 * - Pure: no Node or DOM APIs.
 */
import { fail, ok, type Result } from './errors.ts';
import { parseEndpoint } from './endpoint.ts';
import { bytesToEscapes, type PayloadSpec, type LineEnding, type PayloadMode, type TextEncoding, LINE_ENDINGS, TEXT_ENCODINGS } from './payload.ts';
import type { ProfileTlsSettings, ProfileTransport, UdpProfileSettings } from './profile.ts';
import type { TlsVersion } from './tls.ts';

/** Bounds the work on a paste; a command line with a payload of the editor's size is far longer. */
export const COMMAND_PARSE_LIMITS = { maxChars: 300_000 } as const;

/** The settings a pasted command stands for; absent fields were not said, so the tab keeps its own. */
export interface ParsedCommand {
  tool: 'nc' | 'ncat' | 'socket-tester';
  host: string;
  port: number;
  transport: ProfileTransport;
  payload?: PayloadSpec;
  closeAfterSend?: boolean;
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  maxResponseBytes?: number;
  /** Only the keys the command set. */
  tls?: ProfileTlsSettings;
  udp?: Partial<UdpProfileSettings>;
  /** What was used, in words ("-u: UDP", "payload: 6 bytes from printf"). */
  taken: string[];
  /** Words that were not used, each with why. */
  ignored: string[];
}

/** True when `text` starts like a command this module reads (so a paste of it is not a host name). */
export function looksLikeCommand(text: string): boolean {
  const first = text.trim().split(/\s+/, 1)[0] ?? '';
  return /^(nc|ncat|netcat|socket-tester|printf|echo|node|npx|#)$/.test(first) || /(^|\/)(nc|ncat|netcat|socket-tester)(\.js)?$/.test(first);
}

/** Reads a pasted command line; INVALID_INPUT (field 'command') naming what it cannot read. */
export function parseCommandLine(text: string): Result<ParsedCommand> {
  if (text.length > COMMAND_PARSE_LIMITS.maxChars) {
    return bad(`the pasted text is ${text.length} characters long; at most ${COMMAND_PARSE_LIMITS.maxChars} are read.`);
  }
  const split = splitWords(text);
  if (!split.ok) return split;
  // Stages of the pipeline; within a stage, commands separated by ";" (as in `{ printf …; sleep 1; }`).
  const stages: Word[][][] = [[[]]];
  for (const w of split.value) {
    if (w.op === '|') stages.push([[]]);
    else if (w.op === ';') stages[stages.length - 1]!.push([]);
    else if (w.op) return bad(`"${w.op}" joins commands in a way this reader does not follow; paste one pipeline.`);
    else stages[stages.length - 1]![stages[stages.length - 1]!.length - 1]!.push(w);
  }
  const ignored: string[] = [];
  const taken: string[] = [];
  // The last stage is the tool; earlier stages produce its input.
  // A group `{ …; }` only holds commands: its braces are dropped (a quoted "{" is a word like any).
  const isBrace = (w: Word): boolean => (w.raw === '{' || w.raw === '}');
  const commands = stages.map((stage) =>
    stage.map((c) => (c.length > 0 && isBrace(c[0]!) ? c.slice(1) : c)).filter((c) => c.length > 0 && !(c.length === 1 && isBrace(c[0]!))),
  );
  const toolStage = commands.pop() ?? [];
  if (toolStage.length !== 1) return bad('the last command of the pipeline must be nc, ncat or socket-tester send.');
  let input: Uint8Array | null = null;
  for (const stage of commands) {
    for (const cmd of stage) {
      const name = cmd[0]!.text;
      if (name === 'printf' || name === 'echo') {
        if (input !== null) return bad('two commands write the payload; paste a pipeline with one printf or echo.');
        const produced = name === 'printf' ? runPrintf(cmd.slice(1)) : runEcho(cmd.slice(1));
        if (!produced.ok) return produced;
        input = produced.value;
        taken.push(`payload: ${input.length} bytes from ${name}`);
      } else if (name === 'xxd' && cmd.slice(1).map((w) => w.text).join(' ').match(/^(-r -p|-p -r|-rp|-pr)$/)) {
        if (input === null) return bad('xxd -r -p has no hex to read; paste it after printf.');
        const decoded = hexToBytes(input);
        if (!decoded.ok) return decoded;
        input = decoded.value;
        taken.push(`xxd -r -p: ${input.length} bytes from hex`);
      } else if (name === 'sleep') {
        ignored.push(`sleep ${cmd.slice(1).map((w) => w.text).join(' ')} (keeps the input open; set the reply window instead)`);
      } else {
        return bad(`"${name}" in the pipeline is not understood; only printf, echo and xxd -r -p can feed the payload.`);
      }
    }
  }
  const toolWords = toolStage[0]!;
  const expanded = toolWords.find((w) => w.expands);
  if (expanded) return bad(`"${expanded.raw}" would be expanded by the shell; write the value itself.`);
  const head = toolName(toolWords);
  if (!head) return bad(`"${toolWords[0]!.text}" is not nc, ncat or socket-tester send.`);
  const parsed = head.tool === 'socket-tester' ? readSocketTester(toolWords.slice(head.skip), input, taken, ignored) : readNetcat(head.tool, toolWords.slice(head.skip), input, taken, ignored);
  return parsed;
}

// ── words ──────────────────────────────────────────────────────────────────────────────────────

interface Word {
  text: string;
  /** The word as written, for messages. */
  raw: string;
  /** An unquoted or double-quoted `$`, backtick, or unquoted glob: the shell would change it. */
  expands: boolean;
  /** A control operator instead of a word. */
  op?: '|' | ';' | '&&' | '||' | '&' | '>' | '<';
}

/** Splits text into words with sh's quoting: '…', "…" (\ escapes \ " $ `), \x, # comments, line continuations. */
function splitWords(text: string): Result<Word[]> {
  const words: Word[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      // A newline ends a command like ";" (comment lines above a copied command end this way).
      if (words.length > 0 && !words[words.length - 1]!.op) words.push({ text: ';', raw: ';', expands: false, op: ';' });
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '\\' && text[i + 1] === '\n') {
      i += 2;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '&&' || two === '||') {
      words.push({ text: two, raw: two, expands: false, op: two });
      i += 2;
      continue;
    }
    if (c === '|' || c === ';' || c === '&' || c === '>' || c === '<') {
      words.push({ text: c, raw: c, expands: false, op: c });
      i++;
      continue;
    }
    let out = '';
    let expands = false;
    const start = i;
    while (i < n) {
      const ch = text[i]!;
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '|' || ch === ';' || ch === '&' || ch === '>' || ch === '<') break;
      if (ch === "'") {
        const end = text.indexOf("'", i + 1);
        if (end < 0) return bad(`the quote ' at character ${i + 1} is never closed.`);
        out += text.slice(i + 1, end);
        i = end + 1;
      } else if (ch === '"') {
        i++;
        while (i < n && text[i] !== '"') {
          const d = text[i]!;
          if (d === '\\' && i + 1 < n && '\\"$`\n'.includes(text[i + 1]!)) {
            if (text[i + 1] !== '\n') out += text[i + 1];
            i += 2;
            continue;
          }
          if (d === '$' || d === '`') expands = true;
          out += d;
          i++;
        }
        if (i >= n) return bad(`the quote " at character ${start + 1} is never closed.`);
        i++;
      } else if (ch === '\\') {
        if (i + 1 < n) out += text[i + 1];
        i += 2;
      } else {
        if (ch === '$' || ch === '`' || ch === '*' || ch === '?' || ch === '[' || (ch === '~' && i === start)) expands = true;
        out += ch;
        i++;
      }
    }
    words.push({ text: out, raw: text.slice(start, i), expands });
  }
  return ok(words);
}

// ── printf, echo, xxd ──────────────────────────────────────────────────────────────────────────

/** POSIX printf's letter escapes (\" is not one: sh's printf prints it as is). */
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };

function utf8(text: string): number[] {
  return [...new TextEncoder().encode(text)];
}

/** POSIX printf: the format's escapes and %%, %s and %b (the format reused while arguments remain). */
function runPrintf(args: Word[]): Result<Uint8Array> {
  const expanded = args.find((w) => w.expands);
  if (expanded) return bad(`"${expanded.raw}" would be expanded by the shell; write the bytes themselves.`);
  let rest = args.map((w) => w.text);
  if (rest[0] === '--') rest = rest.slice(1);
  if (rest.length === 0) return bad('printf has no format.');
  const format = rest[0]!;
  let params = rest.slice(1);
  const out: number[] = [];
  for (let round = 0; round < 10_000; round++) {
    let used = 0;
    for (let i = 0; i < format.length; ) {
      const c = format[i]!;
      if (c === '\\') {
        const e = escapeAt(format, i + 1, 3);
        out.push(...e.bytes);
        i = e.next;
      } else if (c === '%') {
        const conv = format[i + 1];
        if (conv === '%') out.push(0x25);
        else if (conv === 's' || conv === 'b') {
          const value = params[used] ?? '';
          used++;
          if (conv === 's') out.push(...utf8(value));
          else out.push(...echoEscapes(value).bytes);
        } else return bad(`printf's %${conv ?? ''} is not understood here; use %s, %b or octal escapes.`);
        i += 2;
      } else {
        const cp = format.codePointAt(i)!;
        const ch = String.fromCodePoint(cp);
        out.push(...utf8(ch));
        i += ch.length;
      }
    }
    params = params.slice(used);
    if (used === 0 || params.length === 0) break;
  }
  return ok(Uint8Array.from(out));
}

/** One escape after a backslash at `i`: octal of up to `octalDigits` digits, or a letter. */
function escapeAt(text: string, i: number, octalDigits: number): { bytes: number[]; next: number } {
  const c = text[i];
  if (c === undefined) return { bytes: [0x5c], next: i };
  let j = i;
  let value = 0;
  while (j < text.length && j - i < octalDigits && /[0-7]/.test(text[j]!)) value = value * 8 + Number(text[j++]);
  if (j > i) return { bytes: [value & 0xff], next: j };
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return { bytes: [simple], next: i + 1 };
  return { bytes: [0x5c, ...utf8(c)], next: i + 1 };
}

/** Escapes as `echo -e` and `%b` read them: \0NNN octal, \xHH, the letters; \c stops the output. */
function echoEscapes(text: string): { bytes: number[]; stop: boolean } {
  const out: number[] = [];
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c !== '\\') {
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      out.push(...utf8(ch));
      i += ch.length;
      continue;
    }
    const next = text[i + 1];
    if (next === 'c') return { bytes: out, stop: true };
    if (next === '0') {
      const e = escapeAt(text, i + 2, 3);
      if (e.next === i + 2) out.push(0);
      else out.push(...e.bytes);
      i = e.next;
      continue;
    }
    if (next === 'x' && /^[0-9A-Fa-f]/.test(text[i + 2] ?? '')) {
      const hex = /^[0-9A-Fa-f]{1,2}/.exec(text.slice(i + 2))![0];
      out.push(parseInt(hex, 16));
      i += 2 + hex.length;
      continue;
    }
    if (next === 'e') {
      out.push(0x1b);
      i += 2;
      continue;
    }
    if (next !== undefined && next in SIMPLE_ESCAPES) {
      out.push(SIMPLE_ESCAPES[next]!);
      i += 2;
      continue;
    }
    out.push(0x5c);
    i++;
  }
  return { bytes: out, stop: false };
}

/** echo as bash runs it: -n (no newline), -e (escapes), -E; arguments joined by spaces. */
function runEcho(args: Word[]): Result<Uint8Array> {
  const expanded = args.find((w) => w.expands);
  if (expanded) return bad(`"${expanded.raw}" would be expanded by the shell; write the bytes themselves.`);
  let newline = true;
  let escapes = false;
  let k = 0;
  for (; k < args.length && /^-[neE]+$/.test(args[k]!.text); k++) {
    for (const f of args[k]!.text.slice(1)) {
      if (f === 'n') newline = false;
      else if (f === 'e') escapes = true;
      else escapes = false;
    }
  }
  const text = args
    .slice(k)
    .map((w) => w.text)
    .join(' ');
  if (!escapes) return ok(Uint8Array.from([...utf8(text), ...(newline ? [0x0a] : [])]));
  const e = echoEscapes(text);
  return ok(Uint8Array.from([...e.bytes, ...(newline && !e.stop ? [0x0a] : [])]));
}

function hexToBytes(input: Uint8Array): Result<Uint8Array> {
  const text = new TextDecoder().decode(input).replace(/\s+/g, '');
  if (!/^([0-9A-Fa-f]{2})*$/.test(text)) return bad('the hex for xxd -r -p has characters that are not hex digits, or an odd count.');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return ok(out);
}

/** Editor text that encodes to exactly `bytes`: plain text when it is UTF-8 with no controls but LF, else escapes. */
export function payloadSpecForBytes(bytes: Uint8Array): PayloadSpec {
  // "PING\r\n" reads best as the text PING with a CR LF ending (a textarea cannot hold a CR).
  for (const [ending, tail] of [['crlf', [0x0d, 0x0a]], ['cr', [0x0d]]] as const) {
    const n = bytes.length - tail.length;
    if (n > 0 && tail.every((b, i) => bytes[n + i] === b)) {
      const body = plainText(bytes.subarray(0, n));
      if (body !== null) return { text: body, mode: 'text', encoding: 'utf8', lineEnding: ending };
    }
  }
  const text = plainText(bytes);
  if (text !== null) return { text, mode: 'text', encoding: 'utf8', lineEnding: 'none' };
  return { text: bytesToEscapes(bytes), mode: 'escapes', encoding: 'utf8', lineEnding: 'none' };
}

/** The bytes as editor text when they are UTF-8 with no control but LF and nothing invisible; else null. */
function plainText(bytes: Uint8Array): string | null {
  const plain = bytes.every((b) => b === 0x0a || (b >= 0x20 && b !== 0x7f));
  if (plain) {
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      // C1 controls and format characters read back fine but are invisible in the editor.
      if (!/[\u0080-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/.test(text)) return text;
    } catch {
      /* not UTF-8 */
    }
  }
  return null;
}

// ── the tools ──────────────────────────────────────────────────────────────────────────────────

function toolName(words: Word[]): { tool: ParsedCommand['tool']; skip: number } | null {
  const base = (w: Word | undefined): string => (w?.text ?? '').split('/').pop() ?? '';
  const first = base(words[0]);
  if (first === 'nc' || first === 'netcat') return { tool: 'nc', skip: 1 };
  if (first === 'ncat') return { tool: 'ncat', skip: 1 };
  if ((first === 'socket-tester' || first === 'socket-tester.js') && words[1]?.text === 'send') return { tool: 'socket-tester', skip: 2 };
  if ((first === 'node' || first === 'npx') && /socket-tester(\.js)?$/.test(base(words[1])) && words[2]?.text === 'send') return { tool: 'socket-tester', skip: 3 };
  return null;
}

/** Options of nc and ncat that take a value (so the next word is not a host). */
const NC_VALUE_OPTIONS = new Set(['I', 'i', 'M', 'm', 'O', 'P', 'p', 'q', 's', 'T', 'V', 'W', 'w', 'X', 'x', 'e', 'c', 'g', 'G']);
const NCAT_LONG_VALUE_OPTIONS = new Set([
  'wait', 'idle-timeout', 'source-port', 'source', 'ssl-trustfile', 'ssl-cert', 'ssl-key', 'ssl-servername', 'ssl-alpn', 'ssl-ciphers', 'delay', 'proxy', 'proxy-type', 'proxy-auth', 'exec', 'sh-exec', 'lua-exec', 'output', 'hex-dump', 'max-conns', 'allow', 'allowfile', 'deny', 'denyfile',
]);

/** ncat's time: "10", "10s", "500ms", "2m", "1h"; nc's -w: whole seconds. Milliseconds, or null. */
function timeMs(text: string, units: boolean): number | null {
  const m = (units ? /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)?$/ : /^([0-9]+)()$/).exec(text);
  if (!m) return null;
  const scale = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, '': 1000 }[m[2] ?? ''] ?? 1000;
  const value = Math.round(Number(m[1]) * scale);
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}

function readNetcat(tool: 'nc' | 'ncat', words: Word[], input: Uint8Array | null, taken: string[], ignored: string[]): Result<ParsedCommand> {
  const positionals: string[] = [];
  let udp = false;
  let crlf = false;
  let halfClose: boolean | undefined = tool === 'ncat' ? true : undefined;
  let connectTimeoutMs: number | undefined;
  let idleTimeoutMs: number | undefined;
  let localPort: number | undefined;
  let tlsOn = false;
  let verify = false;
  const tls: ProfileTlsSettings = {};
  const value = (i: number, name: string): Result<string> => (i < words.length ? ok(words[i]!.text) : bad(`${name} needs a value.`));
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!.text;
    if (w === '--') {
      positionals.push(...words.slice(i + 1).map((x) => x.text));
      break;
    }
    if (tool === 'ncat' && w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = w.slice(2, eq < 0 ? undefined : eq);
      let arg: string | undefined;
      if (NCAT_LONG_VALUE_OPTIONS.has(name)) {
        if (eq >= 0) arg = w.slice(eq + 1);
        else {
          const v = value(++i, w);
          if (!v.ok) return v;
          arg = v.value;
        }
      }
      const r = ncatLong(name, arg, { taken, ignored, tls });
      if (!r.ok) return r;
      if (name === 'udp') udp = true;
      else if (name === 'crlf') crlf = true;
      else if (name === 'no-shutdown') halfClose = false;
      else if (name === 'ssl') tlsOn = true;
      else if (name === 'ssl-verify') verify = true;
      else if (name === 'wait') connectTimeoutMs = r.value ?? undefined;
      else if (name === 'idle-timeout') idleTimeoutMs = r.value ?? undefined;
      else if (name === 'source-port') localPort = r.value ?? undefined;
      continue;
    }
    if (w.startsWith('-') && w.length > 1) {
      for (let k = 1; k < w.length; k++) {
        const f = w[k]!;
        if (NC_VALUE_OPTIONS.has(f)) {
          let arg = w.slice(k + 1);
          if (arg === '') {
            const v = value(++i, `-${f}`);
            if (!v.ok) return v;
            arg = v.value;
          }
          if (f === 'w') {
            const t = timeMs(arg, tool === 'ncat');
            if (t === null) return bad(`-w ${arg} is not a time ${tool === 'nc' ? 'in whole seconds' : '(10, 10s, 500ms)'}.`);
            if (tool === 'nc') {
              idleTimeoutMs = t;
              connectTimeoutMs = t;
              taken.push(`-w ${arg}: connect and idle timeout ${t} ms`);
            } else {
              connectTimeoutMs = t;
              taken.push(`-w ${arg}: connect timeout ${t} ms`);
            }
          } else if (f === 'i' && tool === 'ncat') {
            const t = timeMs(arg, true);
            if (t === null) return bad(`-i ${arg} is not a time (10, 10s, 500ms).`);
            idleTimeoutMs = t;
            taken.push(`-i ${arg}: idle timeout ${t} ms`);
          } else if (f === 'p') {
            const p = /^[0-9]{1,5}$/.test(arg) ? Number(arg) : NaN;
            if (!(p >= 1 && p <= 65_535)) return bad(`-p ${arg} is not a port.`);
            localPort = p;
          } else ignored.push(`-${f} ${arg}`);
          break;
        }
        if (f === 'u') udp = true;
        else if (f === 'C') crlf = true;
        else if (f === 'N' && tool === 'nc') halfClose = true;
        else if ('46vnd'.includes(f)) ignored.push(`-${f} (does not change what is sent)`);
        else ignored.push(`-${f} (not a setting of a tab)`);
      }
      continue;
    }
    positionals.push(w);
  }
  if (positionals.length < 2) return bad(`${tool} needs a host and a port (${positionals.length === 0 ? 'neither was' : 'only one was'} given).`);
  for (const extra of positionals.slice(2)) ignored.push(`${extra} (a third address or port)`);
  const endpoint = parseEndpoint(positionals[0]!, positionals[1]!);
  if (!endpoint.ok) return endpoint;
  const transport: ProfileTransport = udp ? 'udp' : tlsOn ? 'tls' : 'tcp';
  if (udp && tlsOn) ignored.push('--ssl (not over UDP)');
  taken.unshift(`${tool}: ${positionals[0]} port ${endpoint.value.port}${udp ? ', UDP' : tlsOn ? ', TLS' : ''}`);
  const out: ParsedCommand = { tool, host: endpoint.value.host.host, port: endpoint.value.port, transport, taken, ignored };
  if (input !== null) {
    out.payload = payloadWithCrlf(input, crlf);
    if (crlf) taken.push(`${tool === 'nc' ? '-C' : '--crlf'}: newlines sent as CR LF`);
  } else if (crlf) ignored.push('-C (no payload given to apply it to)');
  if (transport === 'udp') {
    const u: Partial<UdpProfileSettings> = {};
    if (idleTimeoutMs !== undefined) {
      u.replyWindowMs = idleTimeoutMs;
      taken.push(`reply window ${idleTimeoutMs} ms`);
    }
    if (localPort !== undefined) {
      u.localPort = localPort;
      taken.push(`local port ${localPort}`);
    }
    out.udp = u;
  } else {
    if (halfClose !== undefined || tool === 'nc') {
      out.closeAfterSend = halfClose ?? false;
      taken.push(out.closeAfterSend ? 'close after send: on' : `close after send: off (${tool === 'nc' ? 'no -N' : '--no-shutdown'})`);
    }
    if (connectTimeoutMs !== undefined) out.connectTimeoutMs = connectTimeoutMs;
    if (idleTimeoutMs !== undefined) out.idleTimeoutMs = idleTimeoutMs;
    if (localPort !== undefined) ignored.push(`-p ${localPort} (a TCP tab picks its own local port)`);
    if (transport === 'tls') {
      tls.verify = verify;
      taken.push(verify ? '--ssl-verify: verify the certificate' : 'no --ssl-verify: certificate not verified');
      out.tls = tls;
    }
  }
  return ok(out);
}

function ncatLong(name: string, arg: string | undefined, ctx: { taken: string[]; ignored: string[]; tls: ProfileTlsSettings }): Result<number | null> {
  switch (name) {
    case 'udp':
    case 'crlf':
    case 'no-shutdown':
    case 'ssl':
    case 'ssl-verify':
      return ok(null);
    case 'wait':
    case 'idle-timeout': {
      const t = timeMs(arg ?? '', true);
      if (t === null) return bad(`--${name} ${arg} is not a time (10, 10s, 500ms).`);
      ctx.taken.push(`--${name} ${arg}: ${name === 'wait' ? 'connect' : 'idle'} timeout ${t} ms`);
      return ok(t);
    }
    case 'source-port': {
      const p = /^[0-9]{1,5}$/.test(arg ?? '') ? Number(arg) : NaN;
      if (!(p >= 1 && p <= 65_535)) return bad(`--source-port ${arg} is not a port.`);
      return ok(p);
    }
    case 'ssl-trustfile':
      ctx.tls.caFile = arg!;
      ctx.taken.push('--ssl-trustfile: CA file');
      return ok(null);
    case 'ssl-cert':
      ctx.tls.certFile = arg!;
      ctx.taken.push('--ssl-cert: client certificate');
      return ok(null);
    case 'ssl-key':
      ctx.tls.keyFile = arg!;
      ctx.taken.push('--ssl-key: client key');
      return ok(null);
    case 'ssl-servername':
      ctx.tls.serverName = arg!;
      ctx.taken.push('--ssl-servername: SNI name');
      return ok(null);
    case 'ssl-alpn':
      ctx.tls.alpn = arg!.split(',').map((p) => p.trim()).filter(Boolean);
      ctx.taken.push('--ssl-alpn: ALPN');
      return ok(null);
    default:
      ctx.ignored.push(`--${name}${arg !== undefined ? ` ${arg}` : ''} (not a setting of a tab)`);
      return ok(null);
  }
}

function payloadWithCrlf(bytes: Uint8Array, crlf: boolean): PayloadSpec {
  const spec = payloadSpecForBytes(bytes);
  if (!crlf) return spec;
  // nc -C writes each LF as CR LF: the same as the editor's CR LF newlines for text; escapes mode
  // never converts, so the converted bytes are written out instead.
  if (spec.mode === 'text') return { ...spec, newlines: 'crlf' };
  const out: number[] = [];
  for (const b of bytes) {
    if (b === 0x0a) out.push(0x0d);
    out.push(b);
  }
  return payloadSpecForBytes(Uint8Array.from(out));
}

const ST_FLAGS = new Set(['hex', 'escapes', 'keep-open', 'half-close', 'tls', 'no-servername', 'insecure', 'udp', 'from-anyone', 'broadcast', 'json']);
const ST_VALUES = new Set([
  'encoding', 'line-ending', 'pfx', 'pass-env', 'connect-timeout', 'idle-timeout', 'max-bytes', 'servername', 'verify-name', 'ca', 'cert', 'key', 'alpn', 'tls-min', 'tls-max', 'wait', 'max-datagrams', 'local-port', 'file', 'output', 'profile', 'profiles', 'starttls',
]);

function readSocketTester(words: Word[], input: Uint8Array | null, taken: string[], ignored: string[]): Result<ParsedCommand> {
  const positionals: string[] = [];
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!.text;
    if (w === '--') {
      positionals.push(...words.slice(i + 1).map((x) => x.text));
      break;
    }
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = w.slice(2, eq < 0 ? undefined : eq);
      if (ST_FLAGS.has(name)) flags.add(name);
      else if (ST_VALUES.has(name)) {
        const v = eq >= 0 ? w.slice(eq + 1) : words[++i]?.text;
        if (v === undefined) return bad(`${w} needs a value.`);
        values.set(name, v);
      } else return bad(`${w} is not an option of socket-tester send.`);
      continue;
    }
    positionals.push(w);
  }
  for (const name of ['file', 'output', 'profile', 'profiles', 'starttls'] as const) {
    const v = values.get(name);
    if (v !== undefined) ignored.push(`--${name} ${name === 'starttls' ? v : ''}(a tab has no such setting)`.replace(' (', ' ('));
  }
  if (flags.has('json')) ignored.push('--json (output format)');
  if (values.has('pass-env')) ignored.push('--pass-env (the app asks for the passphrase when it connects)');
  if (positionals.length < 2) return bad(`socket-tester send needs HOST and PORT (${positionals.length === 0 ? 'neither was' : 'only one was'} given).`);
  const endpoint = parseEndpoint(positionals[0]!, positionals[1]!);
  if (!endpoint.ok) return endpoint;
  const udp = flags.has('udp');
  const transport: ProfileTransport = udp ? 'udp' : flags.has('tls') ? 'tls' : 'tcp';
  taken.unshift(`socket-tester send: ${positionals[0]} port ${endpoint.value.port}${udp ? ', UDP' : transport === 'tls' ? ', TLS' : ''}`);
  const out: ParsedCommand = { tool: 'socket-tester', host: endpoint.value.host.host, port: endpoint.value.port, transport, taken, ignored };
  const data = positionals[2];
  for (const extra of positionals.slice(3)) ignored.push(`${extra} (DATA is one argument)`);
  const mode: PayloadMode = flags.has('hex') ? 'hex' : flags.has('escapes') ? 'escapes' : 'text';
  const encoding = values.get('encoding') ?? 'utf8';
  const lineEnding = values.get('line-ending') ?? 'none';
  if (!(TEXT_ENCODINGS as readonly string[]).includes(encoding)) return bad(`--encoding ${encoding} is not utf8 or latin1.`);
  if (!(LINE_ENDINGS as readonly string[]).includes(lineEnding)) return bad(`--line-ending ${lineEnding} is not none, lf, cr or crlf.`);
  if (data !== undefined) {
    out.payload = { text: data, mode, encoding: encoding as TextEncoding, lineEnding: lineEnding as LineEnding };
    taken.push(`payload (${mode}${lineEnding !== 'none' ? `, line ending ${lineEnding}` : ''})`);
    if (input !== null) ignored.push('the piped input (DATA is given, so stdin is not read)');
  } else if (input !== null) {
    out.payload = payloadSpecForBytes(input);
  }
  const num = (name: string, min: number): Result<number | undefined> => {
    const v = values.get(name);
    if (v === undefined) return ok(undefined);
    if (!/^[0-9]{1,10}$/.test(v) || Number(v) < min) return bad(`--${name} ${v} is not a whole number of at least ${min}.`);
    taken.push(`--${name} ${v}`);
    return ok(Number(v));
  };
  const maxBytes = num('max-bytes', 1);
  if (!maxBytes.ok) return maxBytes;
  if (maxBytes.value !== undefined) out.maxResponseBytes = maxBytes.value;
  if (udp) {
    const u: Partial<UdpProfileSettings> = {};
    const wait = num('wait', 0);
    const count = num('max-datagrams', 1);
    const local = num('local-port', 0);
    if (!wait.ok) return wait;
    if (!count.ok) return count;
    if (!local.ok) return local;
    if (wait.value !== undefined) u.replyWindowMs = wait.value;
    if (count.value !== undefined) u.maxDatagrams = count.value;
    if (local.value !== undefined) u.localPort = local.value;
    if (flags.has('from-anyone')) {
      u.mode = 'from-anyone';
      taken.push('--from-anyone');
    }
    if (flags.has('broadcast')) {
      u.broadcast = true;
      taken.push('--broadcast');
    }
    out.udp = u;
    return ok(out);
  }
  if (flags.has('keep-open')) {
    out.closeAfterSend = false;
    taken.push('--keep-open: close after send off');
  } else {
    out.closeAfterSend = true;
  }
  const connect = num('connect-timeout', 1);
  const idle = num('idle-timeout', 0);
  if (!connect.ok) return connect;
  if (!idle.ok) return idle;
  if (connect.value !== undefined) out.connectTimeoutMs = connect.value;
  out.idleTimeoutMs = idle.value ?? 0;
  if (transport === 'tls') {
    const tls: ProfileTlsSettings = { verify: !flags.has('insecure') };
    if (flags.has('no-servername')) tls.serverName = '';
    const keys: Array<[string, keyof ProfileTlsSettings]> = [
      ['servername', 'serverName'],
      ['verify-name', 'verifyName'],
      ['ca', 'caFile'],
      ['cert', 'certFile'],
      ['key', 'keyFile'],
      ['pfx', 'pfxFile'],
    ];
    for (const [option, key] of keys) {
      const v = values.get(option);
      if (v !== undefined) {
        (tls as Record<string, unknown>)[key] = v;
        taken.push(`--${option}`);
      }
    }
    const alpn = values.get('alpn');
    if (alpn !== undefined) tls.alpn = alpn.split(',').map((p) => p.trim()).filter(Boolean);
    for (const [option, key] of [['tls-min', 'minVersion'], ['tls-max', 'maxVersion']] as const) {
      const v = values.get(option);
      if (v === undefined) continue;
      if (v !== '1.2' && v !== '1.3') return bad(`--${option} ${v} is not 1.2 or 1.3.`);
      tls[key] = `TLSv${v}` as TlsVersion;
      taken.push(`--${option} ${v}`);
    }
    out.tls = tls;
  }
  return ok(out);
}

function bad(message: string): Result<never> {
  return fail('INVALID_INPUT', message.charAt(0).toUpperCase() + message.slice(1), { field: 'command' });
}
