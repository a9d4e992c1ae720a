/**
 * `socket-tester send`, run in-process through runCli with buffer streams, against loopback
 * servers: payload options, stdin, files, output modes, JSON, invalid input and exit codes.
 */
import { describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import type net from 'node:net';
import { join } from 'node:path';
import { EXIT } from '../../../main/cli/run-cli.ts';
import { cli, echoServer, json, serve, tempDir } from './cli-harness.ts';
import { closedPort, startNonAcceptingListener } from '../engine/loopback.ts';


describe('socket-tester send', () => {
  it('sends DATA, half-closes, prints the raw reply on stdout and a summary on stderr', async () => {
    const server = await echoServer();
    const run = await cli(['send', '127.0.0.1', String(server.port), 'hello']);
    expect(run.code).toBe(EXIT.OK);
    expect(run.stdout.toString('latin1')).toBe('got:hello');
    expect(run.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${server.port} closed by peer, sent 5 bytes, received 9 bytes`));
  });

  it('--json prints exactly one object with every field', async () => {
    const server = await echoServer();
    const run = await cli(['send', '127.0.0.1', String(server.port), 'hi', '--json']);
    expect(run.code).toBe(EXIT.OK);
    const report = json(run);
    expect(report).toMatchObject({
      outcome: 'peer-closed',
      bytesSent: 2,
      bytesReceived: 6,
      remoteAddress: '127.0.0.1',
      remotePort: server.port,
      error: null,
      responseBase64: Buffer.from('got:hi').toString('base64'),
    });
    expect(typeof report.durationMs).toBe('number');
    expect(run.stderr).toBe('');
  });

  it.each([
    [['--hex', '00 ff 0d 0a'], [0x00, 0xff, 0x0d, 0x0a]],
    [['--escapes', 'a\\x00\\r\\n'], [0x61, 0x00, 0x0d, 0x0a]],
    [['--encoding', 'latin1', 'é'], [0xe9]],
    [['é'], [0xc3, 0xa9]],
    [['--line-ending', 'crlf', 'PING'], [0x50, 0x49, 0x4e, 0x47, 0x0d, 0x0a]],
  ])('payload options %j send exact bytes', async (options, bytes) => {
    const server = await echoServer();
    const run = await cli(['send', '127.0.0.1', String(server.port), ...options]);
    expect(run.code).toBe(EXIT.OK);
    expect([...server.received()]).toEqual(bytes);
  });

  it('reads DATA from stdin as raw bytes, NUL and 0xFF included', async () => {
    const server = await echoServer();
    const bytes = Buffer.from([0x00, 0xff, 0x41, 0x0a, 0x80]);
    const run = await cli(['send', '127.0.0.1', String(server.port)], bytes);
    expect(run.code).toBe(EXIT.OK);
    expect(server.received().equals(bytes)).toBe(true);
  });

  it('streams --file and writes --output to a file (no responseBase64 in JSON)', async () => {
    const server = await echoServer();
    const dir = await tempDir('st-cli-');
    const input = Buffer.alloc(2 * 1024 * 1024 + 3, 0x5a);
    await writeFile(join(dir, 'in.bin'), input);
    const outPath = join(dir, 'out.bin');
    const run = await cli(['send', '127.0.0.1', String(server.port), '--file', join(dir, 'in.bin'), '--output', outPath, '--json']);
    expect(run.code).toBe(EXIT.OK);
    const report = json(run);
    expect(report).toMatchObject({ outcome: 'peer-closed', bytesSent: input.length, bytesReceived: input.length + 4 });
    expect(report).not.toHaveProperty('responseBase64');
    const written = await readFile(outPath);
    expect(written.equals(Buffer.concat([Buffer.from('got:'), input]))).toBe(true);
  });

  it('--output replaces a longer file that is there, and writes an empty one that is there (only a file holding bytes is truncated)', async () => {
    const server = await echoServer();
    const dir = await tempDir('st-cli-');
    const longer = join(dir, 'longer.bin');
    await writeFile(longer, Buffer.alloc(100_000, 0x41));
    expect((await cli(['send', '127.0.0.1', String(server.port), 'xy', '--output', longer])).code).toBe(EXIT.OK);
    expect((await readFile(longer)).toString('latin1')).toBe('got:xy');
    const empty = join(dir, 'empty.bin');
    await writeFile(empty, '');
    expect((await cli(['send', '127.0.0.1', String(server.port), 'z', '--output', empty])).code).toBe(EXIT.OK);
    expect((await readFile(empty)).toString('latin1')).toBe('got:z');
  });

  it('--output - streams the reply to stdout', async () => {
    const server = await echoServer();
    const run = await cli(['send', '127.0.0.1', String(server.port), 'x', '--output', '-']);
    expect(run.code).toBe(EXIT.OK);
    expect(run.stdout.toString('latin1')).toBe('got:x');
  });

  it('--keep-open sends no FIN and ends on the idle timeout asked for (exit 0)', async () => {
    const server = await serve((socket) => {
      socket.on('data', () => socket.write('reply'));
    });
    const run = await cli(['send', '127.0.0.1', String(server.port), 'q', '--keep-open', '--idle-timeout', '1000', '--json']);
    expect(run.code).toBe(EXIT.OK);
    expect(json(run)).toMatchObject({ outcome: 'idle-timeout', bytesSent: 1, responseBase64: Buffer.from('reply').toString('base64') });
  });
});

describe('invalid input exits 2 before any connection', () => {
  it.each([
    [['send', 'a b', 'PORT'], /HOST/],
    [['send', '127.0.0.1', '0', 'x'], /PORT/],
    [['send', '127.0.0.1', '8e1', 'x'], /PORT/],
    [['send', '127.0.0.1', ' 80', 'x'], /PORT/],
    [['send', '127.0.0.1', '0x1F90', 'x'], /PORT/],
    [['send', '127.0.0.1', '65536', 'x'], /^socket-tester send: PORT: 65536 is out of range; use 1 to 65535\.$/m],
    [['send', 'localhost\u0000x', 'PORT', 'x'], /HOST/],
    [['send', '', 'PORT', 'x'], /HOST/],
    [['send', '127.0.0.1'], /HOST and PORT are required/],
    [['send', 'HOST', 'PORT', 'zz', '--hex'], /^socket-tester send: DATA: invalid hex digit "z" at character 1\.$/m],
    [['send', 'HOST', 'PORT', 'abc', '--hex'], /DATA/],
    [['send', 'HOST', 'PORT', 'a\\q', '--escapes'], /DATA/],
    [['send', 'HOST', 'PORT', 'x', '--hex', '--escapes'], /--hex and --escapes/],
    [['send', 'HOST', 'PORT', 'x', '--encoding', 'utf16'], /--encoding/],
    [['send', 'HOST', 'PORT', 'x', '--line-ending', 'dos'], /--line-ending/],
    [['send', 'HOST', 'PORT', 'x', '--connect-timeout', '-5'], /--connect-timeout|option/],
    [['send', 'HOST', 'PORT', 'x', '--connect-timeout', '1e3'], /--connect-timeout/],
    [['send', 'HOST', 'PORT', 'x', '--idle-timeout', 'soon'], /--idle-timeout/],
    [['send', 'HOST', 'PORT', 'x', '--max-bytes', '0'], /--max-bytes/],
    [['send', 'HOST', 'PORT', '--file', '/nonexistent/in.bin'], /--file/],
    [['send', 'HOST', 'PORT', 'x', '--file', '/etc/hostname'], /DATA or --file/],
    [['send', 'HOST', 'PORT', 'x', '--output', '/nonexistent/dir/out.bin'], /--output/],
    [['send', 'HOST', 'PORT', 'x', '--output', 'o.bin', '--max-bytes', '5'], /--max-bytes cannot be combined/],
    [['send', 'HOST', 'PORT', 'x', '--output', '-', '--json'], /--output - and --json/],
    [['send', 'HOST', 'PORT', 'x', '--nope'], /--nope/],
    [['send', 'HOST', 'PORT', 'x', 'extra'], /expected HOST PORT \[DATA\]/],
  ])('%j', async (template, message) => {
    const server = await echoServer();
    const args = template.map((a) => (a === 'HOST' ? '127.0.0.1' : a === 'PORT' ? String(server.port) : a));
    const run = await cli(args);
    expect(run.code).toBe(EXIT.INVALID_INPUT);
    expect(run.stderr).toMatch(message);
    if (args.includes('--json')) expect(json(run)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    else expect(run.stdout.length).toBe(0);
    expect(server.accepted).toHaveLength(0);
  });

  it('with --json, invalid input is still one JSON object', async () => {
    const run = await cli(['send', '127.0.0.1', '99999', 'x', '--json']);
    expect(run.code).toBe(EXIT.INVALID_INPUT);
    expect(json(run)).toMatchObject({ outcome: null, error: { code: 'INVALID_INPUT' } });
  });

  it('with --json, a bad input says which field and rule, with the values, as data', async () => {
    const host = await cli(['send', '300.1.1.1', '80', 'x', '--json']);
    expect(json(host)).toMatchObject({
      error: { code: 'INVALID_INPUT', field: 'host', position: 0, reason: 'ipv4-over-255', params: { text: '300.1.1.1', part: '300' } },
    });
    const port = await cli(['send', '127.0.0.1', '99999', 'x', '--json']);
    expect(json(port)).toMatchObject({ error: { field: 'port', reason: 'port-range', params: { value: '99999', lowest: 1 } } });
    const payload = await cli(['send', '127.0.0.1', '80', '4z', '--hex', '--json']);
    expect(json(payload)).toMatchObject({ error: { field: 'payload', position: 1, reason: 'hex-digit', params: { text: 'z' } } });
  });
});

describe('exit codes', () => {
  it('refused and DNS failures are connect failures (3)', async () => {
    const refused = await cli(['send', '127.0.0.1', String(await closedPort()), 'x', '--json']);
    expect(refused.code).toBe(EXIT.CONNECT_FAILED);
    expect(json(refused)).toMatchObject({ outcome: 'error', error: { code: 'REFUSED' } });
    const dns = await cli(['send', 'nope.invalid', '80', 'x']);
    expect(dns.code).toBe(EXIT.CONNECT_FAILED);
    expect(dns.stderr).toMatch(/DNS/);
  });

  it('a connect timeout is 4', async () => {
    const listener = await startNonAcceptingListener();
    const fillers: net.Socket[] = [];
    try {
      const { connect } = await import('node:net');
      for (let i = 0; i < 4; i++) {
        const f = connect({ host: '127.0.0.1', port: listener.port });
        f.on('error', () => undefined);
        fillers.push(f);
      }
      await new Promise((r) => setTimeout(r, 100));
      const run = await cli(['send', '127.0.0.1', String(listener.port), 'x', '--connect-timeout', '300']);
      expect(run.code).toBe(EXIT.TIMEOUT);
      expect(run.stderr).toMatch(/CONNECT_TIMEOUT/);
    } finally {
      for (const f of fillers) f.destroy();
      await listener.stop();
    }
  });

  it('a reset is 5, with the bytes before it still printed', async () => {
    const server = await serve((socket) => {
      socket.write('partial', () => setTimeout(() => socket.resetAndDestroy(), 50));
    });
    const run = await cli(['send', '127.0.0.1', String(server.port), '--keep-open']);
    expect(run.code).toBe(EXIT.CONNECTION_LOST);
    expect(run.stdout.toString('latin1')).toBe('partial');
    expect(run.stderr).toMatch(/RESET/);
  });

  it('reaching --max-bytes is 6, keeping exactly N bytes', async () => {
    const server = await serve((socket) => {
      const block = Buffer.alloc(64 * 1024, 0x42);
      const pump = (): void => {
        while (!socket.destroyed && socket.write(block));
      };
      socket.on('drain', pump);
      pump();
    });
    const run = await cli(['send', '127.0.0.1', String(server.port), '--max-bytes', '1000', '--json']);
    expect(run.code).toBe(EXIT.LIMIT_REACHED);
    const report = json(run);
    expect(report).toMatchObject({ outcome: 'limit-reached', bytesReceived: 1000 });
    expect(Buffer.from(report.responseBase64 as string, 'base64').length).toBe(1000);
  });
});

describe('help', () => {
  it('top-level help lists send and the exit codes; send --help documents every option', async () => {
    const top = await cli(['help']);
    expect(top.code).toBe(EXIT.OK);
    expect(top.stdout.toString()).toMatch(/send HOST PORT \[DATA\]/);
    expect(top.stdout.toString()).toMatch(/Exit codes/);
    const send = await cli(['send', '--help']);
    expect(send.code).toBe(EXIT.OK);
    for (const option of ['--hex', '--escapes', '--encoding', '--file', '--line-ending', '--keep-open', '--connect-timeout', '--idle-timeout', '--max-bytes', '--output', '--json']) {
      expect(send.stdout.toString()).toContain(option);
    }
    for (const code of [0, 2, 3, 4, 5, 6, 7, 130]) expect(send.stdout.toString()).toMatch(new RegExp(`^  ${code} `, 'm'));
  });
});
