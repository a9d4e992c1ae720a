/**
 * "Copy as command" (shared/command-line.ts): every generated command is run for real in `sh`
 * against a loopback peer, and the bytes the peer received are compared byte for byte with what
 * the codec (shared/payload.ts) produces. Tools that are not installed are skipped, saying so; the
 * socket-tester rows need `npm run build` (npm test builds first), and fail with a hint without it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildCommandLine, COMMAND_TOOLS_BY_TRANSPORT, payloadWriter, shellQuote, type CommandSource, type CommandTool } from '../../shared/command-line.ts';
import { bytesToHex, encodePayload, type PayloadSpec } from '../../shared/payload.ts';
import { PROFILE_DEFAULTS, UDP_PROFILE_DEFAULTS } from '../../shared/profile.ts';
import { makeTestCerts, type TestCerts } from '../main/engine/tls-peers.ts';
import { datagramPeer, hasTool, runSh, socketTesterOnPath, streamPeer } from './command-line-peers.ts';

const built = resolve(import.meta.dirname, '..', '..', 'out', 'cli', 'cli.cjs');
const missing = (tool: string): string | null => (hasTool(tool) ? null : `${tool} is not installed (apt-get install ${tool}); its commands are not run`);
const SKIPS: Record<CommandTool, string | null> = {
  nc: missing('nc'),
  ncat: missing('ncat'),
  socat: missing('socat'),
  openssl: missing('openssl'),
  'socket-tester': null,
  'socket-tester-run': null,
};
for (const [tool, reason] of Object.entries(SKIPS)) if (reason) console.warn(`command-line.test: skipping ${tool}: ${reason}`);
const HAS_XXD = hasTool('xxd');

let binDir: Awaited<ReturnType<typeof socketTesterOnPath>>;
let certs: TestCerts;
beforeAll(async () => {
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` before these tests (npm test does).`);
  binDir = await socketTesterOnPath();
  certs = await makeTestCerts();
}, 60_000);
afterAll(async () => {
  await binDir?.remove();
  await certs?.remove();
});

const shEnv = (): Record<string, string> => ({ PATH: `${binDir.dir}:${process.env.PATH ?? ''}` });

function source(payload: Partial<PayloadSpec>, extra: Partial<CommandSource> = {}): CommandSource {
  return {
    host: '127.0.0.1',
    port: 1,
    transport: 'tcp',
    payload: { text: '', mode: 'text', encoding: 'utf8', lineEnding: 'none', ...payload },
    closeAfterSend: PROFILE_DEFAULTS.closeAfterSend,
    connectTimeoutMs: PROFILE_DEFAULTS.connectTimeoutMs,
    idleTimeoutMs: PROFILE_DEFAULTS.idleTimeoutMs,
    maxResponseBytes: PROFILE_DEFAULTS.maxResponseBytes,
    ...extra,
  };
}

function codecBytes(spec: PayloadSpec): Buffer {
  const r = encodePayload(spec);
  if (!r.ok) throw new Error(r.error.message);
  return Buffer.from(r.value);
}

const ALL_BYTES = Array.from({ length: 256 }, (_, i) => i);
/** Payloads that each stress a different part of the writer. */
const PAYLOADS: Record<string, Partial<PayloadSpec>> = {
  'all 256 byte values (hex)': { text: bytesToHex(Uint8Array.from(ALL_BYTES)), mode: 'hex' },
  'all 256 byte values, mostly text (escapes)': { text: `text ${ALL_BYTES.map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')} ${'and more text '.repeat(80)}`, mode: 'escapes' },
  'HTTP request with CRLF newlines': { text: 'GET / HTTP/1.1\nHost: example.test\n\n', newlines: 'crlf' },
  'shell syntax in the payload': { text: `it's "$HOME" \`id\` $(id) %s %% %b \\ \\n \\047 ; & | > < * ? ~ !\n\ttab\rCR ü中 -- end`, lineEnding: 'crlf' },
  'latin1 text and a CR ending': { text: 'caf\u00e9 \u00ff\u00a0', encoding: 'latin1', lineEnding: 'cr' },
  'starts with a dash': { text: '-n --udp -e', lineEnding: 'lf' },
  'digits after NUL bytes': { text: '\\x001\\x007\\0', mode: 'escapes' },
  empty: { text: '' },
};

const ready = (tool: CommandTool): boolean => SKIPS[tool] === null;

function build(src: CommandSource, tool: CommandTool): string {
  const r = buildCommandLine(src, tool);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value.script;
}

