/**
 * Packet Sender's smart responses (its settings file, ps_settings.ini, QSettings INI) → one listener
 * profile whose responder has one rule per enabled smart response.
 *
 * What Packet Sender stores and does, read from its source (dannagle/PacketSender: settings.cpp
 * writes and reads the keys, Packet::fetchSmartConfig, Packet::smartResponseMatch,
 * Packet::encodingToByteArray, Packet::ASCIITohex):
 * - keys at the top level: `smartResponseEnableCheck` (the feature), and for N = 1…5
 *   `responseEnableCheckN`, `responseIfEditN` (the data to compare), `responseReplyEditN`,
 *   `responseEncodingBoxN` ("Mixed ASCII" by default, "ASCII", "HEX"); `tcpPort` the server ports;
 * - a smart response fires when the whole received packet (one read) *equals* the encoded
 *   `responseIfEdit`; the first enabled one that equals wins; the reply uses the same encoding;
 * - both go through `macroSwap` ({{TIME}}, {{DATE}}, {{RANDOM}}, {{UNIXTIME}}, {{UNIQUE}}) first.
 *
 * Mapping: framing `chunk` (one read is one message, as there); text that is valid UTF-8 becomes an
 * `exact` rule (the same equality); binary becomes a `hex` rule, which matches a message that
 * *contains* those bytes (our matchers read bytes as UTF-8 text, so exact equality of arbitrary
 * bytes is not expressible): broader than Packet Sender, and said so in the profile's notes. Macros
 * have no exact equivalent (their formats differ from ours), so they stay literal text, also noted.
 * The listener binds 127.0.0.1 (Packet Sender binds every interface; ours is a decision).
 */
import { PROFILE_DEFAULTS, type ProfileDraft } from '../../shared/profile.ts';
import { bytesToEscapes, bytesToHex } from '../../shared/payload.ts';
import type { ResponderRule } from '../../shared/listener.ts';
import type { IniValue } from './qsettings-ini.ts';
import { packetSenderHexToBytes, type PacketConversion } from './packet-sender.ts';

/** Packet Sender has exactly five smart-response slots. */
export const SMART_RESPONSE_SLOTS = 5;

const MACRO = /\{\{(TIME|DATE|RANDOM|UNIXTIME|UNIQUE)\}\}/;

/** True when the INI holds Packet Sender settings with smart responses (not a packets.ini). */
export function hasSmartResponses(values: ReadonlyMap<string, IniValue>): boolean {
  for (let n = 1; n <= SMART_RESPONSE_SLOTS; n++) if (values.has(`responseIfEdit${n}`)) return true;
  return values.has('smartResponseEnableCheck');
}

function text(values: ReadonlyMap<string, IniValue>, key: string): string {
  const v = values.get(key);
  return v?.kind === 'string' ? v.value : v?.kind === 'list' ? v.items.join(', ') : '';
}

function flag(values: ReadonlyMap<string, IniValue>, key: string): boolean {
  return text(values, key).trim().toLowerCase() === 'true';
}

/**
 * Packet Sender's "Mixed ASCII" to bytes: `\\`, `\n`, `\r`, `\t` and `\XX` (two hex digits) are
 * escapes, every other character is its Latin-1 byte. Anything Packet Sender itself reads oddly (a
 * backslash before a non-hex character, a character above U+00FF) is refused, not guessed.
 */
export function mixedAsciiToBytes(input: string): { ok: true; bytes: Uint8Array } | { ok: false; reason: string } {
  const out: number[] = [];
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c !== 0x5c) {
      if (c > 0xff) return { ok: false, reason: `the character ${JSON.stringify(input[i])} has no Latin-1 byte` };
      out.push(c);
      continue;
    }
    const next = input[i + 1];
    if (next === '\\') out.push(0x5c);
    else if (next === 'n') out.push(0x0a);
    else if (next === 'r') out.push(0x0d);
    else if (next === 't') out.push(0x09);
    else if (next !== undefined && /^[0-9a-fA-F]{2}$/.test(input.slice(i + 1, i + 3))) {
      out.push(parseInt(input.slice(i + 1, i + 3), 16));
      i += 2;
      continue;
    } else return { ok: false, reason: `"\\${next ?? ''}" at character ${i + 1} is not an escape Packet Sender writes (\\\\, \\n, \\r, \\t, \\XX)` };
    i += 1;
  }
  return { ok: true, bytes: Uint8Array.from(out) };
}

