// @ts-check
/**
 * `npm run bench` (second part): TLS receive throughput of the engine against a raw Node `tls`
 * client, 256 MiB over loopback, both measured in the same run (issue 12: target ≥ 0.9×).
 *
 * Each client is its own Node process, timed from just before its connect to the peer's end, so
 * both pay the same handshake and neither its module loading (start-up is measured separately). The server is one Node `tls` server in this process with a
 * throwaway self-signed certificate made by the `openssl` command (nothing secret is kept).
 * NODE_EXTRA_CA_CERTS is unset for the clients, as on a user's machine.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { USER_ENV } from './user-env.js';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIZE = 256 * 1024 * 1024;
/**
 * Pairs of runs (raw, then engine). More than the other benches' 5: the two clients differ by a
 * few per cent, less than this machine's drift from one second to the next, so the verdict is
 * the median of the pairs' own ratios (each pair ran back to back, under the same load), with
 * the ratio of the two medians printed beside it.
 */
const RUNS = Math.max(9, Number(process.env.BENCH_RUNS ?? 9) || 9);
const ENGINE = join(ROOT, 'out', 'main', 'engine.js');

const RAW_CLIENT = `
// The clock starts before node:tls is loaded: the engine loads it on its first TLS connect (its
// CLI start-up stays free of it), so its clock includes that load, and so must this one's.
const t0 = process.hrtime.bigint();
const c0 = process.cpuUsage();
const tls = require('node:tls');
let n = 0;
const s = tls.connect({ host: '127.0.0.1', port: Number(process.argv[1]), rejectUnauthorized: false });
s.on('data', (d) => { n += d.length; });
s.on('end', () => { const c = process.cpuUsage(c0); console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: (c.user + c.system) / 1e3, bytes: n })); });
s.on('secureConnect', () => s.end());
s.on('error', (e) => { console.error(e.message); process.exit(1); });
`;

const ENGINE_CLIENT = `
const { Writable } = require('node:stream');
import(process.argv[1]).then(async ({ StreamSession }) => {
  // Timed from the connect, as the raw client (start-up is the CLI bench's business).
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let n = 0;
  const sink = new Writable({ highWaterMark: 8 << 20, write(c, _e, cb) { n += c.length; cb(); } });
  const session = new StreamSession('bench', { sink });
  const opened = await session.connect({ host: '127.0.0.1', port: Number(process.argv[2]), tls: { verify: false }, maxResponseBytes: 1 << 30 });
  if (!opened.ok) { console.error(opened.error.message); process.exit(1); }
  // Our FIN at once, as the CLI's one-shot does: the session ends when the peer's end arrives.
  await session.send(new Uint8Array(0), { halfClose: true });
  const status = await session.done();
  if (status.error) { console.error(status.error.message); process.exit(1); }
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: (c.user + c.system) / 1e3, bytes: n }));
});
`;

/** @param {string[]} args @returns {Promise<{ ms: number, cpuMs: number, bytes: number }>} */
function client(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: USER_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`client exited ${code}: ${err.trim()}`));
      if (!out.trim()) return reject(new Error(`client ${args[0] === '-e' && args[1] === RAW_CLIENT ? 'raw' : 'engine'} printed nothing: ${err.trim()}`));
      resolve(JSON.parse(out.trim()));
    });
  });
}

/** @param {number[]} values @returns {number} */
function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

async function main() {
  if (!existsSync(ENGINE)) {
    console.error('bench-tls: out/main/engine.js is missing; run `npm run build` first.');
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'st-bench-tls-'));
  try {
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    if (made.status !== 0) throw new Error('openssl could not make the test certificate');
    const chunk = Buffer.alloc(1 << 20, 0x61);
    const server = tls.createServer({ allowHalfOpen: true, key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (socket) => {
      socket.on('error', () => undefined);
      let left = SIZE / chunk.length;
      const pump = () => {
        while (left > 0) {
          left -= 1;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
        socket.end();
      };
      pump();
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
    const port = String(/** @type {import('node:net').AddressInfo} */ (server.address()).port);
    /** @type {number[]} */ const raw = [];
    /** @type {number[]} */ const engine = [];
    /** @type {number[]} */ const rawCpu = [];
    /** @type {number[]} */ const engineCpu = [];
    /** @type {number[]} */ const pairRatios = [];
    for (let i = 0; i < RUNS; i += 1) {
      // Alternating, so a slow patch of the machine hits both sides alike.
      const r = await client(['-e', RAW_CLIENT, port]);
      const e = await client(['-e', ENGINE_CLIENT, ENGINE, port]);
      if (r.bytes !== SIZE || e.bytes !== SIZE) throw new Error(`short transfer: raw ${r.bytes}, engine ${e.bytes} of ${SIZE}`);
      raw.push(SIZE / r.ms);
      engine.push(SIZE / e.ms);
      rawCpu.push(SIZE / r.cpuMs);
      engineCpu.push(SIZE / e.cpuMs);
      pairRatios.push(r.ms / e.ms);
      if (process.env.BENCH_VERBOSE) console.log(`  pair ${i + 1}: raw ${r.ms.toFixed(0)} ms (cpu ${r.cpuMs.toFixed(0)}), engine ${e.ms.toFixed(0)} ms (cpu ${e.cpuMs.toFixed(0)})`);
    }
    server.close();
    const rawMiBs = (median(raw) * 1000) / (1 << 20);
    const engineMiBs = (median(engine) * 1000) / (1 << 20);
    const ofMedians = engineMiBs / rawMiBs;
    const ratio = median(pairRatios);
    const cpuRatio = median(engineCpu) / median(rawCpu);
    console.log(`\nTLS receive, 256 MiB over loopback, median of ${RUNS} (each client timed from its connect to the end, NODE_EXTRA_CA_CERTS unset)`);
    console.log(`  raw node tls client ('data' counter)  ${rawMiBs.toFixed(0)} MiB/s`);
    console.log(`  engine StreamSession over TLS          ${engineMiBs.toFixed(0)} MiB/s`);
    // The client's own CPU per byte does not depend on what else the two cores are doing, so it
    // says whether a wall-time miss is our code or the machine (printed, not judged).
    console.log(`  client CPU per byte: engine ${cpuRatio.toFixed(2)}× the raw client's bytes per CPU-second`);
    console.log(`  pairs' ratios (engine throughput ÷ raw): ${pairRatios.map((r) => r.toFixed(2)).join(' ')}; ratio of the medians ${ofMedians.toFixed(2)}×`);
    console.log(`${ratio >= 0.9 ? 'PASS' : 'FAIL'}  TLS receive ≥ 0.9× a raw Node tls client: ${ratio.toFixed(2)}× (median of ${RUNS} back-to-back pairs)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench-tls could not run: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
