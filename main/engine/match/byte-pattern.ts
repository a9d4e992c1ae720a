/**
 * One thing to look for in received bytes: a literal byte string or a bounded regex, behind one
 * small interface so a conversation's expect, its abort_on list and the listener's responder rules
 * search the same way. Both kinds are linear in the input.
 */
import type { Result } from '../../../shared/errors.ts';
import { ok } from '../../../shared/errors.ts';
import { compileBoundedRegex, type BoundedRegex, type ByteSpan, type RegexMatch } from './bounded-regex.ts';

/** A compiled pattern. */
export interface BytePattern {
  readonly kind: 'literal' | 'regex';
  /** The leftmost occurrence in `input`, or null. An empty literal matches at 0. */
  find(input: Uint8Array): ByteSpan | RegexMatch | null;
}

/** Looks for exactly these bytes. */
export function literalPattern(bytes: Uint8Array): BytePattern {
  const needle = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    kind: 'literal',
    find(input) {
      const haystack = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
      const at = haystack.indexOf(needle);
      return at < 0 ? null : { start: at, end: at + needle.length };
    },
  };
}

/** Wraps a compiled regex. */
export function regexPattern(regex: BoundedRegex): BytePattern {
  return { kind: 'regex', find: (input) => regex.search(input) };
}

/** Compiles `source` as a bounded regex pattern (see compileBoundedRegex for the errors). */
export function compileRegexPattern(source: string): Result<BytePattern & { regex: BoundedRegex }> {
  const compiled = compileBoundedRegex(source);
  if (!compiled.ok) return compiled;
  return ok({ ...regexPattern(compiled.value), regex: compiled.value });
}

/**
 * Where `actual` first differs from `expected` over their common length, or -1 when one is a
 * prefix of the other.
 */
export function firstDifference(expected: Uint8Array, actual: Uint8Array): number {
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) if (expected[i] !== actual[i]) return i;
  return -1;
}

/**
 * The closest near miss of `needle` in `haystack`: the position where the longest prefix of the
 * needle occurs, for "expected versus received" messages. Bounded: looks at the last
 * `maxScan` bytes only, so a failure message costs at most maxScan × needle length steps.
 */
export function closestPrefix(needle: Uint8Array, haystack: Uint8Array, maxScan = 64 * 1024): { at: number; length: number } {
  let best = { at: -1, length: 0 };
  if (needle.length === 0) return best;
  const from = Math.max(0, haystack.length - maxScan);
  const first = needle[0]!;
  for (let i = from; i < haystack.length; i++) {
    if (haystack[i] !== first) continue;
    let n = 1;
    while (n < needle.length && i + n < haystack.length && haystack[i + n] === needle[n]) n++;
    if (n > best.length) best = { at: i, length: n };
    if (n === needle.length) break;
  }
  return best;
}
