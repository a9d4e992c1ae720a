/**
 * The payload codec: turns what the user typed in the editor into the exact bytes that are sent,
 * and turns bytes back into editor text (hex or escapes) for round trips and imports.
 * docs/payload-grammar.md is the user-facing grammar and error table; keep the two in step.
 *
 * Invariants:
 * - Byte-exact: every accepted input maps to one byte sequence; nothing is dropped, replaced or
 *   guessed. Input we cannot encode exactly is an INVALID_INPUT error, never a "best effort".
 * - Every error has field 'payload' and `position`, a 0-based UTF-16 index into `spec.text`
 *   (the same unit as a textarea's selectionStart), and a message naming the character at fault.
 * - The line ending is appended after the payload in every mode, hex included: the user chose it
 *   explicitly, and a mode switch must not silently change what is sent.
 * - Newlines typed in the text (LF, or CR LF, as a textarea or a pasted file holds them) are written
 *   as `spec.newlines` chooses: as typed (the default, today's bytes), LF or CRLF. A lone CR is not a
 *   newline and stays a CR byte; `\n` and `\r` escapes are explicit bytes and never converted; in hex
 *   mode newlines only separate digits.
 * - `\xHH` escapes and hex digits are raw bytes whatever the encoding; the encoding applies only to
 *   characters (typed, or written as `\u{…}`).
 * - Pure: no Node or DOM APIs beyond Uint8Array, so the renderer shows the byte count from the
 *   same function main uses to send.
 */
import { fail, ok, type Result } from './errors.ts';
import { characterNumber, codePointLabel, describeCharacter } from './payload-characters.ts';

/** How the editor text is read: plain characters, hex digits, or characters with escapes. */
export type PayloadMode = 'text' | 'hex' | 'escapes';
/** How characters become bytes. Latin-1 is ISO-8859-1 (one byte per U+0000–U+00FF), not windows-1252. */
export type TextEncoding = 'utf8' | 'latin1';
/** Bytes appended after the payload. */
export type LineEnding = 'none' | 'lf' | 'cr' | 'crlf';
/** How newlines typed inside the text are written: unchanged, or all as LF, or all as CR LF. */
export type NewlineStyle = 'as-typed' | 'lf' | 'crlf';

/** Everything that decides the bytes of one send from the editor. */
export interface PayloadSpec {
  text: string;
  mode: PayloadMode;
  encoding: TextEncoding;
  lineEnding: LineEnding;
  /** Absent means 'as-typed', so specs saved before this option existed keep their bytes. */
  newlines?: NewlineStyle;
}

/** Every payload mode, for schemas and pickers. */
export const PAYLOAD_MODES: readonly PayloadMode[] = ['text', 'hex', 'escapes'];
/** Every text encoding, for schemas and pickers. */
export const TEXT_ENCODINGS: readonly TextEncoding[] = ['utf8', 'latin1'];
/** Every line ending, for schemas and pickers. */
export const LINE_ENDINGS: readonly LineEnding[] = ['none', 'lf', 'cr', 'crlf'];
/** Every newline style, for schemas and pickers. */
export const NEWLINE_STYLES: readonly NewlineStyle[] = ['as-typed', 'lf', 'crlf'];

/** The bytes each line ending appends. */
export const LINE_ENDING_BYTES: Readonly<Record<LineEnding, readonly number[]>> = {
  none: [],
  lf: [0x0a],
  cr: [0x0d],
  crlf: [0x0d, 0x0a],
};

/** Editor limits. Larger data is sent from a file, streamed by main, never pasted. */
export const PAYLOAD_LIMITS: { readonly maxEditorChars: number } = {
  maxEditorChars: 1_000_000,
};

const BACKSLASH = 0x5c;
const MAX_CODE_POINT = 0x10ffff;
const ESCAPES_HELP = 'the escapes are \\r \\n \\t \\0 \\\\ \\xHH and \\u{HEX}';

/**
 * Encodes the editor text into the bytes to send, with the line ending appended.
 * Fails with INVALID_INPUT (field 'payload', with a position) on anything it cannot encode exactly;
 * docs/payload-grammar.md lists every message.
 */
