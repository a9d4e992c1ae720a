/**
 * A reload gives the tabs back (renderer/lib/state/workspace.ts): each tab's edit as typed, its
 * profile link and unsaved marker, its view, and which tab was selected; not its session. A stored
 * workspace that is not one gives a fresh page, never an error. Real web mode in Chromium.
 */
import { expect, test, ui } from './web-mode.ts';

test('a reload gives back every tab as edited, the selected one, and a profile link with its unsaved marker', async ({ page, web, errors }) => {
  const u = ui(page);
  const stamp = `${Date.now()}`;
  await page.goto(web.url);

  // Tab 1: saved as a profile, then edited (unsaved), viewed in Hex.
  await u.host.fill('127.0.0.1');
  await u.port.fill('6379');
  await u.mode('Escapes').check();
  await u.payload.fill('PING\\r\\n');
  await page.getByRole('button', { name: 'Save as…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save profile as' });
  await dialog.getByLabel('Name').fill(`Redis ${stamp}`);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await u.payload.fill('INFO\\r\\n');
  await expect(page.getByTitle('Unsaved changes')).toBeVisible();
  await u.view('Hex').click();

  // Tab 2: a half-typed port is kept as typed.
  await page.getByRole('button', { name: 'New tab' }).click();
  await u.host.fill('example.invalid');
  await u.port.fill('80 8');

  // Tab 3: a listener with its own port and responder.
  await page.getByRole('button', { name: 'New listener' }).click();
  const bar = page.getByRole('form', { name: 'Listener' });
  await bar.getByRole('textbox', { name: 'Port' }).fill('47001');

  // Tab 4: a conversation whose YAML was edited by hand.
  await page.getByRole('button', { name: '+ Conversation' }).click();
  await page.getByRole('radio', { name: 'YAML', exact: true }).check();
  const yaml = `name: Restored ${stamp}\ntarget: {host: 127.0.0.1, port: 7}\nsteps:\n  - send: "hello\\n"\n`;
  await page.getByRole('textbox', { name: 'Conversation YAML' }).fill(yaml);

  // Select the second tab, then reload at once: the page writes what it has as it goes.
  const tabs = page.getByRole('tablist', { name: 'Sessions' }).getByRole('tab');
  await expect(tabs).toHaveCount(4);
  await tabs.nth(1).click();
  await page.reload();

  await expect(tabs).toHaveCount(4);
  await expect(tabs.nth(1)).toHaveAttribute('aria-selected', 'true');
  await expect(u.host).toHaveValue('example.invalid');
  await expect(u.port).toHaveValue('80 8');
  await expect(tabs.nth(1)).toContainText('example.invalid:?');

  await tabs.nth(0).click();
  await expect(tabs.nth(0)).toContainText(`Redis ${stamp}`);
  await expect(u.payload).toHaveValue('INFO\\r\\n');
  await expect(u.mode('Escapes')).toBeChecked();
  await expect(page.getByTitle('Unsaved changes')).toBeVisible();
  await expect(u.view('Hex')).toHaveAttribute('aria-selected', 'true');
  // The link works: Save writes into the same profile, and the marker goes.
  await page.keyboard.press('Control+s');
  await expect(page.getByTitle('Unsaved changes')).toBeHidden();
  const list = page.getByRole('navigation', { name: 'Saved profiles' });
  await expect(list.getByRole('button', { name: new RegExp(`^Redis ${stamp}`) })).toHaveCount(1);

  await tabs.nth(2).click();
  await expect(bar.getByRole('textbox', { name: 'Port' })).toHaveValue('47001');
  await expect(bar.getByRole('status')).not.toContainText('Listening');

  await tabs.nth(3).click();
  // It comes back in the view it was left in.
  await expect(page.getByRole('radio', { name: 'YAML', exact: true })).toBeChecked();
  await expect(page.getByRole('textbox', { name: 'Conversation YAML' })).toHaveValue(yaml);
  await expect(tabs.nth(3)).toContainText(`Restored ${stamp}`);
  expect(errors).toEqual([]);
});

test('a stored workspace that is not one gives a fresh page; hostile fields fall back to defaults', async ({ page, web, errors }) => {
  const u = ui(page);
  // Stored before the app's own script runs, once per flag: the page cannot overwrite it first.
  const storeOnce = (flag: string, text: string): Promise<unknown> =>
    page.addInitScript(
      ([f, t]) => {
        if (sessionStorage.getItem(f!) !== null) return;
        sessionStorage.setItem(f!, '1');
        sessionStorage.setItem('socket-tester.workspace', t!);
      },
      [flag, text],
    );
  await storeOnce('first', '{"format":"socket-tester-workspace","version":1,"tabs":[{"kind":"session","settings":{"host":{"x":1},"port":[1]}}');
  await page.goto(web.url);
  await expect(page.getByRole('tablist', { name: 'Sessions' }).getByRole('tab')).toHaveCount(1);
  await expect(u.host).toHaveValue('127.0.0.1');
  await expect(u.port).toHaveValue('');

  // Hostile field types in a well-formed workspace: the defaults stand in, the tab is there.
  await storeOnce('second', JSON.stringify({ format: 'socket-tester-workspace', version: 1, active: 9, tabs: [{ kind: 'session', settings: { host: 'kept.example', port: 8080, mode: '<img src=x onerror=alert(1)>' }, saved: null, profile: null, view: 'nope' }] }));
  await page.reload();
  await expect(u.host).toHaveValue('kept.example');
  await expect(u.port).toHaveValue('');
  await expect(u.mode('Text')).toBeChecked();
  expect(errors).toEqual([]);
});
