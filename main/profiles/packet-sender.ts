/**
 * Packet Sender (packetsender.com) packets → profile drafts, from its packets.ini (QSettings INI,
 * written by Packet::saveToDB) and from its JSON export (Packet::ExportJSON).
 *
 * The packet's `hexString` is the truth for the bytes: Packet Sender sends
 * `QByteArray::fromHex(hexString.toLatin1())`, so {@link packetSenderHexToBytes} reproduces Qt's
 * fromHex exactly (non-hex characters are skipped; digits pair up from the end, so an odd count
 * gives a leading single-nibble byte), and {@link payloadForBytes} writes those bytes in the most
 * readable payload mode that encodes back to exactly them. The JSON export's base64 `asciistring`
 * is a lossy display copy (Latin-1 of the mixed-ASCII view) and is ignored.
 *
 * Only TCP packets become profiles; UDP, SSL, DTLS and HTTP(S) packets are listed as skipped with
 * the reason.
 */
import { PROFILE_DEFAULTS, PROFILE_LIMITS, validateProfileDraft, validateProfileName, type ProfileDraft } from '../../shared/profile.ts';
import { bytesToEscapes, bytesToHex } from '../../shared/payload.ts';
import { parseQSettingsIni, type IniValue } from './qsettings-ini.ts';

/** One Packet Sender packet, as read from either format. */
export interface PacketSenderPacket {
  name: string;
  /** Packet Sender's `tcpOrUdp`: "TCP", "UDP", "SSL", "DTLS", "HTTP Get", "HTTPS Post", …. */
  kind: string;
  toIP: string;
  port: string;
  hexString: string;
}

/**
 * Longest text accepted in each field of one packet, checked before any conversion, so a hostile
 * file cannot make us build huge intermediate arrays (a 30-million-character hexstring cost 5.8 s
 * and 1.7 GiB before these existed). `hexString` allows three characters per byte (Packet
 * Sender's "41 42 43 " form) of the longest payload a profile can hold.
 */
export const PACKET_SENDER_FIELD_LIMITS = {
  name: 1_000,
  kind: 100,
  toIP: 1_000,
  port: 100,
  hexString: 3 * PROFILE_LIMITS.maxPayloadChars,
} as const;

/** A field over {@link PACKET_SENDER_FIELD_LIMITS}: the whole import fails (IMPORT_FAILED). */
export interface PacketFieldTooLong {
  ok: false;
  /** Zero-based position of the packet in the file. */
  item: number;
  sourceName: string;
  /** The field's name as the file spells it (`hexString` in packets.ini, `hexstring` in JSON). */
  field: string;
  length: number;
  limit: number;
}

/** The first field of a packet over its limit, or null. */
function fieldTooLong(
  fields: Partial<Record<keyof typeof PACKET_SENDER_FIELD_LIMITS, string | null>>,
  spelling: Readonly<Record<keyof typeof PACKET_SENDER_FIELD_LIMITS, string>>,
  item: number,
  sourceName: string,
): PacketFieldTooLong | null {
  for (const key of Object.keys(PACKET_SENDER_FIELD_LIMITS) as Array<keyof typeof PACKET_SENDER_FIELD_LIMITS>) {
    const value = fields[key];
    const limit = PACKET_SENDER_FIELD_LIMITS[key];
    if (typeof value === 'string' && value.length > limit) {
      return { ok: false, item, sourceName: sourceName.slice(0, 100), field: spelling[key], length: value.length, limit };
    }
  }
  return null;
}

const INI_SPELLING = { name: 'name', kind: 'tcpOrUdp', toIP: 'toIP', port: 'port', hexString: 'hexString' } as const;
const JSON_SPELLING = { name: 'name', kind: 'tcporudp', toIP: 'toip', port: 'port', hexString: 'hexstring' } as const;

