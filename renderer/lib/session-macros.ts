/**
 * Macro expansion on send in an ordinary session tab (issue 15 item 4), off by default: the
 * payload text may hold `${counter}`, `${time}`, `${date}` and `${random:hex:N}`, with the same
 * meaning and the same byte rule as in conversations (docs/conversations.md, shared/template.ts):
 * a macro inserts its value's bytes as they are, in every mode, and only the literal text between
 * macros goes through the payload codec (so `2a ${counter} 0d0a` in hex mode sends the counter's
 * digits as ASCII). `$${` is a literal `${`. Named variables belong to conversations: here they
 * are an error at their position, never sent as typed.
 */
import { fail, ok, type Result } from '../../shared/errors.ts';
import { encodePayload, LINE_ENDING_BYTES, type PayloadSpec } from '../../shared/payload.ts';
import { concatBytes, parseTemplate, randomHex } from '../../shared/template.ts';

export interface MacroValues {
  /** `${counter}`: the number of this send among the tab's macro sends, from 1. */
  counter: number;
  /** Unix time in milliseconds for `${time}` and `${date}`. */
  now: number;
}

/** True when the text has something a macro send would expand (a `${`). */
export function hasMacros(text: string): boolean {
  return text.includes('${');
}

/** The bytes of `spec` with its macros expanded; errors name the payload and a position. */
export function expandMacros(spec: PayloadSpec, values: MacroValues): Result<Uint8Array> {
  const parsed = parseTemplate(spec.text);
  if (!parsed.ok) return fail('INVALID_INPUT', parsed.error.message, { field: 'payload', position: parsed.error.position ?? 0 });
  const pieces: Uint8Array[] = [];
  for (const part of parsed.value) {
    if (part.kind === 'literal') {
      const encoded = encodePayload({ ...spec, text: part.text, lineEnding: 'none' });
      if (!encoded.ok) return fail('INVALID_INPUT', encoded.error.message, { field: 'payload', position: part.offset + (encoded.error.position ?? 0) });
      pieces.push(encoded.value);
      continue;
    }
    const ref = part.ref;
    switch (ref.kind) {
      case 'name':
        return fail(
          'INVALID_INPUT',
          `\${${ref.name}} at character ${part.offset + 1}: a session expands only \${counter}, \${time}, \${date} and \${random:hex:N} (variables belong to conversations); write $\${ for a literal "\${".`,
          { field: 'payload', position: part.offset },
        );
      case 'counter':
        pieces.push(ascii(String(values.counter)));
        break;
      case 'time':
        pieces.push(ascii(String(values.now)));
        break;
      case 'date':
        pieces.push(ascii(new Date(values.now).toISOString()));
        break;
      case 'random-hex':
        pieces.push(ascii(randomHex(ref.digits)));
        break;
    }
  }
  pieces.push(Uint8Array.from(LINE_ENDING_BYTES[spec.lineEnding]));
  return ok(concatBytes(pieces));
}

function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
