import { readFileSync } from 'node:fs';
import { expect, shot, test } from './web-mode.ts';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

test('the first window shows the app name, version and an idle session', async ({ page, web, errors }) => {
  await page.goto(web.url);
  await expect(page.getByRole('heading', { name: /Socket Tester/ })).toBeVisible();
  await expect(page.getByText(`Version ${pkg.version}`)).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('Idle');
  await shot(page, 'first-window');
  expect(errors).toEqual([]);
});
