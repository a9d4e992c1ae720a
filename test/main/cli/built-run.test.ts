/**
 * The built binary's `run` command as a real child process against real peers: exit codes 0, 1,
 * 2 and 3, JUnit output, and Ctrl-C (SIGINT) giving 130. Needs `npm run build` first (npm test
 * builds); a missing build is a failure with a hint, never a skip.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { closedPort, listen, type LoopbackServer } from '../engine/loopback.ts';
import { startRedis, type RealPeer } from '../conversation/peers.ts';
import { redisConversation } from '../conversation/real-peer-conversations.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');
const bin = resolve(root, 'bin', 'socket-tester.js');
const built = resolve(root, 'out', 'cli', 'cli.cjs');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the binary asynchronously (the peers may live in this process); `onStart` sees the child. */
function run(args: string[], onStart?: (child: ReturnType<typeof spawn>) => void): Promise<ProcessRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolveRun({ code, stdout, stderr });
    });
    onStart?.(child);
  });
}

async function dir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'st-built-run-'));
  cleanups.push(() => rm(d, { recursive: true, force: true }));
  return d;
}

async function redis(): Promise<RealPeer> {
  const peer = await startRedis();
  cleanups.push(() => peer.stop());
  return peer;
}

beforeAll(() => {
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` before these tests.`);
});

describe('built socket-tester run', () => {
  it('exit 0 against redis-server, with a JUnit file of passing testcases', async () => {
    const peer = await redis();
    const d = await dir();
    const file = join(d, 'redis.yaml');
    await writeFile(file, redisConversation(peer.port));
    const junit = join(d, 'junit.xml');
    const result = await run(['run', file, '--junit', junit]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\npassed: 9 passed, 0 failed, 0 skipped;/);
    const suite = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(await readFile(junit, 'utf8')).testsuites.testsuite;
    expect(suite).toMatchObject({ tests: '9', failures: '0', errors: '0', skipped: '0' });
  });

  it('exit 1 for a failed expectation, naming the step, with --json', async () => {
    const peer = await redis();
    const file = join(await dir(), 'redis.yaml');
    await writeFile(file, redisConversation(peer.port).replace('{exact: "+OK\\r\\n"}', '{exact: "+PONG\\r\\n"}'));
    const result = await run(['run', file, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { passed: boolean; steps: { message: string; outcome: string }[] };
    expect(report.passed).toBe(false);
    expect(report.steps[1]!.message.split('\n')[0]).toBe('step 2 (expect exact) failed: the reply differs at byte 1: expected 50 ("P"), received 4f ("O").');
  });

  it('exit 2 for an invalid file, with line and column', async () => {
    const file = join(await dir(), 'bad.yaml');
    await writeFile(file, 'target: {host: 127.0.0.1, port: 1}\nsteps:\n  - wait: 0x10\n');
    const result = await run(['run', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${file}:3:11: Expected a whole number from 0 to 600000 written in decimal, got "0x10".\n`);
  });

  it('exit 3 when the connect is refused', async () => {
    const port = await closedPort();
    const file = join(await dir(), 'refused.yaml');
    await writeFile(file, `target: {host: 127.0.0.1, port: ${port}}\nsteps:\n  - send: x\n`);
    const result = await run(['run', file]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('could not connect: REFUSED');
  });

  it('exit 130 on SIGINT while an expect waits', async () => {
    const server: LoopbackServer = await listen(() => undefined);
    cleanups.push(() => server.close());
    const file = join(await dir(), 'silent.yaml');
    await writeFile(file, `target: {host: 127.0.0.1, port: ${server.port}}\nsteps:\n  - expect: {contains: never, timeout_ms: 60000}\n`);
    const result = await run(['run', file], (child) => {
      const poll = setInterval(() => {
        if (server.accepted.length > 0) {
          clearInterval(poll);
          child.kill('SIGINT');
        }
      }, 20);
      child.on('close', () => clearInterval(poll));
    });
    expect(result.code).toBe(130);
    expect(result.stdout).toContain('step 1 (expect contains) failed: cancelled.');
  });
});
