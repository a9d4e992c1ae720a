/**
 * A conversation report as JUnit XML, the format CI systems (GitLab, Jenkins, GitHub reporters)
 * show as test results: one testsuite per conversation, one testcase per step, a failed step as
 * <failure>, a skipped one as <skipped>, a connect that failed as an extra "connect" testcase
 * with <error>.
 *
 * Everything in it is escaped, and characters XML 1.0 cannot carry at all (most C0 controls,
 * lone surrogates) become U+FFFD: a step message may quote hostile peer bytes (though those are
 * already shown as escapes) and a step name is user text.
 */
import type { ConversationReport } from '../../shared/conversation.ts';

/** What the suite is called and where it came from. */
export interface JUnitOptions {
  suiteName: string;
  /** The conversation file, used as each testcase's classname. */
  file: string;
  /** "host:port", for the connect testcase. */
  endpoint: string;
}

/** The whole XML document. */
export function toJUnitXml(report: ConversationReport, options: JUnitOptions): string {
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  if (report.connectFailed && report.error) {
    errors++;
    cases.push(
      `    <testcase name="${attr(`connect to ${options.endpoint}`)}" classname="${attr(options.file)}" time="0">\n` +
        `      <error type="${attr(report.error.code)}" message="${attr(report.error.message)}">${text(`${report.error.code}: ${report.error.message}`)}</error>\n` +
        '    </testcase>',
    );
  }
  for (const step of report.steps) {
    const label = `step ${step.index} ${step.label}${step.name ? `: ${step.name}` : ''} (line ${step.line})`;
    const head = `    <testcase name="${attr(label)}" classname="${attr(options.file)}" time="${seconds(step.durationMs)}"`;
    if (step.outcome === 'passed') {
      cases.push(`${head} />`);
    } else if (step.outcome === 'skipped') {
      skipped++;
      cases.push(`${head}>\n      <skipped message="${attr(step.message)}" />\n    </testcase>`);
    } else {
      failures++;
      const first = step.message.split('\n')[0] ?? '';
      cases.push(
        `${head}>\n      <failure type="${attr(step.reason ?? 'failed')}" message="${attr(first)}">${text(step.message)}</failure>\n    </testcase>`,
      );
    }
  }
  const tests = cases.length;
  const time = seconds(report.durationMs);
  const suite =
    `  <testsuite name="${attr(options.suiteName)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}">\n` +
    `${cases.join('\n')}\n  </testsuite>`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="socket-tester run" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}">\n` +
    `${suite}\n</testsuites>\n`
  );
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** Characters XML 1.0 cannot represent, even escaped. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function text(value: string): string {
  return value.replace(NOT_XML, '\uFFFD').replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function attr(value: string): string {
  return text(value).replaceAll('"', '&quot;').replaceAll("'", '&apos;').replaceAll('\n', '&#10;').replaceAll('\r', '&#13;').replaceAll('\t', '&#9;');
}
