/**
 * The built binary's `listen`, as a real process, against clients no one here wrote: nc
 * (netcat-openbsd), curl, redis-cli and openssl s_client; plus --once, --json events and Ctrl-C
 * (SIGINT) exiting 0. `npm test` builds first; a missing build or peer is a failure, never a skip.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve, join } from 'node:path';
import { tempDir } from './cli-harness.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');
const bin = resolve(root, 'bin', 'socket-tester.js');
const built = resolve(root, 'out', 'cli', 'cli.cjs');

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('close', r));
    }
  }
});

interface Running {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `listen 0 …` and resolves once it printed where it listens. */
function listen(args: string[]): Promise<Running> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [bin, 'listen', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const timer = setTimeout(() => reject(new Error(`no "listening on" within 15 s: ${err}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => (out += d.toString('latin1')));
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString('utf8');
      const m = /listening on \S+:(\d+) /.exec(err);
      if (m) {
        clearTimeout(timer);
        resolveRun({ child, port: Number(m[1]), stdout: () => out, stderr: () => err, exited });
      }
    });
    child.on('error', reject);
  });
}

function tool(cmd: string, args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((r) => {
    const child = execFile(cmd, args, { timeout: 15_000, env: { ...process.env, http_proxy: '', https_proxy: '', HTTP_PROXY: '', HTTPS_PROXY: '' } }, (err, stdout, stderr) =>
      r({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

beforeAll(() => {
  if (!existsSync(built)) throw new Error(`${built} is missing: run "npm run build" first.`);
});

describe('socket-tester listen (built, real peers)', () => {
  it('nc: line rules answered, raw bytes on stdout', async () => {
    const dir = await tempDir();
    const rules = join(dir, 'rules.yaml');
    await writeFile(rules, 'framing: line\nrules:\n  - match: {prefix: HELLO}\n    reply: {text: "hi there\\n"}\n');
    const l = await listen(['--rules', rules]);
    const nc = await tool('nc', ['-N', '-w', '5', '127.0.0.1', String(l.port)], 'HELLO world\n');
    expect(nc).toMatchObject({ code: 0, stdout: 'hi there\n' });
    l.child.kill('SIGINT');
    expect(await l.exited).toBe(0);
    expect(l.stdout()).toBe('HELLO world\n');
  });

  it('curl: an HTTP request answered by a fixed reply; --once exits 0 after it', async () => {
    const l = await listen(['--reply', 'HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\nConnection: close\\r\\n\\r\\nok\\n', '--escapes', '--once']);
    const curl = await tool('curl', ['--noproxy', '*', '-sS', `http://127.0.0.1:${l.port}/hello`]);
    expect(curl).toMatchObject({ code: 0, stdout: 'ok\n' });
    expect(await l.exited).toBe(0);
    expect(l.stdout()).toMatch(/^GET \/hello HTTP\/1\.1\r\n/);
  });

  it('redis-cli PING gets +PONG from a rules listener; --json events in order', async () => {
    const dir = await tempDir();
    const rules = join(dir, 'rules.json');
    await writeFile(rules, JSON.stringify({ framing: 'line', rules: [{ match: { exact: 'PING' }, reply: { escapes: '+PONG\\r\\n' } }] }));
    const l = await listen(['--rules', rules, '--json', '--once']);
    const redis = await tool('redis-cli', ['-h', '127.0.0.1', '-p', String(l.port), 'PING']);
    expect(redis).toMatchObject({ code: 0, stdout: 'PONG\n' });
    expect(await l.exited).toBe(0);
    const events = l.stdout().trim().split('\n').map((line) => JSON.parse(line) as { event: string; [k: string]: unknown });
    expect(events[0]).toMatchObject({ event: 'listening', address: '127.0.0.1', port: l.port });
    const kinds = events.map((e) => e.event);
    expect(kinds.slice(0, 2)).toEqual(['listening', 'accepted']);
    expect(kinds).toContain('received');
    expect(events.find((e) => e.event === 'rule')).toMatchObject({ rule: 0 });
    expect(events.find((e) => e.event === 'sent')).toMatchObject({ base64: Buffer.from('+PONG\r\n').toString('base64') });
    expect(events.find((e) => e.event === 'closed')).toMatchObject({ client: 1 });
    expect(kinds.at(-1)).toBe('stopped');
  });

  it('openssl s_client against --tls --self-signed --echo', async () => {
    const l = await listen(['--tls', '--self-signed', '--echo']);
    // s_client quits at stdin's end before the echo is back, so stdin stays open until it is.
    const sc = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${l.port}`, '-servername', 'localhost', '-quiet', '-no_ign_eof'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(sc);
    let out = '';
    let err = '';
    sc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const echoed = new Promise<void>((r) =>
      sc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) r();
      }),
    );
    sc.stdin!.write('over tls\n');
    await echoed;
    const code = new Promise((r) => sc.on('close', r));
    sc.stdin!.end();
    expect(await code).toBe(0);
    expect(out).toBe('over tls\n');
    expect(err).toMatch(/CN = localhost/);
    expect(l.stderr()).toMatch(/self-signed certificate, SHA-256 [0-9A-F:]{95}/);
    l.child.kill('SIGINT');
    expect(await l.exited).toBe(0);
  });

  it('Ctrl-C with a client still connected closes it and exits 0; bad options exit 2', async () => {
    const l = await listen(['--echo']);
    const net = await import('node:net');
    const s = net.connect(l.port, '127.0.0.1');
    const closed = new Promise((r) => s.on('close', r));
    s.on('error', () => {});
    await new Promise((r) => s.once('connect', r));
    s.write('x');
    await new Promise((r) => s.once('data', r));
    l.child.kill('SIGINT');
    expect(await l.exited).toBe(0);
    await closed;
    expect(l.stderr()).toMatch(/stopped; 1 accepted, 0 refused/);
    const bad = await tool(process.execPath, [bin, 'listen', '0', '--host', '0.0.0.0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a loopback address/);
  });
});
