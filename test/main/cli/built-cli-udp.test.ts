/**
 * The built binary's `send --udp`, run as a real child process: exit codes and the JSON shape
 * against loopback peers, and a real third-party UDP server, Debian's dnsmasq, answering a DNS
 * query sent as hex, checked byte by byte. `npm test` builds first; a missing build or a missing
 * dnsmasq is a failure with a hint, never a skip.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { closePeers, closedUdpPort, echoPeer, silentPeer } from '../engine/datagram/udp-peers.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');
const bin = resolve(root, 'bin', 'socket-tester.js');
const built = resolve(root, 'out', 'cli', 'cli.cjs');
const DNSMASQ = '/usr/sbin/dnsmasq';

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('close', r));
    }
  }
  await closePeers();
});

interface ProcessRun {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the binary (async: the peers live in this process), stdin from /dev/null. */
function run(args: string[]): Promise<ProcessRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolveRun({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/**
 * Starts dnsmasq on a free loopback port, answering example.test with 192.0.2.7; resolves once it
 * has started. dnsmasq also listens on TCP at the same port, which another program may hold even
 * when the UDP port is free: then it exits with "Address already in use" and another port is tried.
 */
async function startDnsmasq(): Promise<number> {
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await startDnsmasqOn(await closedUdpPort());
    } catch (err) {
      lastError = err;
      if (!String(err).includes('Address already in use')) throw err;
    }
  }
  throw lastError;
}

async function startDnsmasqOn(port: number): Promise<number> {
  const child = spawn(
    DNSMASQ,
    [
      '--no-daemon',
      `--port=${port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--no-resolv',
      '--no-hosts',
      '--address=/example.test/192.0.2.7',
      '--pid-file=',
      '--conf-file=/dev/null',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.push(child);
  let log = '';
  await new Promise<void>((ready, failed) => {
    const timer = setTimeout(() => failed(new Error(`dnsmasq did not start within 10 s: ${log}`)), 10_000);
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      // dnsmasq binds its sockets before it logs "started".
      if (log.includes('started')) {
        clearTimeout(timer);
        ready();
      }
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      failed(new Error(`dnsmasq exited with ${code}: ${log}`));
    });
  });
  return port;
}

beforeAll(() => {
  if (!existsSync(built)) {
    throw new Error(`${built} is missing: run \`npm run build\` (or \`npx electron-vite build\`) before these tests.`);
  }
});

describe('built socket-tester send --udp', () => {
  it('echo: raw reply on stdout, per-datagram line and summary on stderr, exit 0', async () => {
    const peer = await echoPeer();
    const result = await run(['send', '127.0.0.1', String(peer.port), 'PING', '--udp', '--wait', '500']);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe('PING');
    expect(result.stderr).toMatch(/datagram 1 from 127\.0\.0\.1:\d+, 4 bytes, \+\d+ ms\n/);
    expect(result.stderr).toMatch(/wait ended, sent 1 datagram \(4 bytes\), received 1 datagram \(4 bytes\)/);
  });

  it('--json has exactly the documented shape', async () => {
    const peer = await echoPeer();
    const result = await run(['send', '127.0.0.1', String(peer.port), 'hi', '--udp', '--wait', '500', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout.toString()) as Record<string, unknown>;
    expect(Object.keys(report).sort()).toEqual(
      ['bytesReceived', 'bytesSent', 'datagrams', 'datagramsReceived', 'error', 'kernelDrops', 'localPort', 'outcome', 'remoteAddress', 'remotePort'].sort(),
    );
    expect(report).toMatchObject({ outcome: 'idle-timeout', bytesSent: 2, bytesReceived: 2, kernelDrops: 0, error: null });
    const [datagram] = report['datagrams'] as Array<Record<string, unknown>>;
    expect(Object.keys(datagram!).sort()).toEqual(['atMs', 'base64', 'from', 'port']);
    expect(datagram).toMatchObject({ from: '127.0.0.1', port: peer.port, base64: 'aGk=' });
  });

  it('a silent peer exits 0 with no replies; a closed port exits 3 with PORT_UNREACHABLE; bad input exits 2', async () => {
    const peer = await silentPeer();
    const silent = await run(['send', '127.0.0.1', String(peer.port), 'x', '--udp', '--wait', '200', '--json']);
    expect(silent.code).toBe(0);
    expect(JSON.parse(silent.stdout.toString())).toMatchObject({ datagrams: [], error: null });

    const port = await closedUdpPort();
    const closed = await run(['send', '127.0.0.1', String(port), 'x', '--udp', '--wait', '5000']);
    expect(closed.code).toBe(3);
    expect(closed.stderr).toContain('PORT_UNREACHABLE');

    const bad = await run(['send', '127.0.0.1', String(port), 'x', '--udp', '--wait', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--wait must be a whole number');
  });

  it('Ctrl-C (SIGINT) during the wait exits 130 at once, with the JSON object still printed', async () => {
    const peer = await silentPeer();
    const child = spawn(process.execPath, [bin, 'send', '127.0.0.1', String(peer.port), 'x', '--udp', '--wait', '60000', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const out: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    // The peer receiving our datagram means the CLI is in its wait.
    for (let i = 0; i < 500 && peer.received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(peer.received).toHaveLength(1);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('close', r));
    expect(code).toBe(130);
    expect(JSON.parse(Buffer.concat(out).toString())).toMatchObject({ outcome: 'cancelled', bytesSent: 1, error: null });
  });

  it('dnsmasq answers a DNS query sent as hex; the answer matches byte by byte', async () => {
    if (!existsSync(DNSMASQ)) {
      throw new Error(`${DNSMASQ} is missing: run \`apt-get install dnsmasq-base\` (CI installs it). This test never skips.`);
    }
    const port = await startDnsmasq();
    // ID 0x1234, RD; one question: example.test, type A, class IN.
    const query = '1234 0100 0001 0000 0000 0000 07 6578616d706c65 04 74657374 00 0001 0001';
    const result = await run(['send', '127.0.0.1', String(port), query, '--hex', '--udp', '--wait', '2000', '--max-datagrams', '1', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout.toString()) as { outcome: string; datagrams: Array<{ from: string; port: number; base64: string }> };
    expect(report.outcome).toBe('count-reached');
    expect(report.datagrams).toHaveLength(1);
    expect(report.datagrams[0]).toMatchObject({ from: '127.0.0.1', port });
    const answer = Buffer.from(report.datagrams[0]!.base64, 'base64');
    const expected = Buffer.from(
      [
        '1234', // the same ID
        '8580', // QR, opcode 0, AA, RD, RA; RCODE 0 (no error)
        '0001 0001 0000 0000', // 1 question, 1 answer, no authority, no additional
        '07 6578616d706c65 04 74657374 00 0001 0001', // the question, echoed
        'c00c', // answer name: pointer to offset 12 (example.test)
        '0001 0001', // type A, class IN
        '00000000', // TTL 0: dnsmasq's default --local-ttl
        '0004 c0000207', // 4 bytes: 192.0.2.7
      ]
        .join('')
        .replace(/ /g, ''),
      'hex',
    );
    expect(answer.toString('hex')).toBe(expected.toString('hex'));
  });
});
