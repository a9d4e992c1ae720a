/**
 * Keyboard only: a whole session (connect, send, read the response views, close), a profile save,
 * the one-Tab-stop lists (session tabs, response views, profiles, datagrams) with arrows, Home and
 * End inside, and Escape closing every dialog with focus back where it came from. No mouse: only
 * page.keyboard, plus Tab presses to reach a control (bounded, so a lost focus fails the test).
 */
import dgram from 'node:dgram';
import type { Locator, Page } from '@playwright/test';
import { expect, tcpServer, test, ui } from './web-mode.ts';

const isFocused = (l: Locator): Promise<boolean> => l.evaluate((el) => el === document.activeElement);

/** Presses Tab (or Shift+Tab) until `target` has focus; returns how many presses that took. */
async function tabTo(page: Page, target: Locator, back = false, max = 60): Promise<number> {
  for (let i = 0; i <= max; i++) {
    if (await isFocused(target)) return i;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${String(target)} not reached within ${max} Tab presses`);
}

/** What has focus, as role + accessible name-ish text, for readable failures. */
const focusedName = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return el ? `${el.getAttribute('role') ?? el.tagName.toLowerCase()}:${el.getAttribute('aria-label') ?? el.textContent?.trim() ?? ''}` : 'none';
  });

test('a whole session by keyboard: connect, send, read Text/Hex/Transcript/TLS, close', async ({ page, web, errors }) => {
  // An echo peer that keeps the connection open until we close it.
  const server = await tcpServer((s) => s.on('data', (d) => s.write(d)));
  try {
    const u = ui(page);
    await page.goto(web.url);
    await expect(u.connect).toBeVisible();
    await page.keyboard.press('Control+k');
    await expect(u.host).toBeFocused();
    await page.keyboard.type('127.0.0.1');
    await page.keyboard.press('Tab');
    await expect(u.port).toBeFocused();
    await page.keyboard.type(String(server.port));
    await page.keyboard.press('Enter');
    await expect(u.status).toContainText('Connected');
    await expect(page.getByTestId('announcer')).toHaveText('Connected');

    await tabTo(page, u.payload);
    await page.keyboard.type('hello by keyboard');
    // Close my side after sending is on by default: turn it off from the keyboard.
    await tabTo(page, u.closeAfterSend);
    await page.keyboard.press('Space');
    await expect(u.closeAfterSend).not.toBeChecked();
    await page.keyboard.press('Control+Enter');
    await expect(u.bytesReceived).toHaveText('17');

    // The response views are one Tab stop, on the selected view; arrows select (APG tabs).
    await tabTo(page, u.view('Text'));
    await page.keyboard.press('ArrowRight');
    await expect(u.view('Hex')).toBeFocused();
    await expect(u.view('Hex')).toHaveAttribute('aria-selected', 'true');
    await expect(u.response).toContainText('68 65 6c 6c 6f');
    await page.keyboard.press('ArrowRight');
    await expect(u.view('Transcript')).toHaveAttribute('aria-selected', 'true');
    await expect(u.response).toContainText('hello by keyboard');
    await page.keyboard.press('End');
    await expect(page.getByRole('tab', { name: 'TLS', exact: true })).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('Home');
    await expect(u.view('Text')).toBeFocused();
    await expect(u.view('Text')).toHaveAttribute('aria-selected', 'true');
    // Tab leaves the strip at once: the other views are not Tab stops.
    await page.keyboard.press('Tab');
    expect(await focusedName(page)).not.toMatch(/^tab:/);
    await page.keyboard.press('Shift+Tab');
    await expect(u.view('Text')).toBeFocused();

    await page.keyboard.press('Control+Shift+Enter');
    await expect(u.status).toContainText('Closed');
    await expect(page.getByTestId('announcer')).toHaveText(/^Closed\. 17 bytes received\.$/);
  } finally {
    await server.close();
  }
  expect(errors).toEqual([]);
});

test('session tabs: one Tab stop, arrows select, Home/End, Delete closes', async ({ page, web, errors }) => {
  await page.goto(web.url);
  await page.keyboard.press('Alt+t');
  await page.keyboard.press('Alt+t');
  const tabs = page.getByRole('tablist', { name: 'Sessions' }).getByRole('tab');
  await expect(tabs).toHaveCount(3);
  await expect(tabs.nth(2)).toHaveAttribute('aria-selected', 'true');
  // From the Profiles button, Tab reaches the selected tab (the only stop in the strip)…
  await page.getByRole('button', { name: /Profiles/ }).focus();
  await tabTo(page, tabs.nth(2));
  expect(await tabs.evaluateAll((els) => els.map((e) => (e as HTMLElement).tabIndex))).toEqual([-1, -1, 0]);
  // …and the next Tab leaves it for New tab.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'New tab' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(tabs.nth(2)).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect(tabs.nth(1)).toBeFocused();
  await expect(tabs.nth(1)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Home');
  await expect(tabs.nth(0)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowLeft');
  await expect(tabs.nth(2)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Delete');
  await expect(tabs).toHaveCount(2);
  // Focus stays in the strip, on the tab now selected.
  await expect(tabs.nth(1)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Shift+Tab');
  expect(await focusedName(page)).toMatch(/^tab:/);
  expect(errors).toEqual([]);
});

test('a profile saved, found and renamed by keyboard; Escape returns focus to what opened each dialog', async ({ page, web, errors }) => {
  const u = ui(page);
  const stamp = `${Date.now()}`;
  await page.goto(web.url);
  await page.keyboard.press('Control+k');
  await page.keyboard.type('127.0.0.1');
  await page.keyboard.press('Tab');
  await page.keyboard.type('7');

  const saveAsButton = page.getByRole('button', { name: 'Save as…' });
  const dialog = page.getByRole('dialog', { name: 'Save profile as' });
  // Escape closes the dialog and gives focus back to Save as….
  await tabTo(page, saveAsButton, true);
  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Name')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(saveAsButton).toBeFocused();

  for (const [name, folder] of [[`Alpha ${stamp}`, `KB ${stamp}`], [`Beta ${stamp}`, `KB ${stamp}`]] as const) {
    await page.keyboard.press('Enter');
    await expect(dialog.getByLabel('Name')).toBeFocused();
    await page.keyboard.press('Control+a');
    await page.keyboard.type(name);
    await page.keyboard.press('Tab');
    await page.keyboard.type(folder);
    // Enter in Folder may pick a suggestion from its list: go to Save instead.
    await tabTo(page, dialog.getByRole('button', { name: 'Save' }));
    await page.keyboard.press('Enter');
    await expect(dialog).toBeHidden();
    await expect(saveAsButton).toBeFocused();
  }
  const list = page.getByRole('navigation', { name: 'Saved profiles' });
  const alpha = list.getByRole('button', { name: new RegExp(`^Alpha ${stamp}`) });
  const beta = list.getByRole('button', { name: new RegExp(`^Beta ${stamp}`) });
  await expect(beta).toBeVisible();

  // The list is one Tab stop, Up/Down move, Right goes along the row. The stop is reached by Tab
  // and Beta by arrows: web mode is shared by a worker's tests, so profiles other specs saved may
  // be listed too, and the stop may be one of them.
  await tabTo(page, list.locator('button[tabindex="0"]').first());
  for (let i = 0; i < 50 && !(await beta.evaluate((e) => e === document.activeElement)); i++) await page.keyboard.press('ArrowDown');
  await expect(beta).toBeFocused();
  const stops = await list.locator('button').evaluateAll((els) => els.filter((e) => (e as HTMLElement).tabIndex === 0).length);
  expect(stops).toBe(1);
  await page.keyboard.press('ArrowUp');
  await expect(alpha).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(list.getByRole('button', { name: `Connect and send Alpha ${stamp}` })).toBeFocused();
  await page.keyboard.press('ArrowRight');
  const rename = list.getByRole('button', { name: `Rename Alpha ${stamp}` });
  await expect(rename).toBeFocused();
  await page.keyboard.press('Enter');
  const renameDialog = page.getByRole('dialog', { name: 'Rename profile' });
  await expect(renameDialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(renameDialog).toBeHidden();
  await expect(rename).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(renameDialog.getByLabel('Name')).toBeFocused();
  await page.keyboard.press('End');
  await page.keyboard.type(' renamed');
  await page.keyboard.press('Enter');
  await expect(renameDialog).toBeHidden();
  await expect(list.getByRole('button', { name: new RegExp(`^Alpha ${stamp} renamed`) })).toBeVisible();

  // Opening a profile by keyboard: Left back to the name, Enter.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Shift+Tab');
  const renamed = list.getByRole('button', { name: new RegExp(`^Alpha ${stamp} renamed`) });
  if (!(await isFocused(renamed))) await tabTo(page, renamed, true);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('tablist', { name: 'Sessions' }).getByRole('tab', { selected: true })).toContainText(`Alpha ${stamp} renamed`);
  await expect(u.port).toHaveValue('7');

  // The help overlay: opened from its button, Escape, focus back on the button.
  const help = page.getByRole('button', { name: 'Keyboard shortcuts' });
  await help.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeHidden();
  await expect(help).toBeFocused();
  expect(errors).toEqual([]);
});

test('import preview and the narrow drawer: Escape closes them and focus goes back', async ({ page, web, errors }) => {
  await page.setViewportSize({ width: 800, height: 600 });
  // Listening before anything happens: Playwright turns file-chooser interception on when the
  // first listener is added, asynchronously, and a bare key press (unlike click(), which makes
  // several round trips first) could open the chooser before it was on, so no event ever came.
  const chooser = page.waitForEvent('filechooser', { timeout: 30_000 });
  await page.goto(web.url);
  const toggle = page.getByRole('button', { name: /Profiles/ });
  await toggle.focus();
  await page.keyboard.press('Enter');
  const drawer = page.getByRole('complementary', { name: 'Profiles' });
  await expect(drawer).toBeVisible();
  const importButton = drawer.getByRole('button', { name: 'Import…' });
  await tabTo(page, importButton);
  await page.keyboard.press('Enter');
  await (await chooser).setFiles('test/fixtures/profiles/packetsender/packets.ini');
  const imp = page.getByRole('dialog', { name: 'Import profiles' });
  await expect(imp).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(imp).toBeHidden();
  await expect(importButton).toBeFocused();
  // Escape again: the drawer closes and focus returns to its toggle, not to the page.
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();
  await expect(toggle).toBeFocused();
  expect(errors).toEqual([]);
});

test('the datagram list is one Tab stop; Up/Down/Home/End select datagrams', async ({ page, web, errors }) => {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => socket.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  try {
    const u = ui(page);
    await page.goto(web.url);
    await page.getByRole('radiogroup', { name: 'Transport' }).getByLabel('UDP').check();
    await page.keyboard.press('Control+k');
    await page.keyboard.type('127.0.0.1');
    await page.keyboard.press('Tab');
    await page.keyboard.type(String(socket.address().port));
    await tabTo(page, u.payload);
    await page.keyboard.type('ping');
    for (let n = 1; n <= 3; n++) {
      await page.keyboard.press('Control+Enter');
      await expect(page.getByTestId('dg-received')).toHaveText(String(n));
    }
    const list = page.getByRole('region', { name: 'Datagram list' });
    const rows = list.locator('button[data-direction]');
    await expect(rows).toHaveCount(6);
    await tabTo(page, rows.first());
    expect(await rows.evaluateAll((els) => els.filter((e) => (e as HTMLElement).tabIndex === 0).length)).toBe(1);
    // Nothing selected yet: Down goes on from the focused (first) row.
    await page.keyboard.press('ArrowDown');
    const detail = page.getByLabel('Selected datagram');
    await expect(detail).toContainText('Received #1');
    await page.keyboard.press('ArrowUp');
    await expect(detail).toContainText('Sent #1');
    await expect(list.locator('button[aria-pressed="true"]')).toBeFocused();
    await page.keyboard.press('End');
    await expect(detail).toContainText('Received #3');
    await page.keyboard.press('Home');
    await expect(detail).toContainText('Sent #1');
    await expect(list.locator('button[aria-pressed="true"]')).toBeFocused();
    // The next Tab leaves the list (its other rows are not stops).
    await page.keyboard.press('Tab');
    expect(await isFocused(rows.nth(1))).toBe(false);
    expect(await list.evaluate((el) => el.contains(document.activeElement))).toBe(false);
  } finally {
    await new Promise<void>((r) => socket.close(() => r()));
  }
  expect(errors).toEqual([]);
});
