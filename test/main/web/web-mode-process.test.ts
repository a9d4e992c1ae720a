/**
 * The built CLI's web mode as a real process, probed like a hostile local client would:
 * - R-WEB-HOSTILE-FRAME: one frame with a channel whose toString is not callable used to end the
 *   process (unhandled rejection, exit 1) and with it every session of every client;
 * - R-PROCESS-REJECTION: any other unhandled rejection is logged and the process keeps serving;
 * - F-WEB-EMFILE: at the file-descriptor limit a session:open reports TOO_MANY_FILES (was INTERNAL)
 *   and web mode keeps answering.
 * `npm test` builds first; a missing build is a failure with a hint, never a skip.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { decodeFrame, encodeFrame, TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL, type WireServerMessage } from '../../../shared/wire.ts';
import type { EventPayload } from '../../../shared/contract.ts';
import type { Result } from '../../../shared/errors.ts';
import { listen, type LoopbackServer } from '../engine/loopback.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');
const bin = resolve(root, 'bin', 'socket-tester.js');
const built = resolve(root, 'out', 'cli', 'cli.cjs');
const plant = resolve(root, 'test', 'fixtures', 'process', 'plant-rejection.mjs');

interface WebProcess {
  child: ChildProcess;
  port: number;
  token: string;
  origin: string;
  stderr: () => string;
  exited: () => boolean;
}

const started: WebProcess[] = [];
const servers: LoopbackServer[] = [];
const dirs: string[] = [];

beforeAll(() => {
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` before these tests.`);
});

afterEach(async () => {
  for (const p of started.splice(0)) {
    if (!p.exited()) {
      p.child.kill('SIGTERM');
      await new Promise((r) => p.child.once('exit', r));
    }
  }
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Starts `web --port 0` (exec'd by bash, so the pid is node's own). */
async function startWeb(opts: { nodeArgs?: string[] } = {}): Promise<WebProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'st-web-proc-'));
  dirs.push(dir);
  const args = [...(opts.nodeArgs ?? []), bin, 'web', '--port', '0', '--profiles', join(dir, 'profiles.json')];
  const quoted = [process.execPath, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const child = spawn('bash', ['-c', `exec ${quoted}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let exited = false;
  child.once('exit', () => (exited = true));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error('web mode did not start within 15 s')), 15_000);
    child.once('exit', (code) => reject(new Error(`web mode exited early with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^Socket Tester web UI: (\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    });
  });
  const parsed = new URL(url);
  const p: WebProcess = {
    child,
    port: Number(parsed.port),
    token: new URLSearchParams(parsed.hash.slice(1)).get('token')!,
    origin: parsed.origin,
    stderr: () => stderr,
    exited: () => exited,
  };
  started.push(p);
  return p;
}

async function client(p: WebProcess) {
  const ws = new WebSocket(`ws://127.0.0.1:${p.port}/ws`, [WIRE_PROTOCOL, TOKEN_PROTOCOL_PREFIX + p.token], { headers: { origin: p.origin } });
  await new Promise<void>((resolveOpen, reject) => {
    ws.once('open', () => resolveOpen());
    ws.once('error', reject);
  });
  const answers = new Map<number, (r: Result<unknown>) => void>();
  const updates: Array<EventPayload<'session:update'>> = [];
  ws.on('message', (data: Buffer) => {
    const msg = decodeFrame(new Uint8Array(data)) as WireServerMessage;
    if (msg.t === 'result') answers.get(msg.n)?.(msg.result);
    else if (msg.event === 'session:update') updates.push(msg.payload as EventPayload<'session:update'>);
  });
  let n = 0;
  return {
    ws,
    updates,
    /** Sends any header object as a frame; resolves with the answer to its `n`. */
    raw: (frame: { n: number } & Record<string, unknown>): Promise<Result<unknown>> =>
      new Promise((r) => {
        answers.set(frame.n, r);
        ws.send(encodeFrame(frame));
      }),
    call: (channel: string, arg: unknown): Promise<Result<unknown>> =>
      new Promise((r) => {
        const id = 1_000_000 + ++n;
        answers.set(id, r);
        ws.send(encodeFrame({ t: 'call', n: id, channel, arg }));
      }),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('built web mode against hostile clients', () => {
  it('survives a call whose channel has a non-callable toString, and keeps every client (R-WEB-HOSTILE-FRAME)', async () => {
    const p = await startWeb();
    const bystander = await client(p);
    const attacker = await client(p);
    const answer = await attacker.raw({ t: 'call', n: 1, channel: { toString: 1 }, arg: {} });
    expect(answer).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    await sleep(300);
    expect(p.exited()).toBe(false);
    expect(await bystander.call('app:info', {})).toMatchObject({ ok: true });
    expect(await attacker.call('app:info', {})).toMatchObject({ ok: true });
    expect(p.stderr()).toBe('');
  });

  it('logs an unhandled rejection and keeps serving (R-PROCESS-REJECTION)', async () => {
    const p = await startWeb({ nodeArgs: ['--import', plant] });
    const c = await client(p);
    for (let i = 0; i < 500 && !p.stderr().includes('planted rejection'); i++) await sleep(10);
    expect(p.stderr()).toContain('Unhandled promise rejection (kept running)');
    expect(p.stderr()).toContain('planted rejection for the test');
    expect(p.exited()).toBe(false);
    expect(await c.call('app:info', {})).toMatchObject({ ok: true });
  });

  it('reports TOO_MANY_FILES at the descriptor limit and keeps answering (F-WEB-EMFILE)', async () => {
    const sink = await listen(() => undefined);
    servers.push(sink);
    const p = await startWeb();
    const c = await client(p);
    // Lower the running process's descriptor limit to a few above what it holds now (start-up
    // itself needs many at once while it loads modules), with util-linux's prlimit.
    const open = readdirSync(`/proc/${p.child.pid}/fd`).length;
    const limit = open + 6;
    const lowered = spawnSync('prlimit', ['--pid', String(p.child.pid), `--nofile=${limit}:${limit}`]);
    expect(lowered.status, String(lowered.stderr)).toBe(0);
    const ids: string[] = [];
    let failure: Result<unknown> | null = null;
    // Bounded by the session limit (64): each open session holds one descriptor, so 6 more run out first.
    for (let i = 0; i < 64 && !failure; i++) {
      const r = (await c.call('session:open', { host: '127.0.0.1', port: sink.port })) as Result<{ id: string }>;
      if (!r.ok) {
        failure = r;
        break;
      }
      ids.push(r.value.id);
      for (let j = 0; j < 200; j++) {
        const last = c.updates.filter((u) => u.id === r.value.id).at(-1);
        if (last && last.status.phase !== 'connecting') {
          if (last.status.error) failure = { ok: false, error: last.status.error };
          break;
        }
        await sleep(10);
      }
    }
    expect(failure).toMatchObject({ ok: false, error: { code: 'TOO_MANY_FILES', errno: 'EMFILE' } });
    expect(p.exited()).toBe(false);
    expect(await c.call('app:info', {})).toMatchObject({ ok: true });
  });
});
