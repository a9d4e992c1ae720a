/**
 * DatagramSession against real UDP peers on 127.0.0.1 / ::1, port 0 (RELIABILITY "UDP": port
 * unreachable, a silent peer, 0-byte and maximum-size datagrams, oversize refused before sending,
 * a burst counted exactly, replies from another port, IPv6, multicast on loopback).
 */
import { afterEach, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type net from 'node:net';
import type { LookupAddress } from 'node:dns';
import { DatagramSession } from '../../../../main/engine/datagram/datagram-session.ts';
import { MAX_DATAGRAM_PAYLOAD, type DatagramOpenOptions, type DatagramSessionStatus } from '../../../../shared/session-datagram.ts';
import { bindSocket, closePeers, closedUdpPort, echoPeer, multiPeer, silentPeer, udpPeer } from './udp-peers.ts';

const sessions: DatagramSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) {
    s.cancel();
    await s.done();
  }
  await closePeers();
});

function session(options: ConstructorParameters<typeof DatagramSession>[1] = {}): DatagramSession {
  const s = new DatagramSession(`test-${sessions.length}`, options);
  sessions.push(s);
  return s;
}

async function opened(opts: DatagramOpenOptions): Promise<DatagramSession> {
  const s = session();
  const result = await s.open(opts);
  expect(result.ok, JSON.stringify(result)).toBe(true);
  expect(s.status.phase).toBe('open');
  return s;
}

/** Resolves once `s` holds `n` datagrams (bounded by the test timeout). */
function datagramsArrived(s: DatagramSession, n: number): Promise<void> {
  if (s.datagrams().length >= n) return Promise.resolve();
  return new Promise((resolve) => {
    const off = s.on('datagram', () => {
      if (s.datagrams().length >= n) {
        off();
        resolve();
      }
    });
  });
}

