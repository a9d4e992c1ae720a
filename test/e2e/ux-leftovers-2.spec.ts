/**
 * More rough edges found by trying the app as a new user in Chromium: a listener's view mode kept
 * from one client to the next, a TLS client's panel while its details are on their way, a reset
 * that comes with the peer's last bytes, and squeezed session tabs that still tell two sessions to
 * the same host apart. Real web mode, real loopback clients.
 */
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import type { Page, WebSocketRoute } from '@playwright/test';
import { expect, startSession, startWebMode, tcpServer, test } from './web-mode.ts';

async function startListener(page: Page, transport: 'TCP' | 'TLS' | 'UDP'): Promise<number> {
  await page.getByRole('button', { name: 'New listener' }).click();
  const bar = page.getByRole('form', { name: 'Listener' });
  await bar.getByRole('radio', { name: transport }).click();
  await bar.getByRole('button', { name: 'Start' }).click();
  await expect(bar.getByRole('status')).toContainText('Listening');
  return Number((await page.getByTestId('bound-port').textContent())!.split(':').pop());
}

/** The JSON header of a web-mode frame (shared/wire.ts: 4-byte length, header, binary tail). */
function header(frame: Buffer): { t?: string; n?: number; channel?: string } {
  const length = frame.readUInt32BE(0);
  return JSON.parse(frame.subarray(4, 4 + length).toString('utf8')) as { t?: string; n?: number; channel?: string };
}

test('a listener keeps the view picked for one client when another is selected (per listener, not global)', async ({ page, web, errors }) => {
  const sockets: net.Socket[] = [];
  try {
    await page.goto(web.url);
    const port = await startListener(page, 'TCP');
    for (const line of ['first client\r\n', 'second client\r\n']) {
      const c = net.connect(port, '127.0.0.1', () => c.write(line));
      c.on('error', () => undefined);
      sockets.push(c);
    }
    const clients = page.getByRole('listbox', { name: 'Clients' });
    await expect(clients.getByRole('option')).toHaveCount(2);
    const response = page.getByRole('region', { name: 'Response', exact: true });
    const viewTab = (name: string) => response.getByRole('tab', { name, exact: true });

    await clients.getByRole('option').first().click();
    await expect(viewTab('Text')).toHaveAttribute('aria-selected', 'true');
    await viewTab('Hex').click();
    await expect(response).toContainText('66 69 72 73 74');
    // The next client opens in Hex, showing its own bytes.
    await clients.getByRole('option').nth(1).click();
    await expect(viewTab('Hex')).toHaveAttribute('aria-selected', 'true');
    await expect(response).toContainText('73 65 63 6f 6e 64');
    await viewTab('Transcript').click();
    await clients.getByRole('option').first().click();
    await expect(viewTab('Transcript')).toHaveAttribute('aria-selected', 'true');
    await expect(response).toContainText('← recv');

    // Another listener starts on Text: the choice belongs to the listener it was made in.
    const other = await startListener(page, 'TCP');
    const c = net.connect(other, '127.0.0.1', () => c.write('third\r\n'));
    c.on('error', () => undefined);
    sockets.push(c);
    await expect(clients.getByRole('option')).toHaveCount(1);
    await clients.getByRole('option').first().click();
    await expect(viewTab('Text')).toHaveAttribute('aria-selected', 'true');
    await expect(response).toContainText('third');
    // …and the first listener still has its own.
    await page.getByRole('tablist', { name: 'Sessions' }).getByRole('tab').nth(1).click();
    await clients.getByRole('option').nth(1).click();
    await expect(viewTab('Transcript')).toHaveAttribute('aria-selected', 'true');
  } finally {
    for (const s of sockets) s.destroy();
  }
  expect(errors).toEqual([]);
});

test("a UDP listener keeps the peer list's Hex preview from one peer to the next", async ({ page, web, errors }) => {
  const peers = [dgram.createSocket('udp4'), dgram.createSocket('udp4')];
  try {
    for (const p of peers) await new Promise<void>((r) => p.bind(0, '127.0.0.1', () => r()));
    await page.goto(web.url);
    const port = await startListener(page, 'UDP');
    peers[0]!.send('AB', port, '127.0.0.1');
    peers[1]!.send('CD', port, '127.0.0.1');
    const clients = page.getByRole('listbox', { name: 'Clients' });
    await expect(clients.getByRole('option')).toHaveCount(2);
    await clients.getByRole('option').first().click();
    await page.getByRole('radio', { name: 'Hex preview', exact: true }).click();
    const list = page.getByRole('region', { name: 'Datagrams' });
    await expect(list.locator('button.row[data-index]').first()).toContainText('41 42');
    await clients.getByRole('option').nth(1).click();
    await expect(list.locator('button.row[data-index]').first()).toContainText('43 44');
  } finally {
    for (const p of peers) p.close();
  }
  expect(errors).toEqual([]);
});

