/**
 * Conversations against real servers on loopback: redis-server (SET, GET with a capture, a send
 * that uses the capture, QUIT, eof) and Python's SMTP debugging server (EHLO, MAIL FROM, RCPT TO,
 * DATA, QUIT with expects on the reply codes).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConversation } from '../../../main/conversation/load-conversation.ts';
import { runConversation } from '../../../main/conversation/run-conversation.ts';
import { openTcpConversationStream } from '../../../main/conversation/tcp-stream-adapter.ts';
import { startRedis, startSmtpDebuggingServer, type RealPeer } from './peers.ts';
import { redisConversation, smtpConversation } from './real-peer-conversations.ts';

const peers: RealPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) await p.stop();
});

function load(text: string, extra: string[] = []) {
  const loaded = loadConversation(text, { extraVariables: extra });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.value;
}

describe('conversations with real peers', () => {
  it('redis-server: SET, GET with a capture, a send using it, QUIT, eof', async () => {
    const redis = await startRedis();
    peers.push(redis);
    const report = await runConversation(load(redisConversation(redis.port)), { open: openTcpConversationStream, timeoutMs: 15_000 });
    expect(report.steps.map((s) => `${s.index} ${s.label} ${s.outcome}`)).toEqual([
      '1 send passed',
      '2 expect exact passed',
      '3 send passed',
      '4 expect regex passed',
      '5 send passed',
      '6 expect contains passed',
      '7 send passed',
      '8 expect exact passed',
      '9 expect eof passed',
    ]);
    expect(report).toMatchObject({ passed: true, error: null });
  });

  it('redis-server: a failing expect names the step and shows what came back', async () => {
    const redis = await startRedis();
    peers.push(redis);
    const text = redisConversation(redis.port).replace('{exact: "+OK\\r\\n"}', '{exact: "+PONG\\r\\n"}');
    const report = await runConversation(load(text), { open: openTcpConversationStream });
    expect(report.passed).toBe(false);
    expect(report.steps[1]!.message).toBe(
      [
        'step 2 (expect exact) failed: the reply differs at byte 1: expected 50 ("P"), received 4f ("O").',
        '  expected: "+PONG\\r\\n"',
        '            2b 50 4f 4e 47 0d 0a',
        '  received: "+OK\\r\\n"',
        '            2b 4f 4b 0d 0a',
      ].join('\n'),
    );
    expect(report.steps.slice(2).every((s) => s.outcome === 'skipped')).toBe(true);
  });

  it('Python SMTP debugging server: EHLO, MAIL FROM, RCPT TO, DATA, QUIT on the reply codes', async () => {
    const smtp = await startSmtpDebuggingServer();
    peers.push(smtp);
    const token = `t${Date.now()}`;
    const report = await runConversation(load(smtpConversation(smtp.port), ['token']), {
      open: openTcpConversationStream,
      variables: { token },
      timeoutMs: 20_000,
    });
    expect(report.steps.filter((s) => s.outcome !== 'passed')).toEqual([]);
    expect(report.passed).toBe(true);
    // The server printed the message it accepted, with our variable in the body.
    const { until } = await import('../engine/loopback.ts');
    await until(() => smtp.output().includes(`body ${token}`), `the message in the server output (${smtp.output()})`);
  });
});
