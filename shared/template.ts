/**
 * `${…}` templates in a conversation: parsing (at load time, with positions), checking the literal
 * text with the payload codec, and rendering to bytes at run time.
 *
 * Rules (docs/conversations.md):
 * - `${name}` is a variable (from the file or `--var`) or a capture from an earlier expect;
 *   `${counter}`, `${time}`, `${date}` and `${random:hex:N}` are macros; `$${` is a literal `${`.
 *   A `$` not followed by `{` is just a dollar sign (RESP's `$3` needs no escaping).
 * - A reference inserts its value's bytes exactly, in every mode; only the literal text between
 *   references goes through the codec. So a captured binary token is sent back byte for byte, and
 *   a variable in a hex payload is inserted as its text's bytes, not read as hex.
 *
 * Shared (no Node imports: randomness is Web Crypto's, in Node 20 and in the page alike) because
 * the session tab expands the same macros on send (renderer/lib/session-macros.ts).
 */
import { CONVERSATION_LIMITS, RESERVED_NAMES, type PayloadTemplate, type TemplatePart } from './conversation.ts';
import { fail, ok, type Result } from './errors.ts';
import { encodePayload, LINE_ENDING_BYTES } from './payload.ts';

/** A variable or capture name: what `${name}` and `capture:` keys may be. */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const encoder = new TextEncoder();

/**
 * Splits `source` into literal text and references. Fails with INVALID_INPUT whose `position` is
 * the offset of the faulty `${` in `source`.
 */
export function parseTemplate(source: string): Result<TemplatePart[]> {
  const parts: TemplatePart[] = [];
  let literal = '';
  let literalStart = 0;
  let i = 0;
  const flush = (): void => {
    if (literal.length > 0) parts.push({ kind: 'literal', text: literal, offset: literalStart });
    literal = '';
  };
  while (i < source.length) {
    if (source.startsWith('$${', i)) {
      if (literal.length === 0) literalStart = i;
      literal += '${';
      i += 3;
      continue;
    }
    if (!source.startsWith('${', i)) {
      if (literal.length === 0) literalStart = i;
      literal += source[i];
      i++;
      continue;
    }
    const close = source.indexOf('}', i + 2);
    if (close < 0) {
      return fail('INVALID_INPUT', `"\${" at character ${i + 1} has no closing "}"; write $\${ for a literal "\${".`, { position: i, reason: 'template-unclosed' });
    }
    const body = source.slice(i + 2, close);
    const ref = parseReference(body, i);
    if (!ref.ok) return ref;
    flush();
    parts.push({ kind: 'ref', ref: ref.value, offset: i, length: close + 1 - i });
    i = close + 1;
    literalStart = i;
  }
  flush();
  return ok(parts);
}

function parseReference(body: string, position: number): Result<Extract<TemplatePart, { kind: 'ref' }>['ref']> {
  if (body === 'counter' || body === 'time' || body === 'date') return ok({ kind: body });
  const random = /^random:hex:([0-9]{1,5})$/.exec(body);
  if (random) {
    const digits = Number(random[1]);
    if (digits >= 1 && digits <= CONVERSATION_LIMITS.maxRandomHexDigits) return ok({ kind: 'random-hex', digits });
    return fail('INVALID_INPUT', `\${${body}} at character ${position + 1}: N must be 1 to ${CONVERSATION_LIMITS.maxRandomHexDigits}.`, {
      position,
      reason: 'template-random-digits',
      params: { text: `\${${body}}`, max: CONVERSATION_LIMITS.maxRandomHexDigits },
    });
  }
  if (body.startsWith('random')) {
    return fail('INVALID_INPUT', `\${${body}} at character ${position + 1}: the random macro is written \${random:hex:N}.`, {
      position,
      reason: 'template-random-form',
      params: { text: `\${${truncate(body)}}` },
    });
  }
  if (!NAME_PATTERN.test(body)) {
    return fail(
      'INVALID_INPUT',
      `\${${truncate(body)}} at character ${position + 1} is not a valid name: use letters, digits and _, starting with a letter or _.`,
      { position, reason: 'template-name', params: { text: `\${${truncate(body)}}` } },
    );
  }
  if (RESERVED_NAMES.includes(body)) return ok({ kind: body as 'counter' });
  return ok({ kind: 'name', name: body });
}

