/**
 * Playwright fixtures: the built CLI's web mode (one per worker, with its own temporary profile
 * file), opened in Chromium, plus real TCP servers on loopback for the app to talk to. The real
 * binary and real sockets, not stand-ins, so the path users run is the one tested.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface WebMode {
  /** The printed address: the origin with the token in the fragment, `http://127.0.0.1:PORT/#token=…`. */
  url: string;
  origin: string;
  token: string;
  profilesPath: string;
}

export async function startWebMode(profilesPath: string): Promise<{ web: WebMode; child: ChildProcess }> {
  const child = spawn(process.execPath, ['bin/socket-tester.js', 'web', '--port', '0', '--profiles', profilesPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('web mode did not start within 10 s')), 10_000);
    child.once('exit', (code) => reject(new Error(`web mode exited early with ${code}`)));
    rl.on('line', (line) => {
      const m = /^Socket Tester web UI: (\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  const parsed = new URL(url);
  const token = new URLSearchParams(parsed.hash.slice(1)).get('token');
  if (!token) throw new Error(`web mode printed an address without #token=…: ${url}`);
  return { web: { url, origin: parsed.origin, token, profilesPath }, child };
}

/** A TCP server on 127.0.0.1, port 0, with a per-connection behaviour. */
export interface TestServer {
  port: number;
  connections: number;
  close(): Promise<void>;
}

export async function tcpServer(onConnection: (socket: Socket) => void, opts: { allowHalfOpen?: boolean } = {}): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const server: Server = createServer({ allowHalfOpen: opts.allowHalfOpen ?? true }, (s) => {
    state.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onConnection(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Fails the test on any console error or uncaught page error. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    // "Leave site?" before a navigation from a tab with edits: the page fixture accepts it.
    if (d.type() === 'beforeunload') return;
    errors.push(`unexpected dialog: ${d.message()}`);
    void d.dismiss();
  });
  return errors;
}

export const test = base.extend<{ errors: string[] }, { web: WebMode }>({
  web: [
    async ({}, use) => {
      const dir = mkdtempSync(join(tmpdir(), 'st-e2e-'));
      const { web, child } = await startWebMode(join(dir, 'profiles.json'));
      await use(web);
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  // The app asks before a reload loses tabs with edits (renderer/main.ts); tests that navigate
  // again mean to, so the question is answered "leave".
  page: async ({ page }, use) => {
    page.on('dialog', (d) => {
      if (d.type() === 'beforeunload') void d.accept();
    });
    await use(page);
  },
  errors: async ({ page }, use) => {
    const errors = watchConsole(page);
    await use(errors);
    expect(errors, 'console errors, page errors or dialogs').toEqual([]);
  },
});

export { expect };

/** The app's own controls, by the accessible names users and screen readers rely on. */
export function ui(page: Page) {
  return {
    host: page.getByLabel('Host', { exact: true }),
    port: page.getByLabel('Port', { exact: true }),
    connect: page.getByRole('button', { name: 'Connect', exact: true }),
    disconnect: page.getByRole('button', { name: 'Disconnect', exact: true }),
    send: page.getByRole('button', { name: 'Send', exact: true }),
    payload: page.getByRole('textbox', { name: 'Payload' }),
    status: page.getByRole('status'),
    bytesSent: page.getByLabel('Bytes sent', { exact: true }),
    bytesReceived: page.getByLabel('Bytes received', { exact: true }),
    response: page.getByRole('region', { name: 'Response', exact: true }),
    mode: (name: 'Text' | 'Hex' | 'Escapes') => page.getByRole('radio', { name, exact: true }),
    view: (name: 'Text' | 'Hex' | 'Transcript') => page.getByRole('tab', { name, exact: true }),
    closeAfterSend: page.getByLabel('Close my side after sending'),
  };
}

/** Opens the app, fills the endpoint and connects; waits for "Connected". */
export async function connectTo(page: Page, web: WebMode, port: number, host = '127.0.0.1'): Promise<ReturnType<typeof ui>> {
  const u = ui(page);
  if (page.url() === 'about:blank') await page.goto(web.url);
  await u.host.fill(host);
  await u.port.fill(String(port));
  await u.connect.click();
  await expect(u.status).toContainText('Connected');
  return u;
}

/**
 * Opens the app, lets `before` set options, fills the endpoint and clicks Connect. Does not wait
 * for "Connected": some sessions end before that can be seen.
 */
export async function startSession(
  page: Page,
  web: WebMode,
  port: number,
  before?: (u: ReturnType<typeof ui>) => Promise<void>,
): Promise<ReturnType<typeof ui>> {
  const u = ui(page);
  await page.goto(web.url);
  if (before) await before(u);
  await u.host.fill('127.0.0.1');
  await u.port.fill(String(port));
  await u.connect.click();
  return u;
}

/** Sets a connection option through the Options panel. */
export async function setOption(page: Page, label: string, value: string): Promise<void> {
  const toggle = page.getByRole('button', { name: 'Options' });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  const field = page.getByLabel(label);
  await field.fill(value);
  await field.blur();
}

export function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: `test-results/screenshots/${name}.png` });
}
