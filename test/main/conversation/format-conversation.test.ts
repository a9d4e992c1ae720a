/** The canonical YAML form: it loads back to the same conversation, and formatting is stable. */
import { describe, expect, it } from 'vitest';
import { formatConversation } from '../../../main/conversation/format-conversation.ts';
import { loadConversation } from '../../../main/conversation/load-conversation.ts';
import type { Conversation } from '../../../shared/conversation.ts';
import { redisConversation, smtpConversation } from './real-peer-conversations.ts';

function load(text: string, extra: string[] = []): Conversation {
  const r = loadConversation(text, { extraVariables: extra });
  if (!r.ok) throw new Error(`${JSON.stringify(r.errors)}\n${text}`);
  return r.value;
}

/** The conversation without source positions, which formatting does not keep. */
function shape(c: Conversation): unknown {
  return JSON.parse(JSON.stringify(c, (key, value) => (key === 'at' ? undefined : value)));
}

const tricky = `name: "true"
target:
  host: "::1"
  port: 7
  transport: tls
  connect_timeout_ms: 300
  tls: {servername: x.test, verify: false}
variables:
  n: "123"
  empty: ""
steps:
  - send: "a\\u0000\\r\\n\\u00ff \${n} $\${lit} #not-a-comment: x"
  - send: {hex: "ff 00 \${n}", line_ending: crlf, encoding: latin1}
    repeat: 3
    interval_ms: 5
    name: "- dash: name"
  - expect:
      exact: "null"
      timeout_ms: 12
      capture: {v: '(\\d+)'}
      abort_on: ["-ERR", {hex: "ff"}, {regex: "^5\\\\d\\\\d"}]
      encoding: latin1
    continue_on_failure: true
  - expect: {contains: 250}
  - expect: {eof: true}
  - wait: 0
  - close_write: true
  - starttls: true
  - starttls: {servername: y.test}
  - group:
      - send: "\${counter} \${random:hex:4} \${v}"
      - group: [{close: true}]
    repeat: 2
  - close: true
`;

/** Every step kind and every payload and match form, once each. */
const everyKind = `target: {host: 127.0.0.1, port: 6379}
steps:
  - send: "plain"
  - send: {text: "line", line_ending: lf}
  - send: {escapes: "\\x00\\xff\\r\\n", line_ending: cr}
  - send: {hex: "de ad be ef"}
  - expect: {contains: "+OK"}
  - expect: {exact: "+OK\\r\\n", encoding: latin1}
  - expect: {hex: "2b 4f 4b", abort_on: [{contains: "-ERR"}]}
  - expect: {regex: '^\\+(\\w+)', capture: {word: '^\\+(\\w+)'}, timeout_ms: 1}
  - expect: {eof: true}
  - wait: 25
  - close_write: true
  - starttls: {verify: false}
  - close: true
  - group:
      - send: "\${word}"
    repeat: 1
    interval_ms: 3
    continue_on_failure: true
`;

describe('formatConversation', () => {
  it.each([
    ['redis', redisConversation(6379), []],
    ['smtp', smtpConversation(25), ['token']],
    ['tricky', tricky, []],
    ['every kind', everyKind, []],
  ])('round-trips the %s conversation and is stable', (_name, text, extra) => {
    const first = load(text, extra as string[]);
    const formatted = formatConversation(first);
    const again = load(formatted, extra as string[]);
    expect(shape(again)).toEqual(shape(first));
    expect(formatConversation(again)).toBe(formatted);
  });

  it('writes keys in the canonical order with defaults left out', () => {
    const text = formatConversation(load(redisConversation(6379)));
    expect(text.split('\n').slice(0, 9)).toEqual([
      'name: Redis SET, GET with a capture, QUIT',
      'target:',
      '  host: 127.0.0.1',
      '  port: 6379',
      'variables:',
      '  key: greeting',
      'steps:',
      '  - send: "SET ${key} hello\\r\\n"',
      '  - expect:',
    ]);
  });
});