describe('DatagramSession: echo', () => {
  it('sends, receives the echo whole with source, size and time, and closes by us', async () => {
    const peer = await echoPeer();
    const s = await opened({ host: '127.0.0.1', port: peer.port });
    const statuses: DatagramSessionStatus[] = [];
    s.on('status', (st) => statuses.push(st));
    const before = Date.now();
    const sent = await s.send(Buffer.from('hello'));
    expect(sent).toEqual({ ok: true, value: { sendId: 1, bytesSent: 5 } });
    await datagramsArrived(s, 1);
    const [kept] = s.datagrams();
    expect(Buffer.from(kept!.bytes).toString()).toBe('hello');
    expect(kept!.record).toMatchObject({ seq: 1, from: '127.0.0.1', port: peer.port, family: 4, size: 5 });
    expect(kept!.record.at).toBeGreaterThanOrEqual(before);
    expect(peer.received[0]!.port).toBe(s.status.localPort);
    s.close();
    const final = await s.done();
    expect(final).toMatchObject({ phase: 'closed', outcome: 'closed-by-us', error: null, datagramsSent: 1, bytesSent: 5, datagramsReceived: 1, bytesReceived: 5, kernelDrops: 0 });
    expect(statuses.map((st) => st.phase)).toEqual(['closed']);
    const kinds = s.transcript().map((e) => e.kind);
    expect(kinds).toEqual(['binding', 'bound', 'sent', 'received', 'closed']);
  });

  it('keeps 0-byte datagrams and datagrams of the IPv4 maximum (65,507 bytes) exactly', async () => {
    const peer = await echoPeer();
    const s = await opened({ host: '127.0.0.1', port: peer.port });
    const big = Buffer.alloc(MAX_DATAGRAM_PAYLOAD[4]);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff;
    expect((await s.send(new Uint8Array(0))).ok).toBe(true);
    await datagramsArrived(s, 1);
    expect((await s.send(big)).ok).toBe(true);
    await datagramsArrived(s, 2);
    const [empty, max] = s.datagrams();
    expect(empty!.record.size).toBe(0);
    expect(empty!.bytes.length).toBe(0);
    expect(max!.record.size).toBe(65_507);
    expect(Buffer.compare(Buffer.from(max!.bytes), big)).toBe(0);
  });

  it('carries all 256 byte values unchanged', async () => {
    const peer = await echoPeer();
    const s = await opened({ host: '127.0.0.1', port: peer.port });
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await s.send(all);
    await datagramsArrived(s, 1);
    expect(Buffer.compare(peer.received[0]!.bytes, all)).toBe(0);
    expect(Buffer.compare(Buffer.from(s.datagrams()[0]!.bytes), all)).toBe(0);
  });

  it('refuses a payload one byte over the family maximum before sending, naming the field', async () => {
    const peer = await silentPeer();
    const s = await opened({ host: '127.0.0.1', port: peer.port });
    const result = await s.send(Buffer.alloc(65_508));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: 'DATAGRAM_TOO_LARGE', field: 'payload' });
    expect(result.error.message).toContain('65508 bytes');
    expect(result.error.message).toContain('65507');
    // Nothing reached the peer, and the session is still usable.
    expect(s.status).toMatchObject({ phase: 'open', datagramsSent: 0, bytesSent: 0 });
    expect((await s.send(Buffer.from('x'))).ok).toBe(true);
  });

  it('works over IPv6 (::1), with the IPv6 maximum of 65,527 bytes', async () => {
    const peer = await echoPeer('::1');
    const s = await opened({ host: '[::1]', port: peer.port });
    expect(s.status).toMatchObject({ remoteAddress: '::1', remoteFamily: 6 });
    const big = Buffer.alloc(MAX_DATAGRAM_PAYLOAD[6], 0xab);
    expect((await s.send(big)).ok).toBe(true);
    await datagramsArrived(s, 1);
    expect(s.datagrams()[0]!.record).toMatchObject({ from: '::1', family: 6, size: 65_527 });
    const over = await s.send(Buffer.alloc(65_528));
    expect(over.ok ? null : over.error.code).toBe('DATAGRAM_TOO_LARGE');
  });

  it('resolves host names as for TCP (the lookup is used once, the first address wins)', async () => {
    const peer = await echoPeer();
    const names: string[] = [];
    const lookup = ((hostname: string, _opts: unknown, cb: (err: Error | null, addresses: LookupAddress[]) => void) => {
      names.push(hostname);
      cb(null, [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }]);
    }) as unknown as net.LookupFunction;
    const s = session({ lookup });
    expect((await s.open({ host: 'echo.test', port: peer.port })).ok).toBe(true);
    expect(names).toEqual(['echo.test']);
    expect(s.status).toMatchObject({ host: 'echo.test', remoteAddress: '127.0.0.1', remoteFamily: 4 });
    await s.send(Buffer.from('n'));
    await datagramsArrived(s, 1);
  });

  it('maps a name that does not exist to DNS_NOT_FOUND', async () => {
    const lookup = ((_h: string, _o: unknown, cb: (err: Error) => void) =>
      cb(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND', syscall: 'getaddrinfo' }))) as unknown as net.LookupFunction;
    const s = session({ lookup });
    const result = await s.open({ host: 'nope.invalid', port: 53 });
    expect(result.ok ? null : result.error.code).toBe('DNS_NOT_FOUND');
    expect((await s.done()).outcome).toBe('error');
  });
});

