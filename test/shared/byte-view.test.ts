import { describe, expect, it } from 'vitest';
import {
  bytesToDisplayText,
  createUtf8StreamDecoder,
  formatHexOffset,
  HEX_BYTES_PER_ROW,
  hexDumpRows,
  type TextView,
  utf8CompletePrefix,
} from '../../shared/byte-view.ts';
import { seededRandom } from '../support/seeded-random.ts';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));


/** Errors of the WHATWG UTF-8 decoder (encoding.spec.whatwg.org, "UTF-8 decoder"), written out independently. */
function referenceUtf8ErrorCount(input: Uint8Array): number {
  let errors = 0;
  let needed = 0;
  let lower = 0x80;
  let upper = 0xbf;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    if (needed === 0) {
      if (byte <= 0x7f) continue;
      if (byte >= 0xc2 && byte <= 0xdf) needed = 1;
      else if (byte >= 0xe0 && byte <= 0xef) {
        if (byte === 0xe0) lower = 0xa0;
        if (byte === 0xed) upper = 0x9f;
        needed = 2;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        if (byte === 0xf0) lower = 0x90;
        if (byte === 0xf4) upper = 0x8f;
        needed = 3;
      } else errors++;
      continue;
    }
    if (byte < lower || byte > upper) {
      needed = 0;
      lower = 0x80;
      upper = 0xbf;
      errors++;
      i--;
      continue;
    }
    lower = 0x80;
    upper = 0xbf;
    needed--;
  }
  return errors + (needed > 0 ? 1 : 0);
}

function view(text: string, replacementCount = 0, controlCount = 0): TextView {
  return { text, replacementCount, controlCount };
}

describe('hexDumpRows', () => {
  const seventeen = Uint8Array.from(ascii('ABCDEFGHIJKLMNOPQ'));

  it('formats full and partial rows, padding the hex column', () => {
    expect(HEX_BYTES_PER_ROW).toBe(16);
    expect(hexDumpRows(seventeen, 0, 10)).toEqual([
      { offset: '00000000', hex: '41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50', ascii: 'ABCDEFGHIJKLMNOP' },
      { offset: '00000010', hex: '51'.padEnd(48), ascii: 'Q' },
    ]);
    expect(hexDumpRows(seventeen.subarray(0, 9), 0, 1)[0]!.hex).toBe('41 42 43 44 45 46 47 48  49'.padEnd(48));
  });

  it('shows only 0x20–0x7E as themselves in the ASCII column', () => {
    const row = hexDumpRows(bytes(0x00, 0x1b, 0x20, 0x7e, 0x7f, 0x80, 0xa0, 0xff, 0x5c, 0x3c), 0, 1)[0]!;
    expect(row.ascii).toBe('.. ~....\\<');
    expect(row.hex).toBe('00 1b 20 7e 7f 80 a0 ff  5c 3c'.padEnd(48));
  });

  it('handles empty input, rows past the end and odd arguments', () => {
    expect(hexDumpRows(new Uint8Array(0), 0, 5)).toEqual([]);
    expect(hexDumpRows(seventeen, 2, 5)).toEqual([]);
    expect(hexDumpRows(seventeen, 1, 5).map((r) => r.offset)).toEqual(['00000010']);
    expect(hexDumpRows(seventeen, 0, 0)).toEqual([]);
    expect(hexDumpRows(seventeen, -3, 1).map((r) => r.offset)).toEqual(['00000000']);
    expect(hexDumpRows(seventeen, 0.9, 1.9).map((r) => r.offset)).toEqual(['00000000']);
    expect(hexDumpRows(seventeen, Number.NaN, Number.NaN)).toEqual([]);
    expect(hexDumpRows(seventeen.subarray(0, 16), 0, 2)).toHaveLength(1);
  });

  it('prints offsets with at least 8 digits, more past 4 GiB, and honours a base offset', () => {
    expect(formatHexOffset(0)).toBe('00000000');
    expect(formatHexOffset(0xffffffff)).toBe('ffffffff');
    expect(formatHexOffset(2 ** 32)).toBe('100000000');
    expect(formatHexOffset(2 ** 40 + 16)).toBe('10000000010');
    expect(hexDumpRows(seventeen, 1, 1, 2 ** 32 - 16)[0]!.offset).toBe('100000000');
  });

  it('reads a 32 MiB buffer one screen at a time, without copying it', () => {
    const size = 32 * 1024 * 1024;
    const big = new Uint8Array(size);
    big.set(Uint8Array.from(ascii('END')), size - 3);
    big.set(Uint8Array.from(ascii('MID')), 16_000_000);
    const refuseCopy = (): never => {
      throw new Error('the whole buffer was copied');
    };
    for (const method of ['slice', 'map', 'filter', 'toReversed', 'toSorted', 'with']) {
      Object.defineProperty(big, method, { value: refuseCopy });
    }
    const lastRows = hexDumpRows(big, size / 16 - 1, 40);
    expect(lastRows).toEqual([
      { offset: '01fffff0', hex: '00 00 00 00 00 00 00 00  00 00 00 00 00 45 4e 44', ascii: '.............END' },
    ]);
    const middle = hexDumpRows(big, 1_000_000, 3);
    expect(middle.map((r) => r.offset)).toEqual(['00f42400', '00f42410', '00f42420']);
    expect(middle[0]!.ascii).toBe('MID.............');
    const window = big.subarray(16_000_000, 16_000_000 + 64 * 1024);
    expect(window.buffer).toBe(big.buffer);
    expect(bytesToDisplayText(window, 'utf8').text.startsWith('MID␀␀')).toBe(true);
    expect(bytesToDisplayText(window, 'latin1').controlCount).toBe(64 * 1024 - 3);
  });
});