function encode(encoding: string, value: string): { ok: true; bytes: Uint8Array } | { ok: false; reason: string } {
  const e = encoding.trim().toLowerCase();
  if (e === 'hex') return { ok: true, bytes: packetSenderHexToBytes(value) };
  if (e === 'ascii') {
    const bytes: number[] = [];
    for (const ch of value) {
      const c = ch.codePointAt(0)!;
      if (c > 0xff) return { ok: false, reason: `the character ${JSON.stringify(ch)} has no Latin-1 byte` };
      bytes.push(c);
    }
    return { ok: true, bytes: Uint8Array.from(bytes) };
  }
  return mixedAsciiToBytes(value);
}

const fatal = new TextDecoder('utf-8', { fatal: true });
function utf8(bytes: Uint8Array): string | null {
  try {
    const s = fatal.decode(bytes);
    // A control character in an exact rule's text would be hard to read and edit: hex shows it.
    return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s) ? null : s;
  } catch {
    return null;
  }
}

/** Reads the smart responses of a Packet Sender settings file into one listener profile draft. */
export function convertSmartResponses(values: ReadonlyMap<string, IniValue>): PacketConversion[] {
  const rules: ResponderRule[] = [];
  const notes: string[] = [];
  const problems: string[] = [];
  for (let n = 1; n <= SMART_RESPONSE_SLOTS; n++) {
    const ifText = text(values, `responseIfEdit${n}`);
    if (!flag(values, `responseEnableCheck${n}`) || ifText === '') continue;
    const encoding = text(values, `responseEncodingBox${n}`) || 'Mixed ASCII';
    const replyText = text(values, `responseReplyEdit${n}`);
    const match = encode(encoding, ifText);
    const reply = encode(encoding, replyText);
    if (!match.ok) {
      problems.push(`smart response ${n} was left out: its match: ${match.reason}`);
      continue;
    }
    if (!reply.ok) {
      problems.push(`smart response ${n} was left out: its reply: ${reply.reason}`);
      continue;
    }
    if (MACRO.test(ifText) || MACRO.test(replyText)) notes.push(`smart response ${n} uses a Packet Sender macro ({{…}}), kept as literal text`);
    const asText = utf8(match.bytes);
    if (asText === null) notes.push(`smart response ${n} (binary) matches a message that contains its bytes, where Packet Sender wants the whole packet equal`);
    const replyAsText = utf8(reply.bytes);
    rules.push({
      match: asText !== null ? { kind: 'exact', value: asText } : { kind: 'hex', value: bytesToHex(match.bytes) },
      reply: reply.bytes.length === 0 ? null : replyAsText !== null ? { mode: 'escapes', value: bytesToEscapes(reply.bytes) } : { mode: 'hex', value: bytesToHex(reply.bytes) },
      delayMs: 0,
      close: false,
    });
  }
  const sourceName = 'Packet Sender smart responses';
  if (rules.length === 0) {
    const why = problems.length > 0 ? problems.join('; ') : 'no smart response is enabled';
    return [{ sourceName, draft: null, status: 'skipped', reason: `Nothing to import: ${why}.` }];
  }
  const ports = text(values, 'tcpPort')
    .split(/[ ,]+/)
    .map((p) => Number(p))
    .filter((p) => Number.isInteger(p) && p > 0 && p <= 65535);
  if (!flag(values, 'smartResponseEnableCheck')) notes.unshift('smart responses were switched off in Packet Sender');
  const draft: ProfileDraft = {
    name: sourceName,
    folder: null,
    kind: 'listener',
    host: '127.0.0.1',
    port: ports[0] ?? 0,
    transport: 'tcp',
    payload: { text: '', mode: 'text', encoding: 'utf8', lineEnding: 'none' },
    ...PROFILE_DEFAULTS,
    notes: ['Imported from Packet Sender settings (binds 127.0.0.1 here; Packet Sender binds every interface).', ...notes, ...problems]
      .map((line, i) => (i === 0 ? line : `- ${line}.`))
      .join('\n'),
    listener: { responder: { kind: 'rules', framing: { kind: 'chunk' }, rules } },
  };
  return [{ sourceName, draft, status: 'ok' }];
}
