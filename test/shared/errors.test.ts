import { describe, expect, it } from 'vitest';
import { parseEndpoint } from '../../shared/endpoint.ts';
import { encodePayload } from '../../shared/payload.ts';
import { fail, labelledMessage, type AppError } from '../../shared/errors.ts';

const UI = { host: 'Host', port: 'Port', payload: 'Payload' };
const CLI = { host: 'HOST', port: 'PORT', payload: 'DATA' };

function errorOf<T>(result: { ok: true; value: T } | { ok: false; error: AppError }): AppError {
  if (result.ok) throw new Error('expected an error');
  return result.error;
}

describe('labelledMessage: the field is data, each front end labels it', () => {
  it('puts the front end label for the field in front, once', () => {
    const port = errorOf(parseEndpoint('127.0.0.1', '0'));
    expect(port.field).toBe('port');
    expect(labelledMessage(port, UI)).toBe(`Port: ${port.message}`);
    expect(labelledMessage(port, CLI)).toBe(`PORT: ${port.message}`);
    expect(labelledMessage(port, CLI)).not.toMatch(/PORT: Port/);
  });

  it('labels host and payload errors the same way', () => {
    const host = errorOf(parseEndpoint('a b', '80'));
    expect(labelledMessage(host, CLI)).toBe(`HOST: ${host.message}`);
    const payload = errorOf(encodePayload({ text: 'zz', mode: 'hex', encoding: 'utf8', lineEnding: 'none' }));
    expect(labelledMessage(payload, UI)).toMatch(/^Payload: invalid hex digit/);
    expect(labelledMessage(payload, CLI)).toMatch(/^DATA: invalid hex digit/);
  });

  it('leaves the message alone without a field, or without a label for it', () => {
    const plain = errorOf(fail('REFUSED', 'Connection refused by 127.0.0.1:1 (ECONNREFUSED).'));
    expect(labelledMessage(plain, UI)).toBe(plain.message);
    const unknown = errorOf(fail('INVALID_INPUT', 'is too long.', { field: 'notes' }));
    expect(labelledMessage(unknown, UI)).toBe('is too long.');
  });
});
