/**
 * Loopback servers and small waiting helpers for the engine tests. Real sockets on 127.0.0.1 / ::1,
 * port 0; every server tracks its connections so `close()` leaves nothing behind.
 */
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { StreamSession } from '../../../main/engine/stream-session.ts';
import type { SendProgress, SessionStatus, TranscriptEntry } from '../../../shared/session.ts';

/** A running test server. */
export interface LoopbackServer {
  server: net.Server;
  port: number;
  /** Connections accepted so far. */
  readonly accepted: net.Socket[];
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

/** Starts a server on `host`, port 0, calling `onConnection` for each accepted socket. */
export async function listen(
  onConnection: (socket: net.Socket) => void,
  host = '127.0.0.1',
  options: net.ServerOpts = {},
): Promise<LoopbackServer> {
  const accepted: net.Socket[] = [];
  const server = net.createServer(options, (socket) => {
    accepted.push(socket);
    // A test peer's own errors (resets we provoke) must not crash the test process.
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  server.listen(0, host);
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return {
    server,
    port,
    accepted,
    close: async () => {
      for (const s of accepted) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Replies "got:" + everything received, once our FIN arrives (a server that answers at end of input). */
export function echoOnEnd(): Promise<LoopbackServer> {
  return listen(
    (socket) => {
      const parts: Buffer[] = [];
      socket.on('data', (d: Buffer) => parts.push(d));
      socket.on('end', () => socket.end(Buffer.concat([Buffer.from('got:'), ...parts])));
    },
    '127.0.0.1',
    { allowHalfOpen: true },
  );
}

/** A port on `host` that nothing listens on (listen on 0, note it, close). */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  const s = await listen(() => undefined, host);
  await s.close();
  return s.port;
}

/** Everything a session emitted, for assertions. */
export interface Recorded {
  statuses: SessionStatus[];
  transcript: TranscriptEntry[];
  progress: SendProgress[];
  dataBytes: number;
  /** Total events of any kind, for "no late events" checks. */
  count(): number;
}

/** Subscribes to every event of `session`. */
export function record(session: StreamSession): Recorded {
  const rec: Recorded = {
    statuses: [],
    transcript: [],
    progress: [],
    dataBytes: 0,
    count: () => rec.statuses.length + rec.transcript.length + rec.progress.length + dataEvents,
  };
  let dataEvents = 0;
  session.on('status', (s) => rec.statuses.push(s));
  session.on('transcript', (e) => rec.transcript.push(e));
  session.on('send-progress', (p) => rec.progress.push(p));
  session.on('data', (chunk) => {
    dataEvents += 1;
    rec.dataBytes += chunk.length;
  });
  return rec;
}

/** Resolves after `ms` milliseconds (used only to let the network act, never to assert time). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `predicate` every 10 ms, at most `limitMs`; rejects with `what` when it never holds. */
export async function until(predicate: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

/**
 * A lookup answering every name with `addresses` (the `all: true` form, which Happy Eyeballs asks
 * for); `onLookup` sees each name asked, and may hold the answer back by returning false and
 * calling `answer()` later.
 */
export function lookupReturning(
  addresses: { address: string; family: 4 | 6 }[],
  onLookup: (hostname: string, answer: () => void) => boolean = () => true,
): net.LookupFunction {
  return (hostname, _options, callback) => {
    const answer = (): void =>
      (callback as unknown as (err: null, all: { address: string; family: number }[]) => void)(null, addresses);
    if (onLookup(hostname, answer)) answer();
  };
}

/** A lookup that returns both loopback addresses for any name, IPv6 first (deterministic dual-stack). */
export const dualStackLookup: net.LookupFunction = (_hostname, options, callback) => {
  const addresses = [
    { address: '::1', family: 6 },
    { address: '127.0.0.1', family: 4 },
  ];
  if ((options as { all?: boolean }).all) {
    (callback as unknown as (err: null, addresses: { address: string; family: number }[]) => void)(null, addresses);
  } else {
    callback(null, '::1', 6);
  }
};

/**
 * A listener on 127.0.0.1 in a child process whose event loop is blocked, so it never accepts:
 * once its backlog (1) is full, the kernel drops further SYNs and connects hang (F6).
 */
export async function startNonAcceptingListener(): Promise<{ port: number; child: ChildProcess; stop(): Promise<void> }> {
  const script = `
    const net = require('node:net');
    const s = net.createServer();
    s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(String(s.address().port) + '\\n');
      // Block the event loop (bounded: 60 s) so the listening socket is never accepted from.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(line.toString('latin1').trim());
  return {
    port,
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/**
 * A sender on 127.0.0.1 in a child process: to its first connection it writes `size` random bytes
 * as fast as the kernel takes them, then ends. In another process (unlike {@link listen}) it
 * keeps the client's receive queue full while the client is busy. Gives the bytes' SHA-256; the
 * child exits after that connection, or after 60 s.
 */
export async function startChildSender(size: number): Promise<{ port: number; sha256: string; stop(): Promise<void> }> {
  const script = `
    const net = require('node:net');
    const payload = require('node:crypto').randomBytes(${size});
    const sha256 = require('node:crypto').createHash('sha256').update(payload).digest('hex');
    setTimeout(() => process.exit(3), 60000).unref();
    const s = net.createServer((socket) => {
      s.close();
      socket.on('error', () => process.exit(2));
      socket.end(payload);
    });
    s.listen({ port: 0, host: '127.0.0.1' }, () => process.stdout.write(s.address().port + ' ' + sha256 + '\\n'));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const [port, sha256] = line.toString('latin1').trim().split(' ');
  return {
    port: Number(port),
    sha256: sha256 ?? '',
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Text a client socket receives until the peer's FIN, a reset or a close (bounded by the test timeout). */
export function readUntilEnd(s: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('error', () => {});
    const done = (): void => resolve(Buffer.concat(parts).toString('latin1'));
    s.on('end', done);
    s.on('close', done);
  });
}
