/**
 * The built CLI as a real child process against hostile local files and signals (issue 11 item 7):
 * a full disk (/dev/full), FIFOs nobody reads, SIGTERM at several stages, --file and --output naming
 * the same file, stdout that fails. The peers live in this process, so every run is an async spawn
 * (TOOLCHAIN pitfall 16). Every run is bounded by a kill timer far above what it needs.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type net from 'node:net';
import { ProfileStore } from '../../../main/profiles/profile-store.ts';
import { listen, type LoopbackServer } from '../engine/loopback.ts';
import { draft } from '../profiles/test-helpers.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');
const bin = resolve(root, 'bin', 'socket-tester.js');
/** Far above any run here; a run that reaches it has hung, which is the bug these tests catch. */
const HANG_LIMIT_MS = 20_000;

const servers: LoopbackServer[] = [];
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

beforeAll(() => {
  if (!existsSync(resolve(root, 'out', 'cli', 'cli.cjs'))) throw new Error('out/cli/cli.cjs is missing: run `npm run build` first.');
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  /** True when the kill timer had to end it. */
  hung: boolean;
}

interface Started {
  child: ChildProcess;
  /** Resolves when stderr has printed `text` (or the process ended). */
  stderrShows(text: string): Promise<void>;
  done: Promise<Run>;
}

/** Starts the binary; `stdout` is a pipe unless a file descriptor or 'ignore' is given. */
function start(args: string[], opts: { stdin?: 'ignore' | 'pipe'; stdout?: 'pipe' | number } = {}): Started {
  const child = spawn(process.execPath, [bin, ...args], { stdio: [opts.stdin ?? 'ignore', opts.stdout ?? 'pipe', 'pipe'] });
  children.push(child);
  const out: Buffer[] = [];
  let err = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout?.on('data', (d: Buffer) => out.push(d));
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString('utf8');
    for (const w of waiters.filter((w) => err.includes(w.text))) w.resolve();
  });
  let hung = false;
  const killer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, HANG_LIMIT_MS);
  const done = new Promise<Run>((resolveRun, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      for (const w of waiters) w.resolve();
      resolveRun({ code, signal, stdout: Buffer.concat(out), stderr: err, hung });
    });
  });
  return {
    child,
    done,
    stderrShows: (text) => (err.includes(text) ? Promise.resolve() : new Promise((resolveShown) => waiters.push({ text, resolve: resolveShown }))),
  };
}

function run(args: string[]): Promise<Run> {
  return start(args).done;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'st-cli-robust-'));
  dirs.push(dir);
  return dir;
}

async function serve(onConnection: (s: net.Socket) => void): Promise<LoopbackServer> {
  const s = await listen(onConnection, '127.0.0.1', { allowHalfOpen: true });
  servers.push(s);
  return s;
}

/** Replies with `size` bytes once our FIN arrives, then closes. */
function bulkServer(size: number): Promise<LoopbackServer> {
  return serve((socket) => {
    socket.on('error', () => undefined);
    socket.resume();
    socket.on('end', () => socket.end(Buffer.alloc(size, 0x61)));
  });
}

/** Echoes what it received once our FIN arrives. */
function echoServer(): Promise<LoopbackServer> {
  return serve((socket) => {
    const parts: Buffer[] = [];
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => parts.push(d));
    socket.on('end', () => socket.end(Buffer.concat(parts)));
  });
}

/** Sends one byte every 100 ms and never closes: a `send` to it runs until it is stopped. */
function dripServer(): Promise<LoopbackServer> {
  return serve((socket) => {
    socket.on('error', () => undefined);
    const timer = setInterval(() => socket.write('x'), 100);
    socket.on('close', () => clearInterval(timer));
  });
}

function fifo(dir: string, name = 'pipe'): string {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  return path;
}

