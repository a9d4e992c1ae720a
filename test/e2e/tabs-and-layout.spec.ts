/**
 * Tabs, profiles opening into them, one-press sends, closing and reopening, and the layout from
 * 800 CSS px up and at 150 % and 200 % zoom. Real web mode, real loopback peers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, tcpServer, test, ui, watchConsole, type TestServer } from './web-mode.ts';

/** A peer that answers "got:" + what it read once our FIN arrives, then closes. */
function echoOnFin(): Promise<TestServer> {
  return tcpServer((s) => {
    const parts: Buffer[] = [];
    s.on('data', (d) => parts.push(d));
    s.on('end', () => s.end(Buffer.concat([Buffer.from('got:'), ...parts])));
  });
}

const sessionTabs = (page: Page): Locator => page.getByRole('tablist', { name: 'Sessions' }).getByRole('tab');
const profileList = (page: Page): Locator => page.getByRole('navigation', { name: 'Saved profiles' });

async function saveAs(page: Page, name: string, folder = ''): Promise<void> {
  await page.getByRole('button', { name: 'Save as…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save profile as' });
  await dialog.getByLabel('Name').fill(name);
  if (folder) await dialog.getByLabel('Folder (optional)').fill(folder);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(profileList(page).getByText(name, { exact: true })).toBeVisible();
}

async function openFromList(page: Page, name: string): Promise<void> {
  await profileList(page).getByRole('button', { name: new RegExp(`^${name}`) }).first().click();
}

test('opening a profile never overwrites an edited tab or one with a session, and focuses the tab that holds it', async ({ page, web, errors }) => {
  const server = await echoOnFin();
  const other = await echoOnFin();
  const p = `Open-P ${server.port}`;
  const q = `Open-Q ${other.port}`;
  try {
    const u = ui(page);
    await page.goto(web.url);
    // Tab 1 holds P.
    await u.host.fill('127.0.0.1');
    await u.port.fill(String(server.port));
    await u.payload.fill('one');
    await saveAs(page, p);

    // Q is saved from a tab that is then closed, so no open tab holds it.
    await page.getByRole('button', { name: 'New tab' }).click();
    await u.host.fill('127.0.0.1');
    await u.port.fill(String(other.port));
    await saveAs(page, q);
    await page.getByRole('button', { name: `Close tab ${q}` }).click();
    await expect(sessionTabs(page)).toHaveCount(1);

    // An edited blank tab: opening P focuses tab 1 and leaves the edit alone.
    await page.getByRole('button', { name: 'New tab' }).click();
    await u.host.fill('192.0.2.1');
    await openFromList(page, p);
    await expect(sessionTabs(page)).toHaveCount(2);
    await expect(sessionTabs(page).nth(0)).toHaveAttribute('aria-selected', 'true');
    await expect(u.port).toHaveValue(String(server.port));
    await sessionTabs(page).nth(1).click();
    await expect(u.host).toHaveValue('192.0.2.1');

    // Opening Q over the edited tab: a new tab; the edit stays where it was.
    await openFromList(page, q);
    await expect(sessionTabs(page)).toHaveCount(3);
    await expect(sessionTabs(page).nth(2)).toHaveAttribute('aria-selected', 'true');
    await expect(u.port).toHaveValue(String(other.port));
    await sessionTabs(page).nth(1).click();
    await expect(u.host).toHaveValue('192.0.2.1');

    // Tab 1 runs a session; opening Q from there focuses Q's tab, never mixing Q's endpoint
    // with P's status and response.
    await sessionTabs(page).nth(0).click();
    await page.getByRole('button', { name: 'Connect and send' }).click();
    await expect(u.status).toContainText('Closed by peer');
    await expect(u.response).toContainText('got:one');
    await openFromList(page, q);
    await expect(sessionTabs(page).nth(2)).toHaveAttribute('aria-selected', 'true');
    await sessionTabs(page).nth(0).click();
    await expect(u.port).toHaveValue(String(server.port));
    await expect(u.response).toContainText('got:one');

    // Close Q's tab; with a session in tab 1, Q opens in a new tab, not over it.
    await page.getByRole('button', { name: `Close tab ${q}` }).click();
    await sessionTabs(page).nth(0).click();
    await openFromList(page, q);
    await expect(sessionTabs(page)).toHaveCount(3);
    await expect(u.port).toHaveValue(String(other.port));
    await expect(u.status).toContainText('Idle');
    await expect(u.bytesReceived).toHaveText('0');
  } finally {
    await server.close();
    await other.close();
  }
  expect(errors).toEqual([]);
});

