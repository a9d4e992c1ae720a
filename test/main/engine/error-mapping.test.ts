/**
 * toAppError / toFileError: the errno table, AggregateError unpacking (F2) and message rules.
 * Inputs are shaped like Node's own errors; the socket tests cover the same paths end to end.
 */
import { describe, expect, it } from 'vitest';
import {
  fileErrorFor,
  formatEndpoint,
  toAppError,
  toFileError,
  toTlsCredentialError,
  toTlsNameError,
  toTlsVerifyError,
} from '../../../main/engine/error-mapping.ts';

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
    ['EMFILE', 'connecting', 'TOO_MANY_FILES'],
    ['ENFILE', 'connecting', 'TOO_MANY_FILES'],
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

describe('TLS errors (OpenSSL and BoringSSL spellings)', () => {
  const handshake = { ...ctx, phase: 'connecting' as const, step: 'tls-handshake' as const, tls: true };
  it.each([
    // OpenSSL (Node) and BoringSSL (Electron) name the same alerts slightly differently.
    ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'TLS_CLIENT_CERT_REQUIRED'],
    ['ERR_SSL_TLSV1_ALERT_CERTIFICATE_REQUIRED', 'TLS_CLIENT_CERT_REQUIRED'],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'TLS_VERSION_UNSUPPORTED'],
    ['ERR_SSL_UNSUPPORTED_PROTOCOL', 'TLS_VERSION_UNSUPPORTED'],
    ['ERR_SSL_NO_PROTOCOLS_AVAILABLE', 'TLS_VERSION_UNSUPPORTED'],
    ['ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'TLS_CLIENT_CERT_REJECTED'],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'TLS_CLIENT_CERT_REJECTED'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'TLS_HANDSHAKE_FAILED'],
    ['ERR_SSL_PACKET_LENGTH_TOO_LONG', 'TLS_HANDSHAKE_FAILED'],
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'TLS_HANDSHAKE_FAILED'],
    ['ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL', 'TLS_HANDSHAKE_FAILED'],
    ['ERR_SSL_SOMETHING_NEW', 'TLS_HANDSHAKE_FAILED'],
  ])('%s during the handshake → %s, with a message saying what to do', (code, expected) => {
    const e = toAppError(sysError(code), handshake);
    expect(e.code).toBe(expected);
    expect(e.errno).toBe(code);
    expect(e.message).toMatch(/^TLS/);
    expect(e.message).toContain('example.test:5000');
  });

  it('a TLS library error on an open connection is TLS_PROTOCOL_ERROR; a reset mid-handshake is TLS_HANDSHAKE_FAILED', () => {
    expect(toAppError(sysError('ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC'), { ...ctx, tls: true }).code).toBe('TLS_PROTOCOL_ERROR');
    expect(toAppError(sysError('ECONNRESET'), handshake)).toMatchObject({ code: 'TLS_HANDSHAKE_FAILED', errno: 'ECONNRESET' });
    // Outside the handshake a reset stays a reset.
    expect(toAppError(sysError('ECONNRESET'), { ...ctx, tls: true }).code).toBe('RESET');
  });

  it('chain verdicts map to their codes; credential errors name the field and never the passphrase', () => {
    expect(toTlsVerifyError('DEPTH_ZERO_SELF_SIGNED_CERT', 'h:1', null).code).toBe('TLS_SELF_SIGNED');
    expect(toTlsVerifyError('SELF_SIGNED_CERT_IN_CHAIN', 'h:1', null).code).toBe('TLS_SELF_SIGNED');
    expect(toTlsVerifyError('CERT_HAS_EXPIRED', 'h:1', null).code).toBe('TLS_CERT_EXPIRED');
    expect(toTlsVerifyError('CERT_NOT_YET_VALID', 'h:1', null).code).toBe('TLS_CERT_NOT_YET_VALID');
    expect(toTlsVerifyError('UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'h:1', null).code).toBe('TLS_UNTRUSTED');
    expect(toTlsVerifyError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'h:1', null).code).toBe('TLS_UNTRUSTED');
    // With verification on, turning it off is one way forward; with it off (the session went on), that advice would ask for what was done.
    expect(toTlsVerifyError('DEPTH_ZERO_SELF_SIGNED_CERT', 'h:1', null).message).toContain('or turn verification off to inspect it');
    const inspected = toTlsVerifyError('DEPTH_ZERO_SELF_SIGNED_CERT', 'h:1', null, false).message;
    expect(inspected).not.toContain('verification off');
    expect(inspected).toMatch(/\(DEPTH_ZERO_SELF_SIGNED_CERT\); to trust it, give its certificate \(or its CA\) as the CA file\.$/);
    expect(toTlsNameError(sysError('ERR_TLS_CERT_ALTNAME_INVALID'), 'x.test', 'h:1').code).toBe('TLS_HOSTNAME_MISMATCH');
    // A certificate with no names of that kind: Node's reason ends in an empty list.
    const none = toTlsNameError(sysError('ERR_TLS_CERT_ALTNAME_INVALID', { reason: "IP: 127.0.0.1 is not in the cert's list: " }), '127.0.0.1', 'h:1');
    expect(none.message).toContain("(IP: 127.0.0.1 is not in the cert's list, which is empty)");
    expect(none.message).not.toMatch(/: \)/);
    const some = toTlsNameError(sysError('ERR_TLS_CERT_ALTNAME_INVALID', { reason: 'Host: x.test. is not in the cert\'s altnames: DNS:a.test' }), 'x.test', 'h:1');
    expect(some.message).toContain('(Host: x.test. is not in the cert\'s altnames: DNS:a.test)');
    expect(toTlsCredentialError(sysError('ERR_OSSL_PKCS12_MAC_VERIFY_FAILURE'), 'pfxFile', true)).toMatchObject({
      code: 'TLS_CREDENTIALS_INVALID',
      field: 'passphrase',
    });
    expect(toTlsCredentialError(sysError('ERR_OSSL_X509_KEY_VALUES_MISMATCH'), 'keyFile', false).field).toBe('keyFile');
    expect(toTlsCredentialError(sysError('ERR_OSSL_PEM_NO_START_LINE'), 'certFile', false).field).toBe('certFile');
  });
});
