/**
 * TLS stream sessions against real peers on loopback (Node `tls` servers, `openssl s_server`,
 * nginx), with certificates minted per run: a trusted chain via a CA file, each verification
 * failure with its code, verify off continuing with the verdict shown, SNI sent or not, ALPN,
 * client certificates required and given, version pinning, handshake faults, byte exactness,
 * connect churn, and STARTTLS. Node's own test/parallel/test-tls-* are the model.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { runOneShot } from '../../../main/engine/one-shot.ts';
import { StreamSession } from '../../../main/engine/stream-session.ts';
import { checkTlsOptions } from '../../../main/engine/tls-openers.ts';
import { signatureAlgorithmOf } from '../../../main/engine/tls-info.ts';
import type { StreamConnectOptions } from '../../../shared/session.ts';
import type { TlsClientOptions } from '../../../shared/tls.ts';
import { listen, record, until, type LoopbackServer } from './loopback.ts';
import { makeTestCerts, nginxServer, nodeTlsServer, opensslServer, type NodeTlsPeer, type ProcessPeer, type TestCerts } from './tls-peers.ts';

let certs: TestCerts;
const peers: Array<{ close?: () => Promise<void>; stop?: () => Promise<void> }> = [];
const sessions: StreamSession[] = [];

beforeAll(async () => {
  certs = await makeTestCerts();
}, 60_000);
afterAll(async () => {
  await certs?.remove();
});
afterEach(async () => {
  for (const s of sessions.splice(0)) s.cancel();
  for (const p of peers.splice(0)) await (p.close ?? p.stop)!();
});

function newSession(): StreamSession {
  const s = new StreamSession(`tls-${sessions.length}`);
  sessions.push(s);
  return s;
}

async function serverWith(leaf: string, extra: tls.TlsOptions = {}, onSecure?: (s: tls.TLSSocket) => void): Promise<NodeTlsPeer> {
  const peer = await nodeTlsServer({ cert: await certs.read(`${leaf}.pem`), key: await certs.read(`${leaf}.key`), ...extra }, onSecure);
  peers.push(peer);
  return peer;
}

function track<T extends ProcessPeer>(peer: T): T {
  peers.push(peer);
  return peer;
}

/** Connects, sends `data` with our FIN, and waits for the end. */
async function exchange(opts: StreamConnectOptions, data: Uint8Array) {
  const session = newSession();
  const rec = record(session);
  const opened = await session.connect(opts);
  if (opened.ok && session.status.phase === 'open') await session.send(data, { halfClose: true });
  const final = await session.done();
  return { session, rec, opened, final, response: Buffer.from(session.response()) };
}

const trusted = (extra: TlsClientOptions = {}): TlsClientOptions => ({ caFile: certs.path('ca.pem'), ...extra });

