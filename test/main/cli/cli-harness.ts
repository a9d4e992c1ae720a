/**
 * Shared by the CLI tests: runs `socket-tester` in-process with buffer streams, and keeps the
 * loopback servers and temporary folders a test makes, closing and removing them after each test.
 */
import { afterEach, expect } from 'vitest';
import { PassThrough, Readable } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type net from 'node:net';
import { runCli } from '../../../main/cli/run-cli.ts';
import { listen, type LoopbackServer } from '../engine/loopback.ts';

const servers: LoopbackServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** Remembers a server so it is closed after the test. */
export function track<S extends LoopbackServer>(server: S): S {
  servers.push(server);
  return server;
}

/** A temporary folder removed after the test. */
export async function tempDir(prefix = 'st-cli-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Replies "got:" + every byte received, once our FIN arrives; records what it received. */
export async function echoServer(): Promise<LoopbackServer & { received: () => Buffer }> {
  let last = Buffer.alloc(0);
  const s = await listen(
    (socket) => {
      const parts: Buffer[] = [];
      socket.on('data', (d: Buffer) => parts.push(d));
      socket.on('end', () => {
        last = Buffer.concat(parts);
        socket.end(Buffer.concat([Buffer.from('got:'), last]));
      });
    },
    '127.0.0.1',
    { allowHalfOpen: true },
  );
  return Object.assign(track(s), { received: () => last });
}

/** A loopback server with a custom per-connection behaviour. */
export async function serve(onConnection: (s: net.Socket) => void): Promise<LoopbackServer> {
  return track(await listen(onConnection, '127.0.0.1', { allowHalfOpen: true }));
}

export interface CliRun {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs the CLI in-process; stdin is a pipe holding `stdinBytes` (empty unless given). */
export async function cli(args: string[], stdinBytes: Buffer | null = null): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (d: Buffer) => out.push(d));
  stderr.on('data', (d: Buffer) => err.push(d));
  const stdin = Readable.from(stdinBytes ? [stdinBytes] : []);
  const code = await runCli(args, { stdout, stderr, stdin });
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
}

/** The single JSON object `--json` printed. */
export function json(run: CliRun): Record<string, unknown> {
  const text = run.stdout.toString('utf8');
  expect(text.trim().split('\n')).toHaveLength(1);
  return JSON.parse(text) as Record<string, unknown>;
}