describe('DatagramSession: modes and sources', () => {
  it('from anyone: keeps replies from the target and from another port, in arrival order', async () => {
    const peer = await multiPeer(3, 2);
    const s = await opened({ host: '127.0.0.1', port: peer.port, mode: 'from-anyone' });
    await s.send(Buffer.from('go'));
    await datagramsArrived(s, 5);
    const got = s.datagrams().map((d) => [Buffer.from(d.bytes).toString(), d.record.port, d.record.seq]);
    expect(got).toEqual([
      ['a1', peer.port, 1],
      ['a2', peer.port, 2],
      ['a3', peer.port, 3],
      ['b1', peer.otherPort, 4],
      ['b2', peer.otherPort, 5],
    ]);
  });

  it('target only: the kernel drops replies from another port; only the target\'s are kept', async () => {
    const peer = await multiPeer(2, 3);
    const s = await opened({ host: '127.0.0.1', port: peer.port, replyWindowMs: 500 });
    await s.send(Buffer.from('go'));
    const final = await s.done();
    expect(final.outcome).toBe('idle-timeout');
    expect(s.datagrams().map((d) => Buffer.from(d.bytes).toString())).toEqual(['a1', 'a2']);
    expect(final.datagramsReceived).toBe(2);
  });

  it('a closed port ends a target-only session with PORT_UNREACHABLE (ICMP)', async () => {
    const port = await closedUdpPort();
    const s = await opened({ host: '127.0.0.1', port, replyWindowMs: 5_000 });
    expect((await s.send(Buffer.from('anyone?'))).ok).toBe(true);
    const final = await s.done();
    expect(final.outcome).toBe('error');
    expect(final.error).toMatchObject({ code: 'PORT_UNREACHABLE', errno: 'ECONNREFUSED' });
    expect(final.error!.message).toContain(`127.0.0.1:${port}`);
    const kinds = s.transcript().map((e) => e.kind);
    expect(kinds.slice(-2)).toEqual(['error', 'closed']);
  });

  it('a closed port over IPv6 is PORT_UNREACHABLE too', async () => {
    const port = await closedUdpPort('::1');
    const s = await opened({ host: '::1', port, replyWindowMs: 5_000 });
    await s.send(Buffer.from('x'));
    expect((await s.done()).error?.code).toBe('PORT_UNREACHABLE');
  });

  it('binds a chosen local port, and a port in use is ADDRESS_IN_USE naming localPort', async () => {
    const peer = await echoPeer();
    const free = await closedUdpPort();
    const s = await opened({ host: '127.0.0.1', port: peer.port, localPort: free });
    expect(s.status.localPort).toBe(free);
    await s.send(Buffer.from('p'));
    await datagramsArrived(s, 1);
    expect(peer.received[0]!.port).toBe(free);

    const busy = await bindSocket('0.0.0.0');
    const t = session();
    const result = await t.open({ host: '127.0.0.1', port: peer.port, localPort: busy.address().port });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: 'ADDRESS_IN_USE', field: 'localPort', errno: 'EADDRINUSE' });
    expect((await t.done()).outcome).toBe('error');
  });

  it('turns broadcast on when asked (the flag is on the status; nothing is broadcast)', async () => {
    const peer = await echoPeer();
    const s = await opened({ host: '127.0.0.1', port: peer.port, broadcast: true, mode: 'from-anyone' });
    expect(s.status).toMatchObject({ broadcast: true, mode: 'from-anyone' });
    await s.send(Buffer.from('b'));
    await datagramsArrived(s, 1);
    const statuses: boolean[] = [];
    s.on('status', (st) => statuses.push(st.broadcast));
    expect(s.setBroadcast(false)).toMatchObject({ ok: true, value: { broadcast: false } });
    expect(s.setBroadcast(true).ok).toBe(true);
    expect(statuses).toEqual([false, true]);
  });
});

