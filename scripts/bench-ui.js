#!/usr/bin/env node
/**
 * `npm run bench:ui`: how the UI holds up while a large response arrives at full loopback speed
 * (issue 16, item 3). Then bench-ui-udp.js runs the same figures for a UDP burst, and
 * bench-ui-listener.js for a listener with 50 busy clients.
 *
 * Through web mode (the built CLI) in Chromium, a loopback server sends SIZE MiB and closes. For the
 * Text and Hex views, with web mode's bridge in its worker (as shipped), and for the Text view with
 * the bridge on the page's thread (`?bridge=page`, how it was before: the comparison in the same run):
 * - the time from clicking Connect until the exact final count shows in "Bytes received", and
 *   until every byte is in the view;
 * - the longest main-thread task (PerformanceObserver 'longtask', which reports tasks over 50 ms
 *   only: none means every task stayed within 50 ms);
 * - the page's JS heap once every byte is in (page and its workers after a GC, ArrayBuffers included).
 * Playwright sets each tab up and disconnects before Connect: with it attached, Chromium reports
 * every chunk of the page's traffic to it, which a user's browser does not (bench-ui-lib.js).
 * Baseline, measured in the same run: the whole-process time of `socket-tester send` for the same
 * transfer (to /dev/null), and the response size. Targets (PASS/FAIL by the median over the worker
 * runs, with how many runs were within): longest task ≤ 50 ms, every byte in the view ≤ 3× the
 * CLI, JS heap ≤ 1.5× the response.
 *
 * Loopback only; every wait has a limit; the exit code is 0 unless the bench could not run.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BIN,
  USER_ENV,
  HEAP_TARGET_RATIO,
  launchChromium,
  openUserPage,
  LONG_TASK_TARGET_MS,
  median,
  mib,
  startWebMode,
  verdict,
  VIEW_TARGET_RATIO,
} from './bench-ui-lib.js';

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

/** @param {number} port @returns {Promise<number>} */
function timeCli(port) {
  return new Promise((resolveTime, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, 'send', '127.0.0.1', String(port), '--output', '/dev/null', '--json'], { stdio: ['ignore', 'pipe', 'inherit'], env: USER_ENV });
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

/**
 * @param {import('./bench-ui-lib.js').Chromium} chrome @param {string} url @param {number} port
 * @param {string} view @param {'worker' | 'page'} bridge
 * @returns {Promise<{ ms: number, viewMs: number, longest: number, heap: number }>}
 */
async function timeUi(chrome, url, port, view, bridge) {
  const { user } = await openUserPage(chrome, bridge === 'page' ? url.replace('/#', '/?bridge=page#') : url, async (page) => {
    await page.getByRole('button', { name: 'Options' }).click();
    const cap = page.getByLabel('Response cap (MiB)');
    await cap.fill(String(Math.max(64, SIZE_MIB + 1)));
    await cap.blur();
    await page.getByRole('tab', { name: view, exact: true }).click();
    await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill(String(port));
  });
  try {
    await user.resetLongTasks();
    const t0 = Date.now();
    await user.clickButton('Connect');
    await user.waitFor((want) => document.querySelector('[aria-labelledby="bytes-received-label"]')?.textContent === want, formatCount(TOTAL), LIMIT_MS, 'the final count');
    const ms = Date.now() - t0;
    await user.waitFor(() => ![...document.querySelectorAll('p.banner.info')].some((p) => p.textContent?.startsWith('Loading bytes into the view')), null, LIMIT_MS, 'every byte in the view');
    const viewMs = Date.now() - t0;
    // Let the last frames render, then read the long tasks and the heap.
    await user.sleep(300);
    const longTasks = await user.readLongTasks();
    const heap = await user.heap();
    return { ms, viewMs, longest: longTasks.length ? Math.max(...longTasks) : 0, heap: heap.total };
  } finally {
    await user.close();
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'st-bench-ui-'));
  const server = await startServer();
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  const { url, child } = await startWebMode(join(dir, 'profiles.json'));
  const chrome = await launchChromium();
  try {
    console.log(`bench:ui — ${SIZE_MIB} MiB from a loopback server, ${RUNS} runs each, medians\n`);
    /** @type {Record<string, Array<{ ms: number, viewMs: number, longest: number, heap: number }>>} */
    const rows = { 'Text worker': [], 'Hex worker': [], 'Text page': [] };
    const cli = [];
    // Interleaved, so that a busy moment on the machine hits every row alike.
    for (let i = 0; i < RUNS; i++) {
      cli.push(await timeCli(port));
      for (const key of Object.keys(rows)) {
        const [view, bridge] = /** @type {[string, 'worker' | 'page']} */ (key.split(' '));
        /** @type {NonNullable<typeof rows[string]>} */ (rows[key]).push(await timeUi(chrome, url, port, view, bridge));
      }
    }
    const cliMs = median(cli);
    console.log(`CLI  socket-tester send → /dev/null ${cliMs.toFixed(0).padStart(6)} ms  (baseline; runs ${cli.map((x) => x.toFixed(0)).join(', ')} ms)`);
    for (const [key, runs] of Object.entries(rows)) {
      const [view, bridge] = key.split(' ');
      const ms = median(runs.map((r) => r.ms));
      const viewMs = median(runs.map((r) => r.viewMs));
      const longest = Math.max(...runs.map((r) => r.longest));
      const heap = median(runs.map((r) => r.heap));
      const label = `${view} view, bridge ${bridge === 'worker' ? 'in its worker' : 'on the page (before)'}`.padEnd(38);
      console.log(
        `UI   ${label} final count ${ms.toFixed(0).padStart(5)} ms (${(ms / cliMs).toFixed(2)}× CLI), every byte in the view ${viewMs.toFixed(0).padStart(5)} ms (${(viewMs / cliMs).toFixed(2)}× CLI); longest main-thread task ${longest > 0 ? `${longest.toFixed(0)} ms` : '≤ 50 ms'}; JS heap ${mib(heap)} (${(heap / TOTAL).toFixed(2)}× the response)`,
      );
    }
    const worker = [...(rows['Text worker'] ?? []), ...(rows['Hex worker'] ?? [])];
    console.log(`\nTargets (Text and Hex views, bridge in its worker, ${worker.length} runs):`);
    console.log(
      verdict('longest main-thread task', worker.map((r) => r.longest), LONG_TASK_TARGET_MS, (v) => (v > 0 ? `${v.toFixed(0)} ms` : 'none over 50 ms'), 'fixed'),
    );
    console.log(
      verdict('every byte in the view', worker.map((r) => r.viewMs / cliMs), VIEW_TARGET_RATIO, (v) => `${v.toFixed(2)}× CLI`, `CLI ${cliMs.toFixed(0)} ms in this run`),
    );
    console.log(verdict('page JS heap', worker.map((r) => r.heap / TOTAL), HEAP_TARGET_RATIO, (v) => `${v.toFixed(2)}× the response`, `response ${mib(TOTAL)}`));
    console.log('\nThe UDP burst and the listener with 50 busy clients follow (bench-ui-udp.js, bench-ui-listener.js).');
  } finally {
    await chrome.close();
    child.kill('SIGTERM');
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((/** @type {Error} */ err) => {
  console.error(`bench:ui could not run: ${err.message}`);
  process.exit(1);
});
