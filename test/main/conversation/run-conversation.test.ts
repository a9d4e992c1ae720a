/**
 * The conversation runner against real loopback peers (port 0): matching, the armed-before-send
 * rule, replies in 1-byte pieces, abort_on, timeouts, repeat, captures, cancel, the whole-run
 * timeout, resets and refused connects, the window bound and a regex bomb.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type net from 'node:net';
import tls from 'node:tls';
import { makeTestCerts } from '../engine/tls-peers.ts';
import { loadConversation } from '../../../main/conversation/load-conversation.ts';
import { runConversation, type RunOptions } from '../../../main/conversation/run-conversation.ts';
import { openTcpConversationStream } from '../../../main/conversation/tcp-stream-adapter.ts';
import type { ConversationReport } from '../../../shared/conversation.ts';
import { closedPort, delay, listen, type LoopbackServer } from '../engine/loopback.ts';

const servers: LoopbackServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(onConnection: (socket: net.Socket) => void): Promise<LoopbackServer> {
  const s = await listen(onConnection, '127.0.0.1', { allowHalfOpen: true });
  servers.push(s);
  return s;
}

/** Answers each line with "+<line>\r\n"; "QUIT" gets "+BYE" and a FIN. */
function lineEcho(socket: net.Socket): void {
  let pending = '';
  socket.on('data', (d: Buffer) => {
    pending += d.toString('latin1');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).replace(/\r$/, '');
      pending = pending.slice(nl + 1);
      if (line === 'QUIT') socket.end('+BYE\r\n');
      else socket.write(`+${line}\r\n`);
    }
  });
  socket.on('end', () => socket.end());
}

async function run(port: number, steps: string[], options: Partial<RunOptions> = {}): Promise<ConversationReport> {
  const text = ['target:', '  host: 127.0.0.1', `  port: ${port}`, 'steps:', ...steps.map((s) => `  ${s}`)].join('\n') + '\n';
  const loaded = loadConversation(text, { extraVariables: Object.keys(options.variables ?? {}) });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return runConversation(loaded.value, { open: openTcpConversationStream, ...options });
}

const outcomes = (r: ConversationReport): string[] => r.steps.map((s) => `${s.index} ${s.label} ${s.outcome}`);

