/**
 * What the bench-ui scripts share: web mode from the built CLI, Chromium as a user has it (no
 * DevTools domain watching the page while it is measured: see {@link launchChromium}), the
 * main-thread long-task probe and the page's JS heap (page and its workers, ArrayBuffers included).
 * Loopback only; every wait has a limit.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve, join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { WebSocket } from 'ws';
import { findChromium } from './find-chromium.js';
import { USER_ENV } from './user-env.js';

export const ROOT = resolve(import.meta.dirname, '..');
/** The CLI under test; BENCH_BIN runs another build (an A/B comparison against a copy of an older tree). */
export const BIN = process.env.BENCH_BIN ?? join(ROOT, 'bin', 'socket-tester.js');

/** Target for the longest main-thread task, ms. */
export const LONG_TASK_TARGET_MS = 50;
/** The page's JS heap at most this many times the response size. */
export const HEAP_TARGET_RATIO = 1.5;
/** Every byte in the view within this many times the CLI's time. */
export const VIEW_TARGET_RATIO = 3;

/** A user's machine's environment for our child processes (user-env.js). */
export { USER_ENV };

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

/**
 * Why the bench starts Chromium itself and lets Playwright go before it measures: Playwright
 * switches DevTools' Network domain on for every page and worker it attaches to, and Chromium then
 * reports every chunk of every response and every WebSocket frame to it (a WebSocket frame's
 * payload in base64). Measured here: a worker's fetch() of 100 MiB from a loopback server took
 * 670–900 ms with Playwright attached and 214–232 ms with only a bare DevTools session (no domain
 * enabled), which is what a user's browser has (none). So Playwright drives the setup (it waits for
 * elements properly), then disconnects, and the measured part runs with one bare DevTools session
 * ({@link UserPage}) that only evaluates expressions: no domain is enabled.
 *
 * @typedef {{ endpoint: string, close: () => Promise<void> }} Chromium
 */

/** @returns {Promise<Chromium>} */
export async function launchChromium() {
  const exe = findChromium();
  if (!exe) throw new Error('no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');
  const profile = mkdtempSync(join(tmpdir(), 'st-bench-chromium-'));
  const child = spawn(
    exe,
    [
      '--headless=new',
      '--remote-debugging-port=0',
      '--remote-debugging-address=127.0.0.1',
      `--user-data-dir=${profile}`,
      // The viewport Playwright would emulate: emulation ends when it disconnects, the window stays.
      '--window-size=1400,900',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const rl = createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stderr) });
  const endpoint = await new Promise((resolveEndpoint, reject) => {
    const timer = setTimeout(() => reject(new Error('Chromium did not open its DevTools endpoint')), 20_000);
    child.once('exit', (code) => reject(new Error(`Chromium exited (${code}) before it opened its DevTools endpoint`)));
    rl.on('line', (line) => {
      const m = /^DevTools listening on (ws:\/\/\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolveEndpoint(/** @type {string} */ (m[1]));
      }
    });
  });
  return {
    endpoint: /** @type {string} */ (endpoint),
    close: async () => {
      rl.close();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      // Chromium's helper processes may still be writing their last files: retry, and never fail the bench over a temp dir.
      try {
        rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      } catch {
        // left in the temp dir
      }
    },
  };
}

/**
 * Opens `url` in a new tab, runs `setup` with Playwright, then lets Playwright go (its sessions
 * end, and with them the Network domain) and returns the tab as a {@link UserPage}.
 * @template T
 * @param {Chromium} chrome @param {string} url
 * @param {(page: import('playwright-core').Page) => Promise<T>} setup after the page loaded
 * @returns {Promise<{ user: UserPage, value: T }>}
 */
export async function openUserPage(chrome, url, setup) {
  const browser = await chromium.connectOverCDP(chrome.endpoint);
  let targetId;
  let value;
  try {
    const context = browser.contexts()[0];
    if (!context) throw new Error('Chromium has no default browser context');
    // A tab in the default context: Playwright leaves it open when it disconnects.
    const page = await context.newPage();
    await installLongTaskProbe(page);
    await page.goto(url);
    value = await setup(page);
    const cdp = await context.newCDPSession(page);
    targetId = /** @type {{ targetInfo: { targetId: string } }} */ (await cdp.send('Target.getTargetInfo')).targetInfo.targetId;
    await cdp.detach();
  } finally {
    await browser.close();
  }
  return { user: await UserPage.attach(chrome.endpoint, targetId), value };
}