describe('TLS connect: trusted chain and what the handshake reports', () => {
  it('verifies a chain via a CA file and reports protocol, cipher, SNI, the chain and its verdict', async () => {
    const server = await serverWith('server');
    const { session, rec, opened, final, response } = await exchange(
      { host: 'localhost', port: server.port, tls: trusted() },
      Buffer.from('hello over tls'),
    );
    expect(opened.ok).toBe(true);
    expect(final.outcome).toBe('peer-closed');
    expect(response.toString()).toBe('hello over tls');
    const info = session.status.tls!;
    expect(info.protocol).toBe('TLSv1.3');
    expect(info.cipher).toMatch(/^TLS_/);
    expect(info.serverNameSent).toBe('localhost');
    expect(server.serverNames).toEqual(['localhost']);
    expect(info.resumed).toBe(false);
    expect(info.alpnProtocol).toBeNull();
    expect(info.verification).toMatchObject({ ok: true, enforced: true, chainError: null, nameError: null, verifyName: 'localhost' });
    const leafFile = new X509Certificate(await certs.read('server.pem'));
    const [leaf, root] = info.peerChain;
    expect(leaf).toMatchObject({
      subject: 'CN=localhost, O=Socket Tester tests',
      issuer: 'CN=Socket Tester Test CA, O=Socket Tester tests',
      subjectAltNames: ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1'],
      keyType: 'RSA',
      keyBits: 2048,
      signatureAlgorithm: 'ecdsa-with-SHA256',
      fingerprint256: leafFile.fingerprint256,
      serialNumber: leafFile.serialNumber.toUpperCase(),
      expired: false,
      notYetValid: false,
      selfIssued: false,
    });
    expect(leaf!.daysLeft).toBeGreaterThanOrEqual(28);
    expect(leaf!.daysLeft).toBeLessThanOrEqual(30);
    expect(leaf!.pem.trim()).toBe(leafFile.toString().trim());
    expect(root).toMatchObject({ subject: 'CN=Socket Tester Test CA, O=Socket Tester tests', keyType: 'EC', keyBits: 256, selfIssued: true });
    // Steps: TCP, then the handshake as its own step; the transcript says TLS came up.
    const steps = rec.statuses.map((s) => s.step).filter((s, i, all) => s !== all[i - 1]);
    expect(steps).toEqual([null, 'tcp-connect', 'tls-handshake', null]);
    expect(rec.transcript.map((e) => e.kind).slice(0, 3)).toEqual(['connecting', 'connected', 'tls']);
  });

  it('reads the signature algorithm from the DER (Node 20 does not report it)', async () => {
    const der = new X509Certificate(await certs.read('self.pem')).raw;
    expect(signatureAlgorithmOf(der)).toBe('sha256WithRSAEncryption');
    expect(signatureAlgorithmOf(new Uint8Array([0x30, 0x82]))).toBeNull();
  });
});

describe('verification failures: each with its code, the chain still shown', () => {
  const cases: Array<[string, string, TlsClientOptions, string]> = [
    ['self-signed', 'self', {}, 'TLS_SELF_SIGNED'],
    ['untrusted (issuer unknown without the CA file)', 'server', {}, 'TLS_UNTRUSTED'],
    ['hostname mismatch', 'other', { caFile: 'ca.pem' }, 'TLS_HOSTNAME_MISMATCH'],
    ['expired', 'expired', { caFile: 'ca.pem' }, 'TLS_CERT_EXPIRED'],
    ['not yet valid', 'future', { caFile: 'ca.pem' }, 'TLS_CERT_NOT_YET_VALID'],
  ];
  for (const [label, leaf, options, code] of cases) {
    it(`${label} → ${code}; verify off continues and keeps the verdict`, async () => {
      const server = await serverWith(leaf);
      const tlsOptions = { ...options, ...(options.caFile ? { caFile: certs.path(options.caFile) } : {}) };
      const on = await exchange({ host: 'localhost', port: server.port, tls: tlsOptions }, Buffer.from('x'));
      expect(on.opened.ok ? null : on.opened.error.code).toBe(code);
      expect(on.final).toMatchObject({ phase: 'closed', outcome: 'error', error: { code } });
      expect(on.final.error!.message.length).toBeGreaterThan(40);
      const shown = on.session.status.tls!;
      expect(shown.verification.ok).toBe(false);
      expect(shown.verification.enforced).toBe(true);
      expect(shown.peerChain.length).toBeGreaterThanOrEqual(1);
      expect(on.rec.transcript.map((e) => e.kind)).toEqual(['connecting', 'connected', 'error', 'closed']);

      const off = await exchange({ host: 'localhost', port: server.port, tls: { ...tlsOptions, verify: false } }, Buffer.from('still works'));
      expect(off.opened.ok).toBe(true);
      expect(off.final.outcome).toBe('peer-closed');
      expect(off.response.toString()).toBe('still works');
      const verdict = off.session.status.tls!.verification;
      expect(verdict.ok).toBe(false);
      expect(verdict.enforced).toBe(false);
      expect((verdict.chainError ?? verdict.nameError)!.code).toBe(code);
      // Verification was off: no error's advice says to turn it off.
      expect([verdict.chainError?.message, verdict.nameError?.message].join(' ')).not.toContain('verification off');
      expect(off.rec.transcript.find((e) => e.kind === 'tls')).toMatchObject({ verified: false });
    });
  }

  it('expired and not-yet-valid flags and days left are on the certificate itself', async () => {
    const server = await serverWith('expired');
    const { session } = await exchange({ host: 'localhost', port: server.port, tls: trusted({ verify: false }) }, Buffer.alloc(0));
    const leaf = session.status.tls!.peerChain[0]!;
    expect(leaf.expired).toBe(true);
    expect(leaf.daysLeft).toBeLessThan(0);
    const future = await serverWith('future');
    const later = await exchange({ host: 'localhost', port: future.port, tls: trusted({ verify: false }) }, Buffer.alloc(0));
    expect(later.session.status.tls!.peerChain[0]!.notYetValid).toBe(true);
  });
});

