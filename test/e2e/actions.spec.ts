/**
 * The rest of what a user does with a session: send a file (with progress and cancel when the peer
 * stops reading), save the response, re-send from history, and the keyboard help.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectTo, expect, shot, tcpServer, test, ui } from './web-mode.ts';

test('send a file to a peer that stops reading: progress shows, Cancel ends it, counts stay honest (F19)', async ({ page, web }) => {
  const dir = mkdtempSync(join(tmpdir(), 'st-file-'));
  const file = join(dir, 'big.bin');
  writeFileSync(file, Buffer.alloc(48 * 1024 * 1024, 0x5a));
  // Reads nothing: the kernel buffers fill and the send stalls part-way.
  const server = await tcpServer((s) => s.pause());
  try {
    const u = await connectTo(page, web, server.port);
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Send file…' }).click();
    await (await chooser).setFiles(file);
    // "0 of …" shows at once; then the engine's count moves once the bytes have crossed the
    // WebSocket (48 MiB: seconds on a loaded CI machine) and the peer's buffers start to fill.
    const progress = page.getByText(/of 50,331,648 bytes/);
    await expect(progress).toBeVisible();
    await expect(progress).not.toHaveText(/^0 of/, { timeout: 30_000 });
    await shot(page, 'send-progress');
    await page.getByRole('button', { name: 'Cancel', exact: true }).last().click();
    await expect(u.status).toContainText('Cancelled');
    await expect(progress).toBeHidden();
    const sent = Number((await u.bytesSent.textContent())!.replace(/,/g, ''));
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(48 * 1024 * 1024);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('save the response (a download in web mode) holds exactly the received bytes', async ({ page, web }) => {
  const payload = Buffer.from([0, 1, 2, 255, 254, 0x0d, 0x0a, 0x3c]);
  const server = await tcpServer((s) => s.end(payload));
  try {
    const u = ui(page);
    await page.goto(web.url);
    await u.host.fill('127.0.0.1');
    await u.port.fill(String(server.port));
    await u.connect.click();
    await expect(u.status).toContainText('Closed by peer');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Save…' }).click();
    const path = await (await download).path();
    expect([...readFileSync(path)]).toEqual([...payload]);
  } finally {
    await server.close();
  }
});

test('history puts an earlier send back in the editor, or sends it again', async ({ page, web }) => {
  const server = await tcpServer((s) => s.resume());
  try {
    const u = await connectTo(page, web, server.port);
    await u.closeAfterSend.uncheck();
    await u.payload.fill('first');
    await u.send.click();
    await u.payload.fill('second');
    await u.send.click();
    await expect(page.getByText('Sent in this session (2)')).toBeVisible();
    await page.getByRole('button', { name: 'first', exact: true }).click();
    await expect(u.payload).toHaveValue('first');
    await page.getByRole('button', { name: 'Send again: second' }).click();
    await expect(page.getByText('Sent in this session (3)')).toBeVisible();
    await expect(u.bytesSent).toHaveText('17');
  } finally {
    await server.close();
  }
});

test('keyboard: ? opens the shortcuts, Escape closes them, Alt+2 shows Hex', async ({ page, web }) => {
  await page.goto(web.url);
  await page.getByRole('heading', { name: /Socket Tester/ }).click();
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expect(help).toContainText('Send the payload');
  await shot(page, 'help');
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
  await page.keyboard.press('Alt+2');
  await expect(page.getByRole('tab', { name: 'Hex', exact: true })).toHaveAttribute('aria-selected', 'true');
});
