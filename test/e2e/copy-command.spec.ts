/**
 * "Copy as command" and pasting a command, as a user does them: the tab's settings become a command
 * in the dialog, the copied text is run for real in `sh` against a loopback peer and delivers the
 * tab's exact bytes; a profile's row offers the same; a pasted nc line fills the tab and says what
 * it took and ignored; Escape closes the dialog and gives focus back.
 */
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { expect, tcpServer, test, ui } from './web-mode.ts';

/** Runs `script` in sh; resolves with its stdout (bounded: killed after 20 s). */
function sh(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

test('the tab as an nc command: shown, copied, and run for real it sends the same bytes', async ({ page, web, context, errors }) => {
  void errors;
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: web.origin });
  let received = Buffer.alloc(0);
  let delivered: () => void = () => undefined;
  const got = new Promise<void>((resolve) => (delivered = resolve));
  const peer = await tcpServer((s: Socket) => {
    s.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
    s.on('end', () => {
      s.end('ok\n');
      delivered();
    });
  });
  const u = ui(page);
  await page.goto(web.url);
  await u.host.fill('127.0.0.1');
  await u.port.fill(String(peer.port));
  await u.payload.fill(`it's "$HOME" \`id\` 100% \\ ü\nsecond line`);

  await page.getByRole('button', { name: 'Copy as command' }).click();
  const dialog = page.getByRole('dialog', { name: 'Copy as command' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('textbox', { name: /Command/ })).toHaveValue(/^socket-tester send /m);
  await dialog.getByRole('radio', { name: 'nc (OpenBSD)' }).check();
  const box = dialog.getByRole('textbox', { name: /Command/ });
  await expect(box).toHaveValue(new RegExp(`\\| nc -N 127\\.0\\.0\\.1 ${peer.port}$`, 'm'));
  await expect(box).toHaveValue(/^# connect timeout 10000 ms/m);
  await dialog.getByRole('button', { name: 'Copy' }).click();
  await expect(dialog.getByText('Copied to the clipboard.')).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(await box.inputValue());

  expect(await sh(copied)).toBe('ok\n');
  await got;
  expect(received.toString('utf8')).toBe(`it's "$HOME" \`id\` 100% \\ ü\nsecond line`);
  await peer.close();

  // Escape closes the dialog and puts focus back on the button that opened it.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: 'Copy as command' })).toBeFocused();
});

test('a host the tools cannot be given safely: the dialog says why and offers no copy', async ({ page, web, errors }) => {
  void errors;
  const u = ui(page);
  await page.goto(web.url);
  await u.host.fill('$(reboot)');
  await u.port.fill('80');
  await page.getByRole('button', { name: 'Copy as command' }).click();
  const dialog = page.getByRole('dialog', { name: 'Copy as command' });
  await expect(dialog.getByTestId('copy-command-error')).toContainText('Host:');
  await expect(dialog.getByRole('button', { name: 'Copy' })).toBeDisabled();
});

test('a profile row offers Copy as command; the dialog is built from the saved profile', async ({ page, web, errors }) => {
  void errors;
  const u = ui(page);
  await page.goto(web.url);
  await u.host.fill('127.0.0.1');
  await u.port.fill('6379');
  await u.payload.fill('PING');
  await page.getByRole('button', { name: 'Save as…' }).click();
  const save = page.getByRole('dialog', { name: 'Save profile as' });
  await save.getByLabel('Name').fill('Redis ping');
  await save.getByRole('button', { name: 'Save' }).click();
  await expect(save).toBeHidden();

  // The row's actions show on hover or when the row has focus.
  await page.getByRole('navigation', { name: 'Saved profiles' }).getByRole('listitem').filter({ hasText: 'Redis ping' }).hover();
  await page.getByRole('button', { name: 'Copy Redis ping as a command' }).click();
  const dialog = page.getByRole('dialog', { name: 'Copy as command' });
  await expect(dialog.getByText('Profile Redis ping: TCP 127.0.0.1:6379')).toBeVisible();
  await dialog.getByRole('radio', { name: 'socat' }).check();
  await expect(dialog.getByRole('textbox', { name: /Command/ })).toHaveValue(/printf 'PING' \| socat -t 86400 - TCP:127\.0\.0\.1:6379,connect-timeout=10$/m);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
});

test('pasting an nc command into Host fills the tab and says what it took and ignored', async ({ page, web, errors }) => {
  void errors;
  const u = ui(page);
  await page.goto(web.url);
  const paste = (text: string) =>
    u.host.evaluate((input, t) => {
      const data = new DataTransfer();
      data.setData('text/plain', t);
      input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, text);

  await paste("printf 'PING\\r\\n' | nc -v -N -w 3 redis.test 6380");
  await expect(u.host).toHaveValue('redis.test');
  await expect(u.port).toHaveValue('6380');
  await expect(u.payload).toHaveValue('PING');
  await expect(u.mode('Text')).toBeChecked();
  await expect(page.getByLabel('Append')).toHaveValue('crlf');
  const notice = page.getByTestId('paste-notice');
  await expect(notice).toContainText('Filled in from the pasted command: nc: redis.test port 6380');
  await expect(notice).toContainText('Ignored: -v');

  await paste('echo $SECRET | nc h.test 7');
  await expect(notice).toContainText('The pasted command was not used');
  await expect(u.host).toHaveValue('redis.test');

  // Not a command: host:port still splits into the two fields, as before.
  await paste('example.test:8080');
  await expect(u.host).toHaveValue('example.test');
  await expect(u.port).toHaveValue('8080');
});
