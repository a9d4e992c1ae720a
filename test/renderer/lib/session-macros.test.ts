/** Macro expansion on send in a session tab: the conversation rules, the codec for literal text. */
import { describe, expect, it } from 'vitest';
import { expandMacros, hasMacros } from '../../../renderer/lib/session-macros.ts';
import type { PayloadSpec } from '../../../shared/payload.ts';

const spec = (text: string, over: Partial<PayloadSpec> = {}): PayloadSpec => ({ text, mode: 'text', encoding: 'utf8', lineEnding: 'none', ...over });
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const at = { counter: 7, now: Date.UTC(2026, 11, 1, 10, 10, 6, 123) };

function bytes(s: PayloadSpec): Uint8Array {
  const r = expandMacros(s, at);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('expandMacros', () => {
  it('expands counter, time, date and random hex, and keeps $${ and a lone $ literal', () => {
    expect(text(bytes(spec('n=${counter} t=${time} d=${date} $5 $${x}')))).toBe(`n=7 t=${at.now} d=2026-12-01T10:10:06.123Z $5 \${x}`);
    const random = text(bytes(spec('${random:hex:9}')));
    expect(random).toMatch(/^[0-9a-f]{9}$/);
    expect(text(bytes(spec('${random:hex:9}')))).not.toBe(random);
  });

  it('inserts a macro as its ASCII bytes in hex mode, the literal hex through the codec, then the line ending', () => {
    expect([...bytes(spec('2a ${counter} 0d0a', { mode: 'hex', lineEnding: 'crlf' }))]).toEqual([0x2a, 0x37, 0x0d, 0x0a, 0x0d, 0x0a]);
    expect([...bytes(spec('\\xff${counter}\\r\\n', { mode: 'escapes' }))]).toEqual([0xff, 0x37, 0x0d, 0x0a]);
  });

  it('applies the newline choice to the literal text', () => {
    expect(text(bytes(spec('a\n${counter}\nb', { newlines: 'crlf' })))).toBe('a\r\n7\r\nb');
  });

  it('refuses a named variable and a malformed reference at their position, with the payload field', () => {
    const named = expandMacros(spec('SET ${key} 1'), at);
    expect(named.ok ? null : named.error).toMatchObject({ code: 'INVALID_INPUT', field: 'payload', position: 4 });
    const open = expandMacros(spec('x ${counter'), at);
    expect(open.ok ? null : open.error).toMatchObject({ field: 'payload', position: 2 });
    const hex = expandMacros(spec('zz ${counter}', { mode: 'hex' }), at);
    expect(hex.ok ? null : hex.error).toMatchObject({ field: 'payload', position: 0 });
    const late = expandMacros(spec('${counter} 4g', { mode: 'hex' }), at);
    expect(late.ok ? null : late.error?.position).toBeGreaterThanOrEqual(10);
  });

  it('says when text has something to expand', () => {
    expect(hasMacros('a ${counter}')).toBe(true);
    expect(hasMacros('$5 plain')).toBe(false);
  });
});
