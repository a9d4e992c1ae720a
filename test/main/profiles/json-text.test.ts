import { describe, expect, it } from 'vitest';
import { decodeUtf8Strict, lineAndColumn, locateJsonSyntaxError, parseJsonText } from '../../../main/profiles/json-text.ts';

describe('locateJsonSyntaxError', () => {
  it('returns null for valid JSON of every kind', () => {
    for (const text of ['{}', '[]', ' 1 ', '"a\\u00e9\\n"', '{"a":[1,-2.5e3,true,false,null,{"b":"c"}]}', '[[[]]]', '0']) {
      expect(locateJsonSyntaxError(text), text).toBeNull();
      expect(() => JSON.parse(text) as unknown).not.toThrow();
    }
  });

  it('points at the first error wherever JSON.parse fails', () => {
    const cases: Array<[string, number, string]> = [
      ['{"a":1,}', 7, 'quoted property name'],
      ['[1,\n2,\nx]', 7, 'unexpected character "x"'],
      ['{"a" 1}', 5, '":"'],
      ['', 0, 'ends too early'],
      ['{"a":', 5, 'ends too early'],
      ['"abc', 4, 'not closed'],
      ['"a\u0001"', 2, 'U+0001'],
      ['"\\q"', 1, 'invalid escape'],
      ['[1 2]', 3, '","'],
      ['{} x', 3, 'after the end'],
      ['\u0000\u0000', 0, 'U+0000'],
      ['[01]', 2, '","'],
      ['[-]', 1, 'unexpected character "-"'],
    ];
    for (const [text, index, fragment] of cases) {
      expect(() => JSON.parse(text) as unknown, text).toThrow();
      const located = locateJsonSyntaxError(text);
      expect(located?.index, text).toBe(index);
      expect(located?.problem, text).toContain(fragment);
    }
  });

  it('survives very deep nesting without recursion', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(199_999);
    expect(locateJsonSyntaxError(deep)?.problem).toContain('ends too early');
  });
});

describe('parseJsonText', () => {
  it('reports 1-based line and column', () => {
    const result = parseJsonText('{\n  "a": tru\n}', '"x.json"');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.message).toBe('"x.json" is not valid JSON at line 2, column 8: unexpected character "t".');
      expect(result.error.position).toBe(9);
    }
    expect(lineAndColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});

describe('decodeUtf8Strict', () => {
  it('drops one BOM and keeps a second', () => {
    const bytes = Uint8Array.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x41]);
    expect(decodeUtf8Strict(bytes, 'f')).toEqual({ ok: true, value: '\uFEFFA' });
  });

  it('refuses invalid UTF-8 and names the offset', () => {
    const cases: Array<[number[], number]> = [
      [[0x41, 0xff], 1],
      [[0x41, 0xc3], 1],
      [[0xc0, 0x80], 0],
      [[0xed, 0xa0, 0x80], 0],
      [[0xef, 0xbb, 0xbf, 0x41, 0x80], 4],
    ];
    for (const [bytes, offset] of cases) {
      const result = decodeUtf8Strict(Uint8Array.from(bytes), 'f');
      expect(result.ok, JSON.stringify(bytes)).toBe(false);
      if (!result.ok) expect(result.error.position, JSON.stringify(bytes)).toBe(offset);
    }
  });
});
