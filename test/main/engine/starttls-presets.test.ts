/**
 * The STARTTLS presets against real loopback peers: each protocol's plain exchange, then a real TLS
 * handshake on the same socket, then application data over TLS; and the failure cases (refusal,
 * a server that does not offer it, bytes injected after the go-ahead, silence, a closed connection).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { runOneShot } from '../../../main/engine/one-shot.ts';
import { STARTTLS_PROTOCOLS, type StartTlsProtocol } from '../../../shared/tls.ts';
import { makeTestCerts, type TestCerts } from './tls-peers.ts';
import { startTlsPeer, type StartTlsPeer, type StartTlsPeerOptions } from './starttls-peers.ts';
import { listen, type LoopbackServer } from './loopback.ts';

let certs: TestCerts;
const peers: Array<StartTlsPeer | LoopbackServer> = [];

beforeAll(async () => {
  certs = await makeTestCerts();
}, 60_000);
afterAll(async () => certs.remove());
afterEach(async () => {
  for (const p of peers.splice(0)) await p.close();
});

async function peer(protocol: StartTlsProtocol, extra: Partial<StartTlsPeerOptions> = {}): Promise<StartTlsPeer> {
  const p = await startTlsPeer(protocol, { key: await certs.read('server.key'), cert: await certs.read('server.pem'), ...extra });
  peers.push(p);
  return p;
}

function exchange(port: number, protocol: StartTlsProtocol, connectTimeoutMs = 10_000) {
  return runOneShot({
    connect: { host: '127.0.0.1', port, connectTimeoutMs, starttls: protocol, tls: { caFile: certs.path('ca.pem') } },
    data: Buffer.from('over tls'),
  });
}

const EXPECTED_PLAIN: Record<StartTlsProtocol, string[]> = {
  smtp: ['EHLO socket-tester.invalid', 'STARTTLS'],
  imap: ['a1 STARTTLS'],
  pop3: ['STLS'],
  ftp: ['AUTH TLS'],
  postgres: ['0000000804d2162f'],
};

describe.each(STARTTLS_PROTOCOLS)('%s preset', (protocol) => {
  it('does the plain exchange, then TLS on the same socket, and sends the data over TLS only', async () => {
    const p = await peer(protocol);
    const r = await exchange(p.port, protocol);
    expect(r.error).toBeNull();
    expect(r.status.outcome).toBe('peer-closed');
    expect(p.plain[0]).toEqual(EXPECTED_PLAIN[protocol]);
    expect(p.tlsReceived[0]?.toString()).toBe('over tls');
    // The preamble is not part of the response: only what came over TLS.
    expect(Buffer.from(r.response).toString()).toBe('tls:over tls');
    expect(r.status.tls?.verification.ok).toBe(true);
    expect(r.status.bytesSent).toBe(8);
  });

  it('fails with STARTTLS_REFUSED quoting the reply when the server refuses, and never starts TLS', async () => {
    const p = await peer(protocol, { refuse: true });
    const r = await exchange(p.port, protocol);
    expect(r.error?.code).toBe('STARTTLS_REFUSED');
    expect(r.error?.message).toMatch(/^STARTTLS with 127\.0\.0\.1:\d+ failed: /);
    expect(r.status.tls).toBeNull();
    expect(p.tlsReceived).toEqual([]);
  });

  it('refuses bytes injected after the go-ahead instead of carrying them into TLS', async () => {
    if (protocol === 'postgres') return; // the fake closes after 'N' only; injection is tested on the line protocols
    const p = await peer(protocol, { inject: 'INJECTED\r\n' });
    const r = await exchange(p.port, protocol);
    expect(r.error?.code).toBe('STARTTLS_REFUSED');
    expect(r.error?.message).toContain('more bytes after agreeing');
  });
});

describe('STARTTLS failures', () => {
  it('SMTP: a server that does not list STARTTLS in its EHLO reply is refused before asking', async () => {
    const p = await peer('smtp', { noStartTlsInEhlo: true });
    const r = await exchange(p.port, 'smtp');
    expect(r.error?.code).toBe('STARTTLS_REFUSED');
    expect(r.error?.message).toContain('does not offer STARTTLS');
    expect(p.plain[0]).toEqual(['EHLO socket-tester.invalid']);
  });

  it('a silent server ends in CONNECT_TIMEOUT naming the STARTTLS exchange', async () => {
    const silent = await listen(() => undefined, '127.0.0.1');
    peers.push(silent);
    const r = await exchange(silent.port, 'smtp', 300);
    expect(r.error?.code).toBe('CONNECT_TIMEOUT');
    expect(r.error?.message).toContain('STARTTLS exchange');
  });

  it('a server that closes during the exchange, or greets with something else, is STARTTLS_REFUSED', async () => {
    const closer = await listen((s: net.Socket) => s.end('220-almost\r\n'), '127.0.0.1');
    const http = await listen((s: net.Socket) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'), '127.0.0.1');
    peers.push(closer, http);
    const closed = await exchange(closer.port, 'smtp');
    expect(closed.error?.code).toBe('STARTTLS_REFUSED');
    expect(closed.error?.message).toContain('closed the connection');
    const other = await exchange(http.port, 'imap');
    expect(other.error?.code).toBe('STARTTLS_REFUSED');
    expect(other.error?.message).toContain('"HTTP/1.1 400 Bad Request"');
  });

  it('a line longer than the limit is refused without reading on', async () => {
    const flood = await listen((s: net.Socket) => s.write(`220 ${'x'.repeat(10_000)}`), '127.0.0.1');
    peers.push(flood);
    const r = await exchange(flood.port, 'smtp');
    expect(r.error?.code).toBe('STARTTLS_REFUSED');
    expect(r.error?.message).toContain('longer than 4096 bytes');
  });

  it('an unknown protocol is INVALID_INPUT naming starttls, before any connection', async () => {
    const p = await peer('smtp');
    const r = await runOneShot({ connect: { host: '127.0.0.1', port: p.port, starttls: 'xmpp' as StartTlsProtocol } });
    expect(r.error).toMatchObject({ code: 'INVALID_INPUT', field: 'starttls' });
    expect(p.plain).toEqual([]);
  });
});
