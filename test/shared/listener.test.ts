import { describe, expect, it } from 'vitest';
import { isIP } from 'node:net';
import { isLoopbackBind, parseBindHost, parseBindPort } from '../../shared/listener.ts';

describe('parseBindHost: an IP address Node binds, or localhost', () => {
  it('accepts what net.isIP accepts, brackets around IPv6 and localhost', () => {
    for (const [text, host] of [
      ['127.0.0.1', '127.0.0.1'],
      [' 0.0.0.0 ', '0.0.0.0'],
      ['::', '::'],
      ['[::1]', '::1'],
      ['fe80::1%eth0', 'fe80::1%eth0'],
      ['[fe80::1%eth0]', 'fe80::1%eth0'],
      ['::ffff:127.0.0.1', '::ffff:127.0.0.1'],
      ['LocalHost', 'localhost'],
    ] as const) {
      const r = parseBindHost(text);
      expect(r, text).toEqual({ ok: true, value: host });
      if (host !== 'localhost') expect(isIP(host), text).not.toBe(0);
    }
  });

  it('refuses names, schemes, ports and zones Node would not take, with the field and rule as data', () => {
    for (const text of ['example.com', 'tcp://0.0.0.0', 'tcp://[::1]/', '127.0.0.1:80', '[::1]:80', 'fe80::1%a_b', 'fe80::1%a~b']) {
      const r = parseBindHost(text);
      expect(r.ok ? 'accepted' : r.error, text).toMatchObject({ code: 'INVALID_INPUT', field: 'bindHost', reason: 'bind-not-ip' });
    }
    expect(parseBindHost('[[::1]]')).toMatchObject({ ok: false, error: { reason: 'bind-not-ip' } });
    // A huge --host is quoted short, not whole.
    const huge = parseBindHost('a'.repeat(5_000_000));
    expect(!huge.ok && huge.error.message.length).toBeLessThan(200);
    expect(!huge.ok && huge.error.params?.['text']).toBe(`${'a'.repeat(100)}…`);
    expect(parseBindHost('  ')).toMatchObject({ ok: false, error: { reason: 'bind-empty' } });
    expect(parseBindHost('1::2::3')).toMatchObject({ ok: false, error: { field: 'bindHost', reason: 'ipv6-double-colon' } });
  });

  it('ports 0 to 65535, 0 being any free port', () => {
    expect(parseBindPort('0')).toEqual({ ok: true, value: 0 });
    expect(parseBindPort(' 8080 ')).toEqual({ ok: true, value: 8080 });
    expect(parseBindPort('65536')).toMatchObject({ ok: false, error: { field: 'port', reason: 'port-range' } });
  });

  it('loopback is 127/8, ::1, ::ffff:127.x and localhost', () => {
    for (const h of ['127.0.0.1', '127.9.9.9', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost']) expect(isLoopbackBind(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.0.2.1', '::ffff:192.0.2.1']) expect(isLoopbackBind(h), h).toBe(false);
  });
});
