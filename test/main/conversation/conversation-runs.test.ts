/**
 * Conversations run from the app: the contract's conversation:* channels through the guarded
 * dispatcher and the real service, against a real redis-server on loopback. Checks that problems
 * come back as data with line and column, that steps stream running → passed/failed/skipped, that
 * the final update has the transcript with match offsets, that cancel works mid-run, that a run
 * belongs to its client, and that a client going away stops its runs.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeAppService } from '../../../main/app-composition.ts';
import type { AppService, ClientContext } from '../../../main/app-service.ts';
import { createClientDispatch } from '../../../main/ipc/dispatcher.ts';
import { CALL_SCHEMAS } from '../../../main/ipc/schemas.ts';
import type { CallArg, CallChannel, CallValue, EventChannel } from '../../../shared/contract.ts';
import type { ConversationRunUpdate, ConversationStepView } from '../../../shared/conversation.ts';
import type { Result } from '../../../shared/errors.ts';
import { until } from '../engine/loopback.ts';
import { startRedis, type RealPeer } from './peers.ts';
import { redisConversation } from './real-peer-conversations.ts';

let redis: RealPeer;
let dir: string;
let service: AppService;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'st-conv-runs-'));
  service = await composeAppService({ host: 'web', profilesPath: join(dir, 'profiles.json') });
});
afterEach(async () => {
  await service.shutdown();
  await rm(dir, { recursive: true, force: true });
});

interface Client {
  ctx: ClientContext;
  call<C extends CallChannel>(channel: C, arg: CallArg<C>): Promise<Result<CallValue<C>>>;
  raw(channel: string, arg: unknown): Promise<Result<unknown>>;
  updates(runId: string): ConversationRunUpdate[];
  /** Every state each step went through, in order (from the updates). */
  states(runId: string): Map<number, string[]>;
  final(runId: string): ConversationRunUpdate | undefined;
}

function attach(): Client {
  const events: Array<{ event: EventChannel; payload: unknown }> = [];
  const ctx = service.attachClient({ alive: true, send: (event, payload) => events.push({ event, payload }) });
  const dispatch = createClientDispatch(service.handlers, CALL_SCHEMAS, ctx);
  const updates = (runId: string): ConversationRunUpdate[] =>
    events.filter((e) => e.event === 'conversation:update').map((e) => e.payload as ConversationRunUpdate).filter((u) => u.runId === runId);
  return {
    ctx,
    call: (channel, arg) => dispatch(channel, arg) as never,
    raw: (channel, arg) => dispatch(channel, arg),
    updates,
    states: (runId) => {
      const out = new Map<number, string[]>();
      for (const u of updates(runId)) {
        for (const s of u.steps) {
          const list = out.get(s.index) ?? [];
          if (list.at(-1) !== s.state) list.push(s.state);
          out.set(s.index, list);
        }
      }
      return out;
    },
    final: (runId) => updates(runId).find((u) => u.finished),
  };
}

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

async function started(c: Client, yaml: string, variables?: Record<string, string>): Promise<{ runId: string; steps: ConversationStepView[] }> {
  const start = value(await c.call('conversation:run', { yaml, ...(variables ? { variables } : {}) }));
  if (start.runId === null) throw new Error(`not started: ${JSON.stringify(start.errors)}`);
  return { runId: start.runId, steps: start.steps };
}

async function finished(c: Client, runId: string): Promise<ConversationRunUpdate> {
  await until(() => c.final(runId) !== undefined, 'the run to finish', 20_000);
  return c.final(runId)!;
}

describe('conversation:check', () => {
  it('returns problems as data with line and column, and nothing else', async () => {
    const c = attach();
    const check = value(await c.call('conversation:check', { yaml: 'target: {host: 127.0.0.1, port: 1}\nsteps:\n  - sned: "x"\n' }));
    expect(check.steps).toEqual([]);
    expect(check.errors).toHaveLength(1);
    expect(check.errors[0]).toMatchObject({ line: 3, column: 5, path: 'steps[0].sned' });
    expect(check.errors[0]!.message).toMatch(/sned/);
    const syntax = value(await c.call('conversation:check', { yaml: 'target: {host: x\n' }));
    expect(syntax.errors[0]!.message).toMatch(/^YAML: /);
    expect(syntax.errors[0]!.line).toBeGreaterThanOrEqual(1);
  });

  it('outlines a valid file as a run numbers it, groups before their steps', async () => {
    const c = attach();
    const yaml = 'target: {host: 127.0.0.1, port: 6379}\nsteps:\n  - send: "PING\\r\\n"\n  - group:\n      - wait: 1\n      - close: true\n    repeat: 2\n  - expect: {eof: true}\n';
    const check = value(await c.call('conversation:check', { yaml }));
    expect(check.errors).toEqual([]);
    expect(check.target).toEqual({ host: '127.0.0.1', port: 6379, transport: 'tcp' });
    expect(check.steps.map((s) => [s.index, s.label, s.depth, s.line, s.state])).toEqual([
      [1, 'send', 0, 3, 'pending'],
      [2, 'group', 0, 4, 'pending'],
      [3, 'wait', 1, 5, 'pending'],
      [4, 'close', 1, 6, 'pending'],
      [5, 'expect eof', 0, 8, 'pending'],
    ]);
  });

  it('counts variables given with the call as defined', async () => {
    const c = attach();
    const yaml = 'target: {host: 127.0.0.1, port: 1}\nsteps:\n  - send: "${token}"\n';
    expect(value(await c.call('conversation:check', { yaml })).errors[0]!.message).toMatch(/token/);
    expect(value(await c.call('conversation:check', { yaml, variables: { token: 'x' } })).errors).toEqual([]);
  });
});

