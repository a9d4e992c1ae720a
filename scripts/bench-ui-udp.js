#!/usr/bin/env node
/**
 * `node scripts/bench-ui-udp.js`: the UI under a UDP flood. Through web mode (the built CLI) in
 * Chromium, a UDP tab opens a socket to a loopback peer; once the peer learns the tab's address
 * from the first datagram, it sends RATE datagrams a second (default 10,000, 64 bytes each) for
 * SECONDS (default 10), paced in 10 ms slices. Reported:
 * - the longest main-thread task (PerformanceObserver 'longtask': only tasks over 50 ms are
 *   reported; none means every task stayed under 50 ms). Target: no task over 100 ms;
 * - datagrams sent by the peer, received by main, dropped by the kernel, and listed by the page
 *   once everything arrived (received must equal listed: nothing silent).
 *
 * Loopback only; every wait is bounded; exit 0 unless the bench could not run.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { findChromium } from './find-chromium.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'socket-tester.js');
const RATE = Number(process.env.BENCH_UDP_RATE ?? 10_000) || 10_000;
const SECONDS = Number(process.env.BENCH_UDP_SECONDS ?? 10) || 10;
const TOTAL = RATE * SECONDS;
const SLICE_MS = 10;

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

/** Sends TOTAL datagrams to `to` at RATE a second; resolves with how many the kernel accepted. */
async function flood(/** @type {dgram.Socket} */ socket, /** @type {dgram.RemoteInfo} */ to) {
  const payload = Buffer.alloc(64, 0x61);
  let sent = 0;
  const t0 = performance.now();
  while (sent < TOTAL) {
    const due = Math.min(TOTAL, Math.floor(((performance.now() - t0) / 1000) * RATE) + Math.ceil(RATE / 100));
    const batch = [];
    for (; sent < due; sent++) {
      payload.writeUInt32BE(sent, 0);
      batch.push(new Promise((r) => socket.send(payload, to.port, to.address, () => r(undefined))));
    }
    await Promise.all(batch);
    await new Promise((r) => setTimeout(r, SLICE_MS));
  }
  return { sent, ms: performance.now() - t0 };
}

const num = (/** @type {string | null} */ t) => Number((t ?? '').replace(/[^0-9]/g, '')) || 0;

async function main() {
  const exe = findChromium();
  if (!exe) throw new Error('no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');
  const dir = mkdtempSync(join(tmpdir(), 'st-bench-udp-'));
  const peer = dgram.createSocket('udp4');
  /** @type {dgram.RemoteInfo | null} */
  let client = null;
  peer.on('message', (_m, rinfo) => (client = rinfo));
  await new Promise((r) => peer.bind(0, '127.0.0.1', () => r(undefined)));
  const { url, child } = await startWebMode(join(dir, 'profiles.json'));
  const browser = await chromium.launch({
    executablePath: exe,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
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
    await page.getByRole('radiogroup', { name: 'Transport' }).getByLabel('UDP').check();
    await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill(String(peer.address().port));
    await page.getByRole('button', { name: 'Options' }).click();
    await page.getByLabel('Max datagrams').fill(String(Math.min(1_000_000, TOTAL * 2)));
    await page.getByLabel('Max datagrams').blur();
    await page.getByRole('textbox', { name: 'Payload' }).fill('hello');
    await page.getByRole('button', { name: 'Open and send' }).click();
    const t0 = Date.now();
    while (!client && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
    if (!client) throw new Error('the page never sent its first datagram');
    await page.evaluate(() => (/** @type {{ __longTasks: number[] }} */ (/** @type {unknown} */ (window)).__longTasks.length = 0));
    const { sent, ms } = await flood(peer, client);
    await page.waitForTimeout(500);
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Closed' }).waitFor({ timeout: 60_000 });
    const received = num(await page.getByTestId('dg-received').textContent());
    const t1 = Date.now();
    while (num(await page.getByTestId('dg-listed').textContent()) < received && Date.now() - t1 < 60_000) await page.waitForTimeout(100);
    const listed = num(await page.getByTestId('dg-listed').textContent());
    const drops = (await page.getByTestId('dg-kernel-drops').count()) > 0 ? num(await page.getByTestId('dg-kernel-drops').textContent()) : 0;
    const tasks = await page.evaluate(() => /** @type {{ __longTasks: number[] }} */ (/** @type {unknown} */ (window)).__longTasks);
    const longest = tasks.length ? Math.max(...tasks) : 0;
    console.log(`bench:ui udp — ${RATE.toLocaleString('en-US')} datagrams/s × ${SECONDS} s of 64 bytes from a loopback peer (sent in ${(ms / 1000).toFixed(1)} s)`);
    console.log(`peer sent ${sent.toLocaleString('en-US')}, main received ${received.toLocaleString('en-US')}, kernel dropped ${drops.toLocaleString('en-US')}, page listed ${listed.toLocaleString('en-US')}`);
    console.log(`longest main-thread task: ${longest ? `${longest.toFixed(0)} ms` : 'none over 50 ms'} (${tasks.length} over 50 ms; target: none over 100 ms)`);
    console.log(listed === received ? 'counts: exact (listed = received)' : `counts: MISMATCH listed ${listed} vs received ${received}`);
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench:ui udp could not run: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