describe('DatagramSession: ending and limits', () => {
  it('a silent peer ends the session when the reply window passes (idle-timeout), not before the send', async () => {
    const peer = await silentPeer();
    const s = await opened({ host: '127.0.0.1', port: peer.port, replyWindowMs: 150 });
    // Not armed before the first send: the session waits for the user.
    await new Promise((r) => setTimeout(r, 400));
    expect(s.status.phase).toBe('open');
    await s.send(Buffer.from('hello?'));
    const final = await s.done();
    expect(final).toMatchObject({ outcome: 'idle-timeout', error: null, datagramsReceived: 0, datagramsSent: 1 });
    expect(peer.received).toHaveLength(1);
  });

  it('maxDatagrams ends the session with count-reached, keeping exactly that many', async () => {
    const peer = await multiPeer(5, 0);
    const s = await opened({ host: '127.0.0.1', port: peer.port, maxDatagrams: 3 });
    await s.send(Buffer.from('go'));
    const final = await s.done();
    expect(final).toMatchObject({ outcome: 'count-reached', datagramsReceived: 3 });
    expect(s.datagrams()).toHaveLength(3);
  });

  it('maxResponseBytes ends the session with limit-reached, the datagram that reached it kept whole', async () => {
    const peer = await echoPeer();
    const s = await opened({ host: '127.0.0.1', port: peer.port, maxResponseBytes: 10 });
    await s.send(Buffer.from('123456'));
    await datagramsArrived(s, 1);
    await s.send(Buffer.from('abcdef'));
    const final = await s.done();
    expect(final).toMatchObject({ outcome: 'limit-reached', bytesReceived: 12, datagramsReceived: 2 });
    expect(Buffer.from(s.datagrams()[1]!.bytes).toString()).toBe('abcdef');
  });

  it('counts a burst exactly: seq runs 1…n without gaps and every kept datagram is counted', async () => {
    const peer = await echoPeer();
    const s = await opened({ host: '127.0.0.1', port: peer.port, mode: 'from-anyone', replyWindowMs: 1_000 });
    const seqs: number[] = [];
    s.on('datagram', (record) => seqs.push(record.seq));
    const burst = await bindSocket();
    const n = 2_000;
    // The burst comes from a third socket, as fast as one event-loop turn can queue it.
    for (let i = 0; i < n; i++) burst.send(Buffer.from(String(i)), s.status.localPort!, '127.0.0.1');
    await s.send(Buffer.from('arm the reply window'));
    const final = await s.done();
    expect(final.outcome).toBe('idle-timeout');
    expect(final.datagramsReceived).toBe(s.datagrams().length);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    // With a 4 MiB receive buffer allowed (net.core.rmem_max) the kernel holds the whole burst on
    // loopback, so nothing is lost anywhere; with a smaller cap the kernel may drop some, which no
    // program can see, and only the bookkeeping above is ours to check.
    const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
    if (rmemMax >= 4 * 1024 * 1024) expect(final.datagramsReceived).toBe(n + 1);
    else expect(final.datagramsReceived).toBeLessThanOrEqual(n + 1);
  });

  it('a burst that outruns the event loop is counted, not lost: received + kernelDrops = sent (Linux)', async () => {
    const s = await opened({ host: '127.0.0.1', port: 9, mode: 'from-anyone', maxDatagrams: 1_000_000 });
    const n = 20_000;
    // spawnSync blocks this event loop while the child sends, so the kernel buffer overflows for sure.
    const sender = spawnSync('python3', [
      '-c',
      `import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nfor i in range(${n}): s.sendto(b'x'*100,('127.0.0.1',${s.status.localPort}))`,
    ]);
    expect(sender.status, sender.stderr.toString()).toBe(0);
    // Let Node read what the kernel kept.
    let seen = -1;
    while (seen !== s.status.datagramsReceived) {
      seen = s.status.datagramsReceived;
      await new Promise((r) => setTimeout(r, 100));
    }
    const live = s.refreshKernelDrops();
    s.close();
    const final = await s.done();
    expect(final.kernelDrops).not.toBeNull();
    expect(live).toBe(final.kernelDrops);
    expect(final.kernelDrops).toBeGreaterThan(0);
    expect(final.datagramsReceived + final.kernelDrops!).toBe(n);
  });

  it('cancel during a slow DNS lookup ends at once with cancelled and no late events', async () => {
    let answer: (() => void) | null = null;
    const lookup = ((_h: string, _o: unknown, cb: (err: Error | null, a: LookupAddress[]) => void) => {
      answer = () => cb(null, [{ address: '127.0.0.1', family: 4 }]);
    }) as unknown as net.LookupFunction;
    const s = session({ lookup });
    const opening = s.open({ host: 'slow.test', port: 9 });
    expect(s.status.phase).toBe('binding');
    s.cancel();
    expect(await opening).toMatchObject({ ok: true, value: { phase: 'closed', outcome: 'cancelled' } });
    const late: string[] = [];
    s.on('status', () => late.push('status'));
    answer!();
    await new Promise((r) => setTimeout(r, 50));
    expect(late).toEqual([]);
    expect((await s.done()).outcome).toBe('cancelled');
  });

  it('refuses bad input before any DNS or socket, naming the field', async () => {
    const s = session();
    const cases: Array<[DatagramOpenOptions, string]> = [
      [{ host: '', port: 53 }, 'host'],
      [{ host: 'a b', port: 53 }, 'host'],
      [{ host: '127.0.0.1', port: 0 }, 'port'],
      [{ host: '127.0.0.1', port: 53, localPort: 70_000 }, 'localPort'],
      [{ host: '127.0.0.1', port: 53, mode: 'sideways' as never }, 'mode'],
      [{ host: '127.0.0.1', port: 53, maxDatagrams: 0 }, 'maxDatagrams'],
      [{ host: '127.0.0.1', port: 53, replyWindowMs: -1 }, 'replyWindowMs'],
    ];
    for (const [opts, field] of cases) {
      const result = await s.open(opts);
      expect(result.ok ? null : result.error, JSON.stringify(opts)).toMatchObject({ code: 'INVALID_INPUT', field });
      expect(s.status.phase).toBe('idle');
    }
  });

  it('send before open or after close is NOT_CONNECTED; a second open is BUSY', async () => {
    const peer = await echoPeer();
    const s = session();
    expect((await s.send(Buffer.from('x'))).ok ? null : 'NOT_CONNECTED').toBe('NOT_CONNECTED');
    await s.open({ host: '127.0.0.1', port: peer.port });
    const again = await s.open({ host: '127.0.0.1', port: peer.port });
    expect(again.ok ? null : again.error.code).toBe('BUSY');
    s.close();
    const after = await s.send(Buffer.from('x'));
    expect(after.ok ? null : after.error.code).toBe('NOT_CONNECTED');
    // close twice, cancel after close: one final state.
    s.close();
    s.cancel();
    expect((await s.done()).outcome).toBe('closed-by-us');
  });

  it('leaves no listeners or sockets behind after 200 open/close cycles', async () => {
    const peer = await echoPeer();
    for (let i = 0; i < 200; i++) {
      const s = new DatagramSession(`churn-${i}`);
      await s.open({ host: '127.0.0.1', port: peer.port });
      s.close();
      await s.done();
      expect(s.listenerCount('status')).toBe(0);
    }
    // libuv finishes closing a handle on the loop turn after Node's 'close' event.
    await new Promise((r) => setTimeout(r, 50));
    const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
    // The echo peer's socket is the only datagram handle left.
    expect(handles.filter((h) => h instanceof dgram.Socket).length).toBeLessThanOrEqual(1);
  });
});