export function encodePayload(spec: PayloadSpec): Result<Uint8Array> {
  const { text, mode, encoding, lineEnding } = spec;
  const newlines = spec.newlines ?? 'as-typed';
  if (typeof text !== 'string') return payloadError('', 'the payload text is missing.', 0);
  if (!PAYLOAD_MODES.includes(mode)) {
    return payloadError(text, `unknown mode ${JSON.stringify(String(mode))}; use text, hex or escapes.`, 0);
  }
  if (!TEXT_ENCODINGS.includes(encoding)) {
    return payloadError(text, `unknown encoding ${JSON.stringify(String(encoding))}; use utf8 or latin1.`, 0);
  }
  if (!LINE_ENDINGS.includes(lineEnding)) {
    return payloadError(
      text,
      `unknown line ending ${JSON.stringify(String(lineEnding))}; use none, lf, cr or crlf.`,
      0,
    );
  }
  if (!NEWLINE_STYLES.includes(newlines)) {
    return payloadError(
      text,
      `unknown newline style ${JSON.stringify(String(newlines))}; use as-typed, lf or crlf.`,
      0,
    );
  }
  if (text.length > PAYLOAD_LIMITS.maxEditorChars) {
    return payloadError(
      text,
      `the editor holds at most ${groupThousands(PAYLOAD_LIMITS.maxEditorChars)} characters and this ` +
        `text has ${groupThousands(text.length)}; send big data from a file instead.`,
      PAYLOAD_LIMITS.maxEditorChars,
    );
  }
  const ending = LINE_ENDING_BYTES[lineEnding];
  // Capacities are upper bounds, so the writer never grows: a UTF-16 unit is at most 3 UTF-8 bytes
  // (a surrogate pair, two units, is 4), a typed LF at most 2 (as CR LF), and every escape is at
  // least as long as its bytes.
  const perUnit = Math.max(bytesPerUnit(encoding), newlines === 'crlf' ? 2 : 1);
  switch (mode) {
    case 'hex':
      return encodeHex(text, new ByteWriter(Math.ceil(text.length / 2) + ending.length), ending);
    case 'text':
      return encodeText(text, encoding, newlines, new ByteWriter(perUnit * text.length + ending.length), ending);
    case 'escapes':
      return encodeEscapes(text, encoding, newlines, new ByteWriter(perUnit * text.length + ending.length), ending);
  }
}

/**
 * Bytes as hex digit pairs, lower case, joined by `separator` (a space unless given).
 * `bytesToHex(b)` read back in hex mode gives `b`.
 */
export function bytesToHex(bytes: Uint8Array, separator = ' '): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0) out += separator;
    out += HEX_PAIRS[bytes[i]!];
  }
  return out;
}

/**
 * Bytes as escapes-mode text: printable ASCII (0x20–0x7E) as itself except the backslash, which
 * is `\\`; CR, LF and TAB as `\r`, `\n`, `\t`; NUL as `\0` (as `\x00` before an ASCII digit, which
 * `\0` may not precede); every other byte as `\xHH`.
 * Read back in escapes mode with Latin-1 it gives `bytes` exactly, for every byte array; with UTF-8
 * too, because the output is pure ASCII and `\xHH` is a raw byte in both encodings.
 */
export function bytesToEscapes(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === BACKSLASH) out += '\\\\';
    else if (byte === 0x0d) out += '\\r';
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x09) out += '\\t';
    else if (byte === 0x00) out += isAsciiDigit(bytes[i + 1] ?? -1) ? '\\x00' : '\\0';
    else if (byte >= 0x20 && byte <= 0x7e) out += String.fromCharCode(byte);
    else out += '\\x' + HEX_PAIRS[byte];
  }
  return out;
}

/** Two lower-case hex digits for each byte value. */
const HEX_PAIRS: readonly string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Appends into a buffer allocated once at its upper bound. */
class ByteWriter {
  private readonly buffer: Uint8Array;
  private length = 0;

  constructor(capacity: number) {
    this.buffer = new Uint8Array(capacity);
  }

  push(byte: number): void {
    this.buffer[this.length++] = byte;
  }

  pushAll(bytes: readonly number[]): void {
    for (const byte of bytes) this.push(byte);
  }

