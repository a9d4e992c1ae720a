#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench:scale` (issue 16, item 4): many connections at once, our code against raw Node
 * doing the same in the same run.
 *
 * - Listener: BENCH_CLIENTS (default 10,000) loopback clients connect to the built listener
 *   (out/main/listener.js, echo responder), each sends one line and reads its echo, all stay
 *   connected, then all leave. Baseline: a raw `net` server that echoes and keeps nothing else.
 *   Targets: the listener held every client; its peak RSS ≤ 1.5× the raw server's; its handles
 *   and active clients are back to what they were before the first client once all have left.
 * - Outgoing: BENCH_SESSIONS (default 1,000) engine sessions (out/main/engine.js, StreamSession)
 *   connect to one loopback echo server, send a line, read the echo and stay open, then close.
 *   Baseline: a child holding as many raw `net.connect` sockets. Same two targets.
 *
 * Each side runs in its own child process (fork), so each peak RSS is that process's alone; the
 * clients of the listener rows live in this process. File descriptors: one per connection on
 * each side, so the bench needs `ulimit -n` ≥ clients + 200 (it reads the limit and lowers the
 * count, saying so, when the soft limit is smaller; raise it with `ulimit -n 20000` first).
 *
 * Invariants: 127.0.0.1 only, servers on port 0; every wait is bounded (CHILD_LIMIT_MS); children
 * are killed at the end whatever happened; temporary scripts live in one mkdtemp folder, removed.
 */
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { USER_ENV } from './user-env.js';

const ROOT = resolve(import.meta.dirname, '..');
const LISTENER = join(ROOT, 'out', 'main', 'listener.js');
const ENGINE = join(ROOT, 'out', 'main', 'engine.js');
const CHILD_LIMIT_MS = 120_000;
const CONNECT_BATCH = 200;
const MiB = 1024 * 1024;

for (const built of [LISTENER, ENGINE]) {
  if (!existsSync(built)) {
    console.error(`bench-scale: ${built} is missing; run \`npm run build\` first.`);
    process.exit(2);
  }
}

/** The soft file limit of this shell (children inherit it). */
function fileLimit() {
  const r = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const n = Number(r.stdout.trim());
  return Number.isFinite(n) ? n : 1024;
}
const limit = fileLimit();
const wanted = Math.max(1, Number(process.env.BENCH_CLIENTS ?? 10_000) || 10_000);
const CLIENTS = Math.min(wanted, limit - 200);
const SESSIONS = Math.min(Math.max(1, Number(process.env.BENCH_SESSIONS ?? 1_000) || 1_000), limit - 200);

// Shared by every child: peak RSS sampled often (the kernel's maxRSS would include start-up and
// never come down), handles and timers as Node counts them (ref'd ones: what keeps a process
// alive), and a tiny request/answer protocol over IPC.
const CHILD_COMMON = `
let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()); }, 10);
sampler.unref();
// The IPC channel to the bench shows up as PipeWrap/CloseReq and varies by itself: not ours.
const ours = () => process.getActiveResourcesInfo().filter((r) => r !== 'PipeWrap' && r !== 'CloseReq');
const handles = () => ours().length;
const resources = () => ours().join(',');
const sample = (extra) => { peakRss = Math.max(peakRss, process.memoryUsage.rss()); return { rss: process.memoryUsage.rss(), peakRss, handles: handles(), resources: resources(), ...extra }; };
const limitTimer = setTimeout(() => process.exit(3), ${CHILD_LIMIT_MS});
limitTimer.unref();
`;

const OUR_SERVER = `${CHILD_COMMON}
const { startListener } = await import(${JSON.stringify(pathToFileURL(LISTENER).href)});
const started = await startListener({ transport: 'tcp', host: '127.0.0.1', port: 0, maxClients: Number(process.argv[2]), maxBytesPerClient: 1024 * 1024, responder: { kind: 'echo' } });
if (!started.ok) { console.error(started.error.message); process.exit(4); }
const listener = started.value;
const base = sample({});
process.send({ kind: 'ready', port: listener.port, ...base });
process.on('message', async (m) => {
  if (m === 'sample') process.send({ kind: 'sample', ...sample({ active: listener.stats().active, accepted: listener.stats().accepted, refused: listener.stats().refused }) });
  if (m === 'quit') { await listener.close(); process.exit(0); }
});
`;