describe('SNI and the name to verify are separate', () => {
  it('an IP host sends no SNI; the verify name defaults to the IP and matches its IP SAN', async () => {
    const server = await serverWith('server');
    const { session, opened } = await exchange({ host: '127.0.0.1', port: server.port, tls: trusted() }, Buffer.alloc(0));
    expect(opened.ok).toBe(true);
    expect(server.serverNames).toEqual([false]);
    expect(session.status.tls).toMatchObject({ serverNameSent: null, verification: { ok: true, verifyName: '127.0.0.1' } });
  });

  it('sends the SNI asked for, verifies another name, and sends none when told', async () => {
    const server = await serverWith('server');
    const named = await exchange(
      { host: '127.0.0.1', port: server.port, tls: trusted({ serverName: 'a.test', verifyName: 'localhost' }) },
      Buffer.alloc(0),
    );
    expect(named.opened.ok).toBe(true);
    expect(named.session.status.tls).toMatchObject({ serverNameSent: 'a.test', verification: { ok: true, verifyName: 'localhost' } });
    const none = await exchange({ host: 'localhost', port: server.port, tls: trusted({ serverName: '' }) }, Buffer.alloc(0));
    expect(none.opened.ok).toBe(true);
    expect(server.serverNames).toEqual(['a.test', false]);
    expect(none.session.status.tls!.serverNameSent).toBeNull();
  });

  it('openssl s_server picks its certificate by our SNI (-servername/-cert2)', async () => {
    const peer = track(
      await opensslServer([
        '-cert', certs.path('server.pem'), '-key', certs.path('server.key'),
        '-servername', 'a.test', '-cert2', certs.path('sni-a.pem'), '-key2', certs.path('sni-a.key'), '-rev',
      ]),
    );
    const a = await exchange({ host: '127.0.0.1', port: peer.port, tls: trusted({ serverName: 'a.test', verifyName: 'a.test' }) }, Buffer.from('olleh\n'));
    expect(a.opened.ok).toBe(true);
    expect(a.session.status.tls!.peerChain[0]!.subject).toContain('CN=a.test');
    expect(a.session.status.tls!.verification.ok).toBe(true);
    const plain = await exchange({ host: 'localhost', port: peer.port, tls: trusted() }, Buffer.from('olleh\n'));
    expect(plain.session.status.tls!.peerChain[0]!.subject).toContain('CN=localhost');
    // -rev answers each line reversed: application data went both ways.
    expect(plain.response.toString()).toContain('hello');
  });
});

describe('ALPN', () => {
  it('reports the protocol the server chose', async () => {
    const server = await serverWith('server', { ALPNProtocols: ['http/1.1', 'x-other'] });
    const { session } = await exchange({ host: 'localhost', port: server.port, tls: trusted({ alpn: ['h2', 'http/1.1'] }) }, Buffer.alloc(0));
    expect(session.status.tls!.alpnProtocol).toBe('http/1.1');
  });

  it('no protocol in common is a handshake failure that says so', async () => {
    const server = await serverWith('server', { ALPNProtocols: ['x-only'] });
    const { opened } = await exchange({ host: 'localhost', port: server.port, tls: trusted({ alpn: ['h2'] }) }, Buffer.alloc(0));
    expect(opened.ok ? null : opened.error).toMatchObject({ code: 'TLS_HANDSHAKE_FAILED' });
    expect(opened.ok ? '' : opened.error.message).toContain('ALPN');
  });
});

