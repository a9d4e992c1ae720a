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

describe('formatConversation', () => {
  it.each([
    ['redis', redisConversation(6379), []],
    ['smtp', smtpConversation(25), ['token']],
    ['tricky', tricky, []],
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
