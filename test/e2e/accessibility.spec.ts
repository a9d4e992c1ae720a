/**
 * axe-core on every main state of the app, in the light and the dark theme (the app follows the
 * system's colour scheme, so the theme is chosen by emulating prefers-color-scheme): WCAG 2.x A/AA
 * (2.0, 2.1, 2.2) and axe's best practices, zero violations. Real web mode, real loopback peers
 * (TCP, TLS with a self-signed certificate, UDP). Each state is audited where a user would see it;
 * the per-state counts are written to test-results/axe/ so a regression names its state.
 */
import AxeBuilder from '@axe-core/playwright';
import dgram from 'node:dgram';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import type { Page } from '@playwright/test';
import { expect, tcpServer, test, ui } from './web-mode.ts';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

interface Finding {
  id: string;
  impact: string | null | undefined;
  nodes: string[];
}

/** Runs axe on the page as it is and records the violations under `state`. */
async function audit(page: Page, results: Map<string, Finding[]>, state: string): Promise<void> {
  // Let transitions and the live duration settle so colours are the final ones.
  await page.waitForTimeout(50);
  const r = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  results.set(
    state,
    r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`) })),
  );
}

function report(results: Map<string, Finding[]>, name: string): void {
  mkdirSync('test-results/axe', { recursive: true });
  const counts = Object.fromEntries([...results].map(([state, f]) => [state, f.reduce((n, v) => n + v.nodes.length, 0)]));
  writeFileSync(`test-results/axe/${name}.json`, JSON.stringify({ counts, findings: Object.fromEntries(results) }, null, 2));
  const failing = Object.fromEntries([...results].filter(([, f]) => f.length > 0));
  expect(failing, `axe violations per state (counts: ${JSON.stringify(counts)})`).toEqual({});
}

/** A peer that sends a mixed text/binary reply once our FIN arrives, then closes. */
function replyOnFin() {
  return tcpServer((s) => {
    s.on('data', () => undefined);
    s.on('end', () => s.end(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\nServer: test\r\n\r\nhello\x00\x01\x02\xff'), Buffer.alloc(40, 0x41)])));
  });
}

async function saveAs(page: Page, name: string, folder: string): Promise<void> {
  await page.getByRole('button', { name: 'Save as…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save profile as' });
  await dialog.getByLabel('Name').fill(name);
  if (folder) await dialog.getByLabel('Folder (optional)').fill(folder);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
}

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    test.use({ colorScheme: theme });
    // Each axe run takes seconds on a loaded machine, and a test audits up to nine states.
    test.describe.configure({ timeout: 240_000 });

    test(`axe: empty, connected, closed (text, hex, transcript), options, help, error — ${theme}`, async ({ page, web, errors }) => {
      const results = new Map<string, Finding[]>();
      const server = await replyOnFin();
      try {
        const u = ui(page);
        await page.goto(web.url);
        await expect(u.connect).toBeVisible();
        await audit(page, results, 'empty');

        await u.host.fill('127.0.0.1');
        await u.port.fill(String(server.port));
        await u.connect.click();
        await expect(u.status).toContainText('Connected');
        await u.payload.fill('GET / HTTP/1.0\\r\\n\\r\\n');
        await audit(page, results, 'connected');

        await page.getByRole('button', { name: 'Options' }).click();
        await expect(page.getByLabel('Connect timeout (ms)')).toBeVisible();
        await audit(page, results, 'options open');
        await page.getByRole('button', { name: 'Options' }).click();

        await u.closeAfterSend.check();
        await u.send.click();
        await expect(u.status).toContainText('Closed by peer');
        await expect(u.bytesReceived).not.toHaveText('0');
        await audit(page, results, 'closed: text view');
        await u.view('Hex').click();
        await audit(page, results, 'closed: hex view');
        await u.view('Transcript').click();
        await audit(page, results, 'closed: transcript view');

        await page.keyboard.press('F1');
        await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
        await audit(page, results, 'help overlay');
        await page.keyboard.press('Escape');
        await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeHidden();

        // An error: a port nobody listens on (the server is closed first).
        await page.getByRole('button', { name: 'New tab' }).click();
        const dead = await tcpServer(() => undefined);
        const deadPort = dead.port;
        await dead.close();
        await u.host.fill('127.0.0.1');
        await u.port.fill(String(deadPort));
        await u.connect.click();
        await expect(u.status).toContainText('Error');
        await audit(page, results, 'error: connection refused');
        await u.port.fill('99999');
        await expect(page.getByText(/65535/).first()).toBeVisible();
        await audit(page, results, 'error: invalid port field');
      } finally {
        await server.close();
      }
      report(results, `session-${theme}`);
      expect(errors).toEqual([]);
    });

    test(`axe: TLS view — ${theme}`, async ({ page, web, errors }) => {
      const results = new Map<string, Finding[]>();
      const certDir = mkdtempSync(join(tmpdir(), 'st-e2e-a11y-'));
      execFileSync('python3', [join(import.meta.dirname, '..', 'main', 'engine', 'make-test-certs.py'), certDir, 'e2e-pass'], { timeout: 60_000 });
      const server = tls.createServer({ key: readFileSync(join(certDir, 'self.key')), cert: readFileSync(join(certDir, 'self.pem')) }, (s) => {
        s.on('error', () => undefined);
        s.on('data', (d: Buffer) => s.write(d));
      });
      server.on('tlsClientError', () => undefined);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const u = ui(page);
        await page.goto(web.url);
        await page.getByRole('radio', { name: 'TLS', exact: true }).check();
        await page.getByRole('button', { name: 'Options' }).click();
        await audit(page, results, 'TLS options open');
        await page.getByLabel('Verify the certificate').uncheck();
        await page.getByRole('button', { name: 'Options' }).click();
        await u.host.fill('127.0.0.1');
        await u.port.fill(String((server.address() as AddressInfo).port));
        await u.connect.click();
        await expect(u.status).toContainText('Connected', { timeout: 20_000 });
        await u.payload.fill('ping over tls');
        await audit(page, results, 'TLS connected');
        await u.send.click();
        await expect(u.bytesReceived).toHaveText('13');
        await u.view('Text').click();
        await audit(page, results, 'TLS: text view');
        await page.getByRole('tab', { name: 'TLS', exact: true }).click();
        await expect(page.getByTestId('tls-verdict')).toBeVisible();
        await audit(page, results, 'TLS view');
        // Close my side after sending is on by default: the session ends with the echo.
        await expect(u.status).toContainText('Closed');
        await audit(page, results, 'TLS closed: TLS view');
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        rmSync(certDir, { recursive: true, force: true });
      }
      report(results, `tls-${theme}`);
      expect(errors).toEqual([]);
    });

    test(`axe: conversation tab — steps, YAML with a problem, a failed run with its timeline — ${theme}`, async ({ page, web, errors }) => {
      const results = new Map<string, Finding[]>();
      // A peer that answers PING with +PONG, so a run passes its first expect and fails its second.
      const server = await tcpServer((s) => s.on('data', () => s.write('+PONG\r\n')));
      try {
        await page.goto(web.url);
        await page.getByRole('button', { name: '+ Conversation' }).click();
        await audit(page, results, 'conversation: new, steps');
        const yaml = page.getByRole('textbox', { name: 'Conversation YAML' });
        await page.getByRole('radio', { name: 'YAML', exact: true }).check();
        await yaml.fill('target: {host: 127.0.0.1, port: 1}\nsteps:\n  - sned: "x"\n');
        await expect(page.getByRole('alert', { name: 'Problems' })).toContainText('line 3');
        await audit(page, results, 'conversation: YAML with a problem');
        await yaml.fill(
          `target: {host: 127.0.0.1, port: ${server.port}}\nsteps:\n  - send: "PING\\r\\n"\n  - expect: {contains: "+PONG", timeout_ms: 2000}\n  - send: "PING\\r\\n"\n  - expect: {contains: "nope", timeout_ms: 300}\n`,
        );
        await page.getByRole('radio', { name: 'Steps', exact: true }).check();
        await page.getByRole('button', { name: 'Run', exact: true }).click();
        await expect(page.getByRole('status').filter({ hasText: 'Failed at step 4' })).toBeVisible({ timeout: 20_000 });
        await expect(page.getByTestId('step-timeline')).toBeVisible();
        await audit(page, results, 'conversation: failed run, timeline');
        await page.getByRole('button', { name: 'Show table' }).click();
        await audit(page, results, 'conversation: timeline table shown');
      } finally {
        await server.close();
      }
      report(results, `conversation-${theme}`);
      expect(errors).toEqual([]);
    });

    test(`axe: profiles with folders, save-as, rename, import preview, undo — ${theme}`, async ({ page, web, errors }) => {
      const results = new Map<string, Finding[]>();
      const u = ui(page);
      await page.goto(web.url);
      const stamp = `${theme}-${Date.now()}`;
      await u.host.fill('127.0.0.1');
      await u.port.fill('7');
      await page.getByRole('button', { name: 'Save as…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Save profile as' });
      await dialog.getByLabel('Name').fill(`Echo ${stamp}`);
      await dialog.getByLabel('Folder (optional)').fill(`Lab ${theme}`);
      await audit(page, results, 'save-as dialog');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await expect(dialog).toBeHidden();
      await page.getByRole('button', { name: 'New tab' }).click();
      await u.host.fill('example.invalid');
      await u.port.fill('80');
      await saveAs(page, `Web ${stamp}`, '');
      await page.getByRole('button', { name: 'New tab' }).click();
      await u.host.fill('::1');
      await u.port.fill('6379');
      await saveAs(page, `Redis ${stamp}`, `Databases ${theme}`);
      const list = page.getByRole('navigation', { name: 'Saved profiles' });
      await expect(list.getByText(`Redis ${stamp}`)).toBeVisible();
      await audit(page, results, 'profiles with folders');
      await list.getByRole('button', { name: `Redis ${stamp}` }).hover();
      await audit(page, results, 'profile row actions (hovered)');
      await list.getByRole('button', { name: `Rename Redis ${stamp}` }).click();
      await expect(page.getByRole('dialog', { name: 'Rename profile' })).toBeVisible();
      await audit(page, results, 'rename dialog');
      await page.keyboard.press('Escape');
      await expect(page.getByRole('dialog', { name: 'Rename profile' })).toBeHidden();

      const chooser = page.waitForEvent('filechooser');
      await page.getByRole('button', { name: 'Import…' }).click();
      await (await chooser).setFiles('test/fixtures/profiles/packetsender/packets.ini');
      const imp = page.getByRole('dialog', { name: 'Import profiles' });
      await expect(imp.getByText('packet-sender-ini')).toBeVisible();
      await audit(page, results, 'import preview');
      await imp.getByRole('button', { name: 'Cancel' }).click();

      await list.getByRole('button', { name: `Web ${stamp}` }).hover();
      await list.getByRole('button', { name: `Delete Web ${stamp}` }).click();
      await expect(page.getByText(`Deleted “Web ${stamp}”.`)).toBeVisible();
      await audit(page, results, 'undo after delete');
      await page.getByLabel('Search profiles').fill('no such profile at all');
      await audit(page, results, 'search without matches');
      report(results, `profiles-${theme}`);
      expect(errors).toEqual([]);
    });

    test(`axe: narrow layout (800 px) with the profile drawer — ${theme}`, async ({ page, web, errors }) => {
      const results = new Map<string, Finding[]>();
      await page.setViewportSize({ width: 800, height: 600 });
      await page.goto(web.url);
      await expect(ui(page).connect).toBeVisible();
      await audit(page, results, 'narrow: drawer closed');
      await page.getByRole('button', { name: /Profiles/ }).click();
      await expect(page.getByRole('complementary', { name: 'Profiles' })).toBeVisible();
      await audit(page, results, 'narrow: drawer open');
      report(results, `narrow-${theme}`);
      expect(errors).toEqual([]);
    });

    test(`axe: UDP tab with datagrams — ${theme}`, async ({ page, web, errors }) => {
      const results = new Map<string, Finding[]>();
      const socket = dgram.createSocket('udp4');
      socket.on('message', (msg, rinfo) => socket.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address));
      await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
      try {
        const u = ui(page);
        await page.goto(web.url);
        await page.getByRole('radiogroup', { name: 'Transport' }).getByLabel('UDP').check();
        await audit(page, results, 'UDP tab: idle');
        await page.getByRole('button', { name: 'Options' }).click();
        await audit(page, results, 'UDP options open');
        await page.getByRole('button', { name: 'Options' }).click();
        await u.host.fill('127.0.0.1');
        await u.port.fill(String(socket.address().port));
        await u.payload.fill('ping');
        await page.getByRole('button', { name: 'Open and send' }).click();
        await expect(page.getByTestId('dg-received')).toHaveText('1');
        await u.send.click();
        await expect(page.getByTestId('dg-received')).toHaveText('2');
        await audit(page, results, 'UDP with datagrams');
        const listRegion = page.getByRole('region', { name: 'Datagram list' });
        await listRegion.locator('button[data-direction="received"]').first().click();
        await expect(page.getByLabel('Selected datagram')).toContainText('Received #1');
        await audit(page, results, 'UDP datagram selected');
        await page.getByRole('button', { name: 'Close', exact: true }).click();
        await expect(u.status).toContainText('Closed');
        await audit(page, results, 'UDP closed');
      } finally {
        await new Promise<void>((r) => socket.close(() => r()));
      }
      report(results, `udp-${theme}`);
      expect(errors).toEqual([]);
    });
  });
}