  pushUtf8(codePoint: number): void {
    if (codePoint < 0x80) {
      this.push(codePoint);
    } else if (codePoint < 0x800) {
      this.push(0xc0 | (codePoint >> 6));
      this.push(0x80 | (codePoint & 0x3f));
    } else if (codePoint < 0x10000) {
      this.push(0xe0 | (codePoint >> 12));
      this.push(0x80 | ((codePoint >> 6) & 0x3f));
      this.push(0x80 | (codePoint & 0x3f));
    } else {
      this.push(0xf0 | (codePoint >> 18));
      this.push(0x80 | ((codePoint >> 12) & 0x3f));
      this.push(0x80 | ((codePoint >> 6) & 0x3f));
      this.push(0x80 | (codePoint & 0x3f));
    }
  }

  /**
   * A tight copy. Never a subarray of the oversized buffer: structured clone (IPC, postMessage)
   * copies a view's whole ArrayBuffer, which would send the unused capacity along.
   */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

function encodeText(
  text: string,
  encoding: TextEncoding,
  newlines: NewlineStyle,
  writer: ByteWriter,
  ending: readonly number[],
): Result<Uint8Array> {
  for (let i = 0; i < text.length; ) {
    const consumed = appendNewline(text, i, newlines, writer) || appendCharacter(text, i, encoding, writer);
    if (consumed === 0) return characterError(text, i, encoding, 'text');
    i += consumed;
  }
  writer.pushAll(ending);
  return ok(writer.finish());
}

/**
 * When a newline (LF, or CR LF) starts at `index` and `newlines` converts it, appends the chosen
 * bytes and returns the UTF-16 units consumed (1 or 2); otherwise appends nothing and returns 0.
 * CR, LF and every newline byte are the same in UTF-8 and Latin-1.
 */
function appendNewline(text: string, index: number, newlines: NewlineStyle, writer: ByteWriter): number {
  if (newlines === 'as-typed') return 0;
  const unit = text.charCodeAt(index);
  const length = unit === 0x0a ? 1 : unit === 0x0d && text.charCodeAt(index + 1) === 0x0a ? 2 : 0;
  if (length === 0) return 0;
  if (newlines === 'crlf') writer.push(0x0d);
  writer.push(0x0a);
  return length;
}

/**
 * Appends the character at `index` in `encoding`; returns the UTF-16 units consumed (1 or 2),
 * or 0 when the character cannot be encoded (see {@link characterError}).
 */
function appendCharacter(text: string, index: number, encoding: TextEncoding, writer: ByteWriter): number {
  const unit = text.charCodeAt(index);
  if (encoding === 'latin1') {
    if (unit > 0xff) return 0;
    writer.push(unit);
    return 1;
  }
  if (unit < 0xd800 || unit > 0xdfff) {
    writer.pushUtf8(unit);
    return 1;
  }
  if (unit <= 0xdbff) {
    const low = text.charCodeAt(index + 1);
    if (low >= 0xdc00 && low <= 0xdfff) {
      writer.pushUtf8(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00));
      return 2;
    }
  }
  return 0;
}

/** The error for a character {@link appendCharacter} refused. */
function characterError(text: string, index: number, encoding: TextEncoding, mode: 'text' | 'escapes'): Result<never> {
  const unit = text.charCodeAt(index);
  if (encoding === 'utf8' || (unit >= 0xd800 && unit <= 0xdfff)) {
    return payloadError(
      text,
      `${describeCharacter(text, index)} at character ${characterNumber(text, index)} is half a character and cannot be ` +
        'encoded; delete it or retype the character.',
      index,
      'half-character',
    );
  }
  // Text mode sends what is typed, escapes included: \xHH is advice only where it means a byte.
  const advice = mode === 'escapes' ? 'choose UTF-8, or write the bytes you mean as \\xHH escapes.' : 'choose UTF-8, or Escapes mode to write the bytes you mean as \\xHH.';
  return payloadError(
    text,
    `${describeCharacter(text, index)} at character ${characterNumber(text, index)} is outside Latin-1 (U+0000–U+00FF); ${advice}`,
    index,
    mode === 'escapes' ? 'outside-latin1' : 'outside-latin1-text',
    { text: String.fromCodePoint(text.codePointAt(index) ?? 0) },
  );
}