const RAW_SERVER = `${CHILD_COMMON}
const net = await import('node:net');
const sockets = new Set();
let accepted = 0;
const server = net.createServer((s) => { accepted += 1; sockets.add(s); s.on('data', (d) => s.write(d)); s.on('error', () => {}); s.on('close', () => sockets.delete(s)); });
server.maxConnections = Number(process.argv[2]);
server.listen(0, '127.0.0.1', () => {
  process.send({ kind: 'ready', port: server.address().port, ...sample({}) });
});
process.on('message', (m) => {
  if (m === 'sample') process.send({ kind: 'sample', ...sample({ active: sockets.size, accepted, refused: 0 }) });
  if (m === 'quit') { server.close(); process.exit(0); }
});
`;

// Outgoing: the child opens the sessions; the parent's echo server answers.
const OUR_CLIENTS = `${CHILD_COMMON}
const mod = await import(${JSON.stringify(pathToFileURL(ENGINE).href)});
const StreamSession = mod.StreamSession;
const [port, count] = process.argv.slice(2).map(Number);
const sessions = [];
process.send({ kind: 'ready', ...sample({}) });
process.on('message', async (m) => {
  if (m === 'open') {
    let echoed = 0;
    for (let i = 0; i < count; i += ${CONNECT_BATCH}) {
      await Promise.all(Array.from({ length: Math.min(${CONNECT_BATCH}, count - i) }, async (_, j) => {
        const s = new StreamSession('s' + (i + j));
        sessions.push(s);
        const got = new Promise((resolve) => s.once('data', resolve));
        const c = await s.connect({ host: '127.0.0.1', port, idleTimeoutMs: 0 });
        if (!c.ok) return;
        await s.send(new TextEncoder().encode('hello ' + (i + j) + '\\n'));
        await got;
        echoed += 1;
      }));
    }
    process.send({ kind: 'opened', ...sample({ active: echoed }) });
  }
  if (m === 'close') {
    for (const s of sessions) s.close();
    await Promise.all(sessions.map((s) => s.done()));
    sessions.length = 0;
    process.send({ kind: 'closed', ...sample({ active: 0 }) });
  }
  if (m === 'sample') process.send({ kind: 'sample', ...sample({}) });
  if (m === 'quit') process.exit(0);
});
`;

const RAW_CLIENTS = `${CHILD_COMMON}
const net = await import('node:net');
const [port, count] = process.argv.slice(2).map(Number);
const sockets = [];
process.send({ kind: 'ready', ...sample({}) });
process.on('message', async (m) => {
  if (m === 'open') {
    let echoed = 0;
    for (let i = 0; i < count; i += ${CONNECT_BATCH}) {
      await Promise.all(Array.from({ length: Math.min(${CONNECT_BATCH}, count - i) }, (_, j) => new Promise((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        sockets.push(s);
        s.on('error', resolve);
        s.on('connect', () => s.write('hello ' + (i + j) + '\\n'));
        s.once('data', () => { echoed += 1; resolve(); });
      })));
    }
    process.send({ kind: 'opened', ...sample({ active: echoed }) });
  }
  if (m === 'close') {
    await Promise.all(sockets.map((s) => new Promise((resolve) => { if (s.destroyed) resolve(); else { s.once('close', resolve); s.end(); } })));
    sockets.length = 0;
    process.send({ kind: 'closed', ...sample({ active: 0 }) });
  }
  if (m === 'sample') process.send({ kind: 'sample', ...sample({}) });
  if (m === 'quit') process.exit(0);
});
`;