/** What one packet became. */
export interface PacketConversion {
  sourceName: string;
  draft: ProfileDraft | null;
  status: 'ok' | 'error' | 'skipped';
  reason?: string;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

/** Qt's QByteArray::fromHex, byte for byte: scan from the end, skip non-hex, pair digits. */
export function packetSenderHexToBytes(hexString: string): Uint8Array {
  // One byte per nibble (not a number[]): a bounded, typed scratch buffer.
  const nibbles = new Uint8Array(hexString.length);
  let count = 0;
  for (let i = 0; i < hexString.length; i += 1) {
    const value = hexValue(hexString.charCodeAt(i));
    if (value >= 0) {
      nibbles[count] = value;
      count += 1;
    }
  }
  const bytes = new Uint8Array(Math.ceil(count / 2));
  let out = bytes.length - 1;
  for (let i = count - 1; i >= 0; i -= 2) {
    const low = nibbles[i] ?? 0;
    const high = i - 1 >= 0 ? (nibbles[i - 1] ?? 0) : 0;
    bytes[out] = (high << 4) | low;
    out -= 1;
  }
  return bytes;
}

const ASCII_DECODER = new TextDecoder('utf-8');

function isPrintable(byte: number): boolean {
  return byte >= 0x20 && byte <= 0x7e;
}

/**
 * Plain text only when every byte is printable ASCII or a tab: those survive a text editor
 * unchanged (a textarea rewrites CR), and every encoding we offer turns them into the same bytes.
 */
function isPlainText(bytes: Uint8Array): boolean {
  return bytes.every((byte) => isPrintable(byte) || byte === 0x09);
}

/** Mostly readable: at least three quarters printable ASCII, CR, LF or tab. */
function isMostlyText(bytes: Uint8Array): boolean {
  const readable = bytes.reduce((count, byte) => count + (isPrintable(byte) || byte === 0x0d || byte === 0x0a || byte === 0x09 ? 1 : 0), 0);
  return readable * 4 >= bytes.length * 3;
}

/** Splits one trailing CRLF, LF or CR off as the profile's line ending. */
function splitLineEnding(bytes: Uint8Array): { body: Uint8Array; lineEnding: ProfileDraft['payload']['lineEnding'] } {
  const length = bytes.length;
  if (length >= 2 && bytes[length - 2] === 0x0d && bytes[length - 1] === 0x0a) return { body: bytes.subarray(0, length - 2), lineEnding: 'crlf' };
  if (length >= 1 && bytes[length - 1] === 0x0a) return { body: bytes.subarray(0, length - 1), lineEnding: 'lf' };
  if (length >= 1 && bytes[length - 1] === 0x0d) return { body: bytes.subarray(0, length - 1), lineEnding: 'cr' };
  return { body: bytes, lineEnding: 'none' };
}

/**
 * The most readable payload that sends exactly `bytes` through the payload codec: plain text when
 * the bytes are printable ASCII, escapes when they are mostly printable (Packet Sender's own
 * "mixed ASCII" view), hex otherwise. A trailing line ending becomes the profile's line ending.
 */
export function payloadForBytes(bytes: Uint8Array): ProfileDraft['payload'] {
  const { body, lineEnding } = splitLineEnding(bytes);
  if (isPlainText(body)) return { text: ASCII_DECODER.decode(body), mode: 'text', encoding: 'utf8', lineEnding };
  if (isMostlyText(body)) return { text: bytesToEscapes(body), mode: 'escapes', encoding: 'utf8', lineEnding };
  return { text: bytesToHex(bytes), mode: 'hex', encoding: 'utf8', lineEnding: 'none' };
}

/** Why a packet of this kind is not imported, or null for TCP. Mirrors Packet::isHTTP/isSSL/isUDP. */
function skipReason(kind: string): string | null {
  const lower = kind.trim().toLowerCase();
  if (lower.includes('http')) return `${kind} requests are not imported: Socket Tester sends raw TCP only.`;
  if (lower.includes('dtls')) return 'DTLS packets are not imported: Socket Tester sends raw TCP only.';
  if (lower.includes('ssl')) return 'SSL/TLS packets are not imported: Socket Tester does not speak TLS yet.';
  if (lower === 'udp') return 'UDP packets are not imported: Socket Tester sends TCP only.';
  if (lower.includes('tcp')) return null;
  return `Packet type "${kind}" is not imported: only TCP packets become profiles.`;
}

/** Converts one packet; never throws. */
export function convertPacket(packet: PacketSenderPacket): PacketConversion {
  const sourceName = packet.name;
  const skipped = skipReason(packet.kind);
  if (skipped !== null) return { sourceName, draft: null, status: 'skipped', reason: skipped };
  const name = validateProfileName(packet.name);
  if (!name.ok) return { sourceName, draft: null, status: 'error', reason: name.error.message };
  const host = packet.toIP.trim();
  if (host === '') return { sourceName, draft: null, status: 'error', reason: 'The packet has no destination address.' };
  if (/[\p{Cc}\s]/u.test(host)) return { sourceName, draft: null, status: 'error', reason: `The destination "${host}" contains a space or a control character.` };
  const portText = packet.port.trim();
  const port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 1 && port <= 65_535)) {
    return { sourceName, draft: null, status: 'error', reason: `The port "${packet.port}" is not a number from 1 to 65535.` };
  }
  const draft: ProfileDraft = {
    name: name.value,
    folder: null,
    host,
    port,
    payload: payloadForBytes(packetSenderHexToBytes(packet.hexString)),
    ...PROFILE_DEFAULTS,
    notes: 'Imported from Packet Sender.',
  };
  // The same check the store makes (D4), so the preview shows every problem before importing.
  const checked = validateProfileDraft(draft);
  if (!checked.ok) return { sourceName, draft: null, status: 'error', reason: checked.error.message };
  return { sourceName, draft: checked.value, status: 'ok' };
}