describe('conversation:run against redis-server', () => {
  it('streams each step running then passed, and ends with the transcript and its matches', async () => {
    const c = attach();
    const { runId, steps } = await started(c, redisConversation(redis.port));
    expect(steps).toHaveLength(9);
    expect(steps.every((s) => s.state === 'pending')).toBe(true);
    const last = await finished(c, runId);
    const report = last.report!;
    expect(report.passed).toBe(true);
    expect(report.steps.map((s) => s.outcome)).toEqual(Array(9).fill('passed'));
    // Every step was seen running before it passed (possibly coalesced into one update at the end).
    const states = c.states(runId);
    for (let i = 1; i <= 9; i++) expect(states.get(i)!.at(-1)).toBe('passed');
    expect(c.updates(runId).filter((u) => u.finished)).toHaveLength(1);
    const matched = report.transcript.filter((e) => e.kind === 'matched');
    expect(matched.map((m) => (m.kind === 'matched' ? m.step : 0))).toEqual([2, 4, 6, 8]);
    const received = report.transcript.filter((e) => e.kind === 'received');
    expect(received.every((e) => e.kind === 'received' && e.bytes instanceof Uint8Array)).toBe(true);
    expect(report.bytesReceived).toBeGreaterThan(0);
  });

  it('reports a failing expect at its step with expected versus received, the rest skipped', async () => {
    const c = attach();
    const yaml = `target: {host: 127.0.0.1, port: ${redis.port}}\nsteps:\n  - send: "PING\\r\\n"\n  - expect: {contains: "+PONGX", timeout_ms: 300}\n  - send: "QUIT\\r\\n"\n`;
    const { runId } = await started(c, yaml);
    const report = (await finished(c, runId)).report!;
    expect(report.passed).toBe(false);
    expect(report.steps.map((s) => s.outcome)).toEqual(['passed', 'failed', 'skipped']);
    const failed = report.steps[1]!;
    expect(failed.line).toBe(4);
    expect(failed.message).toContain('step 2 (expect contains) failed');
    expect(failed.message).toContain('expected: "+PONGX"');
    expect(failed.message).toContain('received: "+PONG\\r\\n"');
    expect(failed.message).toContain('2b 50 4f 4e 47 0d 0a');
    expect(c.states(runId).get(2)).toContain('failed');
  });

  it('starts nothing for an invalid file and answers its problems', async () => {
    const c = attach();
    const before = await redisClients();
    const start = value(await c.call('conversation:run', { yaml: `target: {host: 127.0.0.1, port: ${redis.port}}\nsteps:\n  - send: 5\n    repeat: 0\n` }));
    expect(start.runId).toBeNull();
    expect(start.errors[0]).toMatchObject({ line: 4 });
    expect(await redisClients()).toBe(before);
  });

  it('cancels a run mid-step: the running step fails as cancelled, the rest are skipped', async () => {
    const c = attach();
    const yaml = `target: {host: 127.0.0.1, port: ${redis.port}}\nsteps:\n  - send: "PING\\r\\n"\n  - wait: 60000\n  - send: "QUIT\\r\\n"\n`;
    const { runId } = await started(c, yaml);
    await until(() => c.states(runId).get(2)?.includes('running') === true, 'the wait to start');
    expect(value(await c.call('conversation:cancel', { runId }))).toBeNull();
    const report = (await finished(c, runId)).report!;
    expect(report.cancelled).toBe(true);
    expect(report.steps.map((s) => s.outcome)).toEqual(['passed', 'failed', 'skipped']);
    expect(report.steps[1]!.reason).toBe('cancelled');
    // A finished run is gone: cancelling it again is UNKNOWN_SESSION.
    const again = await c.call('conversation:cancel', { runId });
    expect(again.ok ? null : again.error.code).toBe('UNKNOWN_SESSION');
  });

  it('keeps a run to its client, and a client going away stops its runs', async () => {
    const owner = attach();
    const other = attach();
    const yaml = `target: {host: 127.0.0.1, port: ${redis.port}}\nsteps:\n  - wait: 60000\n`;
    const { runId } = await started(owner, yaml);
    const foreign = await other.call('conversation:cancel', { runId });
    expect(foreign.ok ? null : foreign.error.code).toBe('UNKNOWN_SESSION');
    expect(other.updates(runId)).toEqual([]);
    await untilAsync(async () => (await redisClients()) >= 1, 'the run to connect');
    service.detachClient(owner.ctx);
    await untilAsync(async () => (await redisClients()) === 0, 'the run to end with its client');
  });

  it('refuses more than the concurrent-run limit with SESSION_LIMIT', async () => {
    const c = attach();
    const yaml = `target: {host: 127.0.0.1, port: ${redis.port}}\nsteps:\n  - wait: 60000\n`;
    for (let i = 0; i < 8; i++) await started(c, yaml);
    const ninth = await c.call('conversation:run', { yaml });
    expect(ninth.ok ? null : ninth.error.code).toBe('SESSION_LIMIT');
  });
});

/** `until` for a predicate that must ask redis (bounded: 10 s, every 20 ms). */
async function untilAsync(predicate: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Clients redis counts as connected, minus our own probe. */
async function redisClients(): Promise<number> {
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: redis.port });
    let text = '';
    socket.on('data', (d) => {
      text += d.toString();
      if (/connected_clients:\d+\r\n/.test(text)) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
    socket.write('INFO clients\r\n');
  });
  return Number(/connected_clients:(\d+)/.exec(reply)![1]) - 1;
}
