/**
 * TLS listener: certificate and key from files (the TLS tests' own CA and leaves), a requested
 * client certificate shown (not judged), a bad key refused before binding, and a client that never
 * handshakes not holding more than its slot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tls from 'node:tls';
import net from 'node:net';
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
      // The TLS view's facts: the SNI the client sent and its certificate, described whole.
      const details = accepted[0]!.tlsDetails!;
      expect(details).toMatchObject({ protocol: socket.getProtocol(), serverNameReceived: 'localhost', clientCertRequested: true, clientChainTruncated: false });
      expect(details.cipher).toMatch(/^TLS_/);
      expect(details.clientChain[0]).toMatchObject({ subject: expect.stringContaining('CN=test client'), keyType: 'EC', fingerprint256: accepted[0]!.clientCert!.fingerprint256 });
      expect(details.clientChain[0]!.pem).toContain('BEGIN CERTIFICATE');
      socket.destroy();
    } finally {
      await l.close();
    }
  });

  it('describes a handshake without a client certificate: none presented, or none asked for; no SNI from an IP', async () => {
    for (const requestClientCert of [true, false]) {
      const started = await startListener({ transport: 'tls', host: '127.0.0.1', port: 0, tls: { kind: 'self-signed', requestClientCert } });
      if (!started.ok) throw new Error(started.error.message);
      const l = started.value;
      const accepted: ClientInfo[] = [];
      l.on('accepted', (c) => accepted.push(c));
      try {
        const socket = tls.connect({ host: '127.0.0.1', port: l.port, rejectUnauthorized: false });
        socket.on('error', () => {});
        await new Promise((r) => socket.once('secureConnect', r));
        await new Promise<void>((r) => {
          const tick = (): void => (accepted.length === 1 ? r() : void setTimeout(tick, 10));
          tick();
        });
        expect(accepted[0]!.tlsDetails).toMatchObject({ serverNameReceived: null, clientCertRequested: requestClientCert, clientChain: [], resumed: false });
        expect(accepted[0]!.clientCert).toBe(requestClientCert ? null : undefined);
        socket.destroy();
      } finally {
        await l.close();
      }
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

  it('a client that speaks no TLS, or leaves mid-handshake, fails the handshake and frees its slot', async () => {
    const started = await startListener({ transport: 'tls', host: '127.0.0.1', port: 0, maxClients: 1, tls: { kind: 'self-signed' } });
    if (!started.ok) throw new Error(started.error.message);
    const l = started.value;
    const failures: string[] = [];
    l.on('closed', (_c, outcome, error) => failures.push(`${outcome}:${error?.code}:${error?.message ?? ''}`));
    try {
      for (const [i, payload] of ['GET / HTTP/1.0\r\n\r\n', ''].entries()) {
        const s = net.connect(l.port, '127.0.0.1', () => s.end(payload));
        s.on('error', () => {});
        await new Promise((r) => s.once('close', r));
        await new Promise<void>((r) => {
          const tick = (): void => (failures.length === i + 1 && l.stats().active === 0 ? r() : void setTimeout(tick, 10));
          tick();
        });
      }
      expect(failures[0]).toMatch(/^handshake-failed:TLS_HANDSHAKE_FAILED:.*(did not speak TLS|closed the connection)/);
      expect(failures[1]).toMatch(/^handshake-failed:TLS_HANDSHAKE_FAILED:.*closed the connection before it was done/);
      expect(l.stats()).toMatchObject({ accepted: 2, refused: 0, active: 0 });
    } finally {
      await l.close();
    }
  });
});
