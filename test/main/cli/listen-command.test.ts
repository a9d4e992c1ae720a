/** `listen` argument and rules-file checks, in-process: each bad input exits 2 naming what is wrong. */
import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRules } from '../../../main/cli/listen-command.ts';
import { cli, tempDir } from './cli-harness.ts';

describe('listen rules files', () => {
  it('reads the documented shape (YAML and JSON)', () => {
    const yaml = parseRules('framing: {delimiter: {hex: "00"}}\nrules:\n  - match: {regex: "^A(.)"}\n    reply: {text: "${1}"}\n    delay_ms: 10\n    close: true\n');
    expect(yaml).toMatchObject({
      ok: true,
      value: { kind: 'rules', framing: { kind: 'delimiter' }, rules: [{ match: { kind: 'regex', value: '^A(.)' }, reply: { mode: 'text', value: '${1}' }, delayMs: 10, close: true }] },
    });
    expect(parseRules('[{"match": {"hex": "de ad"}, "reply": {"escapes": "\\\\x00"}}]')).toMatchObject({ ok: true, value: { framing: { kind: 'chunk' } } });
  });

  it.each([
    ['[]', /empty/],
    ['[{"match": {"exact": "a", "prefix": "b"}}]', /rules\[0\]\.match: exactly one of/],
    ['[{"match": {"exact": "a"}, "reply": {"txt": "b"}}]', /rules\[0\]\.reply: exactly one of/],
    ['[{"match": {"exact": "a"}, "delay_ms": -1}]', /rules\[0\]\.delay_ms/],
    ['[{"match": {"exact": "a"}, "colse": true}]', /unknown key "colse"/],
    ['{framing: paragraph, rules: [{match: {exact: a}}]}', /framing:/],
    ['{{{', /not valid YAML/],
  ])('refuses %s', (text, message) => {
    const r = parseRules(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(message);
  });

  it('exits 2 on bad options and bad rules before binding', async () => {
    const dir = await tempDir();
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, '- match: {regex: "(a)\\\\1"}\n  reply: {text: x}\n');
    const cases: [string[], RegExp][] = [
      [['listen'], /exactly one PORT/],
      [['listen', '70000'], /PORT/],
      [['listen', '0', '--echo', '--reply', 'x'], /one of --echo, --reply, --rules/],
      [['listen', '0', '--tls'], /--cert FILE and --key FILE, or --self-signed/],
      [['listen', '0', '--udp', '--tls', '--self-signed'], /exclude each other/],
      [['listen', '0', '--max-clients', '0'], /--max-clients/],
      [['listen', '0', '--rules', bad], /backreferences are not supported/],
      [['listen', '0', '--rules', join(dir, 'missing.yaml')], /missing\.yaml/],
      [['listen', '0', '--reply', 'zz', '--hex'], /reply/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
  });
});
