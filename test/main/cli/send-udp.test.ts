/**
 * `socket-tester send … --udp` in-process (buffer streams) against real UDP peers on loopback:
 * stdout/stderr separation, the --json shape, argument checks, exit codes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closePeers, closedUdpPort, echoPeer, multiPeer, silentPeer } from '../engine/datagram/udp-peers.ts';
import { cli, json, tempDir } from './cli-harness.ts';

afterEach(closePeers);

interface Datagram {
  from: string;
  port: number;
  atMs: number;
  base64: string;
}

describe('send --udp', () => {
  it('echo: the reply bytes on stdout, one line per datagram and a summary on stderr, exit 0', async () => {
    const peer = await echoPeer();
    const run = await cli(['send', '127.0.0.1', String(peer.port), 'PING', '--line-ending', 'crlf', '--udp', '--wait', '300']);
    expect(run.code).toBe(0);
    expect(run.stdout.toString()).toBe('PING\r\n');
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^socket-tester send: datagram 1 from 127\\.0\\.0\\.1:${peer.port}, 6 bytes, \\+\\d+ ms$`));
    expect(lines[1]).toMatch(/^socket-tester send: udp 127\.0\.0\.1:\d+ wait ended, sent 1 datagram \(6 bytes\), received 1 datagram \(6 bytes\) in \d+ ms$/);
    expect(peer.received[0]!.bytes.toString()).toBe('PING\r\n');
  });

  it('--json: one object with outcome, counts and each datagram in base64 with atMs from the send', async () => {
    const peer = await multiPeer(2, 1);
    const run = await cli(['send', '127.0.0.1', String(peer.port), 'go', '--udp', '--from-anyone', '--wait', '300', '--json']);
    expect(run.code).toBe(0);
    const report = json(run);
    expect(report).toMatchObject({ outcome: 'idle-timeout', bytesSent: 2, bytesReceived: 6, datagramsReceived: 3, error: null, remotePort: peer.port });
    const datagrams = report['datagrams'] as Datagram[];
    expect(datagrams.map((d) => [Buffer.from(d.base64, 'base64').toString(), d.port])).toEqual([
      ['a1', peer.port],
      ['a2', peer.port],
      ['b1', peer.otherPort],
    ]);
    for (const d of datagrams) {
      expect(d.from).toBe('127.0.0.1');
      expect(Number.isInteger(d.atMs) && d.atMs >= 0).toBe(true);
    }
  });

  it('a silent peer: exit 0 with no datagrams when the wait ends', async () => {
    const peer = await silentPeer();
    const run = await cli(['send', '127.0.0.1', String(peer.port), 'hello?', '--udp', '--wait', '200', '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ outcome: 'idle-timeout', bytesSent: 6, bytesReceived: 0, datagrams: [], error: null });
  });

  it('--wait 0 sends and exits at once', async () => {
    const peer = await silentPeer();
    const run = await cli(['send', '127.0.0.1', String(peer.port), 'x', '--udp', '--wait', '0', '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ outcome: 'closed-by-us', bytesSent: 1 });
  });

  it('a closed port is PORT_UNREACHABLE, exit 3', async () => {
    const port = await closedUdpPort();
    const run = await cli(['send', '127.0.0.1', String(port), 'x', '--udp', '--wait', '5000']);
    expect(run.code).toBe(3);
    expect(run.stdout.length).toBe(0);
    expect(run.stderr).toContain('socket-tester send: PORT_UNREACHABLE: Port unreachable: 127.0.0.1:');
    const asJson = await cli(['send', '127.0.0.1', String(port), 'x', '--udp', '--wait', '5000', '--json']);
    expect(asJson.code).toBe(3);
    expect(json(asJson)).toMatchObject({ outcome: 'error', error: { code: 'PORT_UNREACHABLE' } });
  });

  it('--from-anyone to a closed port: no ICMP report on an unconnected socket, the wait ends, exit 0', async () => {
    const port = await closedUdpPort();
    const run = await cli(['send', '127.0.0.1', String(port), 'x', '--udp', '--from-anyone', '--wait', '200', '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ outcome: 'idle-timeout', datagrams: [], error: null });
  });

  it('--max-datagrams ends early with exit 0', async () => {
    const peer = await multiPeer(5, 0);
    const run = await cli(['send', '127.0.0.1', String(peer.port), 'go', '--udp', '--max-datagrams', '2', '--wait', '5000', '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ outcome: 'count-reached', datagramsReceived: 2 });
  });

  it('--max-bytes reached exits 6, the replies so far kept', async () => {
    const peer = await multiPeer(5, 0);
    const run = await cli(['send', '127.0.0.1', String(peer.port), 'go', '--udp', '--max-bytes', '4', '--wait', '5000']);
    expect(run.code).toBe(6);
    expect(run.stdout.toString()).toBe('a1a2');
  });

  it('sends all 256 byte values from --hex, a 0-byte datagram from empty stdin, and a file', async () => {
    const peer = await echoPeer();
    const hex = Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('hex');
    const run = await cli(['send', '127.0.0.1', String(peer.port), hex, '--hex', '--udp', '--wait', '300']);
    expect(run.code).toBe(0);
    expect(run.stdout.toString('hex')).toBe(hex);

    const empty = await cli(['send', '127.0.0.1', String(peer.port), '--udp', '--wait', '300', '--json']);
    expect(json(empty)).toMatchObject({ bytesSent: 0, datagramsReceived: 1, datagrams: [{ base64: '' }] });

    const dir = await tempDir();
    const file = join(dir, 'max.bin');
    await writeFile(file, Buffer.alloc(65_507, 0x5a));
    const big = await cli(['send', '127.0.0.1', String(peer.port), '--file', file, '--udp', '--wait', '300', '--json']);
    expect(json(big)).toMatchObject({ bytesSent: 65_507, bytesReceived: 65_507 });
  });

  it('IPv6: ::1 in brackets', async () => {
    const peer = await echoPeer('::1');
    const run = await cli(['send', '[::1]', String(peer.port), 'six', '--udp', '--wait', '300', '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ remoteAddress: '::1', datagrams: [{ from: '::1', port: peer.port, base64: Buffer.from('six').toString('base64') }] });
  });

  it('a payload too large for the family is DATAGRAM_TOO_LARGE, exit 2, nothing sent', async () => {
    const peer = await silentPeer();
    const dir = await tempDir();
    const file = join(dir, 'big.bin');
    await writeFile(file, Buffer.alloc(65_508));
    const run = await cli(['send', '127.0.0.1', String(peer.port), '--file', file, '--udp', '--json']);
    expect(run.code).toBe(2);
    expect(json(run)).toMatchObject({ outcome: null, error: { code: 'DATAGRAM_TOO_LARGE' } });
    expect((json(run)['error'] as { message: string }).message).toContain('65508 bytes');
    expect(peer.received).toHaveLength(0);
  });

  it('refuses bad arguments and TCP-only options by name, exit 2', async () => {
    const cases: Array<[string[], string]> = [
      [['send', '127.0.0.1', '53', '--udp', '--wait=-1'], '--wait must be a whole number'],
      [['send', '127.0.0.1', '53', '--udp', '--wait', '1e3'], '--wait must be a whole number'],
      [['send', '127.0.0.1', '53', '--udp', '--max-datagrams', '0'], '--max-datagrams must be a whole number from 1'],
      [['send', '127.0.0.1', '53', '--udp', '--local-port', '65536'], '--local-port must be a whole number from 0 to 65535'],
      [['send', '127.0.0.1', '53', '--udp', '--keep-open'], '--keep-open cannot be used with --udp'],
      [['send', '127.0.0.1', '53', '--udp', '--idle-timeout', '5'], '--idle-timeout cannot be used with --udp: with --udp, --wait is the reply window'],
      [['send', '127.0.0.1', '0', '--udp'], 'PORT: '],
      [['send', '', '53', '--udp'], 'HOST: '],
      [['send', '127.0.0.1', '--udp'], 'HOST and PORT are required'],
      [['send', '127.0.0.1', '53', 'zz', '--hex', '--udp'], 'DATA'],
    ];
    for (const [args, text] of cases) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toContain(text);
    }
  });

  it('--udp --help prints the UDP options; "--" makes a later --udp plain DATA for TCP', async () => {
    const help = await cli(['send', '--udp', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.toString()).toContain('--from-anyone');
    expect(help.stdout.toString()).toContain('--wait MS');
    const tcpHelp = await cli(['send', '--help']);
    expect(tcpHelp.stdout.toString()).toContain('--udp');
    // With "--", "--udp" is DATA: the TCP command runs (and fails to connect to a closed TCP port).
    const port = await closedUdpPort();
    const tcp = await cli(['send', '127.0.0.1', String(port), '--json', '--', '--udp']);
    expect(json(tcp)).toHaveProperty('responseBase64');
  });
});