describe('bytesToDisplayText: hostile bytes', () => {
  it.each<[string, number[], TextView]>([
    ['plain text', ascii('hello'), view('hello')],
    ['empty', [], view('')],
    ['NUL', [0x41, 0x00, 0x42], view('A␀B', 0, 1)],
    ['NUL from localhost\\0x', [...ascii('localhost'), 0x00, 0x78], view('localhost␀x', 0, 1)],
    ['0xFF', [0xff], view('\uFFFD', 1)],
    ['ANSI colour', [0x1b, ...ascii('[31mred'), 0x1b, ...ascii('[0m')], view('␛[31mred␛[0m', 0, 2)],
    ['HTML', ascii('<script>alert(1)</script>'), view('<script>alert(1)</script>')],
    ['bidi override', [...ascii('abc'), 0xe2, 0x80, 0xae, ...ascii('gpj.exe')], view('abc⟨U+202E⟩gpj.exe', 0, 1)],
    ['bidi isolates and marks', [0xe2, 0x81, 0xa6, 0xe2, 0x81, 0xa9, 0xe2, 0x80, 0x8e, 0xe2, 0x80, 0x8f, 0xd8, 0x9c], view('⟨U+2066⟩⟨U+2069⟩⟨U+200E⟩⟨U+200F⟩⟨U+061C⟩', 0, 5)],
    ['CRLF lines', ascii('a\r\nb\rc\nd\te'), view('a␍\nb␍c\nd\te', 0, 2)],
    ['DEL', [0x7f], view('␡', 0, 1)],
    ['C1 in UTF-8', [0xc2, 0x85, 0xc2, 0x9b], view('⟨U+0085⟩⟨U+009B⟩', 0, 2)],
    ['byte-order mark kept', [0xef, 0xbb, 0xbf, 0x41], view('⟨U+FEFF⟩A', 0, 1)],
    ['line separators', [0xe2, 0x80, 0xa8, 0xe2, 0x80, 0xa9], view('⟨U+2028⟩⟨U+2029⟩', 0, 2)],
    ['invalid continuation', [0xc3, 0x28], view('\uFFFD(', 1)],
    ['lone continuation bytes', [0x80, 0xbf], view('\uFFFD\uFFFD', 2)],
    ['overlong slash (C0 AF)', [0xc0, 0xaf], view('\uFFFD\uFFFD', 2)],
    ['overlong slash (E0 80 AF)', [0xe0, 0x80, 0xaf], view('\uFFFD\uFFFD\uFFFD', 3)],
    ['overlong NUL (C0 80)', [0xc0, 0x80], view('\uFFFD\uFFFD', 2)],
    ['encoded surrogate (ED A0 80)', [0xed, 0xa0, 0x80], view('\uFFFD\uFFFD\uFFFD', 3)],
    ['beyond U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80], view('\uFFFD\uFFFD\uFFFD\uFFFD', 4)],
    ['truncated emoji then text', [0xf0, 0x9f, 0x98, 0x41], view('\uFFFDA', 1)],
    ['truncated at the end', [0x41, 0xe2, 0x82], view('A\uFFFD', 1)],
    ['a real U+FFFD is not a replacement', [0xef, 0xbf, 0xbd, 0xff], view('\uFFFD\uFFFD', 1)],
    ['invalid lead before a real U+FFFD', [0xe0, 0xef, 0xbf, 0xbd], view('\uFFFD\uFFFD', 1)],
    ['valid multibyte', [0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80], view('é€😀')],
  ])('UTF-8: %s', (_name, input, expected) => {
    expect(bytesToDisplayText(Uint8Array.from(input), 'utf8')).toEqual(expected);
  });

  it('makes every C0 control except TAB and LF a Control Picture', () => {
    const c0 = Uint8Array.from({ length: 32 }, (_, i) => i);
    const expected = [...c0].map((b) => (b === 0x09 || b === 0x0a ? String.fromCharCode(b) : String.fromCharCode(0x2400 + b))).join('');
    expect(bytesToDisplayText(c0, 'utf8')).toEqual(view(expected, 0, 30));
    expect(bytesToDisplayText(c0, 'latin1')).toEqual(view(expected, 0, 30));
    expect(expected.slice(0, 1) + expected.slice(13, 14) + expected.slice(27, 28)).toBe('␀␍␛');
  });

  it('decodes Latin-1 as ISO-8859-1 with C1 marked, never as windows-1252', () => {
    expect(bytesToDisplayText(bytes(0x80, 0x85, 0x9f, 0xa0, 0xe9, 0xff, 0x00), 'latin1')).toEqual(
      view('⟨U+0080⟩⟨U+0085⟩⟨U+009F⟩\u00a0éÿ␀', 0, 4),
    );
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const shown = bytesToDisplayText(all, 'latin1');
    expect(shown.replacementCount).toBe(0);
    expect(shown.controlCount).toBe(30 + 1 + 32);
    expect(shown.text.endsWith(String.fromCharCode(...all.subarray(0xa0)))).toBe(true);
  });

  it('decodes Latin-1 across its internal slices', () => {
    const long = new Uint8Array(20_000).fill(0x61);
    long[8191] = 0xe9;
    long[8192] = 0xea;
    const text = bytesToDisplayText(long, 'latin1').text;
    expect(text).toHaveLength(20_000);
    expect(text.slice(8190, 8194)).toBe('aéêa');
  });

  it('counts replacements exactly as the WHATWG decoder errs, on random bytes (seeded)', () => {
    const random = seededRandom(4242);
    const interesting = [0x00, 0x1b, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xef, 0xbf, 0xbd, 0xf0, 0xf4, 0xf5, 0xff];
    for (let round = 0; round < 400; round++) {
      const input = Uint8Array.from({ length: Math.floor(random() * 64) }, () =>
        random() < 0.6 ? interesting[Math.floor(random() * interesting.length)]! : Math.floor(random() * 256),
      );
      expect(bytesToDisplayText(input, 'utf8').replacementCount, `round ${round}: ${[...input]}`).toBe(referenceUtf8ErrorCount(input));
    }
  });
});

describe('createUtf8StreamDecoder', () => {
  function decodeInChunks(input: Uint8Array, cuts: number[]): TextView {
    const decoder = createUtf8StreamDecoder();
    const parts: TextView[] = [];
    let start = 0;
    for (const cut of [...cuts, input.length]) {
      parts.push(decoder.push(input.subarray(start, cut)));
      start = cut;
    }
    parts.push(decoder.end());
    return {
      text: parts.map((p) => p.text).join(''),
      replacementCount: parts.reduce((sum, p) => sum + p.replacementCount, 0),
      controlCount: parts.reduce((sum, p) => sum + p.controlCount, 0),
    };
  }

  it('completes a multibyte character split across chunks', () => {
    const decoder = createUtf8StreamDecoder();
    expect(decoder.push(bytes(0x41, 0xe2))).toEqual(view('A'));
    expect(decoder.push(bytes(0x82))).toEqual(view(''));
    expect(decoder.push(bytes(0xac, 0xf0, 0x9f))).toEqual(view('€'));
    expect(decoder.push(bytes(0x98, 0x80, 0x0d))).toEqual(view('😀␍', 0, 1));
    expect(decoder.push(bytes(0x0a))).toEqual(view('\n'));
    expect(decoder.end()).toEqual(view(''));
  });

  it('reports a sequence cut off at the end once, on end(), and can be reused', () => {
    const decoder = createUtf8StreamDecoder();
    expect(decoder.push(bytes(0x41, 0xe2, 0x82))).toEqual(view('A'));
    expect(decoder.end()).toEqual(view('\uFFFD', 1));
    expect(decoder.push(bytes(0x42))).toEqual(view('B'));
    expect(decoder.end()).toEqual(view(''));
  });

  it('tells a real U+FFFD split across chunks from a replacement', () => {
    const input = bytes(0xef, 0xbf, 0xbd, 0xef, 0xbf, 0xff, 0xef);
    for (const cuts of [[1], [2], [1, 2], [4], [5], [4, 5], [1, 2, 3, 4, 5, 6]]) {
      expect(decodeInChunks(input, cuts), `cuts ${cuts}`).toEqual(view('\uFFFD\uFFFD\uFFFD\uFFFD', 3));
    }
    const decoder = createUtf8StreamDecoder();
    expect(decoder.push(bytes(0xef))).toEqual(view(''));
    expect(decoder.push(new Uint8Array(0))).toEqual(view(''));
    expect(decoder.push(bytes(0xbf))).toEqual(view(''));
    expect(decoder.push(bytes(0xbd))).toEqual(view('\uFFFD', 0));
  });

  it('gives the same text and counts as a whole decode, for random splits (seeded)', () => {
    const random = seededRandom(777);
    const interesting = [0x00, 0x0d, 0x0a, 0x1b, 0x80, 0xbf, 0xbd, 0xc2, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xff];
    for (let round = 0; round < 300; round++) {
      const input = Uint8Array.from({ length: Math.floor(random() * 80) }, () =>
        random() < 0.6 ? interesting[Math.floor(random() * interesting.length)]! : Math.floor(random() * 256),
      );
      const cuts = Array.from({ length: Math.floor(random() * 6) }, () => Math.floor(random() * (input.length + 1))).sort(
        (a, b) => a - b,
      );
      const whole = bytesToDisplayText(input, 'utf8');
      expect(decodeInChunks(input, cuts), `round ${round}: ${[...input]} cut at ${cuts}`).toEqual(whole);
      expect(whole.replacementCount).toBe(referenceUtf8ErrorCount(input));
    }
  });
});

describe('utf8CompletePrefix', () => {
  const cut = (...bytes: number[]): number => utf8CompletePrefix(Uint8Array.from(bytes));

  it('keeps back only the start of a sequence more bytes could complete', () => {
    expect(cut()).toBe(0);
    expect(cut(0x41)).toBe(1);
    expect(cut(0x41, 0xc3)).toBe(1); // é's lead
    expect(cut(0x41, 0xc3, 0xa9)).toBe(3); // é whole
    expect(cut(0xe2, 0x82)).toBe(0); // € missing its last byte
    expect(cut(0xe2, 0x82, 0xac)).toBe(3);
    expect(cut(0xf0, 0x9f, 0x98)).toBe(0); // 😀 missing one byte
    expect(cut(0xf0, 0x9f, 0x98, 0x80)).toBe(4);
  });

  it('holds back nothing the decoder has already turned into U+FFFD', () => {
    expect(cut(0x41, 0xc0)).toBe(2); // never a lead
    expect(cut(0x41, 0xf5)).toBe(2);
    expect(cut(0xe0, 0x80)).toBe(2); // overlong: E0 needs A0–BF next
    expect(cut(0xed, 0xa0)).toBe(2); // a surrogate: ED needs 80–9F next
    expect(cut(0xf4, 0x90)).toBe(2); // past U+10FFFF
    expect(cut(0xe2, 0x41)).toBe(2);
    expect(cut(0x80, 0x80, 0x80)).toBe(3); // lone continuation bytes
  });

  it('cuts where decoding the parts apart gives the same text and counts as decoding the whole', () => {
    const random = seededRandom(0x5eed);
    // Bytes skewed to UTF-8's interesting values, so leads, continuations and EF BF BD are common.
    const pool = [0x41, 0x0a, 0x00, 0x1b, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xbd, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
    for (let round = 0; round < 2000; round++) {
      const all = Uint8Array.from({ length: 1 + Math.floor(random() * 12) }, () => pool[Math.floor(random() * pool.length)]!);
      const arrived = Math.floor(random() * (all.length + 1));
      const k = utf8CompletePrefix(all.subarray(0, arrived));
      expect(k).toBeLessThanOrEqual(arrived);
      const head = bytesToDisplayText(all.subarray(0, k), 'utf8');
      const rest = bytesToDisplayText(all.subarray(k), 'utf8');
      const whole = bytesToDisplayText(all, 'utf8');
      expect({ text: head.text + rest.text, replacementCount: head.replacementCount + rest.replacementCount, controlCount: head.controlCount + rest.controlCount }).toEqual(whole);
    }
  });
});
