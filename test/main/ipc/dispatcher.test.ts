import { describe, expect, it } from 'vitest';
import { ok } from '../../../shared/errors.ts';
import { CALL_CHANNELS } from '../../../shared/contract.ts';
import { createClientDispatch, type Handlers } from '../../../main/ipc/dispatcher.ts';
import { CALL_SCHEMAS } from '../../../main/ipc/schemas.ts';

/** Handlers that record what reached them: the guard's job is that bad calls never do. */
function recordingHandlers(): { handlers: Handlers<string>; seen: Array<[string, unknown]> } {
  const seen: Array<[string, unknown]> = [];
  const handlers = Object.fromEntries(
    CALL_CHANNELS.map((c) => [c, (arg: unknown) => (seen.push([c, arg]), ok(null))]),
  ) as unknown as Handlers<string>;
  return { handlers, seen };
}

describe('guarded dispatch', () => {
  it('rejects unknown channels without calling anything', async () => {
    const { handlers, seen } = recordingHandlers();
    const dispatch = createClientDispatch(handlers, CALL_SCHEMAS, 'c');
    for (const name of ['session:evil', 'constructor', '__proto__', 'toString', 42, null]) {
      const r = await dispatch(name, {});
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('UNKNOWN_CHANNEL');
    }
    expect(seen).toEqual([]);
  });

  it.each([
    ['session:open', { host: '127.0.0.1' }, 'port'],
    ['session:open', { host: '127.0.0.1', port: 80, extra: 1 }, ''],
    ['session:open', { host: '127.0.0.1', port: 80, connectTimeoutMs: -5 }, 'connectTimeoutMs'],
    ['session:send', { id: 'a', data: 'not bytes', halfClose: false }, 'data'],
    ['session:send', { id: 'a', data: new Uint8Array(1), halfClose: 'yes' }, 'halfClose'],
    ['session:close', { id: '' }, 'id'],
    ['session:close', null, ''],
    ['profiles:import', { text: 'x', fileName: 'a.json', onDuplicate: 'merge' }, 'onDuplicate'],
  ])('rejects a bad argument for %s, naming the field', async (channel, arg, field) => {
    const { handlers, seen } = recordingHandlers();
    const dispatch = createClientDispatch(handlers, CALL_SCHEMAS, 'c');
    const r = await dispatch(channel, arg);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('INVALID_INPUT');
      expect(r.error.message).toContain(channel);
      if (field) expect(r.error.field).toBe(field);
    }
    expect(seen).toEqual([]);
  });

  it('passes a valid call through with the parsed argument', async () => {
    const { handlers, seen } = recordingHandlers();
    const dispatch = createClientDispatch(handlers, CALL_SCHEMAS, 'c');
    const data = new Uint8Array([0, 1, 2]);
    const r = await dispatch('session:send', { id: 'abc', data, halfClose: true });
    expect(r).toEqual({ ok: true, value: null });
    expect(seen).toHaveLength(1);
    expect(seen[0]![0]).toBe('session:send');
  });

  it('turns a throwing handler into INTERNAL instead of crashing', async () => {
    const { handlers } = recordingHandlers();
    handlers['app:info'] = () => {
      throw new Error('boom');
    };
    const r = await createClientDispatch(handlers, CALL_SCHEMAS, 'c')('app:info', {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('boom') });
  });

  // R-IPC-HOSTILE-CHANNEL: a channel that is an object whose toString is not callable made
  // String(channel) throw; the rejection went unhandled in the web bridge and web mode exited 1.
  it('never rejects, whatever the channel is (R-IPC-HOSTILE-CHANNEL)', async () => {
    const { handlers, seen } = recordingHandlers();
    const dispatch = createClientDispatch(handlers, CALL_SCHEMAS, 'c');
    const hostile: unknown[] = [
      { toString: 1 },
      { toString: () => { throw new Error('toString bomb'); } },
      Object.create(null),
      ['app:info'],
      { valueOf: 1, toString: 1 },
      Symbol('app:info'),
      'x'.repeat(100_000),
    ];
    for (const channel of hostile) {
      const r = await dispatch(channel, {});
      expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
      if (!r.ok) expect(r.error.message.length).toBeLessThan(200);
    }
    expect(seen).toEqual([]);
  });

  it('answers INTERNAL when a handler throws a value that cannot be printed', async () => {
    const { handlers } = recordingHandlers();
    handlers['app:info'] = () => {
      throw { toString: 1 };
    };
    const r = await createClientDispatch(handlers, CALL_SCHEMAS, 'c')('app:info', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('rate-limits a flood and recovers as time passes', async () => {
    const { handlers } = recordingHandlers();
    let t = 0;
    const dispatch = createClientDispatch(handlers, CALL_SCHEMAS, 'c', { perSecond: 10, burst: 5 }, () => t);
    const codes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await dispatch('app:info', {});
      codes.push(r.ok ? 'ok' : r.error.code);
    }
    expect(codes).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    t += 1000;
    expect((await dispatch('app:info', {})).ok).toBe(true);
  });
});
