/**
 * Bounded regexes: RE2 semantics over bytes (UTF-8), byte offsets, clear refusals for what RE2
 * never does, and the caps. The "bomb" patterns hang a backtracking engine (V8's RegExp takes
 * exponential time on them); here they finish, which the test's own timeout would catch if not.
 */
import { describe, expect, it } from 'vitest';
import { compileBoundedRegex, REGEX_LIMITS } from '../../../../main/engine/match/bounded-regex.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function compile(pattern: string) {
  const r = compileBoundedRegex(pattern);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('compileBoundedRegex', () => {
  it('finds the leftmost match with byte offsets and group spans', () => {
    const re = compile('\\$(\\d+)\\r\\n');
    const m = re.search(bytes('+OK\r\n$12\r\n'));
    expect(m).toEqual({ start: 5, end: 10, groups: [{ start: 6, end: 8 }] });
    expect(re.groupCount).toBe(1);
  });

  it('reports byte offsets after multi-byte UTF-8 and a null span for a group that did not take part', () => {
    const m = compile('é(x)?!').search(bytes('ab é!'));
    // "ab " is 3 bytes, é is 2.
    expect(m).toEqual({ start: 3, end: 6, groups: [null] });
  });

  it('returns null when nothing matches, and supports inline flags', () => {
    expect(compile('PONG').search(bytes('pong'))).toBeNull();
    expect(compile('(?i)PONG').search(bytes('+pong'))).toEqual({ start: 1, end: 5, groups: [] });
    expect(compile('(?m)^250 ').search(bytes('250-a\r\n250 b'))?.start).toBe(7);
  });

  it('survives invalid UTF-8 in the input', () => {
    const input = new Uint8Array([0xff, 0xfe, 0x41, 0x42, 0xc3]);
    expect(compile('AB').search(input)).toEqual({ start: 2, end: 4, groups: [] });
  });

  it.each([
    ['(a+)+$', 'a'.repeat(200_000) + '!'],
    ['(a|aa)*c', 'a'.repeat(200_000)],
    ['(.*a){20}', 'a'.repeat(50_000)],
    ['(x+x+)+y', 'x'.repeat(100_000)],
  ])('stays linear on the catastrophic-backtracking pattern %s', (pattern, text) => {
    const re = compile(pattern);
    const result = re.search(bytes(text));
    expect(result === null || result.end <= text.length).toBe(true);
  });

  it.each([
    ['(a', 'missing closing ): `(a`.', 'regex-syntax', 'missing closing ): `(a`'],
    ['(a)\\1', 'invalid escape sequence: `\\1` (backreferences are not supported: matching stays linear-time).', 'regex-backreference', 'invalid escape sequence: `\\1`'],
    [
      '(?=a)',
      'invalid or unsupported Perl syntax: `(?=` (lookahead and lookbehind are not supported: matching stays linear-time).',
      'regex-lookaround',
      'invalid or unsupported Perl syntax: `(?=`',
    ],
    [
      '(?<=a)b',
      'invalid named capture: `(?<=a)b` (lookahead and lookbehind are not supported: matching stays linear-time).',
      'regex-lookaround',
      'invalid named capture: `(?<=a)b`',
    ],
    ['a{1001}', 'invalid repeat count: `{1001}`.', 'regex-syntax', 'invalid repeat count: `{1001}`'],
  ])('refuses %s with a clear message, its reason and RE2\'s words as data', (pattern, message, reason, detail) => {
    const r = compileBoundedRegex(pattern);
    expect(r).toEqual({ ok: false, error: { code: 'INVALID_INPUT', field: 'regex', message: `Regex: ${message}`, reason, params: { detail } } });
  });

  it('refuses empty, overlong and too complex patterns', () => {
    expect(compileBoundedRegex('')).toMatchObject({ ok: false, error: { message: 'Regex: the pattern is empty.', reason: 'regex-empty' } });
    expect(compileBoundedRegex('a'.repeat(REGEX_LIMITS.maxChars + 1))).toMatchObject({
      ok: false,
      error: {
        message: `Regex: at most ${REGEX_LIMITS.maxChars} characters, this one has ${REGEX_LIMITS.maxChars + 1}.`,
        reason: 'regex-too-long',
        params: { max: REGEX_LIMITS.maxChars, length: REGEX_LIMITS.maxChars + 1 },
      },
    });
    const complex = compileBoundedRegex('((a{100}){100})');
    expect(complex.ok).toBe(false);
    if (!complex.ok) expect(complex.error.message).toMatch(/^Regex: (too complex \(compiled size \d+, at most 5000\)|.*repeat)/);
    if (!complex.ok) expect(['regex-too-complex', 'regex-syntax']).toContain(complex.error.reason);
  });
});