/** The names a template refers to (variables or captures), in order, once each. */
export function referencedNames(parts: readonly TemplatePart[]): string[] {
  const names: string[] = [];
  for (const part of parts) {
    if (part.kind === 'ref' && part.ref.kind === 'name' && !names.includes(part.ref.name)) names.push(part.ref.name);
  }
  return names;
}

/**
 * Checks the literal text with the codec, positions intact: each reference is replaced by as many
 * spaces (harmless in every mode: text, escapes, and a hex separator), so an error's position is
 * the position in the source text.
 */
export function checkTemplateText(payload: PayloadTemplate): Result<void> {
  let text = '';
  for (const part of payload.template.parts) {
    text += part.kind === 'literal' ? rawLiteral(payload.template.source, part) : ' '.repeat(part.length);
  }
  const encoded = encodePayload({ text, mode: payload.mode, encoding: payload.encoding, lineEnding: 'none' });
  return encoded.ok ? ok(undefined) : encoded;
}

/** The literal's source text (with `$${` as written), so spaces line up with source positions. */
function rawLiteral(source: string, part: Extract<TemplatePart, { kind: 'literal' }>): string {
  let length = 0;
  let consumed = 0;
  while (consumed < part.text.length) {
    if (source.startsWith('$${', part.offset + length)) {
      length += 3;
      consumed += 2;
    } else {
      length += 1;
      consumed += 1;
    }
  }
  return source.slice(part.offset, part.offset + length);
}

/** Values a template can draw on at run time. */
export interface RenderContext {
  /** A variable's or capture's bytes; undefined when it is not set (a capture whose step failed). */
  lookup(name: string): Uint8Array | undefined;
  /** The iteration of the innermost repeat, from 1 (1 outside any repeat). */
  counter: number;
  now(): number;
}

/** Builds the bytes: literal text through the codec, references as their bytes, then the line ending. */
export function renderTemplate(payload: PayloadTemplate, context: RenderContext): Result<Uint8Array> {
  const pieces: Uint8Array[] = [];
  for (const part of payload.template.parts) {
    if (part.kind === 'literal') {
      const encoded = encodePayload({ text: part.text, mode: payload.mode, encoding: payload.encoding, lineEnding: 'none' });
      if (!encoded.ok) return encoded;
      pieces.push(encoded.value);
      continue;
    }
    const ref = part.ref;
    switch (ref.kind) {
      case 'name': {
        const value = context.lookup(ref.name);
        if (value === undefined) {
          return fail('INVALID_INPUT', `\${${ref.name}} has no value: the capture was not made (its expect did not pass).`, {
            position: part.offset,
          });
        }
        pieces.push(value);
        break;
      }
      case 'counter':
        pieces.push(encoder.encode(String(context.counter)));
        break;
      case 'time':
        pieces.push(encoder.encode(String(context.now())));
        break;
      case 'date':
        pieces.push(encoder.encode(new Date(context.now()).toISOString()));
        break;
      case 'random-hex':
        pieces.push(encoder.encode(randomHex(ref.digits)));
        break;
    }
  }
  pieces.push(Uint8Array.from(LINE_ENDING_BYTES[payload.lineEnding]));
  return ok(concatBytes(pieces));
}

/** `digits` random lower-case hex digits (Web Crypto). */
export function randomHex(digits: number): string {
  const bytes = new Uint8Array(Math.ceil(digits / 2));
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out.slice(0, digits);
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** The pieces one after another in one new array. */
export function concatBytes(pieces: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of pieces) length += p.byteLength;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
