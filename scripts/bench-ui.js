#!/usr/bin/env node
/**
 * `npm run bench:ui`: how the UI holds up while a large response arrives at full loopback speed.
 *
 * Through web mode (the built CLI) in Chromium, a loopback server sends SIZE MiB and closes. For the
 * Text and Hex views it reports:
 * - the time from clicking Connect until the exact final count shows in "Bytes received", and
 *   until every byte is in the view (web mode paces bytes to the page; counters come first);
 * - the longest main-thread task (PerformanceObserver 'longtask': tasks over 50 ms are reported;
 *   none means every task stayed under 50 ms). Target: no task over 100 ms.
 * Beside them, the whole-process time of `socket-tester send` for the same transfer (to /dev/null),
 * the baseline measured in the same run, and the ratio UI / CLI. Several runs, medians.
 *
 * Loopback only; every wait has a limit; the exit code is 0 unless the bench could not run.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { findChromium } from './find-chromium.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'socket-tester.js');
const SIZE_MIB = Number(process.env.BENCH_UI_MIB ?? 100) || 100;
const TOTAL = SIZE_MIB * 1024 * 1024;
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3) || 3);
const LIMIT_MS = 120_000;

/** A server that sends TOTAL bytes to each connection, then ends. */
/** @returns {Promise<import('node:net').Server>} */
function startServer() {
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => undefined);
    let sent = 0;
    const pump = () => {
      while (sent < TOTAL) {
        const n = Math.min(chunk.length, TOTAL - sent);
        sent += n;
        if (!s.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void s.once('drain', pump);
      }
      s.end();
    };
    pump();
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

/** @param {string} profilesPath @returns {Promise<{ url: string, child: import('node:child_process').ChildProcess }>} */
function startWebMode(profilesPath) {
  const child = spawn(process.execPath, [BIN, 'web', '--port', '0', '--profiles', profilesPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const rl = createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) });
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error('web mode did not start')), 10_000);
    rl.on('line', (line) => {
      const m = /^Socket Tester web UI: (\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolveUrl({ url: /** @type {string} */ (m[1]), child });
      }
    });
  });
}

/** @param {number} port @returns {Promise<number>} */
function timeCli(port) {
  return new Promise((resolveTime, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, 'send', '127.0.0.1', String(port), '--output', '/dev/null', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      const result = JSON.parse(out || '{}');
      if (code !== 0 || result.bytesReceived !== TOTAL) reject(new Error(`CLI run failed: exit ${code}, ${out.slice(0, 200)}`));
      else resolveTime(ms);
    });
  });
}

const formatCount = (/** @type {number} */ n) => n.toLocaleString('en-US');
const median = (/** @type {number[]} */ xs) => /** @type {number} */ ([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);

/**
 * @param {import('playwright-core').Browser} browser @param {string} url @param {number} port @param {string} view
 * @returns {Promise<{ ms: number, viewMs: number, longest: number, longTasks: number }>}
 */
async function timeUi(browser, url, port, view) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript(() => {
    /** @type {number[]} */
    const tasks = [];
    Object.assign(window, { __longTasks: tasks });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) tasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(url);
  await page.getByRole('button', { name: 'Options' }).click();
  const cap = page.getByLabel('Response cap (MiB)');
  await cap.fill(String(Math.max(64, SIZE_MIB + 1)));
  await cap.blur();
  await page.getByRole('tab', { name: view, exact: true }).click();
  await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill(String(port));
  await page.evaluate(() => (/** @type {{ __longTasks: number[] }} */ (/** @type {unknown} */ (window)).__longTasks.length = 0));
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.getByLabel('Bytes received', { exact: true }).filter({ hasText: new RegExp(`^${formatCount(TOTAL)}$`) }).waitFor({ timeout: LIMIT_MS });
  const ms = Date.now() - t0;
  await page.getByText('Loading bytes into the view').waitFor({ state: 'hidden', timeout: LIMIT_MS });
  const viewMs = Date.now() - t0;
  // Let the last frames render, then read the long tasks.
  await page.waitForTimeout(300);
  const tasks = await page.evaluate(() => /** @type {{ __longTasks: number[] }} */ (/** @type {unknown} */ (window)).__longTasks);
  await page.close();
  return { ms, viewMs, longest: tasks.length ? Math.max(...tasks) : 0, longTasks: tasks.length };
}

async function main() {
  const exe = findChromium();
  if (!exe) throw new Error('no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');
  const dir = mkdtempSync(join(tmpdir(), 'st-bench-ui-'));
  const server = await startServer();
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  const { url, child } = await startWebMode(join(dir, 'profiles.json'));
  const browser = await chromium.launch({
    executablePath: exe,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    console.log(`bench:ui — ${SIZE_MIB} MiB from a loopback server, ${RUNS} runs each, medians\n`);
    const cli = [];
    for (let i = 0; i < RUNS; i++) cli.push(await timeCli(port));
    const cliMs = median(cli);
    console.log(`CLI  socket-tester send → /dev/null      ${cliMs.toFixed(0).padStart(6)} ms  (baseline)`);
    let worst = 0;
    for (const view of ['Text', 'Hex']) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await timeUi(browser, url, port, view));
      const ms = median(runs.map((r) => r.ms));
      const viewMs = median(runs.map((r) => r.viewMs));
      const longest = Math.max(...runs.map((r) => r.longest));
      worst = Math.max(worst, longest);
      const longestText = longest > 0 ? `${longest.toFixed(0)} ms` : 'none over 50 ms';
      console.log(
        `UI   ${view.padEnd(5)} view: final count ${ms.toFixed(0).padStart(6)} ms (${(ms / cliMs).toFixed(2)}× CLI), every byte in the view ${viewMs.toFixed(0).padStart(6)} ms (${(viewMs / cliMs).toFixed(2)}× CLI); longest main-thread task: ${longestText}`,
      );
    }
    console.log(`\n${worst <= 100 ? 'PASS' : 'FAIL'}  no main-thread task over 100 ms (longest ${worst > 0 ? worst.toFixed(0) + ' ms' : 'under 50 ms'})`);
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((/** @type {Error} */ err) => {
  console.error(`bench:ui could not run: ${err.message}`);
  process.exit(1);
});
