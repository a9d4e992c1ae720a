/**
 * Regexes over received bytes that cannot hang main: RE2 semantics (re2js, a pure-JS port of
 * RE2), so a search is linear in pattern size × input size, with no backtracking. Patterns that
 * RE2 refuses (backreferences, lookaround) fail to compile with a clear message, and the pattern's
 * length and compiled size are capped, so the worst-case cost of one search is known in advance.
 *
 * The input is bytes, read as UTF-8 (a pattern written in Unicode matches UTF-8 text; an invalid
 * byte only matches `.`-like classes, as U+FFFD). Offsets are byte offsets into the input.
 * Conversations and the listener's responder rules share this module.
 */
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';
import { fail, ok, type Result } from '../../../shared/errors.ts';

/**
 * re2js, loaded at the first compile: ~2.6 MiB of a process that never matches a regex (a plain
 * echo listener, a one-shot send) would otherwise go to parsing it at start-up.
 */
let re2: typeof RE2JS | undefined;
function lazyRe2(): typeof RE2JS {
  return (re2 ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof RE2JS }).RE2JS);
}

/** Caps that bound one search's cost; the same for every caller. */
export const REGEX_LIMITS = {
  maxChars: 1_000,
  maxProgramSize: 5_000,
} as const;

/** A byte range [start, end) in the searched input. */
export interface ByteSpan {
  start: number;
  end: number;
}

/** One match: the whole span and each group's span (null when the group did not take part). */
export interface RegexMatch extends ByteSpan {
  groups: (ByteSpan | null)[];
}

/** A compiled, bounded regex. */
export class BoundedRegex {
  readonly source: string;
  /** Capturing groups, not counting the whole match. */
  readonly groupCount: number;
  readonly #re: RE2JS;

  constructor(source: string, re: RE2JS) {
    this.source = source;
    this.#re = re;
    this.groupCount = re.groupCount();
  }

  /**
   * The leftmost match in `input`, or null. The DFA-only test runs first; the slower matcher that
   * reports positions runs only when there is a match to locate.
   */
  search(input: Uint8Array): RegexMatch | null {
    if (!this.#re.test(input)) return null;
    const matcher = this.#re.matcher(input);
    if (!matcher.find()) return null;
    const groups: (ByteSpan | null)[] = [];
    for (let g = 1; g <= this.groupCount; g++) {
      const start = matcher.start(g);
      groups.push(start < 0 ? null : { start, end: matcher.end(g) });
    }
    return { start: matcher.start(), end: matcher.end(), groups };
  }

  /** True when the pattern matches somewhere in `input` (the fast path). */
  test(input: Uint8Array): boolean {
    return this.#re.test(input);
  }
}

/**
 * Compiles `pattern` with RE2 syntax (inline flags such as `(?i)`, `(?s)`, `(?m)` allowed).
 * Fails with INVALID_INPUT (field 'regex', position when RE2 names one) on syntax RE2 refuses or
 * a pattern over {@link REGEX_LIMITS}.
 */
export function compileBoundedRegex(pattern: string): Result<BoundedRegex> {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    return fail('INVALID_INPUT', 'Regex: the pattern is empty.', { field: 'regex', reason: 'regex-empty' });
  }
  if (pattern.length > REGEX_LIMITS.maxChars) {
    return fail('INVALID_INPUT', `Regex: at most ${REGEX_LIMITS.maxChars} characters, this one has ${pattern.length}.`, {
      field: 'regex',
      reason: 'regex-too-long',
      params: { max: REGEX_LIMITS.maxChars, length: pattern.length },
    });
  }
  let re: RE2JS;
  try {
    re = lazyRe2().compile(pattern);
  } catch (err) {
    const syntax = describeSyntaxError(err);
    return fail('INVALID_INPUT', `Regex: ${syntax.message}`, { field: 'regex', reason: syntax.reason, params: { detail: syntax.detail } });
  }
  const size = re.programSize();
  if (size > REGEX_LIMITS.maxProgramSize) {
    return fail(
      'INVALID_INPUT',
      `Regex: too complex (compiled size ${size}, at most ${REGEX_LIMITS.maxProgramSize}); use smaller repeat counts.`,
      { field: 'regex', reason: 'regex-too-complex', params: { size, max: REGEX_LIMITS.maxProgramSize } },
    );
  }
  return ok(new BoundedRegex(pattern, re));
}

/**
 * RE2's message without its "error parsing regexp:" prefix (`detail`, English: RE2 words it), with
 * a hint for what RE2 never does, and the reason a translation words.
 */
function describeSyntaxError(err: unknown): { message: string; detail: string; reason: 'regex-syntax' | 'regex-backreference' | 'regex-lookaround' } {
  const raw = err instanceof Error ? err.message : String(err);
  const detail = raw.replace(/^error parsing regexp:\s*/, '');
  if (/invalid escape sequence: `\\[1-9]/.test(detail)) {
    return { message: `${detail} (backreferences are not supported: matching stays linear-time).`, detail, reason: 'regex-backreference' };
  }
  if (/: `\(\?<?[=!]/.test(detail)) {
    return { message: `${detail} (lookahead and lookbehind are not supported: matching stays linear-time).`, detail, reason: 'regex-lookaround' };
  }
  return { message: `${detail}.`, detail, reason: 'regex-syntax' };
}