const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('--output on a full disk (/dev/full)', () => {
  it('exits 7 with FILE_ERROR naming the path, no crash', async () => {
    const server = await bulkServer(4 << 20);
    const result = await run(['send', '127.0.0.1', String(server.port), 'hi', '--output', '/dev/full']);
    expect(result.code).toBe(7);
    expect(result.stderr).toContain('FILE_ERROR: Could not write "/dev/full": the disk is full (ENOSPC).');
    expect(result.stderr).not.toMatch(/Unhandled|node:events|at /);
  });

  it('--json prints one object with FILE_ERROR, then exits 7', async () => {
    const server = await bulkServer(4 << 20);
    const result = await run(['send', '127.0.0.1', String(server.port), 'hi', '--output', '/dev/full', '--json']);
    expect(result.code).toBe(7);
    const lines = result.stdout.toString('utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as { error: { code: string; message: string } };
    expect(report.error.code).toBe('FILE_ERROR');
    expect(report.error.message).toContain('ENOSPC');
    expect(result.stderr).toBe('');
  });

  it('a reply too small to fill the write buffer still fails on /dev/full (the error comes after the session)', async () => {
    const server = await bulkServer(10);
    const result = await run(['send', '127.0.0.1', String(server.port), 'hi', '--output', '/dev/full']);
    expect(result.code).toBe(7);
    expect(result.stderr).toContain('ENOSPC');
  });
});

describe('stdout that fails', () => {
  it('stdout on /dev/full: exit 7 and the reason on stderr, with and without --json', async () => {
    const server = await bulkServer(1 << 20);
    for (const extra of [[], ['--json'], ['--output', '-']]) {
      const fd = openSync('/dev/full', 'w');
      try {
        const result = await start(['send', '127.0.0.1', String(server.port), 'hi', ...extra], { stdout: fd }).done;
        expect(result.code, extra.join(' ')).toBe(7);
        expect(result.stderr).toContain('Could not write to stdout: the disk is full (ENOSPC).');
        expect(result.stderr).not.toMatch(/Unhandled|node:events/);
      } finally {
        closeSync(fd);
      }
    }
  });

  it('stdout closed by its reader (EPIPE): exit 7, no crash', async () => {
    const server = await bulkServer(4 << 20);
    const started = start(['send', '127.0.0.1', String(server.port), 'hi']);
    started.child.stdout?.destroy();
    const result = await started.done;
    expect(result.code).toBe(7);
    expect(result.stderr).toContain('(EPIPE)');
    expect(result.stderr).not.toMatch(/Unhandled|node:events/);
  });
});

describe('FIFOs are never opened in a way that blocks', () => {
  it('--output FIFO with no reader: exit 2 at once, naming the option', async () => {
    const server = await echoServer();
    const path = fifo(await tempDir());
    const result = await run(['send', '127.0.0.1', String(server.port), 'hi', '--output', path]);
    expect(result.hung).toBe(false);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--output: "${path}" is a named pipe (FIFO) that no process is reading`);
  });

  it('--output FIFO with a reader gets every byte (as with `--output >(cmd)`)', async () => {
    const server = await bulkServer(3 << 20);
    const path = fifo(await tempDir());
    const reader = spawn('sh', ['-c', `wc -c < "${path}"`], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(reader);
    let counted = '';
    reader.stdout.on('data', (d: Buffer) => (counted += d.toString()));
    const readerDone = new Promise((r) => reader.on('close', r));
    // The reader opens the FIFO asynchronously; retry while the CLI still reports "no reader".
    let result: Run | null = null;
    for (let attempt = 0; attempt < 50; attempt++) {
      result = await run(['send', '127.0.0.1', String(server.port), 'hi', '--output', path]);
      if (result.code !== 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(result?.code).toBe(0);
    await readerDone;
    expect(counted.trim()).toBe(String(3 << 20));
  });

  it('profiles list --profiles FIFO: exit 2, no hang', async () => {
    const path = fifo(await tempDir());
    const result = await run(['profiles', 'list', '--profiles', path]);
    expect(result.hung).toBe(false);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is a named pipe (FIFO), not a regular file');
  });

  it('web --profiles FIFO: exit 2, no hang', async () => {
    const path = fifo(await tempDir());
    const result = await run(['web', '--port', '0', '--profiles', path]);
    expect(result.hung).toBe(false);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--profiles: ');
  });

  it('send --profile with --profiles FIFO and --file FIFO: exit 2, no hang', async () => {
    const dir = await tempDir();
    const path = fifo(dir);
    const server = await echoServer();
    const viaProfile = await run(['send', '--profile', 'x', '--profiles', path]);
    expect(viaProfile.code).toBe(2);
    expect(viaProfile.stderr).toContain('--profiles: ');
    const viaFile = await run(['send', '127.0.0.1', String(server.port), '--file', path]);
    expect(viaFile.code).toBe(2);
    expect(viaFile.stderr).toContain('--file: ');
  });
});

describe('SIGTERM', () => {
  it('a running send is cancelled: exit 130, the bytes received so far printed', async () => {
    const server = await dripServer();
    const started = start(['send', '127.0.0.1', String(server.port), 'hi', '--output', '-']);
    // Wait for the first streamed byte on stdout, so the signal lands mid-exchange.
    await new Promise<void>((r) => started.child.stdout?.once('data', () => r()));
    started.child.kill('SIGTERM');
    const result = await started.done;
    expect(result.hung).toBe(false);
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/cancelled, sent 2 bytes/);
    expect(result.stdout.length).toBeGreaterThan(0);
  }, 30_000);

  it('while waiting for stdin that never ends: exit 130, nothing sent', async () => {
    const server = await echoServer();
    const started = start(['send', '127.0.0.1', String(server.port)], { stdin: 'pipe' });
    // Nothing is printed while stdin is awaited, so there is no event to wait for; Node itself
    // catches SIGTERM from its first instant (to reset the terminal), so /proc cannot tell either.
    // 1.5 s is several times what start-up takes here; a signal that lands earlier still reaches
    // the handler installed on the entry module's first line, or Node's default (143), failing.
    await new Promise((r) => setTimeout(r, 1_500));
    started.child.kill('SIGTERM');
    const result = await started.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('interrupted before connecting; nothing was sent.');
  });

  it('a served web UI stops on SIGTERM with exit 0', async () => {
    const dir = await tempDir();
    const started = start(['web', '--port', '0', '--profiles', join(dir, 'profiles.json')]);
    await new Promise<void>((r) => started.child.stdout?.once('data', () => r()));
    started.child.kill('SIGTERM');
    const result = await started.done;
    expect(result.code).toBe(0);
  });
});

describe('--file and --output naming the same file', () => {
  it('is refused before anything is written: exit 2, the file intact', async () => {
    const dir = await tempDir();
    const path = join(dir, 'data.bin');
    const bytes = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7) & 0xff));
    await writeFile(path, bytes);
    const link = join(dir, 'link.bin');
    await symlink(path, link);
    const server = await echoServer();
    for (const output of [path, link, join(dir, '.', 'data.bin')]) {
      const result = await run(['send', '127.0.0.1', String(server.port), '--file', path, '--output', output]);
      expect(result.code, output).toBe(2);
      expect(result.stderr).toContain('is the file being sent (--file');
      expect(sha(await readFile(path))).toBe(sha(bytes));
    }
  });

  it('--output naming the --profiles file being read is refused too', async () => {
    const dir = await tempDir();
    const profiles = join(dir, 'profiles.json');
    const server = await echoServer();
    const store = await ProfileStore.open({ filePath: profiles });
    expect((await store.create(draft({ name: 'x', host: '127.0.0.1', port: server.port, closeAfterSend: true }))).ok).toBe(true);
    await store.flush();
    const before = await readFile(profiles);
    const result = await run(['send', '--profile', 'x', '--profiles', profiles, '--output', profiles, 'hi']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is the profile file being read (--profiles');
    expect((await readFile(profiles)).equals(before)).toBe(true);
  });
});
