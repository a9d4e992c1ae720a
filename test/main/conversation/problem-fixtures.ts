/**
 * One bad conversation file per rule the loader words (CONVERSATION_PROBLEMS), with the values the
 * problem carries. The loader's test checks each file breaks its rule with those values; the
 * renderer's test words every one in Chinese.
 */
import { CONVERSATION_LIMITS, type ConversationProblem } from '../../../shared/conversation.ts';

export interface ProblemFixture {
  reason: ConversationProblem;
  yaml: string;
  /** A subset of the problem's params. */
  params?: Record<string, string | number>;
}

const lines = (...rows: string[]): string => `${rows.join('\n')}\n`;
const head = ['target:', '  host: 127.0.0.1', '  port: 6379', 'steps:'];
const withSteps = (...rows: string[]): string => lines(...head, ...rows);

function manyItems(count: number, item: (i: number) => string): string {
  return Array.from({ length: count }, (_, i) => item(i)).join(', ');
}

export const PROBLEM_FIXTURES: readonly ProblemFixture[] = [
  { reason: 'too-large', yaml: 'x'.repeat(CONVERSATION_LIMITS.maxFileBytes + 1), params: { max: CONVERSATION_LIMITS.maxFileBytes } },
  { reason: 'yaml-syntax', yaml: withSteps('  - send: "unterminated'), params: { yamlCode: 'MISSING_CHAR' } },
  { reason: 'yaml-syntax', yaml: withSteps('  - send: a', 'steps: []'), params: { yamlCode: 'DUPLICATE_KEY' } },
  { reason: 'not-a-mapping', yaml: '- just a list\n' },
  { reason: 'missing-key', yaml: lines('steps:', '  - close: true'), params: { key: 'target' } },
  { reason: 'missing-key', yaml: lines('target: {host: h}', 'steps:', '  - close: true'), params: { key: 'port' } },
  { reason: 'empty-steps', yaml: lines('target: {host: h, port: 1}', 'steps: []') },
  { reason: 'unknown-transport', yaml: lines('target: {host: h, port: 1, transport: udp}', 'steps:', '  - close: true'), params: { text: 'udp' } },
  { reason: 'tls-needs-transport', yaml: lines('target: {host: h, port: 1, tls: {verify: false}}', 'steps:', '  - close: true') },
  {
    reason: 'too-many-variables',
    yaml: lines('target: {host: h, port: 1}', `variables: {${manyItems(CONVERSATION_LIMITS.maxVariables + 1, (i) => `v${i}: x`)}}`, 'steps:', '  - close: true'),
    params: { max: CONVERSATION_LIMITS.maxVariables },
  },
  {
    reason: 'variable-too-long',
    yaml: lines('target: {host: h, port: 1}', `variables: {big: ${'x'.repeat(CONVERSATION_LIMITS.maxVariableBytes + 1)}}`, 'steps:', '  - close: true'),
    params: { max: CONVERSATION_LIMITS.maxVariableBytes },
  },
  { reason: 'expected-step-list', yaml: lines('target: {host: h, port: 1}', 'steps: {send: a}') },
  { reason: 'too-many-steps', yaml: withSteps(`  - group: [${manyItems(CONVERSATION_LIMITS.maxSteps, () => '{wait: 0}')}]`), params: { max: CONVERSATION_LIMITS.maxSteps } },
  { reason: 'unknown-step-key', yaml: withSteps('  - sned: hi'), params: { key: 'sned', kinds: 'send, expect, wait, close_write, starttls, close, group' } },
  { reason: 'step-without-kind', yaml: withSteps('  - name: nothing') },
  { reason: 'step-kinds', yaml: withSteps('  - send: hi', '    expect: {eof: true}'), params: { found: 'send, expect' } },
  { reason: 'repeat-not-here', yaml: withSteps('  - expect: {eof: true}', '    repeat: 2'), params: { key: 'repeat' } },
  { reason: 'takes-no-settings', yaml: withSteps('  - close: {now: true}'), params: { kind: 'close' } },
  {
    reason: 'group-too-deep',
    yaml: withSteps(`  - ${'group: [{'.repeat(CONVERSATION_LIMITS.maxGroupDepth + 1)}wait: 0${'}]'.repeat(CONVERSATION_LIMITS.maxGroupDepth + 1)}`),
    params: { max: CONVERSATION_LIMITS.maxGroupDepth },
  },
  { reason: 'group-empty', yaml: withSteps('  - group: []') },
  { reason: 'send-needs-payload', yaml: withSteps('  - send: {encoding: utf8}') },
  { reason: 'send-payloads', yaml: withSteps('  - send: {text: a, hex: "41"}'), params: { found: 'text, hex' } },
  { reason: 'expect-needs-match', yaml: withSteps('  - expect: {timeout_ms: 5}') },
  { reason: 'expect-matches', yaml: withSteps('  - expect: {contains: a, exact: b}'), params: { found: 'contains, exact' } },
  { reason: 'eof-true', yaml: withSteps('  - expect: {eof: yes}') },
  { reason: 'capture-with-eof', yaml: withSteps("  - expect: {eof: true, capture: {v: 'a(b)'}}") },
  {
    reason: 'too-many-abort-patterns',
    yaml: withSteps(`  - expect: {contains: a, abort_on: [${manyItems(CONVERSATION_LIMITS.maxAbortPatterns + 1, (i) => `e${i}`)}]}`),
    params: { max: CONVERSATION_LIMITS.maxAbortPatterns },
  },
  { reason: 'abort-on-entry', yaml: withSteps('  - expect: {contains: a, abort_on: [{contains: x, hex: "41"}]}') },
  { reason: 'unknown-abort-pattern', yaml: withSteps('  - expect: {contains: a, abort_on: [{exact: x}]}'), params: { key: 'exact' } },
  {
    reason: 'too-many-captures',
    yaml: withSteps(`  - expect: {regex: 'a', capture: {${manyItems(CONVERSATION_LIMITS.maxCapturesPerExpect + 1, (i) => `c${i}: 'a(b)'`)}}}`),
    params: { max: CONVERSATION_LIMITS.maxCapturesPerExpect },
  },
  { reason: 'capture-groups', yaml: withSteps("  - expect: {regex: 'a', capture: {v: 'a(b)(c)'}}"), params: { groups: 2 } },
  { reason: 'undefined-variable', yaml: lines('target: {host: h, port: 1}', 'variables: {user: u}', 'steps:', '  - send: "AUTH ${password}"'), params: { name: 'password', defined: 'user' } },
  { reason: 'unknown-choice', yaml: withSteps('  - send: {text: a, encoding: ebcdic}'), params: { key: 'encoding', text: 'ebcdic', choices: 'utf8, latin1' } },
  { reason: 'expected-text', yaml: withSteps('  - send: {text: [a]}') },
  { reason: 'expected-integer', yaml: lines('target: {host: h, port: 0x1F90}', 'steps:', '  - close: true'), params: { min: 1, max: 65535, text: '0x1F90' } },
  { reason: 'expected-integer', yaml: withSteps('  - wait: [1]'), params: { min: 0, found: 'list' } },
  { reason: 'expected-boolean', yaml: withSteps('  - send: a', '    continue_on_failure: 1'), params: { key: 'continue_on_failure' } },
  { reason: 'expected-shape', yaml: lines('target: h:1', 'steps:', '  - close: true'), params: { shape: 'target' } },
  { reason: 'expected-shape', yaml: withSteps('  - expect: a'), params: { shape: 'expectation', choices: 'contains, exact, regex, hex, eof' } },
  { reason: 'plain-keys', yaml: lines('target: {host: h, port: 1}', 'variables: {1: x}', 'steps:', '  - close: true') },
  { reason: 'invalid-name', yaml: lines('target: {host: h, port: 1}', 'variables: {"my-key": x}', 'steps:', '  - close: true'), params: { name: 'my-key', what: 'variable' } },
  { reason: 'reserved-name', yaml: withSteps("  - expect: {regex: 'a', capture: {counter: 'a(b)'}}"), params: { name: 'counter', what: 'capture' } },
  { reason: 'unknown-key', yaml: lines('taget: {}', 'target: {host: h, port: 1}', 'steps:', '  - close: true'), params: { key: 'taget', allowed: 'name, target, variables, steps' } },
  { reason: 'value', yaml: withSteps('  - send: {hex: "41 4"}') },
  { reason: 'value', yaml: withSteps("  - expect: {regex: '(a)\\1'}") },
  { reason: 'value', yaml: withSteps('  - send: "a ${x"') },
  { reason: 'value', yaml: lines('target: {host: "bad host", port: 1}', 'steps:', '  - close: true') },
];
