import { describe, expect, it } from 'vitest';
import {
  bytesToEscapes,
  bytesToHex,
  encodePayload,
  LINE_ENDINGS,
  PAYLOAD_LIMITS,
  type LineEnding,
  type NewlineStyle,
  type PayloadMode,
  type PayloadSpec,
  type TextEncoding,
} from '../../shared/payload.ts';
import type { AppError } from '../../shared/errors.ts';
import { seededRandom } from '../support/seeded-random.ts';


/** Random bytes biased towards the values that break codecs: 0x00, 0xFF, 0x5C and digits after NUL. */
function randomBytes(random: () => number, length: number): Uint8Array {
  const special = [0x00, 0xff, 0x5c, 0x30, 0x39, 0x0d, 0x0a, 0x09, 0x78, 0x7b, 0x7d, 0x75];
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    bytes[i] = random() < 0.4 ? special[Math.floor(random() * special.length)]! : Math.floor(random() * 256);
  }
  return bytes;
}

function spec(text: string, mode: PayloadMode, encoding: TextEncoding = 'utf8', lineEnding: LineEnding = 'none'): PayloadSpec {
  return { text, mode, encoding, lineEnding };
}

function bytesOf(s: PayloadSpec): number[] {
  const result = encodePayload(s);
  if (!result.ok) throw new Error(`expected success, got: ${result.error.message}`);
  return [...result.value];
}

function errorOf(s: PayloadSpec): AppError {
  const result = encodePayload(s);
  if (result.ok) throw new Error(`expected an error, got bytes ${bytesToHex(result.value)}`);
  expect(result.error.code).toBe('INVALID_INPUT');
  expect(result.error.field).toBe('payload');
  expect(result.error.message).not.toMatch(/^Payload\b/);
  return result.error;
}

describe('encodePayload: text mode', () => {
  it('encodes UTF-8 exactly as TextEncoder does, NUL included', () => {
    const text = 'a\0b héllo € 😀 \u{10FFFF}';
    expect(bytesOf(spec(text, 'text'))).toEqual([...new TextEncoder().encode(text)]);
    expect(bytesOf(spec('\0\0', 'text'))).toEqual([0, 0]);
  });

  it('matches TextEncoder on random well-formed strings', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 300; round++) {
      let text = '';
      const length = Math.floor(random() * 40);
      for (let i = 0; i < length; i++) {
        let codePoint = Math.floor(random() * 0x110000);
        if (codePoint >= 0xd800 && codePoint <= 0xdfff) codePoint -= 0x800;
        text += String.fromCodePoint(random() < 0.3 ? Math.floor(random() * 0x100) : codePoint);
      }
      expect(bytesOf(spec(text, 'text')), `round ${round}`).toEqual([...new TextEncoder().encode(text)]);
    }
  });

  it('refuses lone surrogates in UTF-8 at their position, never U+FFFD', () => {
    const high = errorOf(spec('ab\uD800c', 'text'));
    expect(high.position).toBe(2);
    expect(high.message).toBe(
      'lone surrogate U+D800 at character 3 is half a character and cannot be encoded; delete it or retype the character.',
    );
    expect(errorOf(spec('abc\uDC00', 'text')).position).toBe(3);
    expect(errorOf(spec('\uDBFF', 'text')).position).toBe(0);
    expect(errorOf(spec('😀\uD83D', 'text')).position).toBe(2);
  });

  it('encodes Latin-1 as ISO-8859-1 (0x80–0x9F are C1, not windows-1252)', () => {
    expect(bytesOf(spec('é\u0080\u009f\u00ff\0A', 'text', 'latin1'))).toEqual([0xe9, 0x80, 0x9f, 0xff, 0x00, 0x41]);
  });

  it('refuses characters above U+00FF in Latin-1, naming them', () => {
    const euro = errorOf(spec('price: 5€', 'text', 'latin1'));
    expect(euro.position).toBe(8);
    expect(euro.message).toBe(
      '"€" (U+20AC) at character 9 is outside Latin-1 (U+0000–U+00FF); choose UTF-8, or Escapes mode to write the bytes you mean as \\xHH.',
    );
    expect(euro.reason).toBe('outside-latin1-text');
    expect(errorOf(spec('ab😀', 'text', 'latin1')).message).toContain('"😀" (U+1F600) at character 3');
    expect(errorOf(spec('\u202e', 'text', 'latin1')).message).toContain('U+202E at character 1');
    // In Escapes mode \xHH does mean a byte, so the advice names it as such.
    const escaped = errorOf(spec('5€', 'escapes', 'latin1'));
    expect(escaped.reason).toBe('outside-latin1');
    expect(escaped.message).toContain('choose UTF-8, or write the bytes you mean as \\xHH escapes.');
  });
});

