/**
 * Web mode asks before a reload loses the open tabs (renderer/main.ts): only while a tab holds an
 * edit, a session or bytes. Real web mode in Chromium; the page fixture answers "leave".
 */
import { expect, test, ui } from './web-mode.ts';

test('a reload asks first while a tab holds an edit, and not for an untouched tab', async ({ page, web, errors }) => {
  const asked: string[] = [];
  page.on('dialog', (d) => {
    if (d.type() === 'beforeunload') asked.push(d.type());
  });
  const u = ui(page);
  await page.goto(web.url);
  await expect(u.host).toBeVisible();
  // Chromium asks only on a page the user has touched: click somewhere neutral first.
  await page.getByRole('heading', { name: 'Socket Tester' }).click();
  await page.reload();
  await expect(u.host).toBeVisible();
  expect(asked).toEqual([]);

  await u.port.fill('7801');
  await page.reload();
  // The reload gave the edit back (workspace.ts), but the question was still asked: a closed
  // browser tab, which the page cannot tell from a reload, would lose it.
  await expect(u.port).toHaveValue('7801');
  expect(asked).toEqual(['beforeunload']);
  expect(errors).toEqual([]);
});
