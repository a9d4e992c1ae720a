/**
 * What bench-ui.js and bench-ui-udp.js share: web mode from the built CLI, Chromium, the
 * main-thread long-task probe and the page's JS heap (page and its workers, ArrayBuffers included).
 * Loopback only; every wait has a limit.
 */
import { spawn } from 'node:child_process';
import { resolve, join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { findChromium } from './find-chromium.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const BIN = join(ROOT, 'bin', 'socket-tester.js');

/** Target for the longest main-thread task, ms. */
export const LONG_TASK_TARGET_MS = 50;
/** The page's JS heap at most this many times the response size. */
export const HEAP_TARGET_RATIO = 1.5;
/** Every byte in the view within this many times the CLI's time. */
export const VIEW_TARGET_RATIO = 3;

/**
 * The environment of a user's machine for our child processes: NODE_EXTRA_CA_CERTS (set here)
 * adds ~75 ms to every Node start, which would slow the CLI baseline and hide our own costs.
 */
export const USER_ENV = (() => {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
})();

/** @param {string} profilesPath @returns {Promise<{ url: string, child: import('node:child_process').ChildProcess }>} */
export function startWebMode(profilesPath) {
  const child = spawn(process.execPath, [...(process.env.BENCH_WEB_NODE_ARGS ? process.env.BENCH_WEB_NODE_ARGS.split(' ') : []), BIN, 'web', '--port', '0', '--profiles', profilesPath], { stdio: ['ignore', 'pipe', 'inherit'], env: USER_ENV });
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

export async function launchChromium() {
  const exe = findChromium();
  if (!exe) throw new Error('no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');
  return chromium.launch({
    executablePath: exe,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Records every main-thread long task (PerformanceObserver 'longtask': the browser reports tasks
 * over 50 ms only, so "none" means every task stayed at or under 50 ms).
 * @param {import('playwright-core').Page} page
 */
export async function probeLongTasks(page) {
  await page.addInitScript(() => {
    /** @type {number[]} */
    const tasks = [];
    Object.assign(window, { __longTasks: tasks });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) tasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  return {
    reset: () => page.evaluate(() => void (/** @type {{ __longTasks: number[] }} */ (/** @type {unknown} */ (window)).__longTasks.length = 0)),
    /** @returns {Promise<number[]>} */
    read: () => page.evaluate(() => [.../** @type {{ __longTasks: number[] }} */ (/** @type {unknown} */ (window)).__longTasks]),
  };
}

/**
 * The JS heap of the page and of every worker it runs, after a garbage collection: V8's used heap
 * plus ArrayBuffer backing stores (Runtime.getHeapUsage `backingStorageSize`: the received bytes
 * live there). Call with only this page open.
 * @param {import('playwright-core').Browser} browser @param {import('playwright-core').Page} page
 * @returns {Promise<{ page: number, workers: number, total: number }>}
 */
export async function jsHeap(browser, page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  /** @param {{ usedSize: number, backingStorageSize?: number }} u */
  const size = (u) => u.usedSize + (u.backingStorageSize ?? 0);
  const pageBytes = size(/** @type {{ usedSize: number, backingStorageSize?: number }} */ (await cdp.send('Runtime.getHeapUsage')));
  await cdp.detach();
  const b = await browser.newBrowserCDPSession();
  let workers = 0;
  try {
    const { targetInfos } = await b.send('Target.getTargets');
    for (const t of targetInfos.filter((x) => x.type === 'worker')) {
      const { sessionId } = await b.send('Target.attachToTarget', { targetId: t.targetId, flatten: false });
      let next = 1;
      /** @param {string} method @returns {Promise<any>} */
      const send = (method) =>
        new Promise((resolveSend) => {
          const id = next++;
          /** @param {{ sessionId: string, message: string }} e */
          const onMessage = (e) => {
            if (e.sessionId !== sessionId) return;
            const m = JSON.parse(e.message);
            if (m.id !== id) return;
            b.off('Target.receivedMessageFromTarget', onMessage);
            resolveSend(m.result);
          };
          b.on('Target.receivedMessageFromTarget', onMessage);
          void b.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params: {} }) });
        });
      await send('HeapProfiler.collectGarbage');
      workers += size(await send('Runtime.getHeapUsage'));
      await b.send('Target.detachFromTarget', { sessionId });
    }
  } finally {
    await b.detach();
  }
  return { page: pageBytes, workers, total: pageBytes + workers };
}

export const median = (/** @type {number[]} */ xs) => /** @type {number} */ ([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
export const mib = (/** @type {number} */ n) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/**
 * One target line: PASS/FAIL by the median, and how many of the runs were within it.
 * @param {string} what @param {number[]} values @param {number} limit @param {(v: number) => string} show @param {string} baseline
 */
export function verdict(what, values, limit, show, baseline) {
  const within = values.filter((v) => v <= limit).length;
  const m = median(values);
  return `${m <= limit ? 'PASS' : 'FAIL'}  ${what}: ${show(m)} (target ≤ ${show(limit)}; ${baseline}; ${within} of ${values.length} runs within)`;
}
