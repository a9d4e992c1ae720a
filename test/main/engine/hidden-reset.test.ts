/**
 * errorHiddenByEnd against real loopback connections: the four ways a connection's 'end' can come
 * (the peer's FIN or its reset, with our side open or already half-closed), each provoked so that
 * the reset is in the receive queue before we read (libuv then reports EOF, see hidden-reset.ts).
 * The session-level cases (RESET outcome, bytes kept) are in stream-session.test.ts under F10.
 */
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { errorHiddenByEnd } from '../../../main/engine/hidden-reset.ts';
import { listen, until, type LoopbackServer } from './loopback.ts';

const servers: LoopbackServer[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await s.close();
});

/** What errorHiddenByEnd says at the client's 'end' when the peer ends as `peerEnds` says. */
async function verdictAtEnd(peerEnds: 'fin' | 'reset', weFinishedFirst: boolean): Promise<string | null> {
  const server = await listen((s) => s.resume(), '127.0.0.1', { allowHalfOpen: true });
  servers.push(server);
  const client = net.connect({ host: '127.0.0.1', port: server.port, allowHalfOpen: true });
  sockets.push(client);
  client.on('error', () => undefined);
  client.resume();
  await new Promise((r) => client.once('connect', r));
  if (weFinishedFirst) client.end();
  await until(() => server.accepted.length === 1 && (!weFinishedFirst || server.accepted[0]!.readableEnded), 'the peer has the connection');
  const verdict = new Promise<string | null>((resolve, reject) => {
    client.once('end', () => resolve(errorHiddenByEnd([client])?.code ?? null));
    client.once('error', reject);
  });
  // Bytes and the FIN or RST in one turn: all of it is queued before the client reads.
  const peer = server.accepted[0]!;
  peer.write('hello world!');
  if (peerEnds === 'reset') peer.resetAndDestroy();
  else peer.end();
  return verdict;
}

describe('errorHiddenByEnd', () => {
  it("a reset queued behind the last bytes is reported, our side open or half-closed; the peer's FIN is not", async () => {
    expect(await verdictAtEnd('reset', false)).toBe('ECONNRESET');
    expect(await verdictAtEnd('reset', true)).toBe('ECONNRESET');
    expect(await verdictAtEnd('fin', false)).toBeNull();
    expect(await verdictAtEnd('fin', true)).toBeNull();
  });

  it('asks nothing of a destroyed socket', () => {
    const s = new net.Socket();
    s.destroy();
    expect(errorHiddenByEnd([s])).toBeNull();
  });
});
