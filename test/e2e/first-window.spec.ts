import { readFileSync } from 'node:fs';
import { expect, test } from './web-mode.ts';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

test('the first window shows the app name and version', async ({ page, web }) => {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(web.url);
  await expect(page.getByRole('heading', { name: 'Socket Tester' })).toBeVisible();
  await expect(page.getByText(`Version ${pkg.version}`)).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/first-window.png' });
  expect(errors).toEqual([]);
});