test("a TLS client's panel says it is reading while listener:watch has not answered, never \"could not be read\"", async ({ page, web, errors }) => {
  // Hold main's answer to listener:watch until the test has looked at the panel.
  const held: Array<() => void> = [];
  let hold = false;
  await page.routeWebSocket(/\/ws/, (ws: WebSocketRoute) => {
    const server = ws.connectToServer();
    const watchCalls = new Set<number>();
    ws.onMessage((m) => {
      if (typeof m !== 'string') {
        const h = header(m);
        if (h.t === 'call' && h.channel === 'listener:watch' && typeof h.n === 'number') watchCalls.add(h.n);
      }
      server.send(m);
    });
    server.onMessage((m) => {
      if (typeof m !== 'string' && hold) {
        const h = header(m);
        if (h.t === 'result' && typeof h.n === 'number' && watchCalls.has(h.n)) {
          held.push(() => ws.send(m));
          return;
        }
      }
      ws.send(m);
    });
  });
  const sockets: tls.TLSSocket[] = [];
  try {
    // Web mode's bridge lives in a worker; Playwright routes only the page's own WebSockets.
    await page.goto(web.url.replace('/#', '/?bridge=page#'));
    const port = await startListener(page, 'TLS');
    for (let i = 0; i < 2; i++) {
      const c = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
      c.on('error', () => undefined);
      sockets.push(c);
      await new Promise((r) => c.once('secureConnect', r));
    }
    const clients = page.getByRole('listbox', { name: 'Clients' });
    await expect(clients.getByRole('option')).toHaveCount(2);
    const response = page.getByRole('region', { name: 'Response', exact: true });
    await clients.getByRole('option').first().click();
    await response.getByRole('tab', { name: 'TLS', exact: true }).click();
    await expect(response.getByTestId('tls-verdict')).toContainText('Accepted over TLS');

    hold = true;
    await clients.getByRole('option').nth(1).click();
    await expect.poll(() => held.length).toBe(1);
    // (The view stays on TLS: the first test checks that; a click here keeps this test on its own point.)
    await response.getByRole('tab', { name: 'TLS', exact: true }).click();
    await expect(response).not.toContainText('could not be read');
    await expect(response.getByTestId('tls-reading')).toHaveText("Reading this client's TLS handshake…");
    await page.screenshot({ path: 'test-results/screenshots/tls-reading.png' });
    hold = false;
    for (const release of held.splice(0)) release();
    await expect(response.getByTestId('tls-verdict')).toContainText('Accepted over TLS');
    await expect(response.getByTestId('tls-reading')).toBeHidden();
  } finally {
    for (const s of sockets) s.destroy();
  }
  expect(errors).toEqual([]);
});

/** The process state letter from /proc (T: stopped). */
function stoppedState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

test('a reset that comes with the last bytes is shown as a reset, the bytes kept', async ({ page }) => {
  // A web mode of this test's own, so it can be stopped (SIGSTOP) while the peer writes and
  // resets: bytes and RST then wait together in its receive queue, as on a loaded machine
  // (session.spec.ts "data then reset" once showed "Closed by peer" that way).
  const dir = mkdtempSync(join(tmpdir(), 'st-ux2-'));
  const { web, child } = await startWebMode(join(dir, 'profiles.json'));
  let peer: net.Socket | null = null;
  const server = await tcpServer((s) => {
    peer = s;
  });
  try {
    const u = await startSession(page, web, server.port);
    await expect(u.status).toContainText('Connected');
    child.kill('SIGSTOP');
    try {
      // The signal takes effect when the kernel next schedules the process: wait until it has.
      await expect.poll(() => stoppedState(child.pid!), { timeout: 5_000 }).toBe('T');
      const p = peer as net.Socket | null;
      p?.write('twelve bytes');
      // Loopback delivers at once; a short wait lets both segments land before the app runs again.
      await new Promise((r) => setTimeout(r, 50));
      p?.resetAndDestroy();
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      child.kill('SIGCONT');
    }
    await expect(u.status).toContainText('Error:');
    await expect(u.status).toContainText(/reset/i);
    await expect(u.bytesReceived).toHaveText('12');
    await expect(u.response).toContainText('twelve bytes');
  } finally {
    await server.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const [width, count] of [[800, 6], [1280, 15]] as const) {
  test(`squeezed session tabs at ${width} px with ${count} tabs still show each one's port, whole`, async ({ browser, web }) => {
    const context = await browser.newContext({ viewport: { width, height: 600 } });
    const page = await context.newPage();
    try {
      await page.goto(web.url);
      for (let i = 0; i < count; i++) {
        if (i > 0) await page.getByRole('button', { name: 'New tab' }).click();
        await page.getByLabel('Host', { exact: true }).fill(i % 2 ? '192.168.1.10' : '127.0.0.1');
        await page.getByLabel('Port', { exact: true }).fill(String(8080 + i));
      }
      const tabs = page.getByRole('tablist', { name: 'Sessions' }).getByRole('tab');
      await expect(tabs).toHaveCount(count);
      // Squeezed to the stub the strip allows, and scrolling: the case this is about.
      await expect(page.getByRole('button', { name: 'Scroll tabs left' })).toBeVisible();
      for (let i = 0; i < count; i++) {
        const host = i % 2 ? '192.168.1.10' : '127.0.0.1';
        const tab = tabs.nth(i);
        await tab.click();
        // The whole title stays the tab's name and its tooltip.
        await expect(tab).toHaveAccessibleName(`${host}:${8080 + i}`);
        await expect(tab).toHaveAttribute('title', new RegExp(`^${host.replace(/\./g, '\\.')}:${8080 + i} — `));
        // The port's characters are drawn inside the box that clips the label, not cut off by it.
        const visible = await tab.evaluate((el, port) => {
          const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const parent = node.parentElement!;
            if (parent.closest('.sr-only') || parent.getClientRects().length === 0) continue;
            const at = node.textContent!.indexOf(port);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + port.length);
            const r = range.getBoundingClientRect();
            let clip: Element | null = parent;
            while (clip && clip !== el && getComputedStyle(clip).overflowX === 'visible') clip = clip.parentElement;
            const box = (clip ?? el).getBoundingClientRect();
            return r.width > 0 && r.left >= box.left - 0.5 && r.right <= box.right + 0.5;
          }
          return false;
        }, `:${8080 + i}`);
        expect(visible, `tab ${i}: ":${8080 + i}" wholly drawn`).toBe(true);
      }
      await page.screenshot({ path: `test-results/screenshots/tabs-squeezed-${width}.png` });
    } finally {
      await context.close();
    }
  });
}