describe('client certificates', () => {
  async function requiringServer(): Promise<NodeTlsPeer> {
    return serverWith('server', { requestCert: true, rejectUnauthorized: true, ca: await certs.read('ca.pem') }, (s) => {
      s.end(`client=${(s.getPeerCertificate() as { subject?: { CN?: string } }).subject?.CN ?? 'none'}`);
    });
  }

  it('required and missing → TLS_CLIENT_CERT_REQUIRED', async () => {
    const server = await requiringServer();
    const { final } = await exchange({ host: 'localhost', port: server.port, tls: trusted() }, Buffer.alloc(0));
    expect(final.error?.code).toBe('TLS_CLIENT_CERT_REQUIRED');
    expect(final.error?.message).toContain('certFile');
  });

  it('supplied as PEM certificate and key, or as PFX with a passphrase that is never kept', async () => {
    const server = await requiringServer();
    const pem = await exchange(
      { host: 'localhost', port: server.port, tls: trusted({ certFile: certs.path('client.pem'), keyFile: certs.path('client.key') }) },
      Buffer.alloc(0),
    );
    expect(pem.response.toString()).toBe('client=test client');
    const pfx = await exchange(
      { host: 'localhost', port: server.port, tls: trusted({ pfxFile: certs.path('client.p12'), passphrase: certs.passphrase }) },
      Buffer.alloc(0),
    );
    expect(pfx.response.toString()).toBe('client=test client');
    const everything = JSON.stringify([pfx.final, pfx.session.status, pfx.session.transcript(), pfx.rec.statuses, pfx.rec.transcript]);
    expect(everything).not.toContain(certs.passphrase);
  });

  it('given as bytes instead of paths (web mode: the browser read the files): CA, PEM pair and PFX', async () => {
    const server = await requiringServer();
    const caData = new Uint8Array(await certs.read('ca.pem'));
    const pem = await exchange(
      {
        host: 'localhost',
        port: server.port,
        tls: { caData, certData: new Uint8Array(await certs.read('client.pem')), keyData: new Uint8Array(await certs.read('client.key')) },
      },
      Buffer.alloc(0),
    );
    expect(pem.session.status.tls?.verification.ok).toBe(true);
    expect(pem.response.toString()).toBe('client=test client');
    const pfx = await exchange(
      { host: 'localhost', port: server.port, tls: { caData, pfxData: new Uint8Array(await certs.read('client.p12')), passphrase: certs.passphrase } },
      Buffer.alloc(0),
    );
    expect(pfx.response.toString()).toBe('client=test client');
    // A CA file's bytes that hold no certificate are refused like such a file, without a path to name.
    const notCa = await exchange({ host: 'localhost', port: server.port, tls: { caData: new TextEncoder().encode('hello') } }, Buffer.alloc(0));
    expect(notCa.opened.ok ? null : notCa.opened.error).toMatchObject({ code: 'TLS_CREDENTIALS_INVALID', field: 'caFile' });
    expect(server.tcpConnections()).toBe(2);
  });

  it('a wrong passphrase is TLS_CREDENTIALS_INVALID on the passphrase, before any connection', async () => {
    const server = await requiringServer();
    const { opened, final } = await exchange(
      { host: 'localhost', port: server.port, tls: trusted({ pfxFile: certs.path('client.p12'), passphrase: 'wrong' }) },
      Buffer.alloc(0),
    );
    expect(opened.ok ? null : opened.error).toMatchObject({ code: 'TLS_CREDENTIALS_INVALID', field: 'passphrase' });
    expect(final.connectedAt).toBeNull();
    expect(server.tcpConnections()).toBe(0);
    expect(JSON.stringify(final)).not.toContain('wrong');
  });

  it('a missing CA file is FILE_ERROR naming it, a file without certificates is TLS_CREDENTIALS_INVALID', async () => {
    const server = await serverWith('server');
    const missing = await exchange({ host: 'localhost', port: server.port, tls: { caFile: certs.path('nope.pem') } }, Buffer.alloc(0));
    expect(missing.opened.ok ? null : missing.opened.error).toMatchObject({ code: 'FILE_ERROR', field: 'caFile' });
    const junk = await exchange({ host: 'localhost', port: server.port, tls: { caFile: certs.path('server.key') } }, Buffer.alloc(0));
    expect(junk.opened.ok ? null : junk.opened.error).toMatchObject({ code: 'TLS_CREDENTIALS_INVALID', field: 'caFile' });
    expect(server.tcpConnections()).toBe(0);
  });

  it('openssl s_server -Verify: refused without a certificate, accepted with one', async () => {
    const peer = track(
      await opensslServer(['-cert', certs.path('server.pem'), '-key', certs.path('server.key'), '-Verify', '1', '-CAfile', certs.path('ca.pem'), '-rev']),
    );
    const without = await exchange({ host: 'localhost', port: peer.port, tls: trusted() }, Buffer.from('x\n'));
    expect(without.final.error?.code).toBe('TLS_CLIENT_CERT_REQUIRED');
    const withCert = await exchange(
      { host: 'localhost', port: peer.port, tls: trusted({ certFile: certs.path('client.pem'), keyFile: certs.path('client.key') }) },
      Buffer.from('cba\n'),
    );
    expect(withCert.response.toString()).toContain('abc');
  });
});

