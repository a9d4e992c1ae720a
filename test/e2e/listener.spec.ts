/**
 * Listen mode in the UI against clients no one here wrote: a listener tab started on port 0, a real
 * `nc` and a Node client connect, both show in the client table with their bytes, a rule answers
 * nc and its counter moves, the selected client's conversation shows in the usual views, bytes go
 * to the selected client, and Close ends it. A listener profile is
 * saved and opens as a listener again.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import net from 'node:net';
import AxeBuilder from '@axe-core/playwright';
import { expect, shot, test } from './web-mode.ts';

function startNc(port: number): { child: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null> } {
  const child = spawn('nc', ['127.0.0.1', String(port)]);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

test('a listener tab: two clients in the table, a rule firing with its counter, a reply to one, and a close', async ({ page, web, errors }) => {
  await page.goto(web.url);
  await page.getByRole('button', { name: 'New listener' }).click();
  const bar = page.getByRole('form', { name: 'Listener' });
  // Loopback by default, with no warning; port 0 lets the system choose.
  await expect(bar.getByLabel('Bind address')).toHaveValue('127.0.0.1');
  await expect(bar.getByRole('alert')).toHaveCount(0);
  await bar.getByRole('button', { name: 'Start' }).click();
  await expect(bar.getByRole('status')).toContainText('Listening · 0 clients');
  const port = Number((await page.getByTestId('bound-port').textContent())!.split(':').pop());
  expect(port).toBeGreaterThan(0);

  // The Node client first, so nc is client 2 (the table lists clients in order of acceptance).
  const node = net.connect({ host: '127.0.0.1', port });
  node.on('error', () => undefined);
  await new Promise<void>((r) => node.once('connect', () => r()));
  const clients = page.getByRole('listbox', { name: 'Clients' });
  await expect(clients.getByRole('option')).toHaveCount(1);
  const nc = startNc(port);
  try {
    await expect(clients.getByRole('option')).toHaveCount(2);
    nc.child.stdin.write('PING\r\n');
    node.write('hello from node\n');
    await expect(bar.getByRole('status')).toContainText('Listening · 2 clients');
    // The default rule answers PING with +PONG; its counter moves; nc prints the reply.
    await expect(page.getByTestId('rule-hits-0')).toHaveText('1 hit');
    await expect.poll(() => nc.output()).toBe('+PONG\r\n');

    // The nc client: its bytes in the table and in the usual response views.
    const ncRow = clients.getByRole('option').nth(1);
    await ncRow.click();
    await expect(ncRow).toHaveAttribute('aria-selected', 'true');
    await expect(ncRow.getByTestId('bytes-in')).toHaveText('6');
    await expect(ncRow.getByTestId('bytes-out')).toHaveText('7');
    const response = page.getByRole('region', { name: 'Response', exact: true });
    await expect(response).toContainText('PING');
    await page.getByRole('tab', { name: 'Transcript', exact: true }).click();
    await expect(response).toContainText('+PONG');

    // Keyboard: Up moves the selection to the other client (its bytes shown), Down comes back.
    await clients.focus();
    await page.keyboard.press('ArrowUp');
    await expect(clients.getByRole('option').nth(0)).toHaveAttribute('aria-selected', 'true');
    await expect(clients.getByRole('option').nth(0).getByTestId('bytes-in')).toHaveText('16');
    await page.getByRole('tab', { name: 'Text', exact: true }).click();
    await expect(response).toContainText('hello from node');
    await clients.focus();
    await page.keyboard.press('End');
    await expect(ncRow).toHaveAttribute('aria-selected', 'true');

    // Send to the selected client only.
    await page.getByRole('textbox', { name: 'Bytes to send to clients' }).fill('just for nc\n');
    await page.getByRole('button', { name: 'Send to selected' }).click();
    await expect.poll(() => nc.output()).toBe('+PONG\r\njust for nc\n');
    await expect(ncRow.getByTestId('bytes-out')).toHaveText('19');

    // A sample tested against the rules says which fires.
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await expect(page.getByTestId('test-result')).toContainText('rule 1');
    await expect(page.getByTestId('test-result')).toContainText('+PONG');

    await shot(page, 'listener-two-clients');
    // Close the nc client: our FIN; the row says so. (netcat-openbsd reads on until its own
    // stdin ends, then exits 0 having printed exactly what we sent.)
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(ncRow).toContainText('Closed by us');
    nc.child.stdin.end();
    expect(await nc.exited).toBe(0);
    expect(nc.output()).toBe('+PONG\r\njust for nc\n');
    await expect(bar.getByRole('status')).toContainText('Listening · 1 client');
    await bar.getByRole('button', { name: 'Stop' }).click();
    await expect(bar.getByRole('status')).toContainText('Stopped');
  } finally {
    nc.child.kill();
    node.destroy();
  }
  expect(errors).toEqual([]);
});

test('binding all interfaces needs the box ticked, with a visible warning; a listener profile saves and opens as a listener', async ({ page, web }) => {
  await page.goto(web.url);
  await page.getByRole('button', { name: 'New listener' }).click();
  const bar = page.getByRole('form', { name: 'Listener' });
  const address = bar.getByLabel('Bind address');
  // Text that is no address is named as it is typed, under the field (its label, once), with no consent box.
  await address.fill('example.com');
  await expect(address).toHaveAccessibleDescription('Bind address: "example.com" is not an address to bind; give an IP address (127.0.0.1, ::1, 0.0.0.0, ::) or localhost.');
  await expect(bar.getByRole('button', { name: 'Start' })).toBeDisabled();
  await expect(bar.getByRole('alert')).toHaveCount(0);
  await address.fill('0.0.0.0');
  await expect(bar.getByRole('alert')).toContainText('other machines on the network can connect');
  await bar.getByRole('button', { name: 'Start' }).click();
  // The app's consent is the box, not the CLI's --allow-remote.
  await expect(address).toHaveAccessibleDescription('Bind address: binding 0.0.0.0 lets other machines connect: tick the box below to allow it.');
  await expect(bar).not.toContainText('--allow-remote');
  // Back to loopback, save as a profile, open it in a new tab from the list.
  await bar.getByLabel('Bind address').fill('127.0.0.1');
  await page.getByLabel('Rule 1 value').fill('HELLO');
  await page.getByRole('button', { name: 'Save as…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save profile as' });
  await dialog.getByLabel('Name').fill('Fake device server');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('tab', { name: /Fake device server/ })).toBeVisible();
  await page.getByRole('button', { name: 'Close tab Fake device server' }).click();
  const list = page.getByRole('navigation', { name: 'Saved profiles' });
  await list.getByRole('button', { name: /Fake device server/ }).first().click();
  await expect(page.getByRole('form', { name: 'Listener' }).getByLabel('Bind address')).toHaveValue('127.0.0.1');
  await expect(page.getByLabel('Rule 1 value')).toHaveValue('HELLO');
  // One click from the list starts it.
  await list.getByRole('button', { name: 'Start Fake device server' }).click();
  await expect(page.getByRole('form', { name: 'Listener' }).getByRole('status')).toContainText('Listening');
});

for (const theme of ['light', 'dark'] as const) {
  test.describe(`listener tab, ${theme} theme`, () => {
    test.use({ colorScheme: theme });
    test.describe.configure({ timeout: 180_000 });
    test(`axe: a listener with a client selected, rules and a test result — ${theme}`, async ({ page, web }) => {
      await page.goto(web.url);
      await page.getByRole('button', { name: 'New listener' }).click();
      await page.getByRole('form', { name: 'Listener' }).getByRole('button', { name: 'Start' }).click();
      const port = Number((await page.getByTestId('bound-port').textContent())!.split(':').pop());
      const s = net.connect({ host: '127.0.0.1', port });
      s.on('error', () => undefined);
      s.on('data', () => undefined);
      try {
        s.write('PING\r\nother\n');
        await page.getByRole('listbox', { name: 'Clients' }).getByRole('option').first().click();
        await page.getByRole('button', { name: 'Test', exact: true }).click();
        await expect(page.getByTestId('test-result')).toBeVisible();
        const audit = async (): Promise<string[]> => {
          await page.waitForTimeout(50);
          const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze();
          return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        };
        expect(await audit(), 'running, a client selected').toEqual([]);
        // Stopped, about to bind all interfaces: the warning strip.
        await page.getByRole('form', { name: 'Listener' }).getByRole('button', { name: 'Stop' }).click();
        await page.getByLabel('Bind address').fill('0.0.0.0');
        await expect(page.getByRole('form', { name: 'Listener' }).getByRole('alert')).toBeVisible();
        expect(await audit(), 'stopped, binding all interfaces').toEqual([]);
      } finally {
        s.destroy();
      }
    });
  });
}
