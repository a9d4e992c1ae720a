/**
 * Loading conversation files: the happy path into typed steps, and every kind of bad file with
 * its line and column (YAML syntax, unknown step kinds and keys, numbers not in decimal, names
 * not defined, regexes RE2 refuses, capture regexes without exactly one group).
 */
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConversation, readConversationFile } from '../../../main/conversation/load-conversation.ts';
import { CONVERSATION_LIMITS, CONVERSATION_PROBLEMS } from '../../../shared/conversation.ts';
import { PROBLEM_FIXTURES } from './problem-fixtures.ts';

const yaml = (lines: string[]): string => `${lines.join('\n')}\n`;
const head = ['target:', '  host: 127.0.0.1', '  port: 6379', 'steps:'];

function errorsOf(text: string, extra: string[] = []) {
  const r = loadConversation(text, { extraVariables: extra });
  if (r.ok) throw new Error('expected errors');
  return r.errors.map((e) => `${e.line}:${e.column} ${e.message}`);
}

describe('loadConversation', () => {
  it('loads every step kind with defaults and positions', () => {
    const r = loadConversation(
      yaml([
        'name: all kinds',
        'target:',
        '  host: "[::1]"',
        '  port: 6379',
        '  connect_timeout_ms: 2500',
        'variables:',
        '  key: k1',
        'steps:',
        '  - send: "GET ${key}\\r\\n"',
        '  - send: {hex: "2a 31 ${key}", line_ending: crlf}',
        '    repeat: 3',
        '    interval_ms: 20',
        '  - expect:',
        '      regex: \'\\$(\\d+)\'',
        '      timeout_ms: 100',
        '      capture: {len: \'\\$(\\d+)\'}',
        '      abort_on: ["-ERR", {regex: "^-"}, {hex: "ff"}]',
        '  - expect: {contains: 250}',
        '  - expect: {exact: "${len}", encoding: latin1}',
        '  - wait: 0',
        '  - close_write: true',
        '  - starttls: {servername: mail.example}',
        '    continue_on_failure: true',
        '  - group:',
        '      - send: PING ${counter} ${random:hex:8} $${literal} $5',
        '      - expect: {eof: true}',
        '    repeat: 2',
        '    name: loop',
        '  - close:',
      ]),
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const c = r.value;
    expect(c.name).toBe('all kinds');
    expect(c.target).toEqual({ host: '::1', port: 6379, transport: 'tcp', connectTimeoutMs: 2500, tls: null });
    expect(c.variables).toEqual({ key: 'k1' });
    expect(c.steps.map((s) => s.kind)).toEqual(['send', 'send', 'expect', 'expect', 'expect', 'wait', 'close_write', 'starttls', 'group', 'close']);
    const [send, hexSend, expect1, expect2, expect3] = c.steps;
    expect(send).toMatchObject({ kind: 'send', repeat: 1, intervalMs: 0, continueOnFailure: false, at: { line: 9, column: 5 } });
    expect(hexSend).toMatchObject({ kind: 'send', repeat: 3, intervalMs: 20, payload: { mode: 'hex', lineEnding: 'crlf' } });
    expect(expect1).toMatchObject({ kind: 'expect', timeoutMs: 100, match: { kind: 'regex', pattern: '\\$(\\d+)' }, captures: [{ name: 'len' }] });
    if (expect1?.kind === 'expect') expect(expect1.abortOn.map((p) => p.kind)).toEqual(['contains', 'regex', 'hex']);
    expect(expect2).toMatchObject({ timeoutMs: CONVERSATION_LIMITS.defaultExpectTimeoutMs, match: { kind: 'contains', payload: { template: { source: '250' } } } });
    expect(expect3).toMatchObject({ match: { kind: 'exact', payload: { encoding: 'latin1' } } });
    const group = c.steps[8]!;
    if (group.kind !== 'group') throw new Error('group');
    expect(group).toMatchObject({ name: 'loop', repeat: 2 });
    const parts = group.steps[0]!.kind === 'send' ? group.steps[0]!.payload.template.parts : [];
    expect(parts.filter((p) => p.kind === 'ref').map((p) => (p.kind === 'ref' ? p.ref.kind : ''))).toEqual(['counter', 'random-hex']);
    expect(parts.filter((p) => p.kind === 'literal').map((p) => (p.kind === 'literal' ? p.text : ''))).toEqual(['PING ', ' ', ' ${literal} $5']);
  });

  it('gives the line and column of a YAML syntax error', () => {
    expect(errorsOf(yaml([...head, '  - send: "unterminated', '  - close: true']))).toEqual([
      expect.stringMatching(/^7:1 YAML: Missing closing "quote/),
    ]);
    expect(errorsOf(yaml([...head, '  - expect: {contains: a', '  - close: true']))[0]).toMatch(/^\d+:\d+ YAML: /);
  });

  it('names an unknown step kind, where it is, and the kinds there are', () => {
    expect(errorsOf(yaml([...head, '  - send: hi', '  - sned: hi']))).toEqual([
      '6:5 Unknown step kind or option "sned"; a step is one of send, expect, wait, close_write, starttls, close, group, with optional name, continue_on_failure, repeat, interval_ms.',
    ]);
  });

  it('refuses two kinds in one step, and repeat on an expect', () => {
    expect(errorsOf(yaml([...head, '  - send: hi', '    expect: {eof: true}']))).toEqual([
      '6:5 A step has one kind; this one has send and expect. Make them separate steps.',
    ]);
    expect(errorsOf(yaml([...head, '  - expect: {eof: true}', '    repeat: 2']))).toEqual(['6:13 "repeat" applies to send and group steps only.']);
  });

  it('refuses numbers not written in decimal and out of range', () => {
    expect(errorsOf(yaml(['target:', '  host: h', '  port: 0x1F90', 'steps:', '  - close: true']))).toEqual([
      '3:9 Expected a whole number from 1 to 65535 written in decimal, got "0x1F90".',
    ]);
    expect(errorsOf(yaml([...head, '  - wait: 1e3']))).toEqual(['5:11 Expected a whole number from 0 to 600000 written in decimal, got "1e3".']);
    expect(errorsOf(yaml([...head, '  - expect: {eof: true, timeout_ms: 0}']))).toEqual([
      '5:37 Expected a whole number from 1 to 600000 written in decimal, got "0".',
    ]);
  });

  it('refuses names that are not defined, and accepts them once given with --var', () => {
    const text = yaml([...head, '  - send: "AUTH ${password}"']);
    expect(errorsOf(text)).toEqual([
      '5:11 ${password} is not defined: define it under "variables", pass --var password=VALUE, or capture it in an earlier expect.',
    ]);
    expect(loadConversation(text, { extraVariables: ['password'] }).ok).toBe(true);
  });

  it('refuses a capture used before the expect that makes it', () => {
    const errors = errorsOf(yaml([...head, '  - send: "${token}"', '  - expect: {regex: "t=(.*)", capture: {token: "t=(.*)"}}']));
    expect(errors[0]).toMatch(/^5:11 \$\{token\} is not defined/);
  });

  it('checks templates and payloads with the codec, with positions', () => {
    expect(errorsOf(yaml([...head, '  - send: {hex: "41 4"}']))).toEqual(['5:17 odd number of hex digits: the digit at character 4 has no partner.']);
    expect(errorsOf(yaml([...head, '  - send: "a ${x"']))).toEqual(['5:11 "${" at character 3 has no closing "}"; write $${ for a literal "${".']);
    expect(errorsOf(yaml([...head, '  - send: "${random:hex:0}"']))).toEqual(['5:11 ${random:hex:0} at character 1: N must be 1 to 1024.']);
    expect(errorsOf(yaml([...head, '  - send: {escapes: "\\\\q"}']))[0]).toMatch(/^5:21 unknown escape at character 1/);
  });

  it('refuses regexes RE2 cannot run and captures without exactly one group', () => {
    expect(errorsOf(yaml([...head, "  - expect: {regex: '(a)\\1'}"]))).toEqual([
      '5:21 Regex: invalid escape sequence: `\\1` (backreferences are not supported: matching stays linear-time).',
    ]);
    expect(errorsOf(yaml([...head, "  - expect: {regex: 'a', capture: {v: 'a(b)(c)'}}"]))).toEqual([
      '5:39 A capture regex needs exactly one group (…) around the value; this one has 2. Use (?:…) for grouping without capturing.',
    ]);
    expect(errorsOf(yaml([...head, "  - expect: {regex: 'a', capture: {counter: 'a(b)'}}"]))).toEqual([
      '5:36 "counter" is a macro (counter, time, date, random) and cannot be a capture name.',
    ]);
  });

  it('reports unknown keys, a missing target and an empty step list', () => {
    expect(errorsOf(yaml(['taget: {}', 'steps: []']))).toEqual([
      '1:1 Unknown key "taget"; expected name, target, variables, steps.',
      '1:1 Missing "target" (host and port to connect to).',
    ]);
    expect(errorsOf(yaml(['target: {host: h, port: 1}', 'steps: []']))).toEqual(['2:8 The step list is empty.']);
    expect(errorsOf(yaml([...head, '  - expect: {contains: a, exact: b}']))).toEqual(['5:13 An expect has one match; this one has contains and exact.']);
  });

  it('refuses duplicate keys, and a file that is not a mapping', () => {
    expect(errorsOf(yaml([...head, '  - send: a', 'steps: []']))[0]).toMatch(/^6:1 YAML: Map keys must be unique/);
    expect(errorsOf('- just a list\n')).toEqual(['1:1 The file must be a mapping with "target" and "steps" (see docs/conversations.md).']);
  });

  it('checks the host with the shared endpoint rules', () => {
    expect(errorsOf(yaml(['target:', '  host: "bad host"', '  port: 1', 'steps:', '  - close: true']))[0]).toMatch(/^2:9 /);
  });

  it('reads files, refusing missing, oversized and non-UTF-8 ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'st-conv-'));
    try {
      const missing = await readConversationFile(join(dir, 'nope.yaml'));
      expect(missing).toEqual({ ok: false, errors: [{ line: 1, column: 1, path: null, message: `Cannot read ${join(dir, 'nope.yaml')}: no such file.` }] });
      const big = join(dir, 'big.yaml');
      await writeFile(big, 'x'.repeat(CONVERSATION_LIMITS.maxFileBytes + 1));
      expect(await readConversationFile(big)).toMatchObject({ ok: false, errors: [{ message: expect.stringContaining('may be at most') }] });
      const latin = join(dir, 'latin.yaml');
      await writeFile(latin, Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a]));
      expect(await readConversationFile(latin)).toMatchObject({ ok: false, errors: [{ message: `${latin} is not valid UTF-8 text.` }] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops after 20 errors', () => {
    const lines = [...head];
    for (let i = 0; i < 50; i++) lines.push('  - bogus: 1');
    expect(errorsOf(yaml(lines))).toHaveLength(20);
  });

  it('bounds alias expansion by the step limit', () => {
    // Each level doubles the steps; without a bound this walks 2^30 steps.
    const lines = ['target: {host: h, port: 1}', 'x0: &a0 [{send: a}, {send: b}]'];
    for (let i = 1; i <= 30; i++) lines.push(`x${i}: &a${i} [{group: *a${i - 1}}, {group: *a${i - 1}}]`);
    lines.push('steps: *a30');
    const r = loadConversation(yaml(lines));
    expect(r.ok).toBe(false);
  });

  describe('names the rule each problem breaks, with its values as data', () => {
    it.each(PROBLEM_FIXTURES.map((f) => [f.reason, f] as const))('%s', (reason, fixture) => {
      const r = loadConversation(fixture.yaml);
      if (r.ok) throw new Error('expected errors');
      const problem = r.errors.find((e) => e.reason === reason);
      expect(problem, JSON.stringify(r.errors.map((e) => [e.reason, e.message]))).toBeDefined();
      if (fixture.params) expect(problem!.params).toMatchObject(fixture.params);
      // Values are data: no sentence is built into a param (a UI words them in its own language).
      for (const value of Object.values(problem!.params ?? {})) if (typeof value === 'string') expect(value).not.toMatch(/[.;]\s|\.$/);
    });

    it('covers every rule, and every problem of every file has a known reason', () => {
      expect(new Set(PROBLEM_FIXTURES.map((f) => f.reason))).toEqual(new Set(CONVERSATION_PROBLEMS));
      for (const fixture of PROBLEM_FIXTURES) {
        const r = loadConversation(fixture.yaml);
        if (r.ok) throw new Error('expected errors');
        for (const e of r.errors) expect(CONVERSATION_PROBLEMS).toContain(e.reason);
      }
    });

    it("keeps a value's own error as its cause: code, reason and data, no stack", () => {
      const hex = loadConversation(yaml([...head, '  - send: {hex: "41 4"}']));
      if (hex.ok) throw new Error('expected errors');
      expect(hex.errors[0]).toMatchObject({ reason: 'value', cause: { code: 'INVALID_INPUT', message: expect.stringContaining('odd number of hex digits') } });
      const regex = loadConversation(yaml([...head, "  - expect: {regex: '(?=a)'}"]));
      if (regex.ok) throw new Error('expected errors');
      expect(regex.errors[0]).toMatchObject({ reason: 'value', cause: { reason: 'regex-lookaround' } });
      for (const r of [hex, regex]) expect(Object.keys(r.errors[0]!.cause!)).not.toContain('stack');
    });
  });
});