describe('TLS versions', () => {
  it('a 1.2-only server (openssl -tls1_2): min 1.3 is TLS_VERSION_UNSUPPORTED, max 1.2 works', async () => {
    const peer = track(await opensslServer(['-cert', certs.path('server.pem'), '-key', certs.path('server.key'), '-tls1_2', '-rev']));
    const tooNew = await exchange({ host: 'localhost', port: peer.port, tls: trusted({ minVersion: 'TLSv1.3' }) }, Buffer.from('x\n'));
    expect(tooNew.opened.ok ? null : tooNew.opened.error.code).toBe('TLS_VERSION_UNSUPPORTED');
    const ok12 = await exchange({ host: 'localhost', port: peer.port, tls: trusted({ maxVersion: 'TLSv1.2' }) }, Buffer.from('21\n'));
    expect(ok12.session.status.tls!.protocol).toBe('TLSv1.2');
    expect(ok12.response.toString()).toContain('12');
  });

  it('a 1.3-only Node server: max 1.2 is TLS_VERSION_UNSUPPORTED', async () => {
    const server = await serverWith('server', { minVersion: 'TLSv1.3' });
    const { opened } = await exchange({ host: 'localhost', port: server.port, tls: trusted({ maxVersion: 'TLSv1.2' }) }, Buffer.alloc(0));
    expect(opened.ok ? null : opened.error.code).toBe('TLS_VERSION_UNSUPPORTED');
    expect(opened.ok ? '' : opened.error.message).toContain('minVersion');
  });
});

describe('nginx as the TLS peer', () => {
  it('trusted chain, SNI and ALPN seen by nginx; TLS 1.3 only refuses max 1.2; client certificate required', async () => {
    const nginx = track(
      await nginxServer(`
        ssl_certificate ${certs.path('server.pem')};
        ssl_certificate_key ${certs.path('server.key')};
        ssl_protocols TLSv1.3;
        ssl_client_certificate ${certs.path('ca.pem')};
        ssl_verify_client optional;`),
    );
    const get = Buffer.from('GET / HTTP/1.0\r\nHost: localhost\r\n\r\n');
    const r = await exchange({ host: 'localhost', port: nginx.port, tls: trusted({ alpn: ['http/1.1'] }) }, get);
    expect(r.opened.ok).toBe(true);
    expect(r.response.toString()).toContain('sni=localhost alpn=http/1.1 protocol=TLSv1.3 client=NONE');
    expect(r.session.status.tls).toMatchObject({ protocol: 'TLSv1.3', alpnProtocol: 'http/1.1', verification: { ok: true } });
    const withCert = await exchange(
      { host: 'localhost', port: nginx.port, tls: trusted({ certFile: certs.path('client.pem'), keyFile: certs.path('client.key') }) },
      get,
    );
    expect(withCert.response.toString()).toContain('client=SUCCESS');
    const old = await exchange({ host: 'localhost', port: nginx.port, tls: trusted({ maxVersion: 'TLSv1.2' }) }, get);
    expect(old.opened.ok ? null : old.opened.error.code).toBe('TLS_VERSION_UNSUPPORTED');
  });

  it('nginx with ssl_verify_client on refuses a client without a certificate', async () => {
    const nginx = track(
      await nginxServer(`
        ssl_certificate ${certs.path('server.pem')};
        ssl_certificate_key ${certs.path('server.key')};
        ssl_client_certificate ${certs.path('ca.pem')};
        ssl_verify_client on;`),
    );
    const get = Buffer.from('GET / HTTP/1.0\r\n\r\n');
    const r = await exchange({ host: 'localhost', port: nginx.port, tls: trusted() }, get);
    // nginx completes the handshake and answers 400 "No required SSL certificate was sent".
    expect(r.response.toString()).toMatch(/400|No required SSL certificate/);
  });
});

