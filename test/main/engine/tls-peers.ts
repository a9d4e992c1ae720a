/**
 * TLS peers for the engine tests, all on loopback: certificates minted per run
 * (make-test-certs.py), Node `tls` servers in process, `openssl s_server` and nginx as child
 * processes on ports picked free. Every peer is stopped by the test that started it.
 */
import net from 'node:net';
import tls from 'node:tls';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { closedPort, delay } from './loopback.ts';

const run = promisify(execFile);

/** The certificates of one run. */
export interface TestCerts {
  dir: string;
  /** Path of a file: 'ca.pem', 'server.pem', 'server.key', 'client.p12', … */
  path(file: string): string;
  read(file: string): Promise<Buffer>;
  /** Passphrase of client.p12 (made up per run). */
  passphrase: string;
  remove(): Promise<void>;
}

/** Mints a fresh CA, server leaves (good, expired, future, other name, self-signed) and a client. */
export async function makeTestCerts(): Promise<TestCerts> {
  const dir = await mkdtemp(join(tmpdir(), 'st-tls-'));
  const passphrase = `pass-${process.pid}-${Date.now()}`;
  await run('python3', [join(import.meta.dirname, 'make-test-certs.py'), dir, passphrase], { timeout: 60_000 });
  return {
    dir,
    path: (file) => join(dir, file),
    read: (file) => readFile(join(dir, file)),
    passphrase,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A running Node TLS server. */
export interface NodeTlsPeer {
  port: number;
  /** SNI names the server saw, one per handshake (false: none sent). */
  readonly serverNames: Array<string | false>;
  /** Connections accepted at the TCP level (before any handshake). */
  readonly tcpConnections: () => number;
  readonly sockets: Set<tls.TLSSocket>;
  close(): Promise<void>;
}

/**
 * A Node TLS server on 127.0.0.1, port 0. `onSecure` gets each established connection; the
 * default echoes every byte and ends when the client ends.
 */
export async function nodeTlsServer(
  options: tls.TlsOptions,
  onSecure: (socket: tls.TLSSocket) => void = (s) => {
    s.on('data', (d: Buffer) => s.write(d));
    s.on('end', () => s.end());
  },
): Promise<NodeTlsPeer> {
  const serverNames: Array<string | false> = [];
  const sockets = new Set<tls.TLSSocket>();
  /**
   * Every TCP connection, handshaken or not: a client can see its handshake finish before the
   * server's 'secureConnection' fires, and close() must not wait on a connection it never saw
   * (server.close() waits for every one; that race made a test's afterEach time out now and then).
   */
  const raws = new Set<net.Socket>();
  let tcp = 0;
  const server = tls.createServer({ allowHalfOpen: true, ...options } as tls.TlsOptions, (socket) => {
    serverNames.push((socket as tls.TLSSocket & { servername?: string | false }).servername ?? false);
    onSecure(socket);
  });
  server.on('connection', (raw: net.Socket) => {
    tcp += 1;
    raws.add(raw);
    raw.on('close', () => raws.delete(raw));
    raw.on('error', () => undefined);
  });
  server.on('secureConnection', (s: tls.TLSSocket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  // Handshake failures we provoke on purpose are the server's business, not the test's.
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    serverNames,
    tcpConnections: () => tcp,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      for (const r of raws) r.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A child-process peer (openssl s_server, nginx). */
export interface ProcessPeer {
  port: number;
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** Waits (bounded) until something accepts TCP connections on 127.0.0.1:port. */
async function untilListening(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`peer exited early (${child.exitCode}): ${output()}`);
    const up = await new Promise<boolean>((resolve) => {
      const probe = net.connect({ host: '127.0.0.1', port });
      probe.once('connect', () => {
        probe.destroy();
        resolve(true);
      });
      probe.once('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`peer never listened on ${port}: ${output()}`);
    await delay(50);
  }
}

/**
 * `openssl s_server` on a free loopback port, with `args` added (e.g. ['-tls1_2'], ['-Verify', '1']).
 * `-rev` makes it answer each line reversed, which shows the application data flowed.
 */
export async function opensslServer(args: string[]): Promise<ProcessPeer> {
  const port = await closedPort();
  const child = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-naccept', '1000', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString('latin1')));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString('latin1')));
  child.on('error', (e) => (text += `spawn error: ${e.message}`));
  await untilListening(port, child, () => text);
  return { port, child, output: () => text, stop: () => stopChild(child) };
}

/**
 * nginx in the foreground with a temporary prefix and the given `server { … }` body (the listen
 * line is added). Answers `GET /` with what it saw of the handshake: SNI, ALPN, protocol and the
 * client certificate's verdict.
 */
export async function nginxServer(serverBody: string): Promise<ProcessPeer & { prefix: string }> {
  const prefix = await mkdtemp(join(tmpdir(), 'st-nginx-'));
  const port = await closedPort();
  const conf = `
    master_process off;
    daemon off;
    worker_processes 1;
    pid ${prefix}/nginx.pid;
    error_log ${prefix}/error.log info;
    events { worker_connections 64; }
    http {
      access_log off;
      client_body_temp_path ${prefix}/body;
      proxy_temp_path ${prefix}/proxy;
      fastcgi_temp_path ${prefix}/fastcgi;
      uwsgi_temp_path ${prefix}/uwsgi;
      scgi_temp_path ${prefix}/scgi;
      server {
        listen 127.0.0.1:${port} ssl;
        ${serverBody}
        location / {
          default_type text/plain;
          return 200 "sni=$ssl_server_name alpn=$ssl_alpn_protocol protocol=$ssl_protocol client=$ssl_client_verify\\n";
        }
      }
    }`;
  await writeFile(join(prefix, 'nginx.conf'), conf);
  const child = spawn('nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString('latin1')));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString('latin1')));
  child.on('error', (e) => (text += `spawn error: ${e.message} (install nginx-light)`));
  try {
    await untilListening(port, child, () => text);
  } catch (err) {
    await stopChild(child);
    await rm(prefix, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    prefix,
    child,
    output: () => text,
    stop: async () => {
      await stopChild(child);
      await rm(prefix, { recursive: true, force: true });
    },
  };
}
