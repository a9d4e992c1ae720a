/**
 * Loopback peers and a shell runner for the "copy as command" tests: each generated command runs
 * for real in `sh`, and the peer records every byte it received, whether our FIN came, and the
 * datagrams. All on 127.0.0.1, port 0; every wait is bounded.
 */
import net from 'node:net';
import tls from 'node:tls';
import dgram from 'node:dgram';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Whether a tool is on PATH (ncat and socat are Debian packages that may be missing). */
export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export interface ShellRun {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs `script` in `sh` with `env` added; killed after `timeoutMs` (generous: CI is slower). */
export function runSh(script: string, env: Record<string, string> = {}, timeoutMs = 30_000): Promise<ShellRun> {
  return new Promise((done, reject) => {
    const child = spawn('sh', ['-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const killer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      done({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** What one connection delivered. */
export interface Delivery {
  bytes: Buffer;
  /** The client sent its FIN (or TLS close) before we closed. */
  finReceived: boolean;
}

export interface StreamPeer {
  port: number;
  /** Resolves with the first connection's delivery once it is over. */
  delivery(): Promise<Delivery>;
  close(): Promise<void>;
}

/**
 * A recording peer. It answers `reply` and closes when the client finishes sending, or, for a client
 * that keeps its side open, once `closeAfterBytes` bytes arrived and the line was quiet for 300 ms
 * (so extra bytes would still be seen). A bounded fallback closes a connection that sends nothing.
 */
export async function streamPeer(opts: { tls?: tls.TlsOptions; closeAfterBytes?: number; reply?: string }): Promise<StreamPeer> {
  const deliveries: Delivery[] = [];
  const waiters: Array<(d: Delivery) => void> = [];
  const sockets = new Set<net.Socket>();
  const onSocket = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const chunks: Buffer[] = [];
    let received = 0;
    let finished = false;
    let fin = false;
    let quiet: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(quiet);
      clearTimeout(fallback);
      const d = { bytes: Buffer.concat(chunks), finReceived: fin };
      const w = waiters.shift();
      if (w) w(d);
      else deliveries.push(d);
      socket.end(opts.reply ?? 'ok\n');
    };
    const armQuiet = (): void => {
      clearTimeout(quiet);
      if (opts.closeAfterBytes !== undefined && received >= opts.closeAfterBytes) quiet = setTimeout(finish, 300);
    };
    // Only for a client that keeps its side open and is sent nothing.
    const fallback = setTimeout(finish, opts.closeAfterBytes === 0 ? 1_000 : 20_000);
    armQuiet();
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      received += d.length;
      armQuiet();
    });
    socket.on('end', () => {
      fin = true;
      finish();
    });
  };
  const server = opts.tls
    ? tls.createServer({ allowHalfOpen: true, ...opts.tls }, onSocket)
    : net.createServer({ allowHalfOpen: true }, onSocket);
  if (opts.tls) server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    delivery: () => {
      const d = deliveries.shift();
      if (d) return Promise.resolve(d);
      return new Promise((r) => waiters.push(r));
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface DatagramPeer {
  port: number;
  readonly datagrams: Buffer[];
  close(): Promise<void>;
}

/** A UDP peer on 127.0.0.1 that records each datagram and answers "pong\n" to its sender. */
export async function datagramPeer(): Promise<DatagramPeer> {
  const socket = dgram.createSocket('udp4');
  const datagrams: Buffer[] = [];
  socket.on('message', (m, from) => {
    datagrams.push(Buffer.from(m));
    socket.send('pong\n', from.port, from.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return {
    port: socket.address().port,
    datagrams,
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

/**
 * A folder with a `socket-tester` launcher for the built CLI, to put first on PATH, so the copied
 * command runs exactly as a user who installed the app would type it.
 */
export async function socketTesterOnPath(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'st-cmd-bin-'));
  const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'socket-tester.js');
  const launcher = join(dir, 'socket-tester');
  await writeFile(launcher, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} "$@"\n`);
  await chmod(launcher, 0o755);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
