/**
 * Rough edges found by trying the app as a new user in Chromium: the tab strip at 800 px with
 * several tabs, a listener's TLS view for an accepted TLS client, and a UDP listener's peer
 * conversation. Real web mode, real loopback clients.
 */
import dgram from 'node:dgram';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { expect, test, watchConsole } from './web-mode.ts';

const sessionTabs = (page: Page): Locator => page.getByRole('tablist', { name: 'Sessions' }).getByRole('tab');

/** The tab (with its close button) lies wholly inside the strip's visible box, right of the title. */
async function whollyInStrip(page: Page, tab: Locator): Promise<void> {
  await expect(tab).toHaveAttribute('aria-selected', 'true');
  await expect
    .poll(async () =>
      tab.evaluate((el) => {
        const scroller = el.closest('[role="tablist"]')!.parentElement!.getBoundingClientRect();
        const title = document.querySelector('h1')!.getBoundingClientRect();
        const close = document.querySelector(`[data-close-key="${(el as HTMLElement).dataset['tabKey']}"]`)!.getBoundingClientRect();
        const box = el.getBoundingClientRect();
        return box.left >= scroller.left - 0.5 && close.right <= scroller.right + 0.5 && scroller.left >= title.right;
      }),
    )
    .toBe(true);
}

for (const width of [800, 1024]) {
  test(`tab strip at ${width} px: no page scroll, the selected tab always wholly visible, scroll buttons and keys reach every tab`, async ({ browser, web }) => {
    const context = await browser.newContext({ viewport: { width, height: 600 } });
    const page = await context.newPage();
    const errors = watchConsole(page);
    try {
      await page.goto(web.url);
      await page.getByRole('button', { name: 'New tab' }).click();
      await page.getByRole('button', { name: 'New listener' }).click();
      await page.getByRole('button', { name: 'New tab' }).click();
      await page.getByRole('button', { name: '+ Conversation' }).click();
      await expect(sessionTabs(page)).toHaveCount(5);
      // A created tab is selected and wholly in view.
      await whollyInStrip(page, sessionTabs(page).last());
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);

      // The strip overflows: its scroll buttons show; at the end, only "left" can move.
      const left = page.getByRole('button', { name: 'Scroll tabs left' });
      const right = page.getByRole('button', { name: 'Scroll tabs right' });
      await expect(left).toBeVisible();
      await expect(left).toBeEnabled();
      await expect(right).toBeDisabled();
      expect(await axe(page), 'an overflowing strip').toEqual([]);

      // The roving tablist: Home, ArrowRight and End select and reveal each tab.
      await sessionTabs(page).last().focus();
      await page.keyboard.press('Home');
      await whollyInStrip(page, sessionTabs(page).first());
      await expect(left).toBeDisabled();
      await expect(sessionTabs(page).first()).toBeFocused();
      for (let i = 1; i < 5; i++) {
        await page.keyboard.press('ArrowRight');
        await whollyInStrip(page, sessionTabs(page).nth(i));
        await expect(sessionTabs(page).nth(i)).toBeFocused();
      }
      await page.keyboard.press('Home');
      await page.keyboard.press('End');
      await whollyInStrip(page, sessionTabs(page).last());

      // Ctrl+1 from elsewhere, then the right button scrolls the hidden tabs back into sight.
      await page.keyboard.press('Control+1');
      await whollyInStrip(page, sessionTabs(page).first());
      await expect(right).toBeEnabled();
      await right.click();
      await expect(left).toBeEnabled();
      // A wheel turned over the strip scrolls it sideways.
      await page.getByRole('tablist', { name: 'Sessions' }).hover();
      const before = await left.evaluate((b) => b.nextElementSibling!.scrollLeft);
      await page.mouse.wheel(0, -400);
      await expect.poll(() => left.evaluate((b) => b.nextElementSibling!.scrollLeft)).toBeLessThan(before);

      // Closing tabs until they fit: the buttons go.
      while ((await sessionTabs(page).count()) > 1) await page.keyboard.press('Alt+w');
      await expect(left).toBeHidden();
      await expect(right).toBeHidden();
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
}

async function axe(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze();
  return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function startListener(page: Page, transport: 'TCP' | 'TLS' | 'UDP', askCert = false): Promise<number> {
  await page.getByRole('button', { name: 'New listener' }).click();
  const bar = page.getByRole('form', { name: 'Listener' });
  await bar.getByRole('radio', { name: transport }).click();
  if (askCert) await bar.getByLabel('Ask clients for a certificate (shown, not verified)').check();
  await bar.getByRole('button', { name: 'Start' }).click();
  await expect(bar.getByRole('status')).toContainText('Listening');
  return Number((await page.getByTestId('bound-port').textContent())!.split(':').pop());
}

test('a listener client\'s TLS view: the handshake, the client certificate or a line saying none, and "not TLS" for TCP', async ({ page, web, errors }) => {
  // A client certificate made by openssl, as a user would.
  const dir = mkdtempSync(join(tmpdir(), 'st-ux-cert-'));
  const sockets: net.Socket[] = [];
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'c.key'), '-out', join(dir, 'c.pem'), '-days', '2', '-subj', '/CN=ux-client <b>x'], { stdio: 'ignore' });
    await page.goto(web.url);
    const port = await startListener(page, 'TLS', true);
    const withCert = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost', cert: readFileSync(join(dir, 'c.pem')), key: readFileSync(join(dir, 'c.key')) });
    withCert.on('error', () => undefined);
    sockets.push(withCert);
    await new Promise((r) => withCert.once('secureConnect', r));
    const without = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    without.on('error', () => undefined);
    sockets.push(without);
    await new Promise((r) => without.once('secureConnect', r));

    const clients = page.getByRole('listbox', { name: 'Clients' });
    await expect(clients.getByRole('option')).toHaveCount(2);
    await clients.getByRole('option').first().click();
    await page.getByRole('tab', { name: 'TLS', exact: true }).click();
    const response = page.getByRole('region', { name: 'Response', exact: true });
    await expect(response.getByTestId('tls-verdict')).toContainText(`Accepted over TLS (${withCert.getProtocol()})`);
    await expect(response).toContainText('TLS_');
    await expect(response).toContainText('localhost');
    await expect(response.getByTestId('tls-client-cert')).toContainText('presented');
    // Node prints the name RFC 4514-escaped (\<b\>); what matters is that it stays text.
    await expect(response).toContainText('CN=ux-client');
    await expect(response.locator('b')).toHaveCount(0);
    await expect(response.getByRole('button', { name: 'Export chain (PEM)' })).toBeEnabled();
    expect(await axe(page), 'the accepted TLS view').toEqual([]);

    await clients.getByRole('option').nth(1).click();
    await page.getByRole('tab', { name: 'TLS', exact: true }).click();
    await expect(response.getByTestId('tls-client-cert')).toHaveText('none: the client presented no certificate');
    await expect(response).not.toContainText('CN=ux-client');

    // A client that speaks no TLS: its failed handshake is said where the conversation would be.
    const notTls = net.connect(port, '127.0.0.1', () => notTls.write('GET / HTTP/1.0\r\n\r\n'));
    notTls.on('error', () => undefined);
    sockets.push(notTls);
    await expect(clients.getByRole('option')).toHaveCount(3);
    await clients.getByRole('option').nth(2).click();
    await expect(page.getByTestId('client-error')).toContainText('did not speak TLS');
    await expect(response).toBeHidden();

    const plainPort = await startListener(page, 'TCP');
    const plain = net.connect(plainPort, '127.0.0.1');
    plain.on('error', () => undefined);
    sockets.push(plain);
    await clients.getByRole('option').first().click();
    await page.getByRole('tab', { name: 'TLS', exact: true }).click();
    await expect(response.getByTestId('tls-not-tls')).toContainText('Not TLS: this client connected over plain TCP');
    expect(errors).toEqual([]);
  } finally {
    for (const s of sockets) s.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a UDP listener\'s peer: selecting it lists its datagrams both ways with sizes and times, and new ones follow', async ({ page, web, errors }) => {
  const peer = dgram.createSocket('udp4');
  const other = dgram.createSocket('udp4');
  try {
    await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
    await new Promise<void>((r) => other.bind(0, '127.0.0.1', () => r()));
    const got: string[] = [];
    peer.on('message', (m) => got.push(m.toString('latin1')));
    await page.goto(web.url);
    const port = await startListener(page, 'UDP');
    // The default rule answers PING with +PONG: one datagram each way before anything is selected.
    peer.send('PING\r\n', port, '127.0.0.1');
    await expect.poll(() => got).toEqual(['+PONG\r\n']);
    other.send('from the other peer', port, '127.0.0.1');
    const clients = page.getByRole('listbox', { name: 'Clients' });
    await expect(clients.getByRole('option')).toHaveCount(2);

    await clients.getByRole('option').first().click();
    const list = page.getByRole('region', { name: 'Datagrams' });
    const rows = list.locator('button.row[data-index]');
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(0)).toHaveAttribute('data-direction', 'received');
    await expect(rows.nth(0)).toContainText('6 B');
    await expect(rows.nth(0)).toContainText('PING');
    await expect(rows.nth(0)).toContainText(/\d\d:\d\d:\d\d/);
    await expect(rows.nth(1)).toHaveAttribute('data-direction', 'sent');
    await expect(rows.nth(1)).toContainText('+PONG');
    await expect(list).not.toContainText('from the other peer');

    // Live: a datagram from the peer and one sent to it from the send box.
    peer.send('later one', port, '127.0.0.1');
    await expect(rows).toHaveCount(3);
    await expect(rows.nth(2)).toContainText('later one');
    await page.getByRole('textbox', { name: 'Bytes to send to clients' }).fill('just for you');
    await page.getByRole('button', { name: 'Send to selected' }).click();
    await expect(rows).toHaveCount(4);
    await expect(rows.nth(3)).toHaveAttribute('data-direction', 'sent');
    await expect(list.getByTestId('dg-received')).toHaveText('2');
    await expect(list.getByTestId('dg-sent')).toHaveText('2');
    // A row opens whole in the Text view.
    await rows.nth(2).click();
    await expect(page.getByLabel('Selected datagram')).toContainText('later one');
    expect(await axe(page), 'a UDP peer\'s datagrams').toEqual([]);

    // The other peer lists only its own.
    await clients.getByRole('option').nth(1).click();
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText('from the other peer');
    expect(errors).toEqual([]);
  } finally {
    peer.close();
    other.close();
  }
});