describe('runConversation', () => {
  it('sends, expects, captures and substitutes, then ends on the peer FIN', async () => {
    const server = await serve(lineEcho);
    const r = await run(
      server.port,
      [
        '- send: "HELLO ${who}\\r\\n"',
        "- expect: {regex: '\\+HELLO (\\w+)\\r\\n', capture: {name: '\\+HELLO (\\w+)'}}",
        '- send: "again ${name}\\r\\n"',
        '- expect: {exact: "+again world\\r\\n"}',
        '- send: "QUIT\\r\\n"',
        '- expect: {contains: "+BYE"}',
        '- expect: {eof: true}',
      ],
      { variables: { who: 'world' } },
    );
    expect(outcomes(r)).toEqual([
      '1 send passed',
      '2 expect regex passed',
      '3 send passed',
      '4 expect exact passed',
      '5 send passed',
      '6 expect contains passed',
      '7 expect eof passed',
    ]);
    expect(r).toMatchObject({ passed: true, cancelled: false, error: null, bytesSent: 32, bytesReceived: 34 });
    expect(r.steps[1]!.message).toBe('matched bytes 0-14 of the stream; captured name');
    const matched = r.transcript.filter((e) => e.kind === 'matched');
    expect(matched).toMatchObject([
      { step: 2, start: 0, end: 14 },
      { step: 4, start: 14, end: 28 },
      { step: 6, start: 28, end: 32 },
    ]);
  });

  it('fails a contains on timeout with expected versus received, as text and hex, and skips the rest', async () => {
    const server = await serve((socket) => socket.on('data', () => socket.write('-ERR unknown command\r\n')));
    const r = await run(server.port, ['- send: "PING\\r\\n"', '- expect: {contains: "+PONG", timeout_ms: 200}', '- send: "never\\r\\n"']);
    expect(r.passed).toBe(false);
    expect(outcomes(r)).toEqual(['1 send passed', '2 expect contains failed', '3 send skipped']);
    expect(r.steps[1]!.reason).toBe('timeout');
    expect(r.steps[1]!.message).toBe(
      [
        'step 2 (expect contains) failed: no match within 200 ms.',
        '  expected: "+PONG"  (contains, 5 bytes)',
        '            2b 50 4f 4e 47',
        '  received: "-ERR unknown command\\r\\n"  (22 bytes since the previous match)',
        '            2d 45 52 52 20 75 6e 6b 6e 6f 77 6e 20 63 6f 6d 6d 61 6e 64 0d 0a',
      ].join('\n'),
    );
    expect(r.steps[2]!.message).toBe('not run: an earlier step failed');
  });

  it('shows where an exact reply first differs', async () => {
    const server = await serve((socket) => socket.on('data', () => socket.write('+OX\r\n')));
    const r = await run(server.port, ['- send: "x"', '- expect: {exact: "+OK\\r\\n"}']);
    expect(r.steps[1]!.message).toBe(
      [
        'step 2 (expect exact) failed: the reply differs at byte 2: expected 4b ("K"), received 58 ("X").',
        '  expected: "+OK\\r\\n"',
        '            2b 4f 4b 0d 0a',
        '  received: "+OX\\r\\n"',
        '            2b 4f 58 0d 0a',
      ].join('\n'),
    );
    expect(r.steps[1]!.reason).toBe('mismatch');
  });

  it('fails at once when an abort_on pattern arrives, long before the timeout', async () => {
    const server = await serve((socket) => socket.on('data', () => socket.write('421 Service not available\r\n')));
    const r = await run(server.port, ['- send: "EHLO x\\r\\n"', "- expect: {contains: '250 ', timeout_ms: 60000, abort_on: [{regex: '^4\\d\\d '}]}"]);
    expect(r.steps[1]).toMatchObject({ outcome: 'failed', reason: 'abort-on' });
    expect(r.steps[1]!.message.split('\n')[0]).toBe('step 2 (expect contains) failed: abort_on regex "^4\\\\d\\\\d " matched at byte 0 of the reply.');
    expect(r.steps[1]!.durationMs).toBeLessThan(60_000);
  });

  it('lets the expected match win when it ends before an abort_on match', async () => {
    const server = await serve((socket) => socket.on('data', () => socket.write('250 OK\r\n421 bye\r\n')));
    const r = await run(server.port, ['- send: "x"', "- expect: {contains: '250 OK', abort_on: ['421']}"]);
    expect(r.passed).toBe(true);
  });

  it('matches a reply that arrives in 1-byte pieces', async () => {
    const reply = Buffer.from('+PONG with a longer tail\r\n');
    const server = await serve((socket) =>
      socket.once('data', async () => {
        for (const byte of reply) {
          socket.write(Buffer.of(byte));
          await delay(2);
        }
      }),
    );
    const r = await run(server.port, ['- send: "PING\\r\\n"', "- expect: {regex: 'PONG.*tail\\r\\n'}"]);
    expect(r.passed).toBe(true);
    expect(r.transcript.filter((e) => e.kind === 'received').length).toBeGreaterThan(1);
  });

  it('sees a reply that arrives before its send has completed (armed before send)', async () => {
    // The peer answers on the first bytes of a 32 MiB send and then reads the rest slowly-ish.
    const server = await serve((socket) => {
      socket.once('data', () => socket.write('EARLY\r\n'));
      socket.on('data', () => undefined);
    });
    const r = await run(server.port, [`- send: {hex: "${'00'.repeat(16)}"}`, '  repeat: 1', '- expect: {contains: EARLY}'], {});
    expect(r.passed).toBe(true);
    const big = await run(server.port, ['- send: "${blob}"', '- expect: {contains: "EARLY\\r\\n", timeout_ms: 1}'], {
      variables: { blob: 'x'.repeat(32 * 1024 * 1024 - 1) },
    });
    expect(outcomes(big)).toEqual(['1 send passed', '2 expect contains passed']);
    const received = big.transcript.findIndex((e) => e.kind === 'received');
    const sent = big.transcript.findIndex((e) => e.kind === 'sent');
    expect(received).toBeGreaterThan(-1);
    // The reply was recorded before the send finished (a 'sent' entry is written on completion).
    expect(received).toBeLessThan(sent);
  });

  it('repeats a send with interval_ms and ${counter}', async () => {
    const arrivals: string[] = [];
    const server = await serve((socket) => socket.on('data', (d: Buffer) => arrivals.push(d.toString())));
    const r = await run(server.port, ['- send: "PING ${counter}\\n"', '  repeat: 3', '  interval_ms: 60', '- wait: 50']);
    expect(r.passed).toBe(true);
    expect(arrivals.join('')).toBe('PING 1\nPING 2\nPING 3\n');
    expect(arrivals).toEqual(['PING 1\n', 'PING 2\n', 'PING 3\n']);
    expect(r.steps[0]!.message).toBe('sent 3 × 7 bytes (21 bytes)');
    // Two intervals at least; timers never fire early by more than a millisecond.
    expect(r.steps[0]!.durationMs).toBeGreaterThanOrEqual(118);
  });

  it('repeats a group, counting runs per step, and names the failing iteration', async () => {
    const server = await serve(lineEcho);
    const r = await run(server.port, [
      '- group:',
      '    - send: "n${counter}\\n"',
      '    - expect: {regex: "\\\\+n[12]\\r\\n", timeout_ms: 300}',
      '  repeat: 3',
    ]);
    expect(outcomes(r)).toEqual(['1 group failed', '2 send passed', '3 expect regex failed']);
    expect(r.steps[0]!.message).toBe('step 1 (group) failed: step 3 failed in iteration 3 of 3.');
    expect(r.steps[2]!.message.split('\n')[0]).toBe('step 3 (expect regex) failed (group iteration 3): no match within 300 ms.');
    expect(r.steps.map((s) => s.runs)).toEqual([1, 3, 3]);
  });

  it('goes on after a failed step with continue_on_failure, and still does not pass', async () => {
    const server = await serve(lineEcho);
    const r = await run(server.port, [
      '- send: "a\\n"',
      '- expect: {contains: "nope", timeout_ms: 100}',
      '  continue_on_failure: true',
      '- expect: {contains: "+a"}',
    ]);
    expect(outcomes(r)).toEqual(['1 send passed', '2 expect contains failed', '3 expect contains passed']);
    expect(r.passed).toBe(false);
  });

  it('fails a capture that does not match, and a later send that needs it says so', async () => {
    const server = await serve(lineEcho);
    const r = await run(server.port, [
      '- send: "a\\n"',
      "- expect: {contains: '+a', capture: {tok: 'token=(\\w+)'}}",
      '  continue_on_failure: true',
      '- send: "${tok}"',
    ]);
    expect(r.steps[1]).toMatchObject({ outcome: 'failed', reason: 'capture' });
    expect(r.steps[1]!.message.split('\n')[0]).toBe(
      'step 2 (expect contains) failed: the match was found, but capture "tok" ("token=(\\\\w+)") did not match the reply up to it.',
    );
    expect(r.steps[2]!.message).toBe('step 3 (send) failed: ${tok} has no value: the capture was not made (its expect did not pass).');
  });

  it('reports a peer that closes before the match, and a reset as a connection error', async () => {
    const closing = await serve((socket) => socket.on('data', () => socket.end('bye\r\n')));
    const r1 = await run(closing.port, ['- send: "x"', '- expect: {contains: "never"}']);
    expect(r1.steps[1]).toMatchObject({ outcome: 'failed', reason: 'peer-closed' });
    expect(r1.steps[1]!.message.split('\n')[0]).toBe('step 2 (expect contains) failed: the peer finished sending (FIN) before a match.');
    expect(r1.error).toBeNull();

    const resetting = await serve((socket) => socket.on('data', () => socket.resetAndDestroy()));
    const r2 = await run(resetting.port, ['- send: "x"', '- expect: {contains: "never"}']);
    expect(r2.steps[1]).toMatchObject({ outcome: 'failed', reason: 'connection-error' });
    expect(r2.error?.code).toBe('RESET');
  });

  it('reports a refused connect with every step skipped', async () => {
    const port = await closedPort();
    const r = await run(port, ['- send: "x"']);
    expect(r).toMatchObject({ passed: false, connectFailed: true, error: { code: 'REFUSED' } });
    expect(r.steps[0]).toMatchObject({ outcome: 'skipped', message: 'not run: the connection could not be opened' });
  });

  it('upgrades with starttls after the plain-text exchange, then talks TLS on the same connection', async () => {
    const certs = await makeTestCerts();
    try {
      const context = tls.createSecureContext({ cert: await certs.read('server.pem'), key: await certs.read('server.key') });
      let sni: string | false | undefined;
      const server = await serve((socket) => {
        socket.once('data', (line: Buffer) => {
          if (line.toString() !== 'STARTTLS\r\n') return void socket.end('NO\r\n');
          socket.write('GO\r\n', () => {
            const secure = new tls.TLSSocket(socket, {
              isServer: true,
              secureContext: context,
              SNICallback: (name, cb) => {
                sni = name;
                cb(null, context);
              },
            });
            secure.on('error', () => undefined);
            secure.on('data', (d: Buffer) => secure.write(d));
            secure.on('end', () => secure.end());
          });
        });
      });
      // The test CA is not in the system store: verify off, so the verdict is reported, not fatal.
      const r = await run(server.port, [
        '- send: "STARTTLS\\r\\n"',
        '- expect: {contains: "GO"}',
        '- starttls: {servername: localhost, verify: false}',
        '- send: "secret over tls\\n"',
        '- expect: {contains: "secret over tls"}',
        '- close_write: true',
        '- expect: {eof: true}',
      ]);
      expect(outcomes(r)).toEqual(['1 send passed', '2 expect contains passed', '3 starttls passed', '4 send passed', '5 expect contains passed', '6 close_write passed', '7 expect eof passed']);
      expect(sni).toBe('localhost');
    } finally {
      await certs.remove();
    }
  });

  it('a starttls whose handshake fails verification fails its step with the TLS code', async () => {
    const certs = await makeTestCerts();
    try {
      const context = tls.createSecureContext({ cert: await certs.read('server.pem'), key: await certs.read('server.key') });
      const server = await serve((socket) => {
        socket.once('data', () => {
          socket.write('GO\r\n', () => {
            const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
            secure.on('error', () => undefined);
          });
        });
      });
      const r = await run(server.port, ['- send: "x"', '- expect: {contains: "GO"}', '- starttls: {servername: localhost}', '- send: "never"']);
      expect(r.steps[2]).toMatchObject({ outcome: 'failed', reason: 'connection-error' });
      expect(r.steps[2]!.message).toMatch(/^step 3 \(starttls\) failed: TLS_UNTRUSTED: /);
      expect(r.steps[3]!.outcome).toBe('skipped');
    } finally {
      await certs.remove();
    }
  });

  it('cancels at any point: the running step fails, the rest are skipped', async () => {
    const server = await serve(() => undefined);
    const abort = new AbortController();
    const pending = run(server.port, ['- send: "x"', '- expect: {contains: "never", timeout_ms: 60000}', '- close: true'], { signal: abort.signal });
    await delay(100);
    abort.abort();
    const r = await pending;
    expect(r).toMatchObject({ cancelled: true, passed: false });
    expect(outcomes(r)).toEqual(['1 send passed', '2 expect contains failed', '3 close skipped']);
    expect(r.steps[1]!.message).toBe('step 2 (expect contains) failed: cancelled.');
  });

  it('stops the whole run at its timeout', async () => {
    const server = await serve(() => undefined);
    const r = await run(server.port, ['- wait: 60000', '- close: true'], { timeoutMs: 150 });
    expect(r).toMatchObject({ timedOut: true, passed: false, cancelled: false });
    expect(r.steps[0]!.message).toBe('step 1 (wait) failed: the whole-run timeout (150 ms) fired.');
    expect(r.steps[1]!.message).toBe('not run: the whole-run timeout fired');
  });

  it('bounds what an expect sees to the window and says how much was dropped', async () => {
    const server = await serve((socket) =>
      socket.once('data', () => {
        socket.write(Buffer.alloc(1536 * 1024, 0x2e));
        socket.write('END');
      }),
    );
    const r = await run(server.port, ['- send: "go"', '- expect: {contains: END, timeout_ms: 10000}']);
    expect(r.passed).toBe(true);
    expect(r.steps[1]!.message).toBe(`matched bytes ${1536 * 1024}-${1536 * 1024 + 3} of the stream (${512 * 1024 + 3} earlier bytes had left the 1 MiB window)`);
    expect(r.transcript.some((e) => e.kind === 'dropped')).toBe(true);
  });

  it('survives a regex bomb on hostile input: the expect times out, main is not stuck', async () => {
    const server = await serve((socket) => socket.once('data', () => socket.write('a'.repeat(300_000) + '!')));
    const r = await run(server.port, ['- send: "go"', "- expect: {regex: '(a+)+b', timeout_ms: 1500}"]);
    expect(r.steps[1]).toMatchObject({ outcome: 'failed', reason: 'timeout' });
  });

  it('closes with a close step, after which a send fails as not connected', async () => {
    const server = await serve(lineEcho);
    const r = await run(server.port, ['- close: true', '- send: "x"']);
    expect(outcomes(r)).toEqual(['1 close passed', '2 send failed']);
    expect(r.steps[1]!.reason).toBe('not-connected');
  });

  it('half-closes with close_write and still reads the reply that follows our FIN', async () => {
    const server = await serve((socket) => {
      const parts: Buffer[] = [];
      socket.on('data', (d: Buffer) => parts.push(d));
      socket.on('end', () => socket.end(`got ${Buffer.concat(parts).length}`));
    });
    const r = await run(server.port, ['- send: "12345"', '- close_write: true', '- expect: {exact: "got 5"}', '- expect: {eof: true}']);
    expect(r.passed).toBe(true);
    expect(r.transcript.map((e) => e.kind)).toContain('local-ended');
  });
});