test('a one-off request is one press: "Connect and send", and Ctrl+Enter when idle or closed', async ({ page, web, errors }) => {
  const server = await echoOnFin();
  try {
    const u = ui(page);
    await page.goto(web.url);
    await u.host.fill('127.0.0.1');
    await u.port.fill(String(server.port));
    await u.payload.fill('hello');
    const connectAndSend = page.getByRole('button', { name: 'Connect and send', exact: true });
    await expect(connectAndSend).toBeEnabled();
    await connectAndSend.click();
    await expect(u.status).toContainText('Closed by peer');
    await expect(u.response).toContainText('got:hello');
    await expect(u.bytesSent).toHaveText('5');

    // Closed: Ctrl+Enter in the editor connects and sends again.
    await u.payload.fill('again');
    await u.payload.press('Control+Enter');
    await expect(u.response).toContainText('got:again');
    await expect(u.bytesSent).toHaveText('5');
    await expect(page.getByText('Sent in this session (1)')).toBeVisible();

    // …and from anywhere else in the window.
    await u.port.focus();
    await page.keyboard.press('Control+Enter');
    await expect(u.bytesReceived).toHaveText('9');
    await expect.poll(() => server.connections).toBe(3);

    // An endpoint mistake is said where it belongs, without a connection.
    await u.port.fill('');
    await page.keyboard.press('Control+Enter');
    await expect(page.getByText(/port number/i).first()).toBeVisible();
    expect(server.connections).toBe(3);
  } finally {
    await server.close();
  }
  expect(errors).toEqual([]);
});

/** 1280×800 at 150 % and 200 % zoom gives the page 853×533 and 640×400 CSS px at that pixel ratio. */
const LAYOUTS = [
  { name: '800×600', width: 800, height: 600, scale: 1 },
  { name: '1024×700', width: 1024, height: 700, scale: 1 },
  { name: '1280×800', width: 1280, height: 800, scale: 1 },
  { name: '1280×800 at 150 %', width: 853, height: 533, scale: 1.5 },
  { name: '1280×800 at 200 %', width: 640, height: 400, scale: 2 },
];

