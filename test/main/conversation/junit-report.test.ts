/** JUnit XML: valid XML (checked by a real parser), the counts CI reads, and escaping of hostile text. */
import { describe, expect, it } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { toJUnitXml } from '../../../main/conversation/junit-report.ts';
import type { ConversationReport, StepResult } from '../../../shared/conversation.ts';

function step(index: number, outcome: StepResult['outcome'], message: string, extra: Partial<StepResult> = {}): StepResult {
  return { index, kind: 'expect', label: 'expect contains', name: null, line: index + 4, outcome, durationMs: 1500, message, runs: outcome === 'skipped' ? 0 : 1, reason: outcome === 'failed' ? 'timeout' : null, ...extra };
}

function report(steps: StepResult[], extra: Partial<ConversationReport> = {}): ConversationReport {
  return { passed: false, cancelled: false, timedOut: false, steps, bytesSent: 3, bytesReceived: 4, durationMs: 2500, error: null, connectFailed: false, transcript: [], ...extra };
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' });

describe('toJUnitXml', () => {
  it('writes one testcase per step with failure and skipped elements', () => {
    const xml = toJUnitXml(
      report([
        step(1, 'passed', 'sent 3 bytes', { kind: 'send', label: 'send', name: 'hello <&> "quoted"' }),
        step(2, 'failed', 'step 2 (expect contains) failed: no match within 200 ms.\n  expected: "+OK"\n  received: "\\x00<script>"'),
        step(3, 'skipped', 'not run: an earlier step failed'),
      ]),
      { suiteName: 'suite & co', file: 'conv.yaml', endpoint: '127.0.0.1:1' },
    );
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parser.parse(xml);
    const suite = doc.testsuites.testsuite;
    expect(suite).toMatchObject({ name: 'suite & co', tests: '3', failures: '1', errors: '0', skipped: '1', time: '2.500' });
    const [a, b, c] = suite.testcase;
    expect(a).toMatchObject({ name: 'step 1 send: hello <&> "quoted" (line 5)', classname: 'conv.yaml', time: '1.500' });
    expect(b.failure).toMatchObject({ type: 'timeout', message: 'step 2 (expect contains) failed: no match within 200 ms.' });
    expect(b.failure['#text']).toContain('received: "\\x00<script>"');
    expect(c.skipped).toMatchObject({ message: 'not run: an earlier step failed' });
  });

  it('adds a connect testcase with an error when the connect failed', () => {
    const xml = toJUnitXml(report([step(1, 'skipped', 'not run: the connection could not be opened')], { connectFailed: true, error: { code: 'REFUSED', message: 'Connection refused by 127.0.0.1:1.' } }), {
      suiteName: 's',
      file: 'f.yaml',
      endpoint: '127.0.0.1:1',
    });
    const suite = parser.parse(xml).testsuites.testsuite;
    expect(suite).toMatchObject({ tests: '2', errors: '1', skipped: '1' });
    expect(suite.testcase[0]).toMatchObject({ name: 'connect to 127.0.0.1:1', error: { type: 'REFUSED' } });
  });

  it('replaces characters XML cannot carry and stays parseable', () => {
    const xml = toJUnitXml(report([step(1, 'failed', 'bad \u0000\u0007\uD800 bytes ]]> end')]), { suiteName: '\u001b[31mred', file: 'f', endpoint: 'h:1' });
    expect(XMLValidator.validate(xml)).toBe(true);
    const suite = parser.parse(xml).testsuites.testsuite;
    expect(suite.name).toBe('\uFFFD[31mred');
    expect(suite.testcase[0].failure['#text']).toBe('bad \uFFFD\uFFFD\uFFFD bytes ]]> end');
  });
});