/**
 * Hex mode. Groups are separated by any number of spaces, tabs, CR, LF, commas and colons; a
 * group may start with `0x`/`0X`; digits pair up within a group, so every group must have an even
 * number of digits (a lone nibble is never padded or dropped).
 */
function encodeHex(text: string, writer: ByteWriter, ending: readonly number[]): Result<Uint8Array> {
  let digitsInGroup = 0;
  let inGroup = false;
  let highNibble = 0;
  let lastDigitPosition = -1;
  const oddGroupError = (): Result<never> =>
    payloadError(
      text,
      `odd number of hex digits: the digit at character ${characterNumber(text, lastDigitPosition)} has no partner.`,
      lastDigitPosition,
      'hex-odd',
    );

  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (isHexSeparator(unit)) {
      if (digitsInGroup % 2 === 1) return oddGroupError();
      digitsInGroup = 0;
      inGroup = false;
      continue;
    }
    if (!inGroup && unit === 0x30 && (text.charCodeAt(i + 1) | 0x20) === 0x78) {
      if (hexDigitValue(text.charCodeAt(i + 2)) < 0) {
        return payloadError(text, `the 0x prefix at character ${characterNumber(text, i)} is not followed by hex digits.`, i, 'hex-prefix-empty');
      }
      i += 1;
      inGroup = true;
      continue;
    }
    const value = hexDigitValue(unit);
    if (value < 0) {
      const misplacedPrefix = (unit | 0x20) === 0x78 && text.charCodeAt(i - 1) === 0x30;
      return payloadError(
      text,
        `invalid hex digit ${describeCharacter(text, i)} at character ${characterNumber(text, i)}` +
          (misplacedPrefix ? '; a 0x prefix must start a group (after a space, comma or colon).' : '.'),
        i,
        misplacedPrefix ? 'hex-prefix-placement' : 'hex-digit',
        { text: String.fromCodePoint(text.codePointAt(i) ?? 0) },
      );
    }
    if (digitsInGroup % 2 === 0) highNibble = value;
    else writer.push((highNibble << 4) | value);
    digitsInGroup++;
    inGroup = true;
    lastDigitPosition = i;
  }
  if (digitsInGroup % 2 === 1) return oddGroupError();
  writer.pushAll(ending);
  return ok(writer.finish());
}

/** Escapes mode: characters in the chosen encoding, plus the escapes in docs/payload-grammar.md. */
function encodeEscapes(
  text: string,
  encoding: TextEncoding,
  newlines: NewlineStyle,
  writer: ByteWriter,
  ending: readonly number[],
): Result<Uint8Array> {
  let i = 0;
  while (i < text.length) {
    if (text.charCodeAt(i) !== BACKSLASH) {
      const consumed = appendNewline(text, i, newlines, writer) || appendCharacter(text, i, encoding, writer);
      if (consumed === 0) return characterError(text, i, encoding, 'escapes');
      i += consumed;
      continue;
    }
    const start = i;
    if (i + 1 >= text.length) {
      return payloadError(
      text,
        `lone backslash at character ${characterNumber(text, start)} at the end of the text; write \\\\ for a backslash byte.`,
        start,
        'escape-lone-backslash',
      );
    }
    const letter = text[i + 1];
    switch (letter) {
      case 'r':
        writer.push(0x0d);
        i += 2;
        break;
      case 'n':
        writer.push(0x0a);
        i += 2;
        break;
      case 't':
        writer.push(0x09);
        i += 2;
        break;
      case '\\':
        writer.push(BACKSLASH);
        i += 2;
        break;
      case '0':
        // `\012` means byte 10 in C and byte 0 then "12" here: refuse the ambiguity.
        if (isAsciiDigit(text.charCodeAt(i + 2))) {
          return payloadError(
      text,
            `\\0 at character ${characterNumber(text, start)} is followed by the digit "${text[i + 2]}", which reads like an ` +
              'octal escape; write \\x00 before a digit, or \\xHH for the byte you mean.',
            start,
            'escape-octal-like',
            { text: text[i + 2] ?? '' },
          );
        }
        writer.push(0x00);
        i += 2;
        break;
      case 'x': {
        const high = hexDigitValue(text.charCodeAt(i + 2));
        const low = hexDigitValue(text.charCodeAt(i + 3));
        if (high < 0 || low < 0) {
          return payloadError(text, `the \\x escape at character ${characterNumber(text, start)} needs exactly two hex digits.`, start, 'escape-x-digits');
        }
        writer.push((high << 4) | low);
        i += 4;
        break;
      }
      case 'u': {
        const consumed = appendUnicodeEscape(text, start, encoding, writer);
        if (!consumed.ok) return consumed;
        i += consumed.value;
        break;
      }
      default:
        return payloadError(
      text,
          `unknown escape at character ${characterNumber(text, start)}: backslash followed by ${describeCharacter(text, i + 1)}; ` +
            `${ESCAPES_HELP}.`,
          start,
          'escape-unknown',
          { text: String.fromCodePoint(text.codePointAt(i + 1) ?? 0) },
        );
    }
  }
  writer.pushAll(ending);
  return ok(writer.finish());
}

