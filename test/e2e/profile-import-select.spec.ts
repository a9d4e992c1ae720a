/**
 * Profile import selection and save conflicts in web mode (issues 10 and 11): pick which items an
 * import takes and into which folder; a stale save from a second window shows the conflict with
 * "Keep mine" / "Take theirs"; two web-mode processes on one profile file both keep their saves.
 * Each test starts its own web mode on a fresh profile file, so the file's content is known.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Page } from '@playwright/test';
import { expect, shot, startWebMode, test, ui, watchConsole, type WebMode } from './web-mode.ts';

interface Running {
  web: WebMode;
  child: ChildProcess;
}

let dir: string;
const running: Running[] = [];

test.beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'st-import-select-'));
});

test.afterEach(async () => {
  for (const { child } of running.splice(0)) {
    child.kill('SIGTERM');
    await new Promise((resolveExit) => child.once('exit', resolveExit));
  }
  rmSync(dir, { recursive: true, force: true });
});

async function webMode(profilesPath = join(dir, 'profiles.json')): Promise<WebMode> {
  const started = await startWebMode(profilesPath);
  running.push(started);
  return started.web;
}

function profilesOnDisk(path: string): Array<{ name: string; folder: string | null; host: string; revision: number }> {
  return (JSON.parse(readFileSync(path, 'utf8')) as { profiles: Array<{ name: string; folder: string | null; host: string; revision: number }> }).profiles;
}

/** An export file of ours with four profiles, one in a folder. */
function exportFile(): string {
  const stamp = '2026-01-01T00:00:00.000Z';
  const profile = (name: string, folder: string | null, port: number) => ({
    id: name.toLowerCase().replace(/\W/g, '-'),
    name,
    folder,
    host: '127.0.0.1',
    port,
    payload: { text: 'ping', mode: 'text', encoding: 'utf8', lineEnding: 'lf' },
    connectTimeoutMs: 10_000,
    idleTimeoutMs: 10_000,
    closeAfterSend: false,
    maxResponseBytes: 1_048_576,
    notes: '',
    revision: 1,
    createdAt: stamp,
    updatedAt: stamp,
  });
  const path = join(dir, 'export.json');
  const document = {
    format: 'socket-tester-profiles',
    version: 2,
    exportedAt: stamp,
    profiles: [profile('Alpha', null, 1001), profile('Beta', 'Old', 1002), profile('Gamma', null, 1003), profile('Delta', null, 1004)],
  };
  writeFileSync(path, JSON.stringify(document, null, 2));
  return path;
}