function iniString(value: IniValue | undefined): string | null {
  if (value === undefined) return '';
  if (value.kind === 'string') return value.value;
  return null;
}

/**
 * Reads packets.ini. Fails (nothing imported) when the file is not QSettings INI or has no valid
 * `[NAMES]` array; a packet with a bad field is an item error, not a file error.
 */
export function parsePacketSenderIni(
  text: string,
): { ok: true; items: PacketConversion[]; work: number } | { ok: false; message: string } | PacketFieldTooLong {
  const parsed = parseQSettingsIni(text);
  if (!parsed.ok) return { ok: false, message: `Not a Packet Sender packets.ini: line ${parsed.line}: ${parsed.message}.` };
  const values = parsed.document.values;
  const sizeValue = values.get('NAMES/size');
  const sizeText = sizeValue?.kind === 'string' ? sizeValue.value.trim() : '';
  if (sizeValue === undefined) return { ok: false, message: 'Not a Packet Sender packets.ini: it has no [NAMES] list of packets.' };
  if (!/^[0-9]{1,6}$/.test(sizeText)) return { ok: false, message: `Not a Packet Sender packets.ini: [NAMES] size "${sizeText.slice(0, 40)}" is not a count.` };
  // Checked before the loop: a size of 999999 must not build a million "no name" rows first.
  if (Number(sizeText) > PROFILE_LIMITS.maxProfiles) {
    return { ok: false, message: `it lists ${Number(sizeText)} packets; the limit is ${PROFILE_LIMITS.maxProfiles}.` };
  }
  const items: PacketConversion[] = [];
  for (let index = 1; index <= Number(sizeText); index += 1) {
    const name = iniString(values.get(`NAMES/${index}/name`));
    if (name === null || name === '') {
      items.push({ sourceName: `packet ${index}`, draft: null, status: 'error', reason: `[NAMES] entry ${index} has no name.` });
      continue;
    }
    const field = (key: string) => iniString(values.get(`${name}/${key}`));
    const fields = { kind: field('tcpOrUdp'), toIP: field('toIP'), port: field('port'), hexString: field('hexString') };
    const tooLong = fieldTooLong({ name, ...fields }, INI_SPELLING, index - 1, name);
    if (tooLong !== null) return tooLong;
    const broken = Object.entries(fields).find(([, value]) => value === null);
    if (broken !== undefined) {
      items.push({ sourceName: name, draft: null, status: 'error', reason: `The packet's ${broken[0]} value is not text.` });
      continue;
    }
    if (!values.has(`${name}/tcpOrUdp`) && !values.has(`${name}/hexString`)) {
      items.push({ sourceName: name, draft: null, status: 'error', reason: 'The file lists this packet but has no settings for it.' });
      continue;
    }
    items.push(convertPacket({ name, kind: fields.kind ?? '', toIP: fields.toIP ?? '', port: fields.port ?? '', hexString: fields.hexString ?? '' }));
  }
  return { ok: true, items, work: parsed.document.work };
}

/** True when a parsed JSON value looks like Packet Sender's export: an array of packet objects. */
export function looksLikePacketSenderJson(document: unknown): boolean {
  if (!Array.isArray(document)) return false;
  return document.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item) && ('hexstring' in item || 'tcporudp' in item));
}

function jsonText(value: unknown): string | null {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  // Packet Sender writes ports as strings, but hand-edited files often hold numbers.
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/**
 * Converts Packet Sender's JSON export (already parsed). Every field's length is checked for every
 * packet before any packet is converted, so an oversized field fails the import without work.
 */
export function parsePacketSenderJson(document: unknown[]): { ok: true; items: PacketConversion[] } | PacketFieldTooLong {
  const packets = document.map((item, index) => {
    const record = item as Record<string, unknown>;
    const name = jsonText(record['name']);
    const sourceName = typeof name === 'string' && name !== '' ? name : `packet ${index + 1}`;
    const fields = { name, kind: jsonText(record['tcporudp']), toIP: jsonText(record['toip']), port: jsonText(record['port']), hexString: jsonText(record['hexstring']) };
    return { sourceName, fields, tooLong: fieldTooLong(fields, JSON_SPELLING, index, sourceName) };
  });
  const tooLong = packets.find((packet) => packet.tooLong !== null)?.tooLong;
  if (tooLong) return tooLong;
  const items = packets.map(({ sourceName, fields }): PacketConversion => {
    const broken = Object.entries(fields).find(([, value]) => value === null);
    if (broken !== undefined) return { sourceName, draft: null, status: 'error', reason: `The packet's ${broken[0]} value has the wrong type.` };
    if (fields.name === '') return { sourceName, draft: null, status: 'error', reason: 'The packet has no name.' };
    return convertPacket({ name: fields.name ?? '', kind: fields.kind ?? '', toIP: fields.toIP ?? '', port: fields.port ?? '', hexString: fields.hexString ?? '' });
  });
  return { ok: true, items };
}
