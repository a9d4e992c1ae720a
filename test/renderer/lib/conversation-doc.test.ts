/**
 * The conversation tab's model: YAML text → model → YAML text loads to the same conversation (for
 * every step kind), keys come out in the canonical order, form edits keep what the form does not
 * show, and a recorded session becomes steps whose bytes are exact.
 */
import { describe, expect, it } from 'vitest';
import { docFromYaml, escapeField, expectFields, unescapeField, newDoc, sendFields, stepsFromExchanges, withExpectFields, withSendFields, yamlFromDoc, type ConversationDoc } from '../../../renderer/lib/conversation-doc.ts';
import { formatConversation } from '../../../main/conversation/format-conversation.ts';
import { loadConversation } from '../../../main/conversation/load-conversation.ts';
import type { Conversation } from '../../../shared/conversation.ts';
import { setLocale } from '../../../renderer/lib/i18n/index.ts';
import { redisConversation, smtpConversation } from '../../main/conversation/real-peer-conversations.ts';

function load(text: string, extra: string[] = []): Conversation {
  const r = loadConversation(text, { extraVariables: extra });
  if (!r.ok) throw new Error(`${JSON.stringify(r.errors)}\n${text}`);
  return r.value;
}
function shape(c: Conversation): unknown {
  return JSON.parse(JSON.stringify(c, (key, value) => (key === 'at' ? undefined : value)));
}
function doc(text: string): ConversationDoc {
  const r = docFromYaml(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.doc;
}

const everyKind = `name: every kind
target: {host: "::1", port: 7, transport: tls, connect_timeout_ms: 300, tls: {verify: false, servername: x.test}}
variables: {n: "1"}
steps:
  - send: "a \${n} $\${lit}\\r\\n"
  - send: {line_ending: crlf, hex: "ff 00", encoding: latin1}
    interval_ms: 5
    repeat: 3
  - send: {escapes: "\\\\x00\\\\r\\\\n"}
  - expect: {timeout_ms: 12, exact: "null", capture: {v: '(\\d+)'}, abort_on: ["-ERR", {hex: "ff"}, {regex: "^5"}]}
    continue_on_failure: true
  - expect: {contains: 250}
  - expect: {hex: "2b 4f"}
  - expect: {regex: '^\\+OK'}
  - expect: {eof: true}
  - wait: 0
  - close_write: true
  - starttls: {servername: y.test}
  - group:
      - send: "\${counter} \${v}"
      - group: [{close: true}]
    repeat: 2
    name: g
  - close: true
`;

describe('yamlFromDoc ∘ docFromYaml', () => {
  it.each([
    ['redis', redisConversation(6379), []],
    ['smtp', smtpConversation(25), ['token']],
    ['every kind', everyKind, []],
  ])("gives back the same %s conversation, and the canonical text of main's formatter", (_n, text, extra) => {
    const original = load(text, extra as string[]);
    const written = yamlFromDoc(doc(text));
    expect(shape(load(written, extra as string[]))).toEqual(shape(original));
    // From the canonical form, the model writes exactly that form again.
    const canonical = formatConversation(original);
    expect(yamlFromDoc(doc(canonical))).toBe(canonical);
  });

  it('keeps keys the loader will name, after the known ones', () => {
    const written = yamlFromDoc(doc('steps: [{sned: 1}]\ntarget: {port: 1, host: h}\nextra: 1\n'));
    expect(written).toBe('target:\n  host: h\n  port: 1\nsteps:\n  - sned: 1\nextra: 1\n');
  });

  it('reports a YAML syntax error with line and column, and a non-list steps', () => {
    const bad = docFromYaml('target: {host: x\nsteps: []\n');
    expect(bad.ok ? null : bad.error.line).toBeGreaterThanOrEqual(1);
    expect(bad.ok ? null : bad.error.message).toMatch(/^YAML: /);
    const dup = docFromYaml('a: 1\na: 2\n');
    expect(dup.ok ? null : dup.error).toMatchObject({ line: 2, column: 1 });
    expect(docFromYaml('steps: 5\n').ok).toBe(false);
    expect(docFromYaml('').ok).toBe(true);
  });

  it('writes a new conversation the loader accepts', () => {
    expect(loadConversation(yamlFromDoc(newDoc())).ok).toBe(true);
  });

  it("names a new conversation in the UI's language (the YAML keys stay English)", () => {
    setLocale('zh-CN');
    try {
      const yaml = yamlFromDoc(newDoc());
      expect(yaml).toContain('name: 新对话');
      const loaded = loadConversation(yaml);
      expect(loaded.ok && loaded.value.name).toBe('新对话');
    } finally {
      setLocale('en');
    }
    expect(newDoc().root['name']).toBe('New conversation');
  });
});

describe('form fields', () => {
  it('edit a send and keep its encoding; the plain form is the shorthand', () => {
    const step = { send: { hex: '41', encoding: 'latin1' }, name: 'n' };
    expect(sendFields(step)).toEqual({ mode: 'hex', payload: '41', lineEnding: 'none' });
    expect(withSendFields(step, { mode: 'escapes', payload: '\\x41', lineEnding: 'crlf' })).toEqual({ send: { escapes: '\\x41', encoding: 'latin1', line_ending: 'crlf' }, name: 'n' });
    expect(withSendFields({ send: { text: 'a', line_ending: 'lf' } }, { mode: 'text', payload: 'b', lineEnding: 'none' })).toEqual({ send: 'b' });
  });

  it('edit an expect and keep its captures and abort_on', () => {
    const step = { expect: { regex: 'x(1)', timeout_ms: 9, capture: { v: '(1)' }, abort_on: ['-ERR'] } };
    expect(expectFields(step)).toEqual({ match: 'regex', pattern: 'x(1)', timeoutMs: '9' });
    expect(withExpectFields(step, { match: 'contains', pattern: '+OK', timeoutMs: '' })).toEqual({ expect: { contains: '+OK', capture: { v: '(1)' }, abort_on: ['-ERR'] } });
    expect(withExpectFields(step, { match: 'eof', pattern: 'ignored', timeoutMs: '0x10' })).toMatchObject({ expect: { eof: true, timeout_ms: '0x10' } });
  });
});

describe('stepsFromExchanges', () => {
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  it('makes each send a step and each reply an expect contains of its first line', () => {
    const steps = stepsFromExchanges([
      { sent: enc('SET k v\r\n'), reply: enc('+OK\r\n') },
      { sent: enc('GET k\r\n'), reply: enc('$1\r\nv\r\n') },
      { sent: enc('QUIT ${x}\r\n'), reply: new Uint8Array(0) },
      { sent: Uint8Array.of(0x00, 0xff, 0x0d, 0x0a), reply: Uint8Array.of(0x01, 0x02) },
    ]);
    expect(steps).toEqual([
      { send: 'SET k v\r\n' },
      { expect: { contains: '+OK\r\n' } },
      { send: 'GET k\r\n' },
      { expect: { contains: '$1\r\n' } },
      { send: 'QUIT $${x}\r\n' },
      { send: { escapes: '\\0\\xff\\r\\n' } },
      { expect: { hex: '01 02' } },
    ]);
    const written = yamlFromDoc({ root: { target: { host: '127.0.0.1', port: 6379 } }, steps: steps.map((value, id) => ({ id, value })) });
    const loaded = load(written);
    expect(loaded.steps).toHaveLength(7);
  });
});

describe('escapeField / unescapeField', () => {
  it('show CR, LF, tab, backslash and controls as escapes, and read them back', () => {
    const text = 'a\\b\r\n\t\u0000\u007f\u0085é${x}';
    expect(escapeField(text)).toBe('a\\\\b\\r\\n\\t\\x00\\x7f\\u{85}é${x}');
    expect(unescapeField(escapeField(text))).toBe(text);
    expect(unescapeField('keep \\q and \\x4 as typed')).toBe('keep \\q and \\x4 as typed');
  });
});