describe('encodePayload: character numbers count characters as seen, not UTF-16 units', () => {
  it('an emoji before the fault counts once; position stays the UTF-16 index a selection takes', () => {
    const x = errorOf(spec('😀\\x4', 'escapes'));
    expect(x.position).toBe(2);
    expect(x.message).toBe('the \\x escape at character 2 needs exactly two hex digits.');
    expect(x.params).toEqual({ character: 2 });
    const escape = errorOf(spec('😀😀\\q', 'escapes'));
    expect(escape.position).toBe(4);
    expect(escape.message).toContain('unknown escape at character 3');
    expect(escape.params?.['character']).toBe(3);
    const latin1 = errorOf(spec('é😀', 'text', 'latin1'));
    expect(latin1.message).toContain('at character 2');
    expect(errorOf(spec('é 4', 'hex')).message).toContain('invalid hex digit "é" (U+00E9) at character 1');
    // Characters as seen: a ZWJ family, a flag, a letter with a combining accent count once each.
    expect(errorOf(spec('a👨‍👩‍👧b\\q', 'escapes')).message).toContain('unknown escape at character 4');
    expect(errorOf(spec('🇫🇷\\q', 'escapes')).params?.['character']).toBe(2);
    expect(errorOf(spec('e\u0301\\q', 'escapes')).params?.['character']).toBe(2);
    // A fault that is itself inside a cluster (a combining mark in hex) is that cluster's number.
    expect(errorOf(spec('4e\u0301', 'hex')).message).toContain('at character 2');
    // CR LF is one character, with or without other non-ASCII text before the fault.
    expect(errorOf(spec('a\r\nb\\q', 'escapes')).params?.['character']).toBe(4);
    expect(errorOf(spec('é\r\nb\\q', 'escapes')).params?.['character']).toBe(4);
    // A lone surrogate is one character too, and so is each one of a broken pair.
    expect(errorOf(spec('\ud83d\ud83d', 'text')).params?.['character']).toBe(1);
    expect(errorOf(spec('a\ude00', 'text')).params?.['character']).toBe(2);
  });

  it('errors that are not about a character carry no character number', () => {
    const r = encodePayload({ text: 'x', mode: 'nope' as 'text', encoding: 'utf8', lineEnding: 'none' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.params).toBeUndefined();
  });
});

describe('encodePayload: line endings', () => {
  const expected: Record<LineEnding, number[]> = { none: [], lf: [0x0a], cr: [0x0d], crlf: [0x0d, 0x0a] };

  it.each(LINE_ENDINGS)('appends %s in every mode, after the payload', (ending) => {
    expect(bytesOf(spec('AB', 'text', 'utf8', ending))).toEqual([0x41, 0x42, ...expected[ending]]);
    expect(bytesOf(spec('AB', 'text', 'latin1', ending))).toEqual([0x41, 0x42, ...expected[ending]]);
    expect(bytesOf(spec('41 42', 'hex', 'utf8', ending))).toEqual([0x41, 0x42, ...expected[ending]]);
    expect(bytesOf(spec('A\\x42', 'escapes', 'latin1', ending))).toEqual([0x41, 0x42, ...expected[ending]]);
    expect(bytesOf(spec('', 'hex', 'utf8', ending))).toEqual(expected[ending]);
  });
});

describe('encodePayload: newlines in the text', () => {
  const withNewlines = (text: string, mode: PayloadMode, newlines: NewlineStyle, encoding: TextEncoding = 'utf8', lineEnding: LineEnding = 'none'): number[] =>
    bytesOf({ text, mode, encoding, lineEnding, newlines });

  it('keeps today\'s bytes when absent or as-typed', () => {
    const text = 'a\nb\r\nc\rd';
    const today = bytesOf(spec(text, 'text'));
    expect(today).toEqual([0x61, 0x0a, 0x62, 0x0d, 0x0a, 0x63, 0x0d, 0x64]);
    expect(withNewlines(text, 'text', 'as-typed')).toEqual(today);
  });

  it('writes every typed newline as CR LF, an existing CR LF once, and leaves a lone CR alone', () => {
    expect(withNewlines('a\nb\r\nc\rd\n', 'text', 'crlf')).toEqual([0x61, 0x0d, 0x0a, 0x62, 0x0d, 0x0a, 0x63, 0x0d, 0x64, 0x0d, 0x0a]);
    expect(withNewlines('\n\n', 'text', 'crlf', 'latin1')).toEqual([0x0d, 0x0a, 0x0d, 0x0a]);
  });

  it('writes every typed newline as LF', () => {
    expect(withNewlines('a\r\nb\nc\r', 'text', 'lf')).toEqual([0x61, 0x0a, 0x62, 0x0a, 0x63, 0x0d]);
  });

  it('converts the text, not the appended line ending (the issue 10 request: CRLF inside and at the end)', () => {
    const bytes = withNewlines('GET / HTTP/1.0\nHost: a\n', 'text', 'crlf', 'utf8', 'crlf');
    expect(String.fromCharCode(...bytes)).toBe('GET / HTTP/1.0\r\nHost: a\r\n\r\n');
    expect(withNewlines('x', 'text', 'lf', 'utf8', 'cr')).toEqual([0x78, 0x0d]);
  });

  it('converts typed newlines in escapes mode but never the \\n and \\r escapes', () => {
    expect(withNewlines('a\nb\\nc\\r\\n', 'escapes', 'crlf')).toEqual([0x61, 0x0d, 0x0a, 0x62, 0x0a, 0x63, 0x0d, 0x0a]);
    expect(withNewlines('a\r\n\\r\\n', 'escapes', 'lf')).toEqual([0x61, 0x0a, 0x0d, 0x0a]);
  });

  it('changes nothing in hex mode, where newlines separate digits', () => {
    expect(withNewlines('41\n42\r\n43', 'hex', 'crlf')).toEqual([0x41, 0x42, 0x43]);
  });

  it('keeps error positions in the typed text after converted newlines', () => {
    const result = encodePayload({ text: '\n\n\u0100', mode: 'text', encoding: 'latin1', lineEnding: 'none', newlines: 'crlf' });
    expect(result.ok ? null : result.error.position).toBe(2);
  });

  it('fits the largest conversion in the buffer it allocates (a text of only newlines, Latin-1)', () => {
    const max = PAYLOAD_LIMITS.maxEditorChars;
    const bytes = encodePayload({ text: '\n'.repeat(max), mode: 'text', encoding: 'latin1', lineEnding: 'crlf', newlines: 'crlf' });
    expect(bytes.ok && bytes.value.byteLength).toBe(2 * max + 2);
  });

  it('refuses an unknown newline style', () => {
    expect(errorOf({ text: '', mode: 'text', encoding: 'utf8', lineEnding: 'none', newlines: 'cr' } as unknown as PayloadSpec).message).toBe(
      'unknown newline style "cr"; use as-typed, lf or crlf.',
    );
  });
});

describe('encodePayload: hex mode', () => {
  it.each([
    ['41 42', [0x41, 0x42]],
    ['4142', [0x41, 0x42]],
    ['0x4142', [0x41, 0x42]],
    ['0x41 0x42', [0x41, 0x42]],
    ['0X41,0x42', [0x41, 0x42]],
    ['0x41, 0x42,', [0x41, 0x42]],
    ['41:42:43', [0x41, 0x42, 0x43]],
    ['41\t42\r\n43\n', [0x41, 0x42, 0x43]],
    ['aAfF', [0xaa, 0xff]],
    ['00 ff 5c', [0x00, 0xff, 0x5c]],
    ['0x00', [0x00]],
    ['0000', [0x00, 0x00]],
    ['', []],
    [' \n\t,:', []],
  ])('reads %j', (text, bytes) => {
    expect(bytesOf(spec(text, 'hex'))).toEqual(bytes);
    expect(bytesOf(spec(text, 'hex', 'latin1'))).toEqual(bytes);
  });

  it.each([
    ['4g', 1, 'invalid hex digit "g" at character 2.'],
    ['41 42 4g', 7, 'invalid hex digit "g" at character 8.'],
    ['41\u00a042', 2, 'invalid hex digit U+00A0 at character 3.'],
    ['41\u000042', 2, 'invalid hex digit U+0000 at character 3.'],
    ['-41', 0, 'invalid hex digit "-" at character 1.'],
    ['41 é', 3, 'invalid hex digit "é" (U+00E9) at character 4.'],
    ['41 42 \uD83D', 6, 'invalid hex digit lone surrogate U+D83D at character 7.'],
    [
      '410x42',
      3,
      'invalid hex digit "x" at character 4; a 0x prefix must start a group (after a space, comma or colon).',
    ],
    ['0x0x41', 3, 'invalid hex digit "x" at character 4; a 0x prefix must start a group (after a space, comma or colon).'],
    ['414', 2, 'odd number of hex digits: the digit at character 3 has no partner.'],
    ['41 4 42', 3, 'odd number of hex digits: the digit at character 4 has no partner.'],
    ['0x123', 4, 'odd number of hex digits: the digit at character 5 has no partner.'],
    ['0x1, 0x2', 2, 'odd number of hex digits: the digit at character 3 has no partner.'],
    ['0x', 0, 'the 0x prefix at character 1 is not followed by hex digits.'],
    ['41 0x 42', 3, 'the 0x prefix at character 4 is not followed by hex digits.'],
    ['41 0xg', 3, 'the 0x prefix at character 4 is not followed by hex digits.'],
  ])('refuses %j at position %i', (text, position, message) => {
    const error = errorOf(spec(text, 'hex'));
    expect(error.position).toBe(position);
    expect(error.message).toBe(message);
  });
});

describe('encodePayload: escapes mode', () => {
  it.each([
    ['\\r\\n\\t\\0\\\\', 'utf8', [0x0d, 0x0a, 0x09, 0x00, 0x5c]],
    ['\\x00\\xff\\xFF\\x5c', 'utf8', [0x00, 0xff, 0xff, 0x5c]],
    ['\\xc3\\xa9', 'latin1', [0xc3, 0xa9]],
    ['\\u{e9}', 'utf8', [0xc3, 0xa9]],
    ['\\u{E9}', 'latin1', [0xe9]],
    ['\\u{0}', 'latin1', [0x00]],
    ['\\u{1F600}', 'utf8', [0xf0, 0x9f, 0x98, 0x80]],
    ['\\u{10FFFF}', 'utf8', [0xf4, 0x8f, 0xbf, 0xbf]],
    ['\\u{0000e9}', 'utf8', [0xc3, 0xa9]],
    ['é€', 'utf8', [0xc3, 0xa9, 0xe2, 0x82, 0xac]],
    ['é', 'latin1', [0xe9]],
    ['\\0a', 'utf8', [0x00, 0x61]],
    ['\\0\\x31', 'utf8', [0x00, 0x31]],
    ['line\nnext', 'utf8', [...'line\nnext'].map((c) => c.charCodeAt(0))],
    ['{}x\\\\x41', 'utf8', [0x7b, 0x7d, 0x78, 0x5c, 0x78, 0x34, 0x31]],
    ['', 'utf8', []],
  ] as const)('reads %j in %s', (text, encoding, bytes) => {
    expect(bytesOf(spec(text, 'escapes', encoding))).toEqual(bytes);
  });

  it.each([
    ['ab\\q', 'utf8', 2, 'unknown escape at character 3: backslash followed by "q"; the escapes are \\r \\n \\t \\0 \\\\ \\xHH and \\u{HEX}.'],
    ['\\X41', 'utf8', 0, 'unknown escape at character 1: backslash followed by "X"; the escapes are \\r \\n \\t \\0 \\\\ \\xHH and \\u{HEX}.'],
    ['\\\u0000', 'utf8', 0, 'unknown escape at character 1: backslash followed by U+0000; the escapes are \\r \\n \\t \\0 \\\\ \\xHH and \\u{HEX}.'],
    ['abc\\', 'utf8', 3, 'lone backslash at character 4 at the end of the text; write \\\\ for a backslash byte.'],
    ['\\x', 'utf8', 0, 'the \\x escape at character 1 needs exactly two hex digits.'],
    ['a\\x4', 'utf8', 1, 'the \\x escape at character 2 needs exactly two hex digits.'],
    ['\\x4g', 'utf8', 0, 'the \\x escape at character 1 needs exactly two hex digits.'],
    ['\\xg0', 'utf8', 0, 'the \\x escape at character 1 needs exactly two hex digits.'],
    ['\\012', 'utf8', 0, '\\0 at character 1 is followed by the digit "1", which reads like an octal escape; write \\x00 before a digit, or \\xHH for the byte you mean.'],
    ['\\u1234', 'utf8', 0, 'the \\u escape at character 1 must be written \\u{HEX} with 1 to 6 hex digits.'],
    ['\\u{}', 'utf8', 0, 'the \\u escape at character 1 must be written \\u{HEX} with 1 to 6 hex digits.'],
    ['\\u{12', 'utf8', 0, 'the \\u escape at character 1 must be written \\u{HEX} with 1 to 6 hex digits.'],
    ['\\u{12g}', 'utf8', 0, 'the \\u escape at character 1 must be written \\u{HEX} with 1 to 6 hex digits.'],
    ['\\u{1234567}', 'utf8', 0, 'the \\u escape at character 1 must be written \\u{HEX} with 1 to 6 hex digits.'],
    ['\\u', 'utf8', 0, 'the \\u escape at character 1 must be written \\u{HEX} with 1 to 6 hex digits.'],
    ['x\\u{110000}', 'utf8', 1, '\\u{110000} at character 2 is beyond U+10FFFF, the last Unicode code point.'],
    ['\\u{D800}', 'utf8', 0, '\\u{D800} at character 1 is a surrogate code point, which no encoding can hold; write the character itself, or its bytes as \\xHH escapes.'],
    ['\\u{dfff}', 'latin1', 0, '\\u{dfff} at character 1 is a surrogate code point, which no encoding can hold; write the character itself, or its bytes as \\xHH escapes.'],
    ['\\u{100}', 'latin1', 0, '\\u{100} at character 1 (U+0100) is outside Latin-1 (U+0000–U+00FF); choose UTF-8, or write the bytes you mean as \\xHH escapes.'],
    ['\\x41€', 'latin1', 4, '"€" (U+20AC) at character 5 is outside Latin-1 (U+0000–U+00FF); choose UTF-8, or write the bytes you mean as \\xHH escapes.'],
    ['\\n\uDC00', 'utf8', 2, 'lone surrogate U+DC00 at character 3 is half a character and cannot be encoded; delete it or retype the character.'],
  ] as const)('refuses %j (%s) at position %i', (text, encoding, position, message) => {
    const error = errorOf(spec(text, 'escapes', encoding));
    expect(error.position).toBe(position);
    expect(error.message).toBe(message);
  });
});

describe('encodePayload: limits and bad specs', () => {
  it('accepts exactly maxEditorChars and refuses one more, pointing at the first extra character', () => {
    const max = PAYLOAD_LIMITS.maxEditorChars;
    expect(bytesOf(spec('a'.repeat(max), 'text')).length).toBe(max);
    const error = errorOf(spec('a'.repeat(max + 1), 'text'));
    expect(error.position).toBe(max);
    expect(error.message).toBe(
      'the editor holds at most 1,000,000 characters and this text has 1,000,001; send big data from a file instead.',
    );
  });

  it('refuses unknown modes, encodings and line endings instead of guessing', () => {
    expect(errorOf({ text: '', mode: 'base64', encoding: 'utf8', lineEnding: 'none' } as unknown as PayloadSpec).message).toBe(
      'unknown mode "base64"; use text, hex or escapes.',
    );
    expect(errorOf({ text: '', mode: 'text', encoding: 'utf16', lineEnding: 'none' } as unknown as PayloadSpec).message).toContain(
      'unknown encoding "utf16"',
    );
    expect(errorOf({ text: '', mode: 'text', encoding: 'utf8', lineEnding: 'lfcr' } as unknown as PayloadSpec).message).toContain(
      'unknown line ending "lfcr"',
    );
    expect(errorOf({ text: 5, mode: 'text', encoding: 'utf8', lineEnding: 'none' } as unknown as PayloadSpec).message).toBe(
      'the payload text is missing.',
    );
  });

  it('returns a tight buffer, not a view of a larger one', () => {
    const result = encodePayload(spec('héllo', 'text'));
    expect(result.ok && result.value.buffer.byteLength).toBe(6);
  });
});

describe('bytesToHex and bytesToEscapes', () => {
  it('formats known bytes', () => {
    const bytes = new Uint8Array([0x00, 0x30, 0x5c, 0x41, 0x0d, 0x0a, 0x09, 0x7f, 0x80, 0xff, 0x00, 0x61, 0x20, 0x7e]);
    expect(bytesToHex(bytes)).toBe('00 30 5c 41 0d 0a 09 7f 80 ff 00 61 20 7e');
    expect(bytesToHex(bytes.subarray(0, 3), ':')).toBe('00:30:5c');
    expect(bytesToHex(bytes.subarray(0, 3), '')).toBe('00305c');
    expect(bytesToHex(new Uint8Array(0))).toBe('');
    expect(bytesToEscapes(bytes)).toBe('\\x000\\\\A\\r\\n\\t\\x7f\\x80\\xff\\0a ~');
    expect(bytesToEscapes(new Uint8Array([0x00]))).toBe('\\0');
  });

  it('round-trips every byte value and random byte arrays exactly (seeded)', () => {
    const allValues = Uint8Array.from({ length: 256 }, (_, i) => i);
    const samples: Uint8Array[] = [new Uint8Array(0), allValues, allValues.slice().reverse(), new Uint8Array([0, 0x30, 0, 0x39, 0, 0])];
    const seed = 20_261_124;
    const random = seededRandom(seed);
    for (let i = 0; i < 500; i++) samples.push(randomBytes(random, Math.floor(random() * 300)));
    for (const [index, bytes] of samples.entries()) {
      const label = `sample ${index} (seed ${seed}): ${bytesToHex(bytes)}`;
      const expected = [...bytes];
      const escapes = bytesToEscapes(bytes);
      expect(escapes, label).toMatch(/^[\x20-\x7e]*$/);
      expect(bytesOf(spec(escapes, 'escapes', 'latin1')), label).toEqual(expected);
      expect(bytesOf(spec(escapes, 'escapes', 'utf8')), label).toEqual(expected);
      expect(bytesOf(spec(bytesToHex(bytes), 'hex')), label).toEqual(expected);
      expect(bytesOf(spec(bytesToHex(bytes, ', 0x').replace(/^(?=.)/, '0x'), 'hex')), label).toEqual(expected);
      expect(bytesOf(spec(bytesToHex(bytes, ''), 'hex')), label).toEqual(expected);
    }
  });

  it('round-trips random text through Latin-1 escapes', () => {
    const random = seededRandom(99);
    for (let i = 0; i < 200; i++) {
      const bytes = randomBytes(random, Math.floor(random() * 64));
      const latin1Text = String.fromCharCode(...bytes);
      expect(bytesOf(spec(latin1Text, 'text', 'latin1'))).toEqual([...bytes]);
      expect(bytesOf(spec(latin1Text.replace(/\\/g, '\\\\'), 'escapes', 'latin1'))).toEqual([...bytes]);
    }
  });
});
