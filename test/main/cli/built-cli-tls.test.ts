/**
 * The built binary's `send --tls` and `send --starttls`, run as a real child process against real
 * peers on loopback: `openssl s_server` (trusted through --ca, self-signed refused with exit 8,
 * --insecure, SNI and ALPN as the server saw them), nginx, and Node STARTTLS peers (SMTP agreeing,
 * SMTP refusing, PostgreSQL's SSLRequest). `npm test` builds first; a missing build, openssl or
 * nginx is a failure with a hint, never a skip.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { makeTestCerts, nginxServer, opensslServer, type ProcessPeer, type TestCerts } from '../engine/tls-peers.ts';
import { startTlsPeer, type StartTlsPeer } from '../engine/starttls-peers.ts';
import { until } from '../engine/loopback.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');
const bin = resolve(root, 'bin', 'socket-tester.js');
const built = resolve(root, 'out', 'cli', 'cli.cjs');

let certs: TestCerts;
const children: ChildProcess[] = [];
const peers: Array<ProcessPeer | StartTlsPeer> = [];

beforeAll(async () => {
  if (!existsSync(built)) throw new Error('out/cli/cli.cjs is missing: run `npm run build` first (npm test does).');
  certs = await makeTestCerts();
}, 60_000);
afterAll(async () => certs.remove());
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('close', r));
    }
  }
  for (const p of peers.splice(0)) await ('stop' in p ? p.stop() : p.close());
});

interface ProcessRun {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the binary (async: the peers live in this process), stdin from /dev/null. */
function run(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ProcessRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    children.push(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolveRun({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

function json(r: ProcessRun): Record<string, any> {
  const text = r.stdout.toString('utf8');
  expect(text.trim().split('\n')).toHaveLength(1);
  return JSON.parse(text) as Record<string, any>;
}

async function openssl(leaf: string, extra: string[] = []): Promise<ProcessPeer> {
  const p = await opensslServer(['-cert', certs.path(`${leaf}.pem`), '-key', certs.path(`${leaf}.key`), '-rev', ...extra]);
  peers.push(p);
  return p;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('send --tls against openssl s_server', () => {
  it('trusts the server through --ca: exit 0, the reply over TLS, the verdict on stderr', async () => {
    const p = await openssl('server');
    const r = await run(['send', 'localhost', String(p.port), 'hello', '--line-ending', 'lf', '--tls', '--ca', certs.path('ca.pem')]);
    expect(r.stderr).toMatch(/^socket-tester send: TLS TLSv1\.3 TLS_\w+, SNI localhost; certificate trusted \(CN=localhost/m);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('olleh\n');
  });

  it('--json carries the tls object with the chain, ISO dates and the SNI the server saw', async () => {
    const p = await openssl('server', ['-servername', 'a.test', '-cert2', certs.path('sni-a.pem'), '-key2', certs.path('sni-a.key')]);
    const r = await run(['send', '127.0.0.1', String(p.port), 'x', '--tls', '--ca', certs.path('ca.pem'), '--servername', 'a.test', '--verify-name', 'a.test', '--json']);
    expect(r.code).toBe(0);
    const report = json(r);
    expect(report['error']).toBeNull();
    expect(report['tls']).toMatchObject({ protocol: 'TLSv1.3', alpn: null, servername: 'a.test', authorized: true, authorizationError: null });
    const leaf = report['tls'].chain[0];
    // The server answered with its a.test certificate: it saw our SNI.
    expect(leaf.subject).toContain('CN=a.test');
    expect(leaf.subjectAltNames).toEqual(['DNS:a.test']);
    expect(leaf.validFrom).toMatch(ISO);
    expect(leaf.validTo).toMatch(ISO);
    expect(leaf.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(Object.keys(leaf).sort()).toEqual(['fingerprint256', 'issuer', 'serialNumber', 'subject', 'subjectAltNames', 'validFrom', 'validTo']);
  });

  it('refuses a self-signed certificate with exit 8, the code and a one-line reason; nothing is sent', async () => {
    const p = await openssl('self');
    const r = await run(['send', '127.0.0.1', String(p.port), 'secret', '--tls']);
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/certificate NOT trusted: TLS_SELF_SIGNED\n/);
    expect(r.stderr).toMatch(/^socket-tester send: TLS_SELF_SIGNED: [^\n]+\n$/m);
    expect(r.stdout.length).toBe(0);
    expect(p.output()).not.toContain('terces');
    const j = await run(['send', '127.0.0.1', String(p.port), 'secret', '--tls', '--json']);
    expect(j.code).toBe(8);
    expect(json(j)).toMatchObject({ error: { code: 'TLS_SELF_SIGNED' }, bytesSent: 0, tls: { authorized: false, authorizationError: 'TLS_SELF_SIGNED' } });
  });

  it('--insecure carries on: exit 0, authorized false and the reason in --json', async () => {
    const p = await openssl('self');
    const r = await run(['send', '127.0.0.1', String(p.port), 'hello', '--line-ending', 'lf', '--tls', '--insecure', '--json']);
    expect(r.code).toBe(0);
    const report = json(r);
    expect(report['outcome']).toBe('peer-closed');
    expect(Buffer.from(report['responseBase64'], 'base64').toString()).toBe('olleh\n');
    expect(report['tls']).toMatchObject({ authorized: false, authorizationError: 'TLS_SELF_SIGNED', servername: null });
  });

  it('offers ALPN and reports what the server chose; --tls-max 1.2 pins the version', async () => {
    const p = await openssl('server', ['-alpn', 'http/1.1']);
    const r = await run(['send', 'localhost', String(p.port), 'x', '--tls', '--ca', certs.path('ca.pem'), '--alpn', 'h2,http/1.1', '--tls-max', '1.2', '--json']);
    expect(r.code).toBe(0);
    expect(json(r)['tls']).toMatchObject({ protocol: 'TLSv1.2', alpn: 'http/1.1' });
  });

  it('a hostname that does not match exits 8 with TLS_HOSTNAME_MISMATCH', async () => {
    const p = await openssl('other');
    const r = await run(['send', '127.0.0.1', String(p.port), 'x', '--tls', '--ca', certs.path('ca.pem'), '--json']);
    expect(r.code).toBe(8);
    expect(json(r)['tls']).toMatchObject({ authorized: false, authorizationError: 'TLS_HOSTNAME_MISMATCH' });
  });
});

describe('send --tls: client certificates and versions', () => {
  it('--cert/--key answer a server that requires a client certificate; without them exit 9', async () => {
    const p = await openssl('server', ['-Verify', '1', '-CAfile', certs.path('ca.pem')]);
    const withCert = await run(['send', 'localhost', String(p.port), 'hi', '--line-ending', 'lf', '--tls', '--ca', certs.path('ca.pem'), '--cert', certs.path('client.pem'), '--key', certs.path('client.key')]);
    expect(withCert.code).toBe(0);
    expect(withCert.stdout.toString()).toBe('ih\n');
    const without = await run(['send', 'localhost', String(p.port), 'hi', '--tls', '--ca', certs.path('ca.pem'), '--json']);
    expect(without.code).toBe(9);
    expect((json(without)['error'] as { code: string }).code).toBe('TLS_CLIENT_CERT_REQUIRED');
  });

  it('--pfx with --pass-env answers the same server; the passphrase is read from the environment and never printed', async () => {
    const p = await openssl('server', ['-Verify', '1', '-CAfile', certs.path('ca.pem')]);
    const env = { ...process.env, ST_TEST_PFX_PASS: certs.passphrase };
    const args = ['send', 'localhost', String(p.port), 'hi', '--line-ending', 'lf', '--tls', '--ca', certs.path('ca.pem'), '--pfx', certs.path('client.p12')];
    const ok = await run([...args, '--pass-env', 'ST_TEST_PFX_PASS', '--json'], env);
    expect(ok.code).toBe(0);
    expect(Buffer.from(json(ok)['responseBase64'] as string, 'base64').toString()).toBe('ih\n');
    expect(ok.stdout.toString() + ok.stderr).not.toContain(certs.passphrase);
    const wrong = await run([...args, '--pass-env', 'ST_TEST_PFX_PASS'], { ...env, ST_TEST_PFX_PASS: 'not-it' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/TLS_CREDENTIALS_INVALID: The passphrase does not open the PFX file/);
    expect(wrong.stderr).not.toContain('not-it');
    const unset = await run([...args, '--pass-env', 'ST_TEST_UNSET_VAR']);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('the environment variable ST_TEST_UNSET_VAR is not set');
  });

  it('--tls-min 1.3 against a TLS 1.2-only server exits 9 with TLS_VERSION_UNSUPPORTED', async () => {
    const p = await openssl('server', ['-tls1_2']);
    const r = await run(['send', 'localhost', String(p.port), 'x', '--tls', '--ca', certs.path('ca.pem'), '--tls-min', '1.3']);
    expect(r.code).toBe(9);
    expect(r.stderr).toContain('TLS_VERSION_UNSUPPORTED');
  });
});

describe('send --tls against nginx', () => {
  it('nginx sees our SNI and ALPN', async () => {
    const p = await nginxServer(`ssl_certificate ${certs.path('server.pem')}; ssl_certificate_key ${certs.path('server.key')};`);
    peers.push(p);
    const r = await run(['send', 'localhost', String(p.port), 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n', '--escapes', '--tls', '--ca', certs.path('ca.pem'), '--alpn', 'http/1.1']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/^sni=localhost alpn=http\/1\.1 protocol=TLSv1\.[23] client=NONE$/m);
  });
});

describe('send --starttls', () => {
  async function peer(protocol: 'smtp' | 'postgres', refuse = false): Promise<StartTlsPeer> {
    const p = await startTlsPeer(protocol, { key: await certs.read('server.key'), cert: await certs.read('server.pem'), refuse });
    peers.push(p);
    return p;
  }

  it('smtp: EHLO, STARTTLS, 220, the handshake, then DATA over TLS; only the TLS reply is printed', async () => {
    const p = await peer('smtp');
    const r = await run(['send', '127.0.0.1', String(p.port), 'QUIT', '--line-ending', 'crlf', '--starttls', 'smtp', '--ca', certs.path('ca.pem')]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('tls:QUIT\r\n');
    expect(p.plain[0]).toEqual(['EHLO socket-tester.invalid', 'STARTTLS']);
    expect(r.stderr).toContain('certificate trusted');
  });

  it('smtp refused: exit 9 with STARTTLS_REFUSED and the server\'s line', async () => {
    const p = await peer('smtp', true);
    const r = await run(['send', '127.0.0.1', String(p.port), 'QUIT', '--starttls', 'smtp', '--ca', certs.path('ca.pem')]);
    expect(r.code).toBe(9);
    expect(r.stderr).toMatch(/STARTTLS_REFUSED: STARTTLS with 127\.0\.0\.1:\d+ failed: SMTP: STARTTLS was answered "454 4\.7\.0 TLS not available due to local problem", not 220\./);
  });

  it('postgres: the SSLRequest, "S", then TLS; --json has the tls object', async () => {
    const p = await peer('postgres');
    const r = await run(['send', '127.0.0.1', String(p.port), 'ping', '--starttls', 'postgres', '--ca', certs.path('ca.pem'), '--json']);
    expect(r.code).toBe(0);
    const report = json(r);
    expect(Buffer.from(report['responseBase64'], 'base64').toString()).toBe('tls:ping');
    expect(report['tls']).toMatchObject({ authorized: true });
    await until(() => p.plain.length === 1, 'the request');
    expect(p.plain[0]).toEqual(['0000000804d2162f']);
  });
});

describe('TLS options are checked before connecting', () => {
  it.each([
    [['--servername', 'a.test'], /--servername is a TLS option; add --tls/],
    [['--tls', '--tls-min', '1.1'], /--tls-min must be 1\.2 or 1\.3/],
    [['--tls', '--alpn', 'h2,,x'], /--alpn takes protocol names/],
    [['--tls', '--ca', '/nonexistent/ca.pem'], /--ca: /],
    [['--tls', '--cert', '/tmp/x.pem'], /--cert needs --key/],
    [['--tls', '--pass-env', 'X'], /--pass-env is the passphrase of --pfx or --key/],
    [['--tls', '--pfx', '/nonexistent/me.p12'], /--pfx: /],
    [['--tls', '--pfx', '/tmp/x.p12', '--cert', '/tmp/x.pem', '--key', '/tmp/x.key'], /not both|--cert: |--key: /],
    [['--tls', '--servername', '127.0.0.1'], /--servername: SNI carries host names only/],
    [['--tls', '--servername', 'a', '--no-servername'], /cannot be combined/],
    [['--starttls', 'xmpp'], /--starttls must be one of smtp, imap, pop3, ftp, postgres/],
    [['--udp', '--tls'], /--tls cannot be used with --udp/],
    [['--udp', '--starttls', 'smtp'], /--starttls cannot be used with --udp/],
    [['--udp', '--insecure'], /--insecure cannot be used with --udp/],
  ])('%j exits 2 naming the option', async (extra, message) => {
    const r = await run(['send', '127.0.0.1', '9', 'x', ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('--help lists the TLS options and exit codes 8 and 9', async () => {
    const r = await run(['send', '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.toString();
    for (const flag of ['--tls', '--starttls PROTO', '--servername', '--no-servername', '--verify-name', '--insecure', '--ca FILE', '--cert FILE', '--key', '--pfx FILE', '--pass-env NAME', '--alpn LIST', '--tls-min', '--tls-max']) {
      expect(help).toContain(flag);
    }
    expect(help).toMatch(/^ {2}8 {2}TLS: the certificate failed verification/m);
    expect(help).toMatch(/^ {2}9 {2}TLS: the handshake failed/m);
  });
});