/** Reads `\u{H…}` at `start` (the backslash), appends its bytes, returns the UTF-16 units consumed. */
function appendUnicodeEscape(text: string, start: number, encoding: TextEncoding, writer: ByteWriter): Result<number> {
  const malformed = (): Result<never> =>
    payloadError(text, `the \\u escape at character ${characterNumber(text, start)} must be written \\u{HEX} with 1 to 6 hex digits.`, start, 'escape-u-form');
  if (text.charCodeAt(start + 2) !== 0x7b) return malformed();
  let end = start + 3;
  let codePoint = 0;
  while (end < text.length && end - (start + 3) <= 6) {
    const value = hexDigitValue(text.charCodeAt(end));
    if (value < 0) break;
    codePoint = codePoint * 16 + value;
    end++;
  }
  const digitCount = end - (start + 3);
  if (digitCount === 0 || digitCount > 6 || text.charCodeAt(end) !== 0x7d) return malformed();
  const source = text.slice(start, end + 1);
  if (codePoint > MAX_CODE_POINT) {
    return payloadError(
      text,
      `${source} at character ${characterNumber(text, start)} is beyond U+10FFFF, the last Unicode code point.`,
      start,
      'escape-u-range',
      { text: source },
    );
  }
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) {
    return payloadError(
      text,
      `${source} at character ${characterNumber(text, start)} is a surrogate code point, which no encoding can hold; ` +
        'write the character itself, or its bytes as \\xHH escapes.',
      start,
      'escape-u-surrogate',
      { text: source },
    );
  }
  if (encoding === 'latin1') {
    if (codePoint > 0xff) {
      return payloadError(
      text,
        `${source} at character ${characterNumber(text, start)} (${codePointLabel(codePoint)}) is outside Latin-1 ` +
          '(U+0000–U+00FF); choose UTF-8, or write the bytes you mean as \\xHH escapes.',
        start,
        'outside-latin1',
        { text: source },
      );
    }
    writer.push(codePoint);
  } else {
    writer.pushUtf8(codePoint);
  }
  return ok(end + 1 - start);
}

/**
 * A payload error at UTF-16 index `position` of `text`. A character's error (one with a `reason`)
 * carries `params.character`, the number its sentence says (characters as seen, from 1), so that the
 * Chinese sentence counts as the English one does.
 */
function payloadError(text: string, message: string, position: number, reason?: string, params?: Record<string, string>): Result<never> {
  if (!reason) return fail('INVALID_INPUT', message, { field: 'payload', position });
  return fail('INVALID_INPUT', message, { field: 'payload', position, reason, params: { ...params, character: characterNumber(text, position) } });
}

function bytesPerUnit(encoding: TextEncoding): number {
  return encoding === 'utf8' ? 3 : 1;
}

/** Space, tab, CR, LF, comma, colon. */
function isHexSeparator(unit: number): boolean {
  return unit === 0x20 || unit === 0x09 || unit === 0x0a || unit === 0x0d || unit === 0x2c || unit === 0x3a;
}

/** 0–15 for an ASCII hex digit, -1 for anything else (including NaN past the end). */
function hexDigitValue(unit: number): number {
  if (unit >= 0x30 && unit <= 0x39) return unit - 0x30;
  const lower = unit | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

function isAsciiDigit(unit: number): boolean {
  return unit >= 0x30 && unit <= 0x39;
}

/** 1000000 → "1,000,000", independent of the runtime's locale. */
function groupThousands(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
