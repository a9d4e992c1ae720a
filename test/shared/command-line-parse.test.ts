/**
 * Reading pasted command lines (shared/command-line-parse.ts): hand-written commands as people type
 * them, hostile quoting, and round trips through our own generator (parse(build(x)) sends x's bytes).
 * The printf/echo readings are checked against `sh` itself where the shells agree (printf) and
 * against bash's documented echo.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { buildCommandLine, type CommandSource } from '../../shared/command-line.ts';
import { looksLikeCommand, parseCommandLine, payloadSpecForBytes, type ParsedCommand } from '../../shared/command-line-parse.ts';
import { bytesToHex, encodePayload, type PayloadSpec } from '../../shared/payload.ts';
import { PROFILE_DEFAULTS, UDP_PROFILE_DEFAULTS } from '../../shared/profile.ts';

function parsed(text: string): ParsedCommand {
  const r = parseCommandLine(text);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

function bytesOf(spec: PayloadSpec | undefined): string {
  if (!spec) throw new Error('no payload');
  const r = encodePayload(spec);
  if (!r.ok) throw new Error(r.error.message);
  return Buffer.from(r.value).toString('latin1');
}

describe('nc and ncat command lines', () => {
  it('echo PING | nc -C host port: host, port, payload with CR LF, keep-open (no -N)', () => {
    const p = parsed('echo PING | nc -C 127.0.0.1 6379');
    expect(p).toMatchObject({ tool: 'nc', host: '127.0.0.1', port: 6379, transport: 'tcp', closeAfterSend: false });
    expect(bytesOf(p.payload)).toBe('PING\r\n');
    expect(p.taken.join('\n')).toMatch(/-C/);
  });

  it("printf with octal escapes, -N and -w; grouped flags; ignored flags listed", () => {
    const p = parsed("printf 'GET / HTTP/1.0\\r\\n\\r\\n\\000\\377' | nc -vN -w5 example.test 80");
    expect(p).toMatchObject({ host: 'example.test', port: 80, closeAfterSend: true, idleTimeoutMs: 5000, connectTimeoutMs: 5000 });
    expect(bytesOf(p.payload)).toBe('GET / HTTP/1.0\r\n\r\n\x00\xff');
    expect(p.ignored.join('\n')).toMatch(/-v/);
  });

  it('nc -u with -w: UDP with a reply window; -p: the local port', () => {
    const p = parsed("printf 'x' | nc -u -w 2 -p 5000 ::1 53");
    expect(p).toMatchObject({ transport: 'udp', host: '::1', port: 53, udp: { replyWindowMs: 2000, localPort: 5000 } });
  });

  it('ncat --ssl with its TLS options, --crlf, --no-shutdown, time units', () => {
    const p = parsed("echo -n 'a\nb' | ncat --crlf --ssl --ssl-verify --ssl-trustfile '/tmp/my ca.pem' --ssl-servername sni.test --ssl-alpn h2,http/1.1 --no-shutdown -w 3s -i 500ms host.test 443");
    expect(p).toMatchObject({
      tool: 'ncat',
      transport: 'tls',
      closeAfterSend: false,
      connectTimeoutMs: 3000,
      idleTimeoutMs: 500,
      tls: { verify: true, caFile: '/tmp/my ca.pem', serverName: 'sni.test', alpn: ['h2', 'http/1.1'] },
    });
    expect(bytesOf(p.payload)).toBe('a\r\nb');
  });

  it('ncat --ssl without --ssl-verify: verification off, as ncat does', () => {
    expect(parsed('ncat --ssl h.test 443').tls).toEqual({ verify: false });
  });

  it('no payload stage: the payload is left as the tab has it', () => {
    const p = parsed('nc 10.0.0.1 7');
    expect(p.payload).toBeUndefined();
  });
});

describe('socket-tester send command lines', () => {
  it('reads DATA with its codec options exactly, and the TCP options', () => {
    const p = parsed("socket-tester send --escapes --line-ending crlf --keep-open --idle-timeout 1500 --connect-timeout 2000 --max-bytes 4096 127.0.0.1 6379 'PING\\x00'");
    expect(p).toMatchObject({ closeAfterSend: false, idleTimeoutMs: 1500, connectTimeoutMs: 2000, maxResponseBytes: 4096 });
    expect(p.payload).toEqual({ text: 'PING\\x00', mode: 'escapes', encoding: 'utf8', lineEnding: 'crlf' });
  });

  it('node bin/socket-tester.js send --tls with every TLS option', () => {
    const p = parsed('node bin/socket-tester.js send --tls --servername a.test --verify-name b.test --insecure --ca ca.pem --cert c.pem --key c.key --alpn h2 --tls-min 1.2 --tls-max 1.3 h.test 443 x');
    expect(p.tls).toEqual({ verify: false, serverName: 'a.test', verifyName: 'b.test', caFile: 'ca.pem', certFile: 'c.pem', keyFile: 'c.key', alpn: ['h2'], minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
  });

  it('--udp with its options; -- ends the options', () => {
    const p = parsed('socket-tester send --udp --wait 250 --max-datagrams 3 --from-anyone --broadcast --local-port 9000 127.0.0.1 53 -- --not-an-option');
    expect(p).toMatchObject({ transport: 'udp', udp: { replyWindowMs: 250, maxDatagrams: 3, mode: 'from-anyone', broadcast: true, localPort: 9000 } });
    expect(bytesOf(p.payload)).toBe('--not-an-option');
  });

  it('--pfx is taken; --pass-env is ignored, since the app asks for the passphrase', () => {
    const p = parsed('socket-tester send --tls --pfx c.p12 --pass-env P h.test 443 x');
    expect(p.tls?.pfxFile).toBe('c.p12');
    expect(p.ignored.join('\n')).toMatch(/--pass-env/);
  });

  it('--file, --profile and --json are named as ignored', () => {
    const p = parsed('socket-tester send --json --output out.bin 127.0.0.1 7 x');
    expect(p.ignored.join('\n')).toMatch(/--output/);
    expect(p.ignored.join('\n')).toMatch(/--json/);
  });
});

describe('refused, with the reason', () => {
  it.each([
    ['echo $HOME | nc h.test 7', /expanded/],
    ['nc $(id) 7', /expanded/],
    ['printf "`id`" | nc h.test 7', /expanded/],
    ["printf 'x | nc h.test 7", /never closed/],
    ['nc h.test', /host and a port/],
    ['nc h.test 7 && rm -rf /', /&&/],
    ['nc h.test 7 > out', />/],
    ['curl http://x', /not nc/],
    ['cat file | nc h.test 7', /"cat"/],
    ['nc "a b" 7', /no spaces/],
    ['nc h.test 70000', /65535|65,535/],
    ["printf '%d' 5 | nc h.test 7", /%d/],
  ])('%s', (text, message) => {
    const r = parseCommandLine(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(message);
  });

  it('an overlong paste is refused before any work', () => {
    const r = parseCommandLine(`nc h.test 7 ${'x'.repeat(400_000)}`);
    expect(!r.ok && r.error.message).toMatch(/at most/);
  });
});

describe('printf as sh runs it', () => {
  const formats = ["'a\\tb\\\\c%%d\\n'", "'\\101\\0\\7\\08\\1234'", "'%s-%s|' one two three", "'%b' 'x\\0101\\n\\c-gone'", "'\\q\\\"x'", "'caf\u00e9 中'"];
  it.each(formats)('printf %s', (format) => {
    const sh = spawnSync('sh', ['-c', `printf ${format}`]);
    const p = parsed(`printf ${format} | nc h.test 7`);
    expect(bytesToHex(Buffer.from(bytesOf(p.payload), 'latin1'))).toBe(bytesToHex(sh.stdout));
  });

  it('echo -e and echo -n as bash reads them', () => {
    expect(bytesOf(parsed("echo -e 'a\\tb\\x41\\0101' | nc h.test 7").payload)).toBe('a\tbAA\n');
    expect(bytesOf(parsed('echo -n one  two | nc h.test 7').payload)).toBe('one two');
  });
});

describe('our own commands read back to the same bytes', () => {
  const base = (payload: PayloadSpec, extra: Partial<CommandSource> = {}): CommandSource => ({
    host: '127.0.0.1',
    port: 7000,
    transport: 'tcp',
    payload,
    closeAfterSend: true,
    connectTimeoutMs: PROFILE_DEFAULTS.connectTimeoutMs,
    idleTimeoutMs: 0,
    maxResponseBytes: PROFILE_DEFAULTS.maxResponseBytes,
    ...extra,
  });
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const payloads: PayloadSpec[] = [
    { text: bytesToHex(all), mode: 'hex', encoding: 'utf8', lineEnding: 'none' },
    { text: `it's "$x" \`id\` %s \\ ü\nline`, mode: 'text', encoding: 'utf8', lineEnding: 'crlf', newlines: 'crlf' },
    { text: '', mode: 'text', encoding: 'utf8', lineEnding: 'none' },
    { text: '-n', mode: 'text', encoding: 'utf8', lineEnding: 'lf' },
  ];
  for (const tool of ['nc', 'ncat', 'socket-tester'] as const) {
    for (const [i, payload] of payloads.entries()) {
      for (const transport of ['tcp', 'udp'] as const) {
        it(`${tool} ${transport} payload ${i}`, () => {
          const src = base(payload, { transport, udp: { ...UDP_PROFILE_DEFAULTS, replyWindowMs: 1500 }, closeAfterSend: false, idleTimeoutMs: transport === 'tcp' ? 3000 : 0 });
          const built = buildCommandLine(src, tool);
          expect(built.ok).toBe(true);
          if (!built.ok) return;
          const back = parsed(built.value.script);
          expect(back).toMatchObject({ host: '127.0.0.1', port: 7000, transport });
          expect(bytesOf(back.payload)).toBe(Buffer.from(built.value.bytes).toString('latin1'));
          if (transport === 'tcp') expect(back).toMatchObject({ closeAfterSend: false, idleTimeoutMs: 3000 });
          // nc counts whole seconds (-w 2); ncat's wait is a `sleep`, which is not a setting.
          else expect(back.udp?.replyWindowMs).toBe({ nc: 2000, ncat: undefined, 'socket-tester': 1500 }[tool]);
        });
      }
    }
  }
});

describe('helpers', () => {
  it('looksLikeCommand: commands yes, host names no', () => {
    for (const t of ['nc h 1', 'ncat h 1', 'echo x | nc h 1', "printf 'x' | nc h 1", 'socket-tester send h 1', '/usr/bin/nc h 1', '# note\nnc h 1']) expect(looksLikeCommand(t)).toBe(true);
    for (const t of ['example.com', '127.0.0.1:80', 'tcp://h:1', '[::1]:80', 'ncx.example']) expect(looksLikeCommand(t)).toBe(false);
  });

  it('payloadSpecForBytes: UTF-8 text stays text; CR, controls, invalid UTF-8 become escapes; all exact', () => {
    const cases = [Buffer.from('héllo\nworld'), Buffer.from('a\r\nb'), Buffer.from([0xff, 0x00]), Buffer.from('\u0085x'), Buffer.alloc(0)];
    for (const c of cases) {
      const spec = payloadSpecForBytes(c);
      expect(bytesOf(spec)).toBe(c.toString('latin1'));
    }
    expect(payloadSpecForBytes(Buffer.from('héllo\n')).mode).toBe('text');
    expect(payloadSpecForBytes(Buffer.from('a\r\n'))).toMatchObject({ text: 'a', mode: 'text', lineEnding: 'crlf' });
    expect(payloadSpecForBytes(Buffer.from('a\rb\r\n')).mode).toBe('escapes');
  });
});