describe('shell quoting and the payload writer', () => {
  it('quotes every hostile value into one word that sh gives back unchanged', async () => {
    const values = ["a'b", '$HOME', '`id`', '$(id)', 'two\nlines', '', '-x', 'back\\slash', "'", "''", ' lead', '%s', '!'];
    const script = `for a in ${values.map(shellQuote).join(' ')}; do printf '%s\\0' "$a"; done`;
    const run = await runSh(script);
    expect(run.stdout.toString('utf8').split('\0').slice(0, -1)).toEqual(values);
  });

  it('writes every byte value exactly through printf (text path) and xxd (binary path)', async () => {
    const bytes = Uint8Array.from(ALL_BYTES);
    const text = Uint8Array.from([...'x'.repeat(1200)].map((c) => c.charCodeAt(0)).concat(ALL_BYTES));
    expect(payloadWriter(text)).toMatch(/^printf '/);
    expect((await runSh(payloadWriter(text))).stdout.equals(Buffer.from(text))).toBe(true);
    if (HAS_XXD) {
      expect(payloadWriter(bytes)).toMatch(/\| xxd -r -p$/);
      expect((await runSh(payloadWriter(bytes))).stdout.equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('uses neither %b nor echo: the format is plain characters and octal escapes', () => {
    const writer = payloadWriter(Uint8Array.from([0x41, 0x25, 0x27, 0x5c, 0x00, 0x31, 0x0a]));
    expect(writer).toBe("printf 'A%%\\047\\\\\\0001\\n'");
  });
});

describe('refused before any command is written', () => {
  it.each(['a$(id)', 'host name', '`id`', '127.0.0.1\nrm -rf x', "x';id;'", '-e/bin/sh'])('host %j: INVALID_INPUT on the host', (host) => {
    for (const tool of ['nc', 'ncat', 'socat', 'socket-tester'] as const) {
      const r = buildCommandLine(source({ text: 'x' }, { host, port: 7 }), tool);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('INVALID_INPUT');
        expect(r.error.field).toBe('host');
      }
    }
  });

  it('a bad port, an invalid payload, an oversized payload, a tool that cannot do the transport', () => {
    const port = buildCommandLine(source({ text: 'x' }, { port: '80; id' }), 'nc');
    expect(!port.ok && port.error.field).toBe('port');
    const payload = buildCommandLine(source({ text: 'zz', mode: 'hex' }, { port: 7 }), 'nc');
    expect(!payload.ok && payload.error.field).toBe('payload');
    const big = buildCommandLine(source({ text: 'x'.repeat(70_000) }, { port: 7 }), 'nc');
    expect(!big.ok && big.error.code).toBe('LIMIT_EXCEEDED');
    const ncTls = buildCommandLine(source({ text: 'x' }, { port: 7, transport: 'tls' }), 'nc');
    expect(!ncTls.ok && ncTls.error.code).toBe('UNSUPPORTED');
    const sslUdp = buildCommandLine(source({ text: 'x' }, { port: 7, transport: 'udp' }), 'openssl');
    expect(!sslUdp.ok && sslUdp.error.code).toBe('UNSUPPORTED');
  });

  it('socat refuses a path its address syntax would split; the other tools quote it', () => {
    const src = source({ text: 'x' }, { port: 7, transport: 'tls', tls: { caFile: '/tmp/a,b:c.pem' } });
    const r = buildCommandLine(src, 'socat');
    expect(!r.ok && r.error.field).toBe('caFile');
    const s = buildCommandLine(src, 'openssl');
    expect(s.ok && s.value.command).toContain("-CAfile /tmp/a,b:c.pem");
  });

  it('comment lines never carry user text, so no note can end early and run', () => {
    const src = source({ text: 'x' }, { port: 7, transport: 'tls', idleTimeoutMs: 1500, tls: { pfxFile: '/tmp/x\nid\n.p12', verifyName: 'a\nb', minVersion: 'TLSv1.3' } });
    for (const tool of COMMAND_TOOLS_BY_TRANSPORT.tls) {
      const r = buildCommandLine(src, tool);
      if (!r.ok) continue;
      for (const note of r.value.notes) expect(note).not.toMatch(/[\n\r]|\/tmp\/x|a\nb/);
      // Every line is a comment except the command itself (which may span lines only inside quotes).
      expect(r.value.script.startsWith(r.value.notes.map((n) => `# ${n}\n`).join(''))).toBe(true);
    }
  });
});

describe.each(['nc', 'ncat', 'socat', 'socket-tester'] as const)('%s over TCP, run for real', (tool) => {
  for (const [name, payload] of Object.entries(PAYLOADS)) {
    it.skipIf(!ready(tool))(`${name}: the peer receives the codec's bytes, then our FIN`, async () => {
      const peer = await streamPeer({});
      try {
        const src = source(payload, { port: peer.port });
        const run = await runSh(build(src, tool), shEnv());
        const d = await peer.delivery();
        expect(bytesToHex(d.bytes)).toBe(bytesToHex(codecBytes(src.payload)));
        expect(d.finReceived).toBe(true);
        expect(run.stdout.toString()).toBe('ok\n');
        expect(run.code).toBe(0);
      } finally {
        await peer.close();
      }
    }, 40_000);
  }

  it.skipIf(!ready(tool))('keep-open (close after send off): no FIN; the reply still arrives when the peer closes', async () => {
    const src0 = source(PAYLOADS['HTTP request with CRLF newlines']!, { closeAfterSend: false });
    const expected = codecBytes(src0.payload);
    const peer = await streamPeer({ closeAfterBytes: expected.length });
    try {
      const src = { ...src0, port: peer.port };
      const run = await runSh(build(src, tool), shEnv());
      const d = await peer.delivery();
      expect(d.bytes.equals(expected)).toBe(true);
      expect(d.finReceived).toBe(false);
      expect(run.stdout.toString()).toBe('ok\n');
    } finally {
      await peer.close();
    }
  }, 40_000);

  it.skipIf(!ready(tool))('an idle timeout and a changed connect timeout are written or named in a note', () => {
    const r = buildCommandLine(source({ text: 'x' }, { port: 7, idleTimeoutMs: 2500, connectTimeoutMs: 3000, maxResponseBytes: 1024 }), tool);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const text = r.value.script;
    expect(text).toMatch(/2500|2\.5|-w 3\b/);
    expect(text).toMatch(/3000|connect timeout|\b3\b/);
    expect(text).toMatch(/1 KiB|1024/);
  });
});

describe('socket-tester run: a one-step conversation file, run for real', () => {
  for (const [name, payload] of Object.entries(PAYLOADS)) {
    it(`${name}: the peer receives the codec's bytes and our FIN; the run passes`, async () => {
      const peer = await streamPeer({});
      try {
        const src = source(payload, { port: peer.port });
        const run = await runSh(build(src, 'socket-tester-run'), shEnv());
        const d = await peer.delivery();
        expect(bytesToHex(d.bytes)).toBe(bytesToHex(codecBytes(src.payload)));
        expect(d.finReceived).toBe(true);
        expect(run.stdout.toString()).toMatch(/PASS/);
        expect(run.code).toBe(0);
      } finally {
        await peer.close();
      }
    }, 40_000);
  }

  it('keep-open with an idle timeout: no FIN, and the run still passes when the peer closes', async () => {
    const src0 = source({ text: 'hello' }, { closeAfterSend: false, idleTimeoutMs: 5000 });
    const peer = await streamPeer({ closeAfterBytes: 5 });
    try {
      const run = await runSh(build({ ...src0, port: peer.port }, 'socket-tester-run'), shEnv());
      const d = await peer.delivery();
      expect(d.bytes.toString()).toBe('hello');
      expect(d.finReceived).toBe(false);
      expect(run.code).toBe(0);
    } finally {
      await peer.close();
    }
  }, 40_000);

  it('is offered for TCP only (this build runs no TLS or UDP conversations)', () => {
    expect(buildCommandLine(source({ text: 'x' }, { port: 7, transport: 'tls' }), 'socket-tester-run').ok).toBe(false);
    expect(buildCommandLine(source({ text: 'x' }, { port: 7, transport: 'udp' }), 'socket-tester-run').ok).toBe(false);
  });
});

describe.each(['ncat', 'socat', 'openssl', 'socket-tester'] as const)('%s over TLS, run for real', (tool) => {
  const tlsPayloads = ['all 256 byte values (hex)', 'HTTP request with CRLF newlines', 'shell syntax in the payload', 'empty'];
  for (const name of tlsPayloads) {
    it.skipIf(!ready(tool))(`${name}: the TLS peer receives the codec's bytes`, async () => {
      const spec = { text: '', mode: 'text' as const, encoding: 'utf8' as const, lineEnding: 'none' as const, ...PAYLOADS[name]! };
      const expected = codecBytes(spec);
      const peer = await streamPeer({ tls: { cert: await certs.read('server.pem'), key: await certs.read('server.key') }, closeAfterBytes: expected.length });
      try {
        // ncat checks the certificate against the host name it connects to (never an IP); the
        // others connect to 127.0.0.1 and are told to verify 'localhost'.
        const tlsSettings = tool === 'ncat' ? { caFile: certs.path('ca.pem') } : { caFile: certs.path('ca.pem'), verifyName: 'localhost' };
        const src = source(spec, { host: tool === 'ncat' ? 'localhost' : '127.0.0.1', port: peer.port, transport: 'tls', tls: tlsSettings });
        const run = await runSh(build(src, tool), shEnv());
        const d = await peer.delivery();
        expect(bytesToHex(d.bytes)).toBe(bytesToHex(expected));
        expect(run.stdout.toString()).toBe('ok\n');
      } finally {
        await peer.close();
      }
    }, 40_000);
  }

  it.skipIf(!ready(tool))('verification on: a certificate from an unknown CA ends the command with nothing sent', async () => {
    const peer = await streamPeer({ tls: { cert: await certs.read('self.pem'), key: await certs.read('self.key') }, closeAfterBytes: 1 });
    try {
      const src = source({ text: 'secret' }, { port: peer.port, transport: 'tls', tls: { caFile: certs.path('ca.pem'), verifyName: 'localhost' } });
      const run = await runSh(build(src, tool), shEnv());
      expect(run.code).not.toBe(0);
      expect(run.stdout.toString()).not.toContain('ok');
    } finally {
      await peer.close();
    }
  }, 40_000);
});

describe('socket-tester send with a PKCS#12 client certificate', () => {
  it('names the file, reads the passphrase from the environment, and the server sees the client certificate', async () => {
    let clientCertSeen = false;
    const peer = await streamPeer({
      tls: { cert: await certs.read('server.pem'), key: await certs.read('server.key'), ca: await certs.read('ca.pem'), requestCert: true, rejectUnauthorized: true },
      closeAfterBytes: 2,
    });
    try {
      const src = source({ text: 'hi' }, { port: peer.port, transport: 'tls', tls: { caFile: certs.path('ca.pem'), verifyName: 'localhost', pfxFile: certs.path('client.p12') } });
      const r = buildCommandLine(src, 'socket-tester');
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value.command).not.toContain(certs.passphrase);
      expect(r.value.command).toContain('--pass-env SOCKET_TESTER_PASSPHRASE');
      const run = await runSh(r.value.script, { ...shEnv(), SOCKET_TESTER_PASSPHRASE: certs.passphrase });
      const d = await peer.delivery();
      clientCertSeen = d.bytes.toString() === 'hi';
      expect(clientCertSeen).toBe(true);
      expect(run.stdout.toString()).toBe('ok\n');
    } finally {
      await peer.close();
    }
  }, 40_000);
});

describe('a CA path full of shell syntax reaches the tool intact', () => {
  it.skipIf(!ready('openssl'))('openssl s_client and socket-tester read the file by its hostile name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'st-cmd-'));
    try {
      const hostile = join(dir, `ca 'x' "$(touch pwned)" \`touch pwned2\` $HOME\nline.pem`);
      await copyFile(certs.path('ca.pem'), hostile);
      for (const tool of ['openssl', 'socket-tester'] as const) {
        const peer = await streamPeer({ tls: { cert: await certs.read('server.pem'), key: await certs.read('server.key') }, closeAfterBytes: 5 });
        try {
          const src = source({ text: 'hello' }, { port: peer.port, transport: 'tls', tls: { caFile: hostile, verifyName: 'localhost' } });
          const run = await runSh(`cd ${shellQuote(dir)} && ${build(src, tool)}`, shEnv());
          expect((await peer.delivery()).bytes.toString()).toBe('hello');
          expect(run.stdout.toString()).toBe('ok\n');
        } finally {
          await peer.close();
        }
      }
      expect((await readdir(dir)).filter((f) => f.startsWith('pwned'))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe.each(['nc', 'ncat', 'socat', 'socket-tester'] as const)('%s over UDP, run for real', (tool) => {
  const udp = { ...UDP_PROFILE_DEFAULTS, replyWindowMs: 1000 };
  for (const name of ['all 256 byte values (hex)', 'shell syntax in the payload', 'empty']) {
    it.skipIf(!ready(tool))(`${name}: one datagram with the codec's bytes, and the reply printed`, async () => {
      const peer = await datagramPeer();
      try {
        const src = source(PAYLOADS[name]!, { port: peer.port, transport: 'udp', udp });
        const r = buildCommandLine(src, tool);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const run = await runSh(r.value.script, shEnv());
        const expected = codecBytes(src.payload);
        if (expected.length === 0 && tool !== 'socket-tester') {
          // These tools send nothing for an empty input; the note says so.
          expect(peer.datagrams).toEqual([]);
          expect(r.value.notes.join('\n')).toContain('sends no datagram at all');
          return;
        }
        expect(peer.datagrams.map((d) => bytesToHex(d))).toEqual([bytesToHex(expected)]);
        expect(run.stdout.toString()).toBe('pong\n');
      } finally {
        await peer.close();
      }
    }, 40_000);
  }
});
