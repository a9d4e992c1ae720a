/**
 * Conversation file problems as the Conversation tab words them: main's English sentence in
 * English; in Chinese, the broken rule worded from its reason and values, for every rule the loader
 * has (the loader's own fixtures), never a raw {{placeholder}} and never the English sentence.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConversation } from '../../../main/conversation/load-conversation.ts';
import { problemMessage } from '../../../renderer/lib/conversation-problems.ts';
import { setLocale } from '../../../renderer/lib/i18n/index.ts';
import { PROBLEM_FIXTURES } from '../../main/conversation/problem-fixtures.ts';

afterEach(() => setLocale('en'));

function problemsOf(yaml: string) {
  const r = loadConversation(yaml);
  if (r.ok) throw new Error('expected errors');
  return r.errors;
}

const CJK = /[\u4e00-\u9fff]/;

describe('problemMessage', () => {
  it('in English is the sentence the CLI prints', () => {
    for (const fixture of PROBLEM_FIXTURES) for (const p of problemsOf(fixture.yaml)) expect(problemMessage(p)).toBe(p.message);
  });

  it.each(PROBLEM_FIXTURES.map((f, i) => [`${f.reason} #${i}`, f] as const))('in Chinese words %s', (_name, fixture) => {
    setLocale('zh-CN');
    for (const p of problemsOf(fixture.yaml)) {
      const shown = problemMessage(p);
      expect(shown).not.toBe(p.message);
      expect(shown).toMatch(CJK);
      expect(shown).not.toMatch(/\{\{|\}\}|undefined|\[object/);
    }
  });

  it('keeps the file’s own words and numbers in the Chinese sentence', () => {
    setLocale('zh-CN');
    const [unknown] = problemsOf('target: {host: h, port: 1}\nsteps:\n  - sned: hi\n');
    expect(problemMessage(unknown!)).toContain('sned');
    // Lists of YAML keys are joined the Chinese way.
    expect(problemMessage(unknown!)).toContain('send、expect、wait');
    const [port] = problemsOf('target: {host: h, port: 0x1F90}\nsteps:\n  - close: true\n');
    expect(problemMessage(port!)).toMatch(/1.*65535.*0x1F90/);
    const [undefinedName] = problemsOf('target: {host: h, port: 1}\nvariables: {user: u}\nsteps:\n  - send: "${password}"\n');
    expect(problemMessage(undefinedName!)).toContain('${password}');
    expect(problemMessage(undefinedName!)).toContain('user');
  });

  it('words a bad value as its form does, without the form’s label (the line and column say where)', () => {
    setLocale('zh-CN');
    const [host] = problemsOf('target: {host: "bad host", port: 1}\nsteps:\n  - close: true\n');
    const shown = problemMessage(host!);
    expect(shown).toContain('主机名');
    expect(shown).not.toMatch(/^主机：/);
  });

  it('words a YAML code it has no sentence for with the code, and an unknown reason with main’s words', () => {
    setLocale('zh-CN');
    expect(problemMessage({ message: 'YAML: something new', reason: 'yaml-syntax', params: { yamlCode: 'SOMETHING_NEW' } })).toContain('SOMETHING_NEW');
    expect(problemMessage({ message: 'From a newer main.', reason: 'not-a-reason' as never })).toBe('From a newer main.');
    expect(problemMessage({ message: 'No reason at all.' })).toBe('No reason at all.');
  });

  it.each(['en', 'zh-CN'] as const)('shows a bidi override or control character from the file as a mark (%s)', (language) => {
    setLocale(language);
    const [key] = problemsOf('target: {host: h, port: 1, "\u202e\u0007x": 1}\nsteps:\n  - close: true\n');
    const shown = problemMessage(key!);
    expect(shown).not.toMatch(/[\u202e\u0007]/);
    expect(shown).toContain('⟨U+202E⟩');
    expect(shown).toContain('\u2407');
  });

  it('never lets a hostile yaml code choose a message key', () => {
    setLocale('zh-CN');
    const shown = problemMessage({ message: 'YAML: x', reason: 'yaml-syntax', params: { yamlCode: '__proto__' } });
    expect(shown).toContain('__proto__');
    expect(shown).toMatch(CJK);
  });
});
