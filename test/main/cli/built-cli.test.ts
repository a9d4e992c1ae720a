/**
 * The built binary (`bin/socket-tester.js` → out/cli/cli.cjs), run as a real child process:
 * exit codes, stdout/stderr separation, stdin piping. `npm test` builds before running vitest, so a
 * missing build is a failure with a hint, never a skip.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { closedPort, echoOnEnd as echoOnEndServer, listen, type LoopbackServer } from '../engine/loopback.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');
const bin = resolve(root, 'bin', 'socket-tester.js');
const built = resolve(root, 'out', 'cli', 'cli.cjs');

const servers: LoopbackServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

interface ProcessRun {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the binary; `stdin` is piped in and closed, or /dev/null when absent. */
function run(args: string[], stdin: Buffer | null = null): Promise<ProcessRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolveRun({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
    if (stdin) child.stdin?.end(stdin);
  });
}

async function echoServer(): Promise<LoopbackServer> {
  const s = await echoOnEndServer();
  servers.push(s);
  return s;
}

beforeAll(() => {
  if (!existsSync(built)) {
    throw new Error(`${built} is missing: run \`npm run build\` (or \`npx electron-vite build\`) before these tests.`);
  }
});

describe('built socket-tester send', () => {
  it('prints the raw reply on stdout, the summary on stderr, exit 0', async () => {
    const server = await echoServer();
    const result = await run(['send', '127.0.0.1', String(server.port), 'PING', '--line-ending', 'crlf']);
    expect(result.code).toBe(0);
    expect(result.stdout.toString('latin1')).toBe('got:PING\r\n');
    expect(result.stderr).toMatch(/closed by peer, sent 6 bytes, received 10 bytes/);
  });

  it('pipes stdin as raw bytes', async () => {
    const server = await echoServer();
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x41]);
    const result = await run(['send', '127.0.0.1', String(server.port)], bytes);
    expect(result.code).toBe(0);
    expect(result.stdout.equals(Buffer.concat([Buffer.from('got:'), bytes]))).toBe(true);
  });

  it('refused: exit 3 and one JSON object', async () => {
    const port = await closedPort();
    const result = await run(['send', '127.0.0.1', String(port), 'x', '--json']);
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout.toString('utf8')) as { outcome: string; error: { code: string; message: string } };
    expect(report.outcome).toBe('error');
    expect(report.error.code).toBe('REFUSED');
    expect(report.error.message).toContain(`127.0.0.1:${port}`);
  });

  it('invalid input: exit 2 with a message naming the option', async () => {
    const result = await run(['send', '127.0.0.1', '80', 'x', '--connect-timeout', 'soon']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--connect-timeout/);
    expect(result.stdout.length).toBe(0);
  });
});