describe('DatagramSession: multicast', () => {
  it('joins an IPv4 group on loopback, receives a datagram sent to it, and leaves', async () => {
    const group = '239.255.77.77';
    const sender = await bindSocket();
    const peer = await udpPeer();
    const s = await opened({ host: '127.0.0.1', port: peer.port, mode: 'from-anyone' });
    const joined = s.joinGroup(group, '127.0.0.1');
    expect(joined.ok, JSON.stringify(joined)).toBe(true);
    expect(s.status.groups).toEqual([`${group}@127.0.0.1`]);
    // The datagram leaves through lo only: the sender's multicast interface is 127.0.0.1, TTL 1.
    sender.setMulticastInterface('127.0.0.1');
    sender.setMulticastTTL(1);
    sender.send(Buffer.from('to the group'), s.status.localPort!, group);
    await datagramsArrived(s, 1);
    expect(Buffer.from(s.datagrams()[0]!.bytes).toString()).toBe('to the group');
    const twice = s.joinGroup(group, '127.0.0.1');
    expect(twice.ok ? null : twice.error.code).toBe('BUSY');
    expect(s.leaveGroup(group, '127.0.0.1').ok).toBe(true);
    expect(s.status.groups).toEqual([]);
    expect(s.transcript().map((e) => e.kind)).toContain('left');
  });

  it('joins and leaves an IPv6 group on lo (delivery is skipped: lo has no IPv6 multicast route here)', async () => {
    // Sending to ff12::/16 through lo fails with ENETUNREACH on Linux (lo lacks the MULTICAST flag),
    // so only membership is checked; the join itself is a real setsockopt on the kernel.
    const peer = await udpPeer(undefined, '::1');
    const s = await opened({ host: '::1', port: peer.port, mode: 'from-anyone' });
    const joined = s.joinGroup('ff12::7777', 'lo');
    expect(joined.ok, JSON.stringify(joined)).toBe(true);
    expect(s.status.groups).toEqual(['ff12::7777@::%lo']);
    expect(s.leaveGroup('ff12::7777', 'lo').ok).toBe(true);
  });

  it('refuses a group in target-only mode, a non-multicast address, and the wrong family', async () => {
    const peer = await udpPeer();
    const only = await opened({ host: '127.0.0.1', port: peer.port });
    expect(only.joinGroup('239.1.2.3')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'mode' } });
    const any = await opened({ host: '127.0.0.1', port: peer.port, mode: 'from-anyone' });
    expect(any.joinGroup('10.0.0.1')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'group' } });
    expect(any.joinGroup('ff02::1')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'group' } });
    expect(any.leaveGroup('239.1.2.3')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'group' } });
  });
});
