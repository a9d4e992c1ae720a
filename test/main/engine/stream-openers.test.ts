/**
 * Openers feeding the one stream session: an accepted socket (listen mode) is driven exactly like a
 * connected one. Real sockets on loopback; the TCP opener is covered by stream-session.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { StreamSession } from '../../../main/engine/stream-session.ts';
import { adopt } from '../../../main/engine/stream-openers.ts';
import { listen, record, until, type LoopbackServer } from './loopback.ts';

const servers: LoopbackServer[] = [];
const clients: net.Socket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const s of servers.splice(0)) await s.close();
});

/** A server whose accepted sockets are handed to `onSession` as adopted stream sessions. */
async function adoptingServer(onSession: (session: StreamSession, socket: net.Socket) => void): Promise<LoopbackServer> {
  let n = 0;
  const server = await listen(
    (socket) => {
      const session = new StreamSession(`accepted-${++n}`);
      onSession(session, socket);
    },
    '127.0.0.1',
    { allowHalfOpen: true },
  );
  servers.push(server);
  return server;
}

function connectClient(port: number): net.Socket {
  const c = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}

describe('adopt(socket): an accepted connection as a stream session', () => {
  it('receives, sees the peer FIN, answers, and ends as peer-closed, with no connecting entry', async () => {
    let session: StreamSession | null = null;
    let rec: ReturnType<typeof record> | null = null;
    const server = await adoptingServer((s, socket) => {
      session = s;
      rec = record(s);
      void s.open(adopt(socket), { idleTimeoutMs: 10_000 });
    });
    const client = connectClient(server.port);
    const got: Buffer[] = [];
    client.on('data', (d: Buffer) => got.push(d));
    await once(client, 'connect');
    client.end(Buffer.from('hello'));
    await until(() => session?.status.remoteEnded === true, 'the peer FIN');
    const s = session!;
    expect(s.status).toMatchObject({ kind: 'stream', phase: 'open', remoteEnded: true, localEnded: false, bytesReceived: 5 });
    expect(Buffer.from(s.response()).toString()).toBe('hello');
    expect(s.status.remoteAddress).toBe('127.0.0.1');
    expect(s.status.port).toBe(client.localPort);
    const sent = await s.send(Buffer.from('bye'), { halfClose: true });
    expect(sent.ok).toBe(true);
    const final = await s.done();
    expect(final.outcome).toBe('peer-closed');
    await until(() => client.readableEnded, 'the client to see our FIN');
    expect(Buffer.concat(got).toString()).toBe('bye');
    expect(rec!.transcript.map((e) => e.kind)).toEqual(['connected', 'received', 'remote-ended', 'sent', 'local-ended', 'closed']);
  });

  it('an accepted socket that already closed is NOT_CONNECTED, and done() still resolves', async () => {
    const result = new Promise<{ code: string | undefined; outcome: string | null }>((resolve) => {
      void adoptingServer((s, socket) => {
        socket.destroy();
        void s.open(adopt(socket)).then(async (r) => {
          const final = await s.done();
          resolve({ code: r.ok ? undefined : r.error.code, outcome: final.outcome });
        });
      }).then((server) => connectClient(server.port));
    });
    expect(await result).toEqual({ code: 'NOT_CONNECTED', outcome: 'error' });
  });

  it('cancel ends an adopted session at once and the client sees the connection go', async () => {
    let session: StreamSession | null = null;
    const server = await adoptingServer((s, socket) => {
      session = s;
      void s.open(adopt(socket));
    });
    const client = connectClient(server.port);
    await until(() => session?.status.phase === 'open', 'the adopted session to open');
    client.resume();
    const closed = once(client, 'end');
    session!.cancel();
    expect((await session!.done()).outcome).toBe('cancelled');
    await closed;
  });
});
