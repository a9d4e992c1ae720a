import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebMode } from './scripts/bench-ui-lib.js';
import { findChromium } from './scripts/find-chromium.js';
const dir = mkdtempSync(join(tmpdir(), 'st-userpass-'));
const redisPort = 16379 + Math.floor(Math.random() * 1000);
const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 400));
const { url, child } = await startWebMode(join(dir, 'profiles.json'));
const browser = await chromium.launch({ executablePath: findChromium() ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const out = '/tmp/st/shots'; (await import('node:fs')).mkdirSync(out, { recursive: true });
try {
  for (const scheme of ['light', 'dark']) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: scheme });
    const page = await ctx.newPage();
    const errors = []; page.on('pageerror', (e) => errors.push(String(e))); page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(url);
    await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill(String(redisPort));
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Connected' }).first().waitFor({ timeout: 10000 });
    const close = page.getByLabel('Close my side after sending'); if (await close.isChecked()) await close.uncheck();
    await page.getByRole('radio', { name: 'Escapes', exact: true }).check();
    await page.getByRole('textbox', { name: 'Payload' }).fill('PING\\r\\nSET k hello\\r\\nGET k\\r\\nINFO server\\r\\n');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('region', { name: 'Response', exact: true }).getByText('redis_version').first().waitFor({ timeout: 10000 });
    for (const w of [800, 1280, 1920]) { await page.setViewportSize({ width: w, height: 800 }); await page.waitForTimeout(250); await page.screenshot({ path: `${out}/session-${scheme}-${w}.png` }); }
    await page.getByRole('tab', { name: 'Hex', exact: true }).click(); await page.waitForTimeout(200);
    await page.setViewportSize({ width: 1000, height: 700 }); await page.screenshot({ path: `${out}/hex-${scheme}-1000.png` });
    // A listener with three clients.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'New listener' }).click();
    const bar = page.getByRole('form', { name: 'Listener' });
    await bar.getByRole('button', { name: 'Start' }).click();
    await bar.getByRole('status').filter({ hasText: 'Listening' }).waitFor({ timeout: 10000 });
    const port = Number((await page.getByTestId('bound-port').textContent())?.split(':').pop());
    const socks = [];
    for (let i = 0; i < 3; i++) { const s = net.connect(port, '127.0.0.1'); s.on('error', () => {}); await new Promise((r) => s.once('connect', r)); s.write(`hello from client ${i + 1}\r\n\x00\x01binary\xff\n`); socks.push(s); }
    await page.waitForTimeout(600);
    await page.getByRole('listbox', { name: 'Clients' }).getByRole('option').first().click();
    await page.waitForTimeout(300);
    for (const w of [800, 1280, 1920]) { await page.setViewportSize({ width: w, height: 800 }); await page.waitForTimeout(250); await page.screenshot({ path: `${out}/listener-${scheme}-${w}.png` }); }
    for (const s of socks) s.destroy();
    await page.waitForTimeout(400);
    await page.screenshot({ path: `${out}/listener-closed-${scheme}-1920.png` });
    console.log(scheme, 'errors:', JSON.stringify(errors));
    await ctx.close();
  }
} finally {
  await browser.close(); child.kill('SIGTERM'); redis.kill();
}
