/**
 * Real peers for the conversation tests: Debian's redis-server and Python 3.11's SMTP debugging
 * server, each on a free loopback port, killed after use. Missing binaries fail loudly, never skip.
 */
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { until } from '../engine/loopback.ts';

export interface RealPeer {
  port: number;
  /** What the process printed on stdout so far. */
  output(): string;
  stop(): Promise<void>;
}

/** A free port on 127.0.0.1: listen on 0, note it, close. */
export async function freePort(): Promise<number> {
  const probe = net.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function watch(child: ChildProcess, port: number): RealPeer {
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  return {
    port,
    output: () => log,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Resolves once something accepts connections on the port. */
async function acceptsConnections(port: number, what: () => string): Promise<void> {
  let ready = false;
  await until(() => {
    if (!ready) {
      const probe = net.connect({ host: '127.0.0.1', port });
      probe.on('connect', () => {
        ready = true;
        probe.destroy();
      });
      probe.on('error', () => probe.destroy());
    }
    return ready;
  }, `a peer on port ${port} (output: ${what()})`);
}

export async function startRedis(): Promise<RealPeer> {
  const bin = '/usr/bin/redis-server';
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`apt-get install redis-server\` (CI installs it). This test never skips.`);
  const port = await freePort();
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const peer = watch(child, port);
  await until(() => peer.output().includes('Ready to accept connections'), `redis to start (log: ${peer.output()})`);
  return peer;
}

export async function startSmtpDebuggingServer(): Promise<RealPeer> {
  const port = await freePort();
  const child = spawn('python3', ['-W', 'ignore::DeprecationWarning', '-u', '-m', 'smtpd', '-n', '-c', 'DebuggingServer', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const peer = watch(child, port);
  await acceptsConnections(port, peer.output);
  return peer;
}
