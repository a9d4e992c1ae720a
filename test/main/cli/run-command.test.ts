/**
 * `socket-tester run` in-process: argument and file checks (exit 2 with line and column), the
 * human report, --json, --junit, --timeout, --var, and the exit codes for passed, failed and
 * connection failures.
 */
import { describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { closedPort } from '../engine/loopback.ts';
import { makeTestCerts, nodeTlsServer } from '../engine/tls-peers.ts';
import { cli, json, serve, tempDir } from './cli-harness.ts';

async function conversationFile(port: number, steps: string[], extra: string[] = []): Promise<string> {
  const dir = await tempDir('st-run-');
  const file = join(dir, 'conv.yaml');
  await writeFile(file, ['name: test conversation', 'target:', '  host: 127.0.0.1', `  port: ${port}`, ...extra, 'steps:', ...steps.map((s) => `  ${s}`)].join('\n') + '\n');
  return file;
}

/** Answers every chunk with "+<chunk>"; closes after QUIT. */
async function plusServer() {
  return serve((socket) =>
    socket.on('data', (d: Buffer) => {
      if (d.toString().startsWith('QUIT')) socket.end('+BYE\r\n');
      else socket.write(Buffer.concat([Buffer.from('+'), d]));
    }),
  );
}

describe('socket-tester run', () => {
  it('passes: prints one line per step and exits 0', async () => {
    const server = await plusServer();
    const file = await conversationFile(server.port, ['- send: "hi ${who}\\r\\n"', '- expect: {exact: "+hi you\\r\\n"}', '- send: "QUIT\\r\\n"', '- expect: {eof: true}'], ['variables:', '  who: nobody']);
    const run = await cli(['run', file, '--var', 'who=you']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.toString().split('\n');
    expect(lines[0]).toBe(`socket-tester run: ${file} (test conversation) -> 127.0.0.1:${server.port}`);
    expect(lines.slice(1, 5).map((l) => l.replace(/ \(\d+ ms\)$/, ''))).toEqual([
      'PASS    1 send: sent 8 bytes',
      'PASS    2 expect exact: matched bytes 0-9 of the stream',
      'PASS    3 send: sent 6 bytes',
      'PASS    4 expect eof: the peer finished sending (FIN)',
    ]);
    expect(lines[5]).toMatch(/^passed: 4 passed, 0 failed, 0 skipped; sent 14 bytes, received 15 bytes in \d+ ms$/);
  });

  it('fails: exit 1, the message names the step by number and kind with expected versus received', async () => {
    const server = await plusServer();
    const file = await conversationFile(server.port, ['- send: "PING"', '- expect: {contains: PONG, timeout_ms: 200}', '- send: "never"']);
    const run = await cli(['run', file, '--json']);
    expect(run.code).toBe(1);
    const report = json(run);
    expect(report).toMatchObject({ passed: false, bytesSent: 4, bytesReceived: 5, error: null });
    const steps = report.steps as { index: number; kind: string; outcome: string; durationMs: number; message: string }[];
    expect(steps.map((s) => [s.index, s.kind, s.outcome])).toEqual([
      [1, 'send', 'passed'],
      [2, 'expect', 'failed'],
      [3, 'send', 'skipped'],
    ]);
    expect(Object.keys(steps[0]!).sort()).toEqual(['durationMs', 'index', 'kind', 'message', 'outcome']);
    expect(steps[1]!.message).toBe(
      [
        'step 2 (expect contains) failed: no match within 200 ms.',
        '  expected: "PONG"  (contains, 4 bytes)',
        '            50 4f 4e 47',
        '  closest: the first 1 of 4 bytes, at byte 1',
        '  received: "+PING"  (5 bytes since the previous match)',
        '            2b 50 49 4e 47',
      ].join('\n'),
    );
  });

  it('writes JUnit XML that a parser reads back, one testcase per step', async () => {
    const server = await plusServer();
    const file = await conversationFile(server.port, ['- send: "a"', '- expect: {contains: "+a"}', '- expect: {contains: "zzz", timeout_ms: 100}', '- close: true']);
    const junit = join(await tempDir(), 'out.xml');
    const run = await cli(['run', file, '--junit', junit]);
    expect(run.code).toBe(1);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(await readFile(junit, 'utf8'));
    const suite = doc.testsuites.testsuite;
    expect(suite).toMatchObject({ name: 'test conversation', tests: '4', failures: '1', skipped: '1' });
    expect(suite.testcase.map((t: { name: string }) => t.name)).toEqual([
      'step 1 send (line 6)',
      'step 2 expect contains (line 7)',
      'step 3 expect contains (line 8)',
      'step 4 close (line 9)',
    ]);
    expect(suite.testcase[2].failure.message).toBe('step 3 (expect contains) failed: no match within 100 ms.');
  });

  it('exits 2 with file:line:column for a YAML syntax error, and for an unknown step kind', async () => {
    const dir = await tempDir();
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'target:\n  host: 127.0.0.1\n  port: 1\nsteps:\n  - send: [unclosed\n');
    const syntax = await cli(['run', bad]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(new RegExp(`^${bad.replaceAll('/', '\\/')}:6:1: YAML: `));
    expect(syntax.stdout.length).toBe(0);

    const unknown = join(dir, 'unknown.yaml');
    await writeFile(unknown, 'target: {host: 127.0.0.1, port: 1}\nsteps:\n  - send: hi\n  - expct: {eof: true}\n');
    const kind = await cli(['run', unknown, '--json']);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toBe(
      `${unknown}:4:5: Unknown step kind or option "expct"; a step is one of send, expect, wait, close_write, starttls, close, group, with optional name, continue_on_failure, repeat, interval_ms.\n`,
    );
    // The rule it broke, as data a CI script can match on.
    expect(json(kind)).toMatchObject({
      passed: false,
      steps: [],
      error: { code: 'INVALID_INPUT', line: 4, column: 5, path: 'steps[1].expct', reason: 'unknown-step-key', params: { key: 'expct' } },
    });
  });

  it('exits 2 for bad options and variables, before connecting', async () => {
    const file = await conversationFile(1, ['- send: "${x}"'], ['variables:', '  x: a']);
    const cases: [string[], string][] = [
      [['run'], 'FILE is required: socket-tester run FILE.'],
      [['run', file, '--var', 'x'], '--var must be NAME=VALUE, got "x".'],
      [['run', file, '--var', '1x=2'], '--var "1x": a name has letters, digits and _, and starts with a letter or _.'],
      [['run', file, '--var', 'counter=2'], '--var counter: "counter" is a macro (counter, time, date, random), not a variable.'],
      [['run', file, '--var', 'x=1', '--var', 'x=2'], '--var x is given twice; give each variable once.'],
      [['run', file, '--timeout', '0'], '--timeout must be a whole number from 1 to 86400000, got "0".'],
      [['run', file, '--profile', 'Redis'], 'give either FILE or --profile NAME, not both.'],
      [['run', '--profiles', file], '--profiles FILE goes with --profile NAME.'],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toBe(`socket-tester run: ${message}\nRun "socket-tester run --help" for usage.\n`);
    }
  });

  it('uses the send command codes when the connection cannot be made', async () => {
    const port = await closedPort();
    const file = await conversationFile(port, ['- send: "x"']);
    const run = await cli(['run', file, '--json']);
    expect(run.code).toBe(3);
    expect(json(run)).toMatchObject({ passed: false, error: { code: 'REFUSED' }, steps: [{ outcome: 'skipped' }] });
  });

  it('exits 5 when the connection is reset mid-run', async () => {
    const server = await serve((socket) => socket.on('data', () => socket.resetAndDestroy()));
    const file = await conversationFile(server.port, ['- send: "x"', '- expect: {contains: y}']);
    const run = await cli(['run', file]);
    expect(run.code).toBe(5);
    expect(run.stdout.toString()).toContain('connection lost: RESET');
  });

  it('--timeout stops the whole run: exit 1', async () => {
    const server = await serve(() => undefined);
    const file = await conversationFile(server.port, ['- expect: {contains: never, timeout_ms: 60000}']);
    const run = await cli(['run', file, '--timeout', '200']);
    expect(run.code).toBe(1);
    expect(run.stdout.toString()).toContain('FAIL    1 expect contains: step 1 (expect contains) failed: the whole-run timeout (200 ms) fired.');
    expect(run.stdout.toString()).toContain('stopped by --timeout 200 ms');
  });

  it('--transcript shows the bytes and what each expect matched', async () => {
    const server = await plusServer();
    const file = await conversationFile(server.port, ['- send: "a\\u0000"', '- expect: {hex: "2b 61 00"}']);
    const run = await cli(['run', file, '--transcript']);
    expect(run.code).toBe(0);
    const text = run.stdout.toString();
    expect(text).toContain('  > step 1 sent 2 bytes: "a\\0"');
    expect(text).toContain('  < received 3 bytes at 0: "+a\\0"');
    expect(text).toContain('  = step 2 matched bytes 0-3');
  });

  it('exits 7 when the --junit file cannot be written, after reporting the run', async () => {
    const server = await plusServer();
    const file = await conversationFile(server.port, ['- send: "a"', '- expect: {contains: "+a"}']);
    const run = await cli(['run', file, '--junit', join(await tempDir(), 'no', 'such', 'dir.xml')]);
    expect(run.code).toBe(7);
    expect(run.stderr).toMatch(/^socket-tester run: --junit: /);
  });

  it('runs over TLS (transport: tls) against a real TLS server, verify off for its self-signed test certificate', async () => {
    const certs = await makeTestCerts();
    const peer = await nodeTlsServer({ cert: await certs.read('self.pem'), key: await certs.read('self.key') });
    try {
      const file = await conversationFile(peer.port, ['- send: "over tls\\n"', '- expect: {contains: "over tls"}', '- close: true'], [
        '  transport: tls',
        '  tls: {servername: localhost, verify: false}',
      ]);
      const run = await cli(['run', file, '--json']);
      expect(run.code).toBe(0);
      expect(json(run)).toMatchObject({ passed: true });
      expect(peer.serverNames).toEqual(['localhost']);
    } finally {
      await peer.close();
      await certs.remove();
    }
  });

  it('prints help', async () => {
    const run = await cli(['run', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout.toString()).toContain('socket-tester run --profile NAME [--profiles FILE]');
  });
});