const dir = mkdtempSync(join(tmpdir(), 'socket-tester-bench-scale-'));
const children = new Set();

/**
 * @typedef {{ kind: string, rss: number, peakRss: number, handles: number, port?: number, active?: number, accepted?: number, refused?: number }} Sample
 * @typedef {{ ready: Promise<Sample>, ask: (msg: string, kind: string) => Promise<Sample>, quit: () => void }} Child
 * @typedef {{ name: string, base: Sample, echoed: number, held: Sample, after: Sample, openMs: number }} Row
 */

/**
 * Forks a child script; `ask(msg, kind)` sends and waits (bounded) for the answer of that kind.
 * @param {string} name @param {string} source @param {Array<string | number>} args @returns {Child}
 */
function start(name, source, args) {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, source);
  const child = fork(file, args.map(String), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: withoutExtraCerts() });
  children.add(child);
  /** @type {Array<{ kind: string, resolve: (m: Sample) => void, reject: (e: Error) => void }>} */
  const waiters = [];
  child.on('message', (message) => {
    const m = /** @type {Sample} */ (message);
    const i = waiters.findIndex((w) => w.kind === m.kind);
    if (i >= 0) waiters.splice(i, 1)[0]?.resolve(m);
  });
  child.on('exit', (code) => {
    children.delete(child);
    for (const w of waiters.splice(0)) w.reject(new Error(`${name} exited (${code}) while waiting for "${w.kind}"`));
  });
  /** @param {string} kind @returns {Promise<Sample>} */
  const wait = (kind) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: no "${kind}" within ${CHILD_LIMIT_MS} ms`)), CHILD_LIMIT_MS);
      waiters.push({ kind, resolve: (m) => { clearTimeout(timer); resolve(m); }, reject: (e) => { clearTimeout(timer); reject(e); } });
    });
  return {
    ready: wait('ready'),
    ask: (/** @type {string} */ msg, /** @type {string} */ kind) => {
      const answer = wait(kind);
      child.send(msg);
      return answer;
    },
    quit: () => { if (child.connected) child.send('quit'); },
  };
}

/** As a user's machine has it (user-env.js); a copy, for callers that add to it. */
function withoutExtraCerts() {
  return { ...USER_ENV };
}

/**
 * Polls `probe` until `done(answer)` or the limit; returns the last answer.
 * @param {() => Promise<Sample>} probe @param {(s: Sample) => boolean} done @returns {Promise<Sample>}
 */
async function until(probe, done, limitMs = 30_000) {
  const deadline = Date.now() + limitMs;
  let last = await probe();
  while (!done(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}

/**
 * Opens `count` clients to 127.0.0.1:port from this process; each sends a line and reads its echo.
 * @param {number} port @param {number} count
 */
async function openClients(port, count) {
  /** @type {net.Socket[]} */
  const sockets = [];
  let echoed = 0;
  for (let i = 0; i < count; i += CONNECT_BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(CONNECT_BATCH, count - i) }, (_, j) =>
        new Promise((/** @type {(v?: unknown) => void} */ resolve) => {
          const s = net.connect(port, '127.0.0.1');
          sockets.push(s);
          const timer = setTimeout(resolve, 10_000);
          s.on('error', () => { clearTimeout(timer); resolve(); });
          s.on('connect', () => s.write(`hello ${i + j}\n`));
          s.once('data', () => { clearTimeout(timer); echoed += 1; resolve(); });
        }),
      ),
    );
  }
  return { sockets, echoed };
}

/** @param {net.Socket[]} sockets */
async function closeClients(sockets) {
  await Promise.all(sockets.map((s) => new Promise((/** @type {(v?: unknown) => void} */ resolve) => {
    if (s.destroyed) return resolve();
    const timer = setTimeout(() => { s.destroy(); resolve(); }, 10_000);
    s.once('close', () => { clearTimeout(timer); resolve(); });
    s.end();
  })));
}

/** @param {string} name @param {string} source @returns {Promise<Row>} */
async function listenerRow(name, source) {
  const server = start(name, source, [CLIENTS]);
  const ready = await server.ready;
  const began = performance.now();
  const { sockets, echoed } = await openClients(ready.port ?? 0, CLIENTS);
  const held = await until(() => server.ask('sample', 'sample'), (s) => (s.active ?? 0) >= echoed, 10_000);
  const openMs = performance.now() - began;
  await closeClients(sockets);
  const after = await until(() => server.ask('sample', 'sample'), (s) => s.active === 0 && s.handles <= ready.handles);
  server.quit();
  return { name, base: ready, echoed, held, after, openMs };
}

/** @param {string} name @param {string} source @param {number} port @returns {Promise<Row>} */
async function outgoingRow(name, source, port) {
  const child = start(name, source, [port, SESSIONS]);
  const ready = await child.ready;
  const began = performance.now();
  const opened = await child.ask('open', 'opened');
  const openMs = performance.now() - began;
  await child.ask('close', 'closed');
  const after = await until(() => child.ask('sample', 'sample'), (s) => s.handles <= ready.handles);
  child.quit();
  return { name, base: ready, echoed: opened.active ?? 0, held: opened, after, openMs };
}

const mib = (/** @type {number} */ bytes) => `${(bytes / MiB).toFixed(1)} MiB`;
let passed = 0;
let targets = 0;
/** @param {boolean} ok @param {string} text */
function target(ok, text) {
  targets += 1;
  if (ok) passed += 1;
  console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${text}`);
}