/** Installs the long-task recorder before the page's own scripts run. @param {import('playwright-core').Page} page */
async function installLongTaskProbe(page) {
  await page.addInitScript(() => {
    /** @type {number[]} */
    const tasks = [];
    Object.assign(window, { __longTasks: tasks });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) tasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
}

/**
 * A tab seen through one bare DevTools session: it evaluates expressions and reads heap figures,
 * and enables no domain, so Chromium reports nothing of the tab's traffic to anyone.
 */
export class UserPage {
  /** @type {import('ws').WebSocket} */ #ws;
  /** @type {string} */ #session;
  #next = 1;
  /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>} */ #waiting = new Map();

  /** @param {import('ws').WebSocket} ws @param {string} session */
  constructor(ws, session) {
    this.#ws = ws;
    this.#session = session;
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      const w = typeof m.id === 'number' ? this.#waiting.get(m.id) : undefined;
      if (!w) return;
      this.#waiting.delete(m.id);
      if (m.error) w.reject(new Error(`DevTools: ${m.error.message}`));
      else w.resolve(m.result);
    });
    ws.on('close', () => {
      for (const w of this.#waiting.values()) w.reject(new Error('the DevTools connection closed'));
      this.#waiting.clear();
    });
  }

  /** @param {string} endpoint @param {string} targetId @returns {Promise<UserPage>} */
  static async attach(endpoint, targetId) {
    const ws = new WebSocket(endpoint, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    await new Promise((r, reject) => {
      ws.once('open', r);
      ws.once('error', reject);
    });
    const page = new UserPage(ws, '');
    const { sessionId } = await page.send('Target.attachToTarget', { targetId, flatten: true }, null);
    page.#session = sessionId;
    return page;
  }

  /**
   * One DevTools command (on the tab's session unless `session` is given; null: the browser's).
   * @param {string} method @param {object} [params] @param {string | null} [session] @returns {Promise<any>}
   */
  send(method, params = {}, session = this.#session) {
    return new Promise((resolveSend, reject) => {
      const id = this.#next++;
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`DevTools: ${method} got no answer`));
      }, 120_000);
      this.#waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolveSend(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.#ws.send(JSON.stringify({ id, method, params, ...(session ? { sessionId: session } : {}) }));
    });
  }

  /**
   * Runs `fn(arg)` in the page and returns its (JSON) value, awaiting a promise.
   * @template A, R @param {(arg: A) => R} fn @param {A} [arg] @returns {Promise<Awaited<R>>}
   */
  async evaluate(fn, arg) {
    const r = await this.send('Runtime.evaluate', { expression: `(${fn.toString()})(${JSON.stringify(arg ?? null)})`, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value;
  }

  /**
   * Waits until `fn(arg)` is truthy in the page, polling there every 20 ms (one round trip).
   * @template A @param {(arg: A) => unknown} fn @param {A} arg @param {number} timeoutMs @param {string} what
   */
  async waitFor(fn, arg, timeoutMs, what) {
    const ok = await this.evaluate(
      /** @param {{ src: string, arg: unknown, timeoutMs: number }} a */
      (a) =>
        new Promise((resolveWait) => {
          const test = new Function(`return (${a.src})(${JSON.stringify(a.arg)})`);
          const end = Date.now() + a.timeoutMs;
          const poll = () => {
            if (test()) resolveWait(true);
            else if (Date.now() > end) resolveWait(false);
            else setTimeout(poll, 20);
          };
          poll();
        }),
      { src: fn.toString(), arg, timeoutMs },
    );
    if (!ok) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }

  /** Clicks the first button whose text is exactly `name` (as a user's click: one 'click' event). @param {string} name */
  clickButton(name) {
    return this.evaluate((n) => {
      const b = [...document.querySelectorAll('button')].find((x) => x.textContent?.trim() === n);
      if (!b) throw new Error(`no button "${n}"`);
      b.click();
    }, name);
  }

  /** @param {number} ms */
  sleep(ms) {
    return new Promise((r) => setTimeout(r, ms));
  }

  /** Forgets the long tasks recorded so far. */
  resetLongTasks() {
    return this.evaluate(() => void (/** @type {{ __longTasks: number[] }} */ (/** @type {unknown} */ (window)).__longTasks.length = 0));
  }

  /** @returns {Promise<number[]>} the durations of the long tasks since the last reset */
  readLongTasks() {
    return this.evaluate(() => [.../** @type {{ __longTasks: number[] }} */ (/** @type {unknown} */ (window)).__longTasks]);
  }

  /**
   * The JS heap of the page and of every worker it runs, after a garbage collection: V8's used heap
   * plus ArrayBuffer backing stores (Runtime.getHeapUsage `backingStorageSize`: the received bytes
   * live there). Call with only this page open.
   * @returns {Promise<{ page: number, workers: number, total: number }>}
   */
  async heap() {
    /** @param {{ usedSize: number, backingStorageSize?: number }} u */
    const size = (u) => u.usedSize + (u.backingStorageSize ?? 0);
    await this.send('HeapProfiler.collectGarbage');
    const page = size(await this.send('Runtime.getHeapUsage'));
    let workers = 0;
    const { targetInfos } = await this.send('Target.getTargets', {}, null);
    for (const t of /** @type {Array<{ type: string, targetId: string }>} */ (targetInfos).filter((x) => x.type === 'worker')) {
      const { sessionId } = await this.send('Target.attachToTarget', { targetId: t.targetId, flatten: true }, null);
      await this.send('HeapProfiler.collectGarbage', {}, sessionId);
      workers += size(await this.send('Runtime.getHeapUsage', {}, sessionId));
      await this.send('Target.detachFromTarget', { sessionId }, null);
    }
    return { page, workers, total: page + workers };
  }

  /** Closes the tab and the DevTools connection. */
  async close() {
    try {
      const { targetInfo } = await this.send('Target.getTargetInfo');
      await this.send('Target.closeTarget', { targetId: targetInfo.targetId }, null);
    } finally {
      this.#ws.close();
    }
  }
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