for (const layout of LAYOUTS) {
  test(`layout at ${layout.name}: editor and response usable, nothing clipped, the active tab in view`, async ({ browser, web }) => {
    const context = await browser.newContext({ viewport: { width: layout.width, height: layout.height }, deviceScaleFactor: layout.scale });
    const page = await context.newPage();
    const errors = watchConsole(page);
    try {
      const u = ui(page);
      await page.goto(web.url);
      await expect(u.payload).toBeAttached();

      const request = page.getByRole('region', { name: 'Request', exact: true });
      for (const [what, region] of [['request', request], ['response', u.response]] as const) {
        await region.scrollIntoViewIfNeeded();
        const box = (await region.boundingBox())!;
        expect(box.height, `${what} height`).toBeGreaterThanOrEqual(250);
        expect(box.width, `${what} width`).toBeGreaterThanOrEqual(280);
        expect(box.x + box.width, `${what} right edge`).toBeLessThanOrEqual(layout.width + 0.5);
      }
      const payloadBox = (await u.payload.boundingBox())!;
      expect(payloadBox.height).toBeGreaterThanOrEqual(100);

      // Every action of the response header is inside the panel (none cut off at its edge).
      const panel = (await u.response.boundingBox())!;
      for (const name of ['Copy', 'Save…', 'Clear']) {
        const b = (await u.response.getByRole('button', { name, exact: true }).boundingBox())!;
        expect(b.x + b.width, `${name} right edge`).toBeLessThanOrEqual(panel.x + panel.width + 0.5);
        expect(b.x).toBeGreaterThanOrEqual(panel.x - 0.5);
      }

      // Many tabs: the active one (the newest, then the first) is always in view.
      for (let i = 0; i < 9; i++) await page.getByRole('button', { name: 'New tab' }).click();
      const strip = (await page.getByRole('tablist', { name: 'Sessions' }).boundingBox())!;
      const inStrip = async (tab: Locator): Promise<void> => {
        await expect(tab).toHaveAttribute('aria-selected', 'true');
        await expect
          .poll(async () => {
            const b = (await tab.boundingBox())!;
            return b.x >= strip.x - 0.5 && b.x + b.width <= strip.x + strip.width + 0.5;
          })
          .toBe(true);
      };
      await inStrip(sessionTabs(page).last());
      await page.keyboard.press('Control+1');
      await inStrip(sessionTabs(page).first());
      await expect(page.getByRole('button', { name: 'New tab' })).toBeInViewport();

      // The profile list: beside the work area when there is room, otherwise a drawer on demand.
      const toggle = page.getByRole('button', { name: /Profiles/ });
      const sidebar = page.getByRole('complementary', { name: 'Profiles' });
      if (layout.width >= 1000) {
        await expect(sidebar).toBeVisible();
      } else {
        await expect(sidebar).toBeHidden();
        await toggle.click();
        await expect(sidebar).toBeVisible();
        await expect(page.getByRole('button', { name: 'Save as…' })).toBeInViewport();
        await page.keyboard.press('Escape');
        await expect(sidebar).toBeHidden();
      }
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
}

test('a closed tab can be reopened (button and Ctrl+Shift+T) with its edits and its response', async ({ page, web, errors }) => {
  const server = await echoOnFin();
  try {
    const u = ui(page);
    await page.goto(web.url);
    const reopen = page.getByRole('button', { name: 'Reopen closed tab' });
    await expect(reopen).toBeDisabled();

    // Tab 1: a finished session. Tab 2: an edit only.
    await u.host.fill('127.0.0.1');
    await u.port.fill(String(server.port));
    await u.payload.fill('kept');
    await page.getByRole('button', { name: 'Connect and send' }).click();
    await expect(u.response).toContainText('got:kept');
    await page.getByRole('button', { name: 'New tab' }).click();
    await u.host.fill('192.0.2.7');
    await u.port.fill('8080');
    await u.payload.fill('draft text');

    await page.getByRole('button', { name: 'Close tab 192.0.2.7:8080' }).click();
    await expect(sessionTabs(page)).toHaveCount(1);
    await reopen.click();
    await expect(sessionTabs(page)).toHaveCount(2);
    await expect(sessionTabs(page).nth(1)).toHaveAttribute('aria-selected', 'true');
    await expect(u.host).toHaveValue('192.0.2.7');
    await expect(u.payload).toHaveValue('draft text');

    // The first tab, closed with the keyboard shortcut's sibling and back with Ctrl+Shift+T,
    // returns to its place with its status and response.
    await sessionTabs(page).nth(0).click();
    await page.keyboard.press('Alt+w');
    await expect(sessionTabs(page)).toHaveCount(1);
    await page.keyboard.press('Control+Shift+T');
    await expect(sessionTabs(page)).toHaveCount(2);
    await expect(sessionTabs(page).nth(0)).toHaveAttribute('aria-selected', 'true');
    await expect(u.status).toContainText('Closed by peer');
    await expect(u.response).toContainText('got:kept');
    await expect(reopen).toBeDisabled();

    // Closing every tab leaves a blank one; reopening puts the closed tab back in its place.
    await page.getByRole('button', { name: /^Close tab / }).first().click();
    await page.getByRole('button', { name: /^Close tab / }).first().click();
    await expect(sessionTabs(page)).toHaveCount(1);
    await expect(sessionTabs(page).first()).toHaveText('New session');
    await page.keyboard.press('Alt+Shift+T');
    await expect(sessionTabs(page)).toHaveCount(1);
    await expect(u.host).toHaveValue('192.0.2.7');
  } finally {
    await server.close();
  }
  expect(errors).toEqual([]);
});

test('delete Undo stays until the next delete and links the profile to its tab again; folders are suggested and a rename can move', async ({ page, web, errors }) => {
  await page.clock.install();
  const u = ui(page);
  await page.goto(web.url);
  const stamp = Date.now();
  const name = `Undo ${stamp}`;
  const folder = `Folder ${stamp}`;
  await u.host.fill('127.0.0.1');
  await u.port.fill('7');
  await saveAs(page, name, folder);
  await expect(sessionTabs(page).first()).toHaveText(name);

  // The folder field suggests the folders in use.
  await page.getByRole('button', { name: 'Save as…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save profile as' });
  const listId = await dialog.getByLabel('Folder (optional)').getAttribute('list');
  expect(listId).toBeTruthy();
  await expect(page.locator(`datalist#${listId} option[value="${folder}"]`)).toHaveCount(1);
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  const row = profileList(page).getByRole('listitem').filter({ hasText: name });
  await row.hover();
  await profileList(page).getByRole('button', { name: `Delete ${name}`, exact: true }).click();
  await expect(sessionTabs(page).first()).toHaveText('127.0.0.1:7');
  // Long after ten seconds the offer is still there.
  await page.clock.fastForward(60_000);
  const undo = page.getByRole('button', { name: 'Undo', exact: true });
  await expect(undo).toBeVisible();
  await undo.click();
  await expect(profileList(page).getByText(name, { exact: true })).toBeVisible();
  // The tab holds the profile again: its title, and Save writes into it (no "Save as" dialog).
  await expect(sessionTabs(page).first()).toHaveText(name);
  await u.payload.fill('edited');
  await expect(page.getByTitle('Unsaved changes')).toBeVisible();
  await page.keyboard.press('Control+s');
  await expect(page.getByTitle('Unsaved changes')).toBeHidden();

  // Rename moves it to another folder.
  await row.hover();
  await profileList(page).getByRole('button', { name: `Rename ${name}`, exact: true }).click();
  const rename = page.getByRole('dialog', { name: 'Rename profile' });
  await rename.getByLabel(/^Folder/).fill(`Moved ${stamp}`);
  await rename.getByRole('button', { name: 'Save' }).click();
  await expect(rename).toBeHidden();
  const moved = profileList(page).locator('section').filter({ has: page.getByRole('heading', { name: `Moved ${stamp}` }) });
  await expect(moved.getByText(name, { exact: true })).toBeVisible();
  await expect(profileList(page).getByRole('heading', { name: folder, exact: true })).toBeHidden();
  expect(errors).toEqual([]);
});

test('an imported profile behaves like a new tab: FIN after sending, no idle timeout', async ({ page, web, errors }) => {
  const dir = mkdtempSync(join(tmpdir(), 'st-defaults-'));
  const name = `Defaults ${Date.now()}`;
  try {
    const file = join(dir, 'packets.ini');
    writeFileSync(
      file,
      [`[${encodeURIComponent(name)}]`, 'fromIP=', 'fromPort=0', 'hexString=50 49 4e 47 0d 0a', `name=${name}`, 'port=6379',
        'requestPath=', 'sendResponse=0', 'tcpOrUdp=TCP', 'toIP=127.0.0.1', '', '[NAMES]', `1\\name=${name}`, 'size=1', ''].join('\n'),
    );
    const u = ui(page);
    await page.goto(web.url);
    // A new tab's own defaults first.
    await expect(u.closeAfterSend).toBeChecked();
    await page.getByRole('button', { name: 'Options' }).click();
    await expect(page.getByLabel(/Idle timeout/)).toHaveValue('0');

    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Import…' }).click();
    await (await chooser).setFiles(file);
    const dialog = page.getByRole('dialog', { name: 'Import profiles' });
    await dialog.getByRole('button', { name: /^Import 1$/ }).click();
    await expect(dialog).toBeHidden();
    await openFromList(page, name);
    await expect(u.port).toHaveValue('6379');
    await expect(u.closeAfterSend).toBeChecked();
    await expect(page.getByLabel(/Idle timeout/)).toHaveValue('0');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(errors).toEqual([]);
});
