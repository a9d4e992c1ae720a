/**
 * toAppError / toFileError: the errno table, AggregateError unpacking (F2) and message rules.
 * Inputs are shaped like Node's own errors; the socket tests cover the same paths end to end.
 */
import { describe, expect, it } from 'vitest';
import { fileErrorFor, formatEndpoint, toAppError, toFileError } from '../../../main/engine/error-mapping.ts';

function sysError(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${code} from Node`), { code, ...extra });
}

const ctx = { host: 'example.test', port: 5000, phase: 'open' as const };

describe('toAppError', () => {
  it.each([
    ['ECONNREFUSED', 'connecting', 'REFUSED'],
    ['ETIMEDOUT', 'connecting', 'CONNECT_TIMEOUT'],
    ['ETIMEDOUT', 'open', 'ABORTED'],
    ['ENOTFOUND', 'connecting', 'DNS_NOT_FOUND'],
    ['EAI_NONAME', 'connecting', 'DNS_NOT_FOUND'],
    ['EAI_AGAIN', 'connecting', 'DNS_FAILED'],
    ['EAI_FAIL', 'connecting', 'DNS_FAILED'],
    ['ECONNRESET', 'open', 'RESET'],
    ['EPIPE', 'open', 'BROKEN_PIPE'],
    ['EHOSTUNREACH', 'connecting', 'HOST_UNREACHABLE'],
    ['ENETUNREACH', 'connecting', 'NETWORK_UNREACHABLE'],
    ['EADDRINUSE', 'connecting', 'ADDRESS_IN_USE'],
    ['EACCES', 'connecting', 'PERMISSION_DENIED'],
    ['ECONNABORTED', 'open', 'ABORTED'],
    ['EWHATEVER', 'open', 'INTERNAL'],
  ] as const)('%s while %s → %s', (errno, phase, code) => {
    const mapped = toAppError(sysError(errno, { address: '127.0.0.1', port: 5000 }), { ...ctx, phase });
    expect(mapped.code).toBe(code);
    expect(mapped.errno).toBe(errno);
    expect(mapped.message.length).toBeGreaterThan(10);
    if (!code.startsWith('DNS')) expect(mapped.message).toContain('127.0.0.1:5000');
  });

  it('names the address tried, with brackets for IPv6', () => {
    const mapped = toAppError(sysError('ECONNREFUSED', { address: '::1', port: 5000 }), ctx);
    expect(mapped.message).toBe('Connection refused by [::1]:5000 (ECONNREFUSED).');
  });

  it('falls back to the connected address, then the host, when the error carries none', () => {
    expect(toAppError(sysError('ECONNRESET'), { ...ctx, remoteAddress: '10.0.0.1' }).message).toContain('10.0.0.1:5000');
    expect(toAppError(sysError('ECONNRESET'), ctx).message).toContain('example.test:5000');
  });

  it('says how far a send got', () => {
    const mapped = toAppError(sysError('ECONNRESET'), { ...ctx, bytesSent: 1024, bytesTotal: 4096 });
    expect(mapped.message).toMatch(/sent 1024 of 4096 bytes\.$/);
  });

  it('F2: unpacks an AggregateError with an empty message into attempts', () => {
    const aggregate = Object.assign(
      new AggregateError(
        [
          sysError('ECONNREFUSED', { address: '::1', port: 5000 }),
          sysError('ETIMEDOUT', { address: '127.0.0.1', port: 5000 }),
        ],
        '',
      ),
      { code: 'ECONNREFUSED' },
    );
    const mapped = toAppError(aggregate, { ...ctx, phase: 'connecting', host: 'localhost' });
    expect(mapped.code).toBe('REFUSED');
    expect(mapped.attempts).toEqual([
      { address: '::1', port: 5000, family: 6, errno: 'ECONNREFUSED', code: 'REFUSED' },
      { address: '127.0.0.1', port: 5000, family: 4, errno: 'ETIMEDOUT', code: 'CONNECT_TIMEOUT' },
    ]);
    expect(mapped.message).toBe(
      'Could not connect to localhost:5000 on any of its 2 addresses: [::1]:5000 ECONNREFUSED, 127.0.0.1:5000 ETIMEDOUT.',
    );
  });

  it('never throws and never returns an empty message for odd values', () => {
    for (const odd of [undefined, null, 42, 'text', {}, new Error('')]) {
      const mapped = toAppError(odd, ctx);
      expect(mapped.code).toBe('INTERNAL');
      expect(mapped.message.length).toBeGreaterThan(0);
    }
  });
});

describe('toFileError', () => {
  it('names the path and the reason', () => {
    expect(toFileError(sysError('ENOENT'), '/tmp/x.bin', 'read')).toEqual({
      code: 'FILE_ERROR',
      message: 'Could not read "/tmp/x.bin": no such file or directory (ENOENT).',
      errno: 'ENOENT',
    });
    expect(toFileError(sysError('ENOSPC'), 'out.bin', 'write').message).toContain('the disk is full');
  });

  it('fileErrorFor: one errno table for every FILE_ERROR, Node text only for an unknown errno', () => {
    expect(fileErrorFor(sysError('ENOSPC'), 'Could not save /x/profiles.json')).toEqual({
      code: 'FILE_ERROR',
      message: 'Could not save /x/profiles.json: the disk is full (ENOSPC)',
      errno: 'ENOSPC',
    });
    expect(fileErrorFor(sysError('ENXIO'), 'Could not write "p"').message).toContain('a FIFO that nobody reads');
    expect(fileErrorFor(sysError('EPIPE'), 'Could not write "p"').message).toContain('the reader closed the pipe');
    const unknown = Object.assign(new Error('EWEIRD: something odd'), { code: 'EWEIRD' });
    expect(fileErrorFor(unknown, 'Could not read x').message).toBe('Could not read x: EWEIRD: something odd (EWEIRD)');
  });
});

describe('formatEndpoint', () => {
  it('brackets IPv6 only', () => {
    expect(formatEndpoint('::1', 80)).toBe('[::1]:80');
    expect(formatEndpoint('127.0.0.1', 80)).toBe('127.0.0.1:80');
    expect(formatEndpoint('example.test', 80)).toBe('example.test:80');
  });

  it('is the shared formatter, not a copy', async () => {
    expect(formatEndpoint).toBe((await import('../../../shared/endpoint.ts')).formatEndpoint);
  });
});