describe('handshake faults', () => {
  let raw: LoopbackServer | null = null;
  afterEach(async () => {
    await raw?.close();
    raw = null;
  });

  it('a reset during the handshake is TLS_HANDSHAKE_FAILED (ECONNRESET), then one closed', async () => {
    raw = await listen((s) => s.once('data', () => s.resetAndDestroy()));
    const { final, rec } = await exchange({ host: '127.0.0.1', port: raw.port, tls: { verify: false } }, Buffer.alloc(0));
    expect(final.error).toMatchObject({ code: 'TLS_HANDSHAKE_FAILED', errno: 'ECONNRESET' });
    expect(rec.statuses.filter((s) => s.phase === 'closed')).toHaveLength(1);
  });

  it('plain text instead of a ServerHello is TLS_HANDSHAKE_FAILED saying the port may not speak TLS', async () => {
    raw = await listen((s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    const { final } = await exchange({ host: '127.0.0.1', port: raw.port, tls: { verify: false } }, Buffer.alloc(0));
    expect(final.error?.code).toBe('TLS_HANDSHAKE_FAILED');
    expect(final.error?.message).toContain('did not answer with TLS');
  });

  it('a handshake that never completes ends by the connect timeout, naming the TLS step', async () => {
    raw = await listen((s) => s.resume());
    const session = newSession();
    const opened = await session.connect({ host: '127.0.0.1', port: raw.port, connectTimeoutMs: 300, tls: { verify: false } });
    expect(opened.ok ? null : opened.error.code).toBe('CONNECT_TIMEOUT');
    expect(opened.ok ? '' : opened.error.message).toContain('TLS handshake');
    await session.done();
  });

  it('cancel during the handshake is cancelled, not an error, and releases the socket', async () => {
    raw = await listen((s) => s.resume());
    const session = newSession();
    const connecting = session.connect({ host: '127.0.0.1', port: raw.port, tls: { verify: false } });
    await until(() => session.status.step === 'tls-handshake', 'the handshake step');
    session.cancel();
    const opened = await connecting;
    expect(opened.ok && opened.value.outcome).toBe('cancelled');
    expect((await session.done()).outcome).toBe('cancelled');
  });
});

describe('one-shot exchange over TLS (what send --tls will run)', () => {
  it('runOneShot with connect.tls sends, half-closes and keeps the reply and the TLS facts', async () => {
    const server = await serverWith('server');
    const result = await runOneShot({ connect: { host: 'localhost', port: server.port, tls: trusted() }, data: Buffer.from('one shot') });
    expect(result.error).toBeNull();
    expect(Buffer.from(result.response).toString()).toBe('one shot');
    expect(result.status).toMatchObject({ outcome: 'peer-closed', tls: { protocol: 'TLSv1.3', verification: { ok: true } } });
  });
});

describe('bytes and churn', () => {
  it('all 256 byte values arrive exact through TLS, many times over', async () => {
    const server = await serverWith('server');
    const pattern = Buffer.alloc(256 * 4096);
    for (let i = 0; i < pattern.length; i++) pattern[i] = i & 0xff;
    const { response, final } = await exchange({ host: 'localhost', port: server.port, tls: trusted() }, pattern);
    expect(final.outcome).toBe('peer-closed');
    expect(final.bytesSent).toBe(pattern.length);
    expect(response.equals(pattern)).toBe(true);
  });

  it('1000 TLS connect/close cycles return handles to baseline', async () => {
    const server = await serverWith('server', {}, (s) => {
      s.resume();
      s.on('end', () => s.end());
    });
    const active = (): number => (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
    const baseline = active();
    const options = trusted();
    for (let i = 0; i < 1000; i++) {
      const session = new StreamSession(`churn-${i}`);
      const opened = await session.connect({ host: 'localhost', port: server.port, tls: options });
      if (!opened.ok) throw new Error(`cycle ${i}: ${opened.error.message}`);
      session.close();
      const final = await session.done();
      if (final.outcome !== 'closed-by-us') throw new Error(`cycle ${i}: ${final.outcome}`);
    }
    await until(() => server.sockets.size === 0, 'the server side to close');
    await until(() => active() <= baseline, 'handles back to baseline');
    expect(active()).toBeLessThanOrEqual(baseline);
  }, 120_000);
});

describe('STARTTLS: upgradeToTls on a live socket', () => {
  /** A plain server that answers "STARTTLS" with "GO", then speaks TLS and echoes. */
  async function startTlsServer(): Promise<LoopbackServer> {
    const context = tls.createSecureContext({ cert: await certs.read('server.pem'), key: await certs.read('server.key') });
    const server = await listen(
      (socket) => {
        socket.once('data', (line: Buffer) => {
          if (line.toString() !== 'STARTTLS\r\n') return void socket.end('NO\r\n');
          socket.write('GO\r\n', () => {
            const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
            secure.on('error', () => undefined);
            secure.on('data', (d: Buffer) => secure.write(d));
            secure.on('end', () => secure.end());
          });
        });
      },
      '127.0.0.1',
      { allowHalfOpen: true },
    );
    peers.push(server);
    return server;
  }

  it('upgrades after the protocol agreed, verifies, and carries data over TLS in the same session', async () => {
    const server = await startTlsServer();
    const session = newSession();
    const rec = record(session);
    expect((await session.connect({ host: 'localhost', port: server.port })).ok).toBe(true);
    await session.send(Buffer.from('STARTTLS\r\n'));
    await until(() => session.status.bytesReceived === 4, 'the GO line');
    const upgrading = session.upgradeToTls(trusted());
    const during = await session.send(Buffer.from('too early'));
    expect(during.ok ? null : during.error.code).toBe('BUSY');
    const upgraded = await upgrading;
    if (!upgraded.ok) throw new Error(upgraded.error.message);
    expect(upgraded.value).toMatchObject({ protocol: 'TLSv1.3', serverNameSent: 'localhost', verification: { ok: true } });
    expect(session.status.step).toBeNull();
    await session.send(Buffer.from('secret'), { halfClose: true });
    const final = await session.done();
    expect(final.outcome).toBe('peer-closed');
    expect(Buffer.from(session.response()).toString()).toBe('GO\r\nsecret');
    expect(final.tls?.protocol).toBe('TLSv1.3');
    const kinds = rec.transcript.map((e) => e.kind);
    expect(kinds.indexOf('tls')).toBeGreaterThan(kinds.indexOf('received'));
    expect((await session.upgradeToTls()).ok).toBe(false);
  });

  it('an upgrade whose server never answers the ClientHello ends at the connect timeout, not never', async () => {
    const silent = await listen((socket) => socket.on('data', () => undefined), '127.0.0.1', { allowHalfOpen: true });
    peers.push(silent);
    const session = newSession();
    expect((await session.connect({ host: '127.0.0.1', port: silent.port, connectTimeoutMs: 300 })).ok).toBe(true);
    const upgraded = await session.upgradeToTls({ verify: false });
    expect(upgraded.ok ? null : upgraded.error.code).toBe('CONNECT_TIMEOUT');
    expect(upgraded.ok ? '' : upgraded.error.message).toMatch(/TLS handshake .* did not finish within 300 ms/);
    expect((await session.done()).outcome).toBe('error');
  });

  it('an upgrade that fails verification ends the session with its code and keeps the chain', async () => {
    const server = await startTlsServer();
    const session = newSession();
    await session.connect({ host: 'localhost', port: server.port });
    await session.send(Buffer.from('STARTTLS\r\n'));
    await until(() => session.status.bytesReceived === 4, 'the GO line');
    const upgraded = await session.upgradeToTls();
    expect(upgraded.ok ? null : upgraded.error.code).toBe('TLS_UNTRUSTED');
    const final = await session.done();
    expect(final).toMatchObject({ outcome: 'error', error: { code: 'TLS_UNTRUSTED' } });
    expect(final.tls?.peerChain[0]?.subject).toContain('CN=localhost');
  });

  it('a bad CA file refuses the upgrade and leaves the plain session usable', async () => {
    const server = await startTlsServer();
    const session = newSession();
    await session.connect({ host: 'localhost', port: server.port });
    const refused = await session.upgradeToTls({ caFile: certs.path('missing.pem') });
    expect(refused.ok ? null : refused.error).toMatchObject({ code: 'FILE_ERROR', field: 'caFile' });
    expect(session.status).toMatchObject({ phase: 'open', step: null, tls: null });
    await session.send(Buffer.from('STARTTLS\r\n'));
    await until(() => session.status.bytesReceived === 4, 'the GO line over plain TCP');
  });

  it('refuses an upgrade when not open, or while a send is in flight', async () => {
    const idle = newSession();
    expect(((await idle.upgradeToTls()) as { error?: { code: string } }).error?.code).toBe('NOT_CONNECTED');
    const silent = await listen((s) => s.pause(), '127.0.0.1', { allowHalfOpen: true });
    peers.push(silent);
    const session = newSession();
    await session.connect({ host: '127.0.0.1', port: silent.port });
    const big = session.send(new Uint8Array(64 * 1024 * 1024));
    const refused = await session.upgradeToTls();
    expect(refused.ok ? null : refused.error.code).toBe('BUSY');
    session.cancel();
    await big;
  });
});

describe('checkTlsOptions: bad input named by field before any file or socket', () => {
  const bad: Array<[unknown, string]> = [
    [{ serverName: '10.0.0.1' }, 'serverName'],
    [{ serverName: 'bad name' }, 'serverName'],
    [{ serverName: 'a.test:443' }, 'serverName'],
    [{ verifyName: '' }, 'verifyName'],
    [{ verify: 'yes' }, 'verify'],
    [{ alpn: ['h2', ''] }, 'alpn'],
    [{ alpn: ['has space'] }, 'alpn'],
    [{ alpn: 'h2' }, 'alpn'],
    [{ minVersion: 'TLSv1' }, 'minVersion'],
    [{ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' }, 'minVersion'],
    [{ certFile: '/x.pem' }, 'keyFile'],
    [{ keyFile: '/x.key' }, 'certFile'],
    [{ pfxFile: '/x.p12', certFile: '/x.pem', keyFile: '/x.key' }, 'pfxFile'],
    [{ caFile: 'a\0b' }, 'caFile'],
    [{ caFileOnly: true }, 'caFileOnly'],
    [{ caFile: '/ca.pem', caData: new Uint8Array(1) }, 'caFile'],
    [{ caData: 'PEM text' }, 'caData'],
    [{ certData: new Uint8Array(1) }, 'keyFile'],
    [{ pfxData: new Uint8Array(1), keyFile: '/x.key' }, 'pfxFile'],
    [{ ciphers: 'NULL' }, 'tls'],
  ];
  for (const [options, field] of bad) {
    it(`${JSON.stringify(options)} → INVALID_INPUT on ${field}`, () => {
      const r = checkTlsOptions(options as TlsClientOptions);
      expect(r.ok ? null : r.error).toMatchObject({ code: 'INVALID_INPUT', field });
    });
  }

  it('credential bytes over the file limit are FILE_ERROR on their field', () => {
    const r = checkTlsOptions({ caData: new Uint8Array(1024 * 1024 + 1) });
    expect(r.ok ? null : r.error).toMatchObject({ code: 'FILE_ERROR', field: 'caData' });
  });

  it('internationalised SNI names go out in punycode', () => {
    const r = checkTlsOptions({ serverName: 'bücher.example' });
    expect(r.ok && r.value.serverName).toBe('xn--bcher-kva.example');
  });

  it('a session given bad TLS options stays idle and opens no socket', async () => {
    const server = await serverWith('server');
    const session = newSession();
    const r = await session.connect({ host: 'localhost', port: server.port, tls: { alpn: [''] } });
    expect(r.ok ? null : r.error.field).toBe('alpn');
    expect(session.status.phase).toBe('idle');
    expect(server.tcpConnections()).toBe(0);
  });
});