/** @param {string} title @param {number} count @param {Row} ours @param {Row} raw */
function report(title, count, ours, raw) {
  console.log(`\n${title}: ${count} at once (ulimit -n ${limit}${count < wanted && title.startsWith('Listener') ? `, lowered from ${wanted}: raise it with ulimit -n` : ''})`);
  for (const r of [raw, ours]) {
    console.log(
      `  ${r.name.padEnd(22)} echoed ${String(r.echoed).padStart(6)}  peak RSS ${mib(r.held.peakRss).padStart(10)} (${mib(r.base.rss)} idle)  handles ${r.base.handles} → ${r.held.handles} → ${r.after.handles}  opened in ${Math.round(r.openMs)} ms`,
    );
  }
  target(ours.echoed === count, `${ours.name} answered all ${count} (${ours.echoed})`);
  const ratio = ours.held.peakRss / raw.held.peakRss;
  target(ratio <= 1.5, `${ours.name} peak RSS ${mib(ours.held.peakRss)} vs ${mib(raw.held.peakRss)} raw = ${ratio.toFixed(2)}× (target ≤ 1.5×)`);
  target(ours.after.handles <= ours.base.handles && (ours.after.active ?? 0) === 0, `${ours.name} handles back to ${ours.base.handles} after all left (${ours.after.handles}${ours.after.active !== undefined ? `, ${ours.after.active} clients active` : ''})`);
}

const echo = net.createServer((s) => { s.on('data', (d) => s.write(d)); s.on('error', () => {}); });
try {
  console.log(`bench-scale: node ${process.version}, NODE_EXTRA_CA_CERTS unset for the children, load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  const raw = await listenerRow('raw net server', RAW_SERVER);
  const ours = await listenerRow('socket-tester listen', OUR_SERVER);
  report('Listener clients', CLIENTS, ours, raw);

  await new Promise((/** @type {(v?: unknown) => void} */ r) => echo.listen(0, '127.0.0.1', () => r()));
  const port = /** @type {net.AddressInfo} */ (echo.address()).port;
  const rawOut = await outgoingRow('raw net.connect', RAW_CLIENTS, port);
  const oursOut = await outgoingRow('engine StreamSession', OUR_CLIENTS, port);
  report('Outgoing sessions', SESSIONS, oursOut, rawOut);
  console.log(`\n${passed} of ${targets} targets passed`);
} catch (err) {
  console.error(`bench-scale: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  echo.close();
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
