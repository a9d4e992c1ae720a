/**
 * Host and port are validated once per open: the boundary checks, the session takes the checked
 * (frozen, remembered) value as is; and every caller gets the same message for the same input.
 */
import { describe, expect, it } from 'vitest';
import { parseEndpoint } from '../../../shared/endpoint.ts';
import { checkConnectLimits, checkConnectOptions } from '../../../main/engine/connect-options.ts';
import { StreamSession } from '../../../main/engine/stream-session.ts';

describe('checkConnectOptions', () => {
  it('fills defaults, strips brackets, and returns a frozen value that passes again as is', () => {
    const checked = checkConnectOptions({ host: '[::1]', port: 80 });
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.value).toMatchObject({ host: '::1', port: 80, idleTimeoutMs: 0 });
    expect(Object.isFrozen(checked.value)).toBe(true);
    const again = checkConnectOptions(checked.value);
    expect(again.ok && again.value).toBe(checked.value);
  });

  it('a look-alike object that was never checked is checked in full', () => {
    const forged = { host: 'a b', port: 80, connectTimeoutMs: 1, idleTimeoutMs: 0, maxResponseBytes: 1 };
    const result = checkConnectOptions(forged);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.field).toBe('host');
  });

  it('gives the same message as parseEndpoint for the same host and port (one validation, one wording)', () => {
    for (const [host, port] of [['a b', 80], ['127.0.0.1:8080', 80], ['[::1', 80], ['example.com', 0]] as const) {
      const engine = checkConnectOptions({ host, port });
      const shared = parseEndpoint(host, port);
      expect(engine.ok).toBe(false);
      expect(shared.ok).toBe(false);
      if (engine.ok || shared.ok) continue;
      expect(engine.error).toEqual(shared.error);
    }
  });

  it('takes numbers only for the port', () => {
    const result = checkConnectOptions({ host: 'localhost', port: '80' as unknown as number });
    expect(!result.ok && result.error).toMatchObject({ code: 'INVALID_INPUT', field: 'port' });
  });

  it('limits keep their field as data and their message free of it', () => {
    const result = checkConnectOptions({ host: 'localhost', port: 80, connectTimeoutMs: 0 });
    expect(!result.ok && result.error).toMatchObject({ field: 'connectTimeoutMs', message: 'must be a whole number from 1 to 600000, got 0.' });
  });

  it('checkConnectLimits builds the checked value from an endpoint parsed from text (the CLI)', () => {
    const endpoint = parseEndpoint('bücher.example', '443');
    if (!endpoint.ok) throw new Error('expected ok');
    const checked = checkConnectLimits(endpoint.value, { idleTimeoutMs: 5 });
    expect(checked.ok && checked.value).toMatchObject({ host: 'xn--bcher-kva.example', port: 443, idleTimeoutMs: 5 });
    expect(checked.ok && checkConnectOptions(checked.value).ok).toBe(true);
  });

  it('a session handed a checked value connects to it (refused on a closed port, no re-check needed)', async () => {
    const checked = checkConnectOptions({ host: '127.0.0.1', port: 1, connectTimeoutMs: 5_000 });
    if (!checked.ok) throw new Error('expected ok');
    const session = new StreamSession('t');
    const result = await session.connect(checked.value);
    await session.done();
    expect(!result.ok && result.error.code).toBe('REFUSED');
  });
});