async function saveAs(page: Page, name: string, host: string, port: string): Promise<void> {
  const u = ui(page);
  await u.host.fill(host);
  await u.port.fill(port);
  await page.getByRole('button', { name: 'Save as…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save profile as' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
}

test('import: choose items with checkboxes, select none/all, and a target folder', async ({ page, errors }) => {
  void errors;
  const web = await webMode();
  await page.goto(web.url);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import…' }).click();
  await (await chooser).setFiles(exportFile());
  const dialog = page.getByRole('dialog', { name: 'Import profiles' });
  await expect(dialog.getByRole('button', { name: 'Import 4' })).toBeVisible();

  await dialog.getByRole('button', { name: 'Select none' }).click();
  await expect(dialog.getByRole('button', { name: 'Import 0' })).toBeDisabled();
  await dialog.getByRole('button', { name: 'Select all' }).click();
  await expect(dialog.getByRole('button', { name: 'Import 4' })).toBeEnabled();
  await dialog.getByRole('checkbox', { name: 'Import Gamma' }).uncheck();
  await expect(dialog.getByRole('button', { name: 'Import 3' })).toBeVisible();

  await dialog.getByLabel('Into folder').fill('Imported');
  await dialog.getByLabel('Into folder').press('Tab');
  await shot(page, 'profiles-import-select');
  await dialog.getByRole('button', { name: 'Import 3' }).click();
  await expect(dialog).toBeHidden();

  const list = page.getByRole('navigation', { name: 'Saved profiles' });
  await expect(list.getByRole('heading', { name: 'Imported' })).toBeVisible();
  for (const name of ['Alpha', 'Beta', 'Delta']) await expect(list.getByText(name, { exact: true })).toBeVisible();
  await expect(list.getByText('Gamma', { exact: true })).toHaveCount(0);
  expect(profilesOnDisk(web.profilesPath).map((p) => [p.name, p.folder])).toEqual([
    ['Alpha', 'Imported'],
    ['Beta', 'Imported'],
    ['Delta', 'Imported'],
  ]);

  // Importing the same file into that folder again marks them as duplicates there.
  const again = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import…' }).click();
  await (await again).setFiles(join(dir, 'export.json'));
  await dialog.getByLabel('Into folder').fill('Imported');
  await dialog.getByLabel('Into folder').press('Tab');
  await expect(dialog.getByRole('row').filter({ hasText: 'duplicate' })).toHaveCount(3);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
});

test('a stale save from a second window shows the conflict; "Take theirs" and "Keep mine" both work', async ({ page, context, errors }) => {
  void errors;
  const web = await webMode();
  await page.goto(web.url);
  await saveAs(page, 'Shared', '127.0.0.1', '7001');

  // A second window opens the same profile, changes the host and saves.
  const other = await context.newPage();
  const otherErrors = watchConsole(other);
  await other.goto(web.url);
  const otherList = other.getByRole('navigation', { name: 'Saved profiles' });
  await otherList.getByRole('button', { name: /Shared/ }).first().click();
  await ui(other).host.fill('localhost');
  await other.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(otherList.getByText('localhost:7001')).toBeVisible();

  // The first window still holds revision 1 and saves its own edit: a conflict, nothing saved.
  await ui(page).port.fill('7002');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const conflict = page.getByRole('alert', { name: 'Save conflict' });
  await expect(conflict).toContainText('changed elsewhere');
  await expect(conflict).toContainText('Differs in: host, port.');
  await shot(page, 'profiles-conflict');
  expect(profilesOnDisk(web.profilesPath)[0]).toMatchObject({ host: 'localhost', revision: 2 });

  await conflict.getByRole('button', { name: 'Take theirs' }).click();
  await expect(conflict).toBeHidden();
  await expect(ui(page).host).toHaveValue('localhost');
  await expect(ui(page).port).toHaveValue('7001');

  // Now the first window is current; the second one is stale and keeps its own version.
  await ui(page).port.fill('7003');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('navigation', { name: 'Saved profiles' }).getByText('localhost:7003')).toBeVisible();
  await ui(other).host.fill('127.0.0.2');
  await other.getByRole('button', { name: 'Save', exact: true }).click();
  const otherConflict = other.getByRole('alert', { name: 'Save conflict' });
  await expect(otherConflict).toBeVisible();
  await otherConflict.getByRole('button', { name: 'Keep mine' }).click();
  await expect(otherConflict).toBeHidden();
  await expect.poll(() => profilesOnDisk(web.profilesPath)[0]).toMatchObject({ host: '127.0.0.2', revision: 4 });
  // Mine is the second window's whole version: its host and the port it had (7001), not 7003.
  await expect(otherList.getByText('127.0.0.2:7001')).toBeVisible();
  expect(otherErrors).toEqual([]);
});

test('a rename in a second window is no conflict: the first window shows the new name and its save goes through', async ({ page, context, errors }) => {
  void errors;
  const web = await webMode();
  await page.goto(web.url);
  await saveAs(page, 'Before', '127.0.0.1', '7101');
  await ui(page).port.fill('7102');

  const other = await context.newPage();
  const otherErrors = watchConsole(other);
  await other.goto(web.url);
  const otherList = other.getByRole('navigation', { name: 'Saved profiles' });
  await otherList.getByRole('listitem').filter({ hasText: 'Before' }).first().hover();
  await otherList.getByRole('button', { name: 'Rename Before', exact: true }).click();
  const rename = other.getByRole('dialog', { name: 'Rename profile' });
  await rename.getByLabel('Name').fill('After');
  await rename.getByRole('button', { name: 'Save' }).click();
  await expect(otherList.getByText('After', { exact: true })).toBeVisible();

  // The first window's tab takes the new name; its own edit (the port) is still unsaved, and
  // saving it is not refused: only the name changed elsewhere.
  const tab = page.getByRole('tablist', { name: 'Sessions' }).getByRole('tab', { selected: true });
  await expect(tab).toContainText('After');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert', { name: 'Save conflict' })).toHaveCount(0);
  await expect.poll(() => profilesOnDisk(web.profilesPath)[0]).toMatchObject({ name: 'After', port: 7102, revision: 3 });
  expect(otherErrors).toEqual([]);
});

test('Save as… selects the suggested name, so typing replaces it', async ({ page, errors }) => {
  void errors;
  const web = await webMode();
  await page.goto(web.url);
  await ui(page).host.fill('127.0.0.1');
  await ui(page).port.fill('7201');
  await page.getByRole('button', { name: 'Save as…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save profile as' });
  await expect(dialog.getByLabel('Name')).toBeFocused();
  await page.keyboard.type('typed name');
  await expect(dialog.getByLabel('Name')).toHaveValue('typed name');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
});

test('two web-mode processes on one profile file: both saves survive', async ({ page, context, errors }) => {
  void errors;
  const shared = join(dir, 'shared-profiles.json');
  const first = await webMode(shared);
  const second = await webMode(shared);
  await page.goto(first.url);
  const other = await context.newPage();
  await other.goto(second.url);
  await saveAs(page, 'From the first', '127.0.0.1', '7101');
  await saveAs(other, 'From the second', '127.0.0.1', '7102');
  expect(profilesOnDisk(shared).map((p) => p.name)).toEqual(['From the first', 'From the second']);
  // The first process shows the second's profile once it lists again (a reload).
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Saved profiles' }).getByText('From the second')).toBeVisible();
});
