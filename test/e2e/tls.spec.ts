/**
 * TLS in the UI against a real Node `tls` server on loopback with a self-signed certificate minted
 * for this run (test/main/engine/make-test-certs.py): verification on refuses it with a code and
 * what to do; off connects, the TLS view says why it is not trusted and shows the chain, and the
 * chain exports as PEM that parses.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { expect, test, ui } from './web-mode.ts';

let certDir = '';
let server: tls.Server;
let port = 0;

test.beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'st-e2e-tls-'));
  execFileSync('python3', [join(import.meta.dirname, '..', 'main', 'engine', 'make-test-certs.py'), certDir, 'e2e-pass'], { timeout: 60_000 });
  server = tls.createServer({ key: readFileSync(join(certDir, 'self.key')), cert: readFileSync(join(certDir, 'self.pem')) }, (s) => {
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => s.write(d));
    s.on('end', () => s.end());
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(certDir, { recursive: true, force: true });
});

async function openTls(page: import('@playwright/test').Page, url: string, verify: boolean): Promise<ReturnType<typeof ui>> {
  const u = ui(page);
  await page.goto(url);
  await page.getByRole('radio', { name: 'TLS', exact: true }).check();
  await page.getByRole('button', { name: 'Options' }).click();
  const box = page.getByLabel('Verify the certificate');
  await expect(box).toBeChecked();
  if (!verify) await box.uncheck();
  await u.host.fill('127.0.0.1');
  await u.port.fill(String(port));
  await u.connect.click();
  return u;
}

test('verify on: a self-signed server is refused with its code and what to do', async ({ page, web, errors }) => {
  const u = await openTls(page, web.url, true);
  await expect(u.status).toContainText('Error:', { timeout: 20_000 });
  await expect(page.getByText('code TLS_SELF_SIGNED')).toBeVisible();
  await expect(u.status).toContainText(/CA file|verification off/i);
  // The TLS view still says what was presented and why it was refused.
  await page.getByRole('tab', { name: 'TLS', exact: true }).click();
  await expect(page.getByTestId('tls-verdict')).toContainText('Not trusted: self-signed — the connection was refused because verification is on');
  expect(errors).toEqual([]);
});

test('verify off: connected, the TLS view leads with the verdict, shows the chain, and exports it as PEM', async ({ page, web, errors }) => {
  const u = await openTls(page, web.url, false);
  await expect(u.status).toContainText('Connected', { timeout: 20_000 });
  await expect(page.getByTestId('tls-lock')).toHaveAttribute('aria-label', 'TLS, not trusted');
  await page.getByRole('tab', { name: 'TLS', exact: true }).click();
  const view = u.response;
  await expect(page.getByTestId('tls-verdict')).toHaveText(/Not trusted: self-signed — continuing because verification is off/);
  await expect(view).toContainText('TLSv1.3');
  await expect(view).toContainText('Certificate chain (1)');
  await expect(view.getByText('CN=localhost', { exact: false }).first()).toBeVisible();
  await expect(view).toContainText('DNS:localhost');
  await expect(view).toContainText(/\d+ days left/);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export chain (PEM)' }).click()]);
  expect(download.suggestedFilename()).toBe('127.0.0.1-chain.pem');
  const pem = readFileSync((await download.path())!, 'utf8');
  const exported = new X509Certificate(pem);
  expect(exported.fingerprint256).toBe(new X509Certificate(readFileSync(join(certDir, 'self.pem'))).fingerprint256);

  // The session is usable: bytes go through the TLS connection and come back.
  await u.payload.fill('ping over tls');
  await u.send.click();
  await u.view('Text').click();
  await expect(view).toContainText('ping over tls');
  expect(errors).toEqual([]);
});

test('a TLS profile saves its settings and key path, never the passphrase, and opens as TLS again', async ({ page, web, errors }) => {
  const u = ui(page);
  await page.goto(web.url);
  await page.getByRole('radio', { name: 'TLS', exact: true }).check();
  await page.getByRole('button', { name: 'Options' }).click();
  await page.getByLabel('Verify the certificate').uncheck();
  await page.getByLabel('Client certificate (PEM)').fill(join(certDir, 'client.pem'));
  await page.getByLabel('Client key (PEM)').fill(join(certDir, 'client.key'));
  await page.getByLabel('Passphrase (this connect only)').fill('never-saved-e2e');
  await page.getByLabel('ALPN').fill('h2, http/1.1');
  await u.host.fill('127.0.0.1');
  await u.port.fill(String(port));
  const name = `TLS profile ${Date.now()}`;
  await page.getByRole('button', { name: 'Save as…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save profile as' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();

  const text = readFileSync(web.profilesPath, 'utf8');
  expect(text).not.toContain('never-saved-e2e');
  expect(text).not.toMatch(/passphrase|PRIVATE KEY/);
  const saved = (JSON.parse(text) as { profiles: Array<{ name: string; transport?: string; tls?: Record<string, unknown> }> }).profiles.find((p) => p.name === name);
  expect(saved?.transport).toBe('tls');
  expect(saved?.tls).toEqual({ verify: false, certFile: join(certDir, 'client.pem'), keyFile: join(certDir, 'client.key'), alpn: ['h2', 'http/1.1'] });

  // Opened in a fresh page, the profile comes back as a TLS tab with the same settings.
  await page.goto(web.url);
  await page.getByRole('navigation', { name: 'Saved profiles' }).getByText(name, { exact: true }).click();
  await expect(page.getByRole('radio', { name: 'TLS', exact: true })).toBeChecked();
  await page.getByRole('button', { name: 'Options' }).click();
  await expect(page.getByLabel('Client key (PEM)')).toHaveValue(join(certDir, 'client.key'));
  await expect(page.getByLabel('Verify the certificate')).not.toBeChecked();
  await expect(page.getByLabel('Passphrase (this connect only)')).toHaveValue('');
  expect(errors).toEqual([]);
});

test('web mode: a CA file chosen in the browser is read there, trusts the server, and is never saved', async ({ page, web, errors }) => {
  const u = ui(page);
  await page.goto(web.url);
  await page.getByRole('radio', { name: 'TLS', exact: true }).check();
  await page.getByRole('button', { name: 'Options' }).click();
  await expect(page.getByRole('button', { name: 'Choose the CA file' })).toBeVisible();
  // The browser cannot name a path: the chooser reads the file and the connect carries its bytes.
  await page.locator('input[type="file"][data-purpose="ca"]').setInputFiles(join(certDir, 'self.pem'));
  await expect(page.getByText('self.pem (in memory, not saved)')).toBeVisible();
  await u.host.fill('127.0.0.1');
  await u.port.fill(String(port));
  await u.connect.click();
  await expect(u.status).toContainText('Connected', { timeout: 20_000 });
  await expect(page.getByTestId('tls-lock')).toHaveAttribute('aria-label', 'TLS, trusted');
  await u.disconnect.click();
  await expect(u.status).not.toContainText('Connected', { timeout: 20_000 });
  // Forgetting the file brings the path field back, empty: nothing of the file stayed in the settings.
  await page.getByRole('button', { name: 'Forget the CA file self.pem' }).click();
  await expect(page.getByLabel('CA file (PEM)')).toHaveValue('');
  // A file larger than main accepts is refused under its field before it is read or sent.
  const big = join(certDir, 'big.pem');
  (await import('node:fs')).writeFileSync(big, Buffer.alloc(1024 * 1024 + 1, 0x41));
  await page.locator('input[type="file"][data-purpose="ca"]').setInputFiles(big);
  await expect(page.getByRole('alert').filter({ hasText: 'big.pem' })).toContainText('at most 1048576 bytes');
  expect(errors).toEqual([]);
});
