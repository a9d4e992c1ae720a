/**
 * runOneShot: the exchange the CLI performs, against loopback servers and a real third-party
 * server (Debian's redis-server).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import net from 'node:net';
import { runOneShot } from '../../../main/engine/one-shot.ts';
import type { StreamSession } from '../../../main/engine/stream-session.ts';
import { closedPort, delay, echoOnEnd as echoOnEndServer, listen, until, type LoopbackServer } from './loopback.ts';

const REDIS = '/usr/bin/redis-server';
const servers: LoopbackServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function echoOnEnd(): Promise<LoopbackServer> {
  const s = await echoOnEndServer();
  servers.push(s);
  return s;
}

describe('runOneShot', () => {
  it('sends, half-closes and returns the whole reply', async () => {
    const server = await echoOnEnd();
    const result = await runOneShot({ connect: { host: '127.0.0.1', port: server.port }, data: new TextEncoder().encode('abc') });
    expect(result.error).toBeNull();
    expect(result.status).toMatchObject({ outcome: 'peer-closed', bytesSent: 3, bytesReceived: 7, localEnded: true });
    expect(Buffer.from(result.response).toString('latin1')).toBe('got:abc');
  });

  it('reports invalid input without any socket, and connect failures with their code', async () => {
    const bad = await runOneShot({ connect: { host: 'a b', port: 80 } });
    expect(bad.error).toMatchObject({ code: 'INVALID_INPUT', field: 'host' });
    const refused = await runOneShot({ connect: { host: '127.0.0.1', port: await closedPort() } });
    expect(refused.error?.code).toBe('REFUSED');
    expect(refused.status.outcome).toBe('error');
  });

  it('keep-open waits for the idle timeout instead of sending FIN', async () => {
    let phaseWhenPeerSawEnd: string | null = null;
    let session: StreamSession | null = null;
    const server = await listen((socket) => {
      socket.on('end', () => (phaseWhenPeerSawEnd = session?.status.phase ?? 'none'));
      socket.write('banner');
    });
    servers.push(server);
    const result = await runOneShot({
      connect: { host: '127.0.0.1', port: server.port, idleTimeoutMs: 500 },
      halfClose: false,
      onSession: (s) => (session = s),
    });
    expect(result.status.outcome).toBe('idle-timeout');
    expect(Buffer.from(result.response).toString('latin1')).toBe('banner');
    expect(result.status.localEnded).toBe(false);
    // Our socket is destroyed at the idle timeout, so the peer sees EOF only then, never before.
    await until(() => phaseWhenPeerSawEnd !== null, 'the peer to see the connection end');
    expect(phaseWhenPeerSawEnd).toBe('closed');
  });

  it('keep-open ends as peer-closed once the peer has finished, without our FIN before its own', async () => {
    let finBeforeReply = false;
    let replied = false;
    const server = await listen(
      (socket) => {
        socket.on('end', () => (finBeforeReply = !replied));
        socket.on('data', () => {
          replied = true;
          socket.end('answer');
        });
      },
      '127.0.0.1',
      { allowHalfOpen: true },
    );
    servers.push(server);
    const result = await runOneShot({
      connect: { host: '127.0.0.1', port: server.port },
      data: new TextEncoder().encode('question'),
      halfClose: false,
    });
    expect(result.error).toBeNull();
    expect(result.status).toMatchObject({ outcome: 'peer-closed', localEnded: true, remoteEnded: true });
    expect(Buffer.from(result.response).toString('latin1')).toBe('answer');
    expect(finBeforeReply).toBe(false);
  });

  it('an unreadable file is FILE_ERROR and the connection is ended', async () => {
    const server = await echoOnEnd();
    const result = await runOneShot({ connect: { host: '127.0.0.1', port: server.port }, file: '/nonexistent/payload.bin' });
    expect(result.error).toMatchObject({ code: 'FILE_ERROR' });
    expect(result.status.phase).toBe('closed');
  });

  it('an abort signal cancels at once', async () => {
    const server = await listen((socket) => socket.pause());
    servers.push(server);
    const controller = new AbortController();
    const running = runOneShot({
      connect: { host: '127.0.0.1', port: server.port },
      data: new Uint8Array(64 * 1024 * 1024),
      signal: controller.signal,
    });
    await until(() => server.accepted.length === 1, 'the connection');
    await delay(50);
    controller.abort();
    const result = await running;
    expect(result.status.outcome).toBe('cancelled');
    expect(result.error?.code).toBe('ABORTED');
  });

  it('talks to a real redis-server: PING → +PONG', async () => {
    if (!existsSync(REDIS)) {
      throw new Error(`${REDIS} is missing: run \`apt-get install redis-server\` (CI installs it). This test never skips.`);
    }
    // A free port on 127.0.0.1 for redis (listen on 0, note, close).
    const probe = net.createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const redis = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    redis.stdout.on('data', (d: Buffer) => (log += d.toString()));
    try {
      await until(() => log.includes('Ready to accept connections'), `redis to start (log: ${log})`);
      const result = await runOneShot({ connect: { host: '127.0.0.1', port }, data: new TextEncoder().encode('PING\r\n') });
      expect(result.error).toBeNull();
      expect(result.status.outcome).toBe('peer-closed');
      expect(Buffer.from(result.response).toString('latin1')).toBe('+PONG\r\n');
    } finally {
      const exited = once(redis, 'exit');
      redis.kill('SIGKILL');
      await exited;
    }
  });
});
