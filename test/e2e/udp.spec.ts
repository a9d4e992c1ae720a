/**
 * UDP in the UI, against a real UDP echo peer (a Node dgram socket on 127.0.0.1, port 0) in the
 * test process: Send works repeatedly on one socket, one row per datagram each way, the selected
 * datagram whole in Hex; and a bounded burst from the test process whose counts the page reports
 * exactly (received = listed + what it says is not listed), with no time assertions.
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { expect, shot, test, ui } from './web-mode.ts';

async function udpPeer(onMessage: (socket: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo) => void): Promise<{ socket: dgram.Socket; port: number; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => onMessage(socket, msg, rinfo));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { socket, port: socket.address().port, close: () => new Promise((r) => socket.close(() => r())) };
}

async function openUdpTab(page: import('@playwright/test').Page, url: string, port: number): Promise<ReturnType<typeof ui>> {
  const u = ui(page);
  await page.goto(url);
  await page.getByRole('radiogroup', { name: 'Transport' }).getByLabel('UDP').check();
  await u.host.fill('127.0.0.1');
  await u.port.fill(String(port));
  return u;
}

test('three sends on one UDP socket: six rows, a reply selected and shown in Hex', async ({ page, web, errors }) => {
  const peer = await udpPeer((s, msg, rinfo) => s.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address));
  try {
    const u = await openUdpTab(page, web.url, peer.port);
    await u.payload.fill('ping');
    await page.getByRole('button', { name: 'Open and send' }).click();
    await expect(u.status).toContainText('UDP open');
    await expect(page.getByTestId('dg-received')).toHaveText('1');
    await u.send.click();
    await expect(page.getByTestId('dg-received')).toHaveText('2');
    await u.send.click();
    await expect(page.getByTestId('dg-received')).toHaveText('3');
    await expect(page.getByTestId('dg-sent')).toHaveText('3');
    const list = page.getByRole('region', { name: 'Datagram list' });
    await expect(list.locator('button[data-direction="received"]')).toHaveCount(3);
    await expect(list.locator('button[data-direction="sent"]')).toHaveCount(3);
    await expect(list.locator('button[data-direction="received"]').first()).toContainText('echo:ping');
    await list.locator('button[data-direction="received"]').nth(1).click();
    const detail = page.getByLabel('Selected datagram');
    await expect(detail).toContainText('Received #2');
    await detail.getByRole('tab', { name: 'Hex', exact: true }).click();
    await expect(detail).toContainText('65 63 68 6f 3a 70 69 6e  67');
    await shot(page, 'udp-three-sends');
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(u.status).toContainText('Closed');
  } finally {
    await peer.close();
  }
  expect(errors).toEqual([]);
});

test('a burst of 10,000 datagrams: the page counts exactly what it lists and what it does not', async ({ page, web }) => {
  const TOTAL = 10_000;
  let client: dgram.RemoteInfo | null = null;
  const peer = await udpPeer((_s, _msg, rinfo) => {
    client = rinfo;
  });
  try {
    const u = await openUdpTab(page, web.url, peer.port);
    await page.getByRole('button', { name: 'Options' }).click();
    await page.getByLabel('Max datagrams').fill(String(TOTAL * 2));
    await page.getByLabel('Max datagrams').blur();
    await u.payload.fill('hello');
    await page.getByRole('button', { name: 'Open and send' }).click();
    await expect.poll(() => client !== null, { timeout: 20_000 }).toBe(true);
    const to = client as unknown as dgram.RemoteInfo;
    // Bounded: TOTAL datagrams in batches, yielding between batches so the kernel buffer drains.
    for (let i = 0; i < TOTAL; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, TOTAL - i) }, (_, k) => {
          const b = Buffer.alloc(32);
          b.writeUInt32BE(i + k, 0);
          return new Promise<void>((r) => peer.socket.send(b, to.port, to.address, () => r()));
        }),
      );
      await new Promise((r) => setTimeout(r, 2));
    }
    const number = async (id: string): Promise<number> => Number(((await page.getByTestId(id).textContent()) ?? '').replace(/,/g, ''));
    // Close only once main has read everything the kernel holds: the count reached TOTAL, or stayed
    // the same for a second (the rest was dropped by the kernel, counted when the session ends).
    let last = -1;
    for (let stable = 0, i = 0; i < 300 && stable < 10; i++) {
      const now = await number('dg-received');
      if (now === TOTAL) break;
      stable = now === last ? stable + 1 : 0;
      last = now;
      await page.waitForTimeout(100);
    }
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(u.status).toContainText('Closed', { timeout: 30_000 });
    // Every datagram main received reaches the list (nothing in transit once closed and delivered).
    await expect.poll(() => number('dg-listed'), { timeout: 30_000 }).toBe(await number('dg-received'));
    const received = await number('dg-received');
    const drops = (await page.getByTestId('dg-kernel-drops').count()) > 0 ? Number(((await page.getByTestId('dg-kernel-drops').textContent()) ?? '').replace(/[^0-9]/g, '')) : 0;
    // Nothing silent: what the system dropped is shown, and the rest is listed.
    expect(received + drops).toBe(TOTAL);
    expect(received).toBeGreaterThan(0);
    await shot(page, 'udp-burst');
  } finally {
    await peer.close();
  }
});

test('a UDP profile keeps its transport and UDP options, and opens as a UDP tab', async ({ page, web, errors }) => {
  const name = `UDP profile ${Date.now()}`;
  const u = ui(page);
  await page.goto(web.url);
  await page.getByRole('radiogroup', { name: 'Transport' }).getByLabel('UDP').check();
  await u.host.fill('127.0.0.1');
  await u.port.fill('5353');
  await page.getByRole('button', { name: 'Options' }).click();
  await page.getByLabel('Receive').selectOption('from-anyone');
  await page.getByLabel('Max datagrams').fill('42');
  await page.getByLabel('Max datagrams').blur();
  await page.getByRole('button', { name: 'Save as…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save profile as' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  const saved = (JSON.parse(readFileSync(web.profilesPath, 'utf8')) as { profiles: Array<{ name: string; transport?: string; udp?: unknown }> }).profiles.find((p) => p.name === name);
  expect(saved).toMatchObject({ transport: 'udp', udp: { mode: 'from-anyone', maxDatagrams: 42, localPort: 0, broadcast: false, replyWindowMs: 0 } });
  await page.reload();
  const list = page.getByRole('navigation', { name: 'Saved profiles' });
  await list.getByRole('button', { name: new RegExp(name) }).first().click();
  await expect(page.getByRole('radiogroup', { name: 'Transport' }).getByLabel('UDP')).toBeChecked();
  await page.getByRole('button', { name: 'Options' }).click();
  await expect(page.getByLabel('Receive')).toHaveValue('from-anyone');
  await expect(page.getByLabel('Max datagrams')).toHaveValue('42');
  await expect(page.getByTitle('Unsaved changes')).toBeHidden();
  expect(errors).toEqual([]);
});

test('UDP checks Host and Port as they are typed, and Open and send waits for them to be right', async ({ page, web, errors }) => {
  const u = await openUdpTab(page, web.url, 9);
  await u.host.fill('300.1.1.1');
  await expect(u.host).toHaveAttribute('aria-invalid', 'true');
  await expect(u.host).toHaveAccessibleDescription('Host: "300.1.1.1" is not a valid IPv4 address: 300 at character 1 is more than 255.');
  await expect(page.getByRole('button', { name: 'Open and send' })).toBeDisabled();
  await expect(page.getByText('Fix the host or port first.')).toBeVisible();
  await u.host.fill('127.0.0.1');
  await expect(page.getByRole('button', { name: 'Open and send' })).toBeEnabled();
  expect(errors).toEqual([]);
});
