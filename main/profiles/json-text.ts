/**
 * Turning file bytes into JSON values with errors people can act on: UTF-8 decoding that refuses
 * invalid bytes (instead of silently inserting U+FFFD), byte-order-mark handling, and JSON syntax
 * errors with a line and column.
 *
 * V8's JSON.parse reports a position for some errors and none for others ("Unexpected token 'x',
 * ... is not valid JSON"), so on failure {@link locateJsonSyntaxError} re-scans the text to find
 * the spot. It is iterative (an explicit stack), so deeply nested hostile input cannot overflow the
 * call stack, and it only runs after JSON.parse has already failed.
 */
import { fail, ok, type Result } from '../../shared/errors.ts';

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/** Decodes UTF-8 strictly, dropping one leading byte-order mark; invalid bytes are an error. */
export function decodeUtf8Strict(bytes: Uint8Array, label: string): Result<string> {
  const hasBom = bytes.length >= 3 && bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
  const body = hasBom ? bytes.subarray(3) : bytes;
  try {
    return ok(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body));
  } catch {
    const offset = firstInvalidUtf8Offset(body) + (hasBom ? 3 : 0);
    return fail('INVALID_INPUT', `${label} is not valid UTF-8 text (first bad byte at offset ${offset}).`, { position: offset });
  }
}

/** Byte offset of the first byte that breaks UTF-8 (a structural check; enough to point at it). */
function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] ?? 0;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0) return index;
    for (let k = 1; k < length; k += 1) {
      const next = bytes[index + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return index;
    }
    const second = bytes[index + 1] ?? 0;
    // Overlong three/four-byte forms, UTF-16 surrogates and code points above U+10FFFF.
    if ((lead === 0xe0 && second < 0xa0) || (lead === 0xed && second > 0x9f) || (lead === 0xf0 && second < 0x90) || (lead === 0xf4 && second > 0x8f)) {
      return index;
    }
    index += length;
  }
  return bytes.length;
}

/** 1-based line and column of a UTF-16 index. */
export function lineAndColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index && i < text.length; i += 1) {
    if (text.charCodeAt(i) === 0x0a) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

function describeAt(text: string, index: number): string {
  if (index >= text.length) return 'the text ends too early';
  const code = text.charCodeAt(index);
  if (code < 0x20 || code === 0x7f) return `unexpected control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `unexpected character "${text[index]}"`;
}

/**
 * Finds the first JSON syntax error: its index and what is wrong there. Returns null when the text
 * is valid JSON.
 */
export function locateJsonSyntaxError(text: string): { index: number; problem: string } | null {
  type Expect = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'after';
  const containers: Array<'{' | '['> = [];
  let expect = 'value' as Expect;
  let i = 0;
  const error = (index: number, problem = describeAt(text, index)) => ({ index, problem });
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i += 1;
  };
  const scanString = (): { index: number; problem: string } | null => {
    i += 1;
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        i += 1;
        return null;
      }
      if (code < 0x20) return error(i, `${describeAt(text, i)} inside a string`);
      if (code === 0x5c) {
        const escape = text[i + 1];
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return error(i, 'invalid \\u escape in a string');
          i += 6;
          continue;
        }
        if (escape === undefined || !'"\\/bfnrt'.includes(escape)) return error(i, 'invalid escape in a string');
        i += 2;
        continue;
      }
      i += 1;
    }
    return error(text.length, 'a string is not closed');
  };
  const scanScalar = (): { index: number; problem: string } | null => {
    if (text[i] === '"') return scanString();
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return null;
      }
    }
    const number = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (number && number[0].length > 0 && number[0] !== '-') {
      i += number[0].length;
      return null;
    }
    return error(i);
  };

  for (;;) {
    skipSpace();
    if (expect === 'value' || expect === 'valueOrClose') {
      if (expect === 'valueOrClose' && text[i] === ']') {
        containers.pop();
        i += 1;
        expect = 'after';
        continue;
      }
      if (i >= text.length) return error(i);
      const opener = text[i];
      if (opener === '{' || opener === '[') {
        containers.push(opener);
        i += 1;
        expect = opener === '{' ? 'keyOrClose' : 'valueOrClose';
        continue;
      }
      const problem = scanScalar();
      if (problem) return problem;
      expect = 'after';
      continue;
    }
    if (expect === 'key' || expect === 'keyOrClose') {
      if (expect === 'keyOrClose' && text[i] === '}') {
        containers.pop();
        i += 1;
        expect = 'after';
        continue;
      }
      if (text[i] !== '"') return error(i, `${describeAt(text, i)} where a quoted property name belongs`);
      const problem = scanString();
      if (problem) return problem;
      expect = 'colon';
      continue;
    }
    if (expect === 'colon') {
      if (text[i] !== ':') return error(i, `${describeAt(text, i)} where ":" belongs`);
      i += 1;
      expect = 'value';
      continue;
    }
    // expect === 'after': a complete value ended.
    const top = containers[containers.length - 1];
    if (top === undefined) {
      return i >= text.length ? null : error(i, `${describeAt(text, i)} after the end of the JSON value`);
    }
    if (text[i] === ',') {
      i += 1;
      expect = top === '{' ? 'key' : 'value';
      continue;
    }
    if ((top === '{' && text[i] === '}') || (top === '[' && text[i] === ']')) {
      containers.pop();
      i += 1;
      continue;
    }
    return error(i, `${describeAt(text, i)} where "," or "${top === '{' ? '}' : ']'}" belongs`);
  }
}

/**
 * Deepest nesting any of our files or Packet Sender's export needs is 3; hostile text of 16 million
 * `[` took JSON.parse seconds and 800 MiB before failing, so deeper text is refused by a scan first.
 */
export const MAX_JSON_DEPTH = 64;

/** Index of the first `[` or `{` (outside strings) nested deeper than `limit`, or -1. One pass. */
export function findTooDeep(text: string, limit: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i += 1;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b || code === 0x7b) {
      depth += 1;
      if (depth > limit) return i;
    } else if (code === 0x5d || code === 0x7d) {
      depth -= 1;
    }
  }
  return -1;
}

/** Parses JSON; a syntax error becomes INVALID_INPUT naming the line and column. */
export function parseJsonText(text: string, label: string): Result<unknown> {
  const tooDeep = findTooDeep(text, MAX_JSON_DEPTH);
  if (tooDeep >= 0) {
    const { line, column } = lineAndColumn(text, tooDeep);
    return fail('INVALID_INPUT', `${label} is nested more than ${MAX_JSON_DEPTH} levels deep at line ${line}, column ${column}.`, {
      position: tooDeep,
    });
  }
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (err) {
    const located = locateJsonSyntaxError(text);
    if (located === null) return fail('INVALID_INPUT', `${label} is not valid JSON: ${(err as Error).message}.`);
    const { line, column } = lineAndColumn(text, located.index);
    return fail('INVALID_INPUT', `${label} is not valid JSON at line ${line}, column ${column}: ${located.problem}.`, {
      position: located.index,
    });
  }
}
