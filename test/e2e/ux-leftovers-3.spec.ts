/**
 * Rough edges a tester found by trying the app as a new user (session 6): a pasted payload over the
 * editor's limit, and the byte preview beside "N bytes will be sent" in a narrow window. Real web
 * mode in Chromium.
 */
import { expect, test, ui } from './web-mode.ts';

test('a paste over the editor limit is refused with the reason, never cut short in silence', async ({ page, web, errors }) => {
  await page.goto(web.url);
  const u = ui(page);
  // Pasting: the textarea used to carry maxlength, so the browser kept the first 1,000,000
  // characters, said "1,000,000 bytes will be sent" and dropped the rest without a word.
  const big = 'a'.repeat(1_200_000);
  await u.payload.focus();
  await page.keyboard.insertText(big);
  expect(await u.payload.evaluate((el) => (el as HTMLTextAreaElement).value.length)).toBe(1_200_000);
  await expect(page.getByText(/holds at most 1,000,000 characters and this text has 1,200,000/)).toBeVisible();
  await expect(u.payload).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('bytes will be sent')).toHaveCount(0);
  // Back under the limit: counted again.
  await u.payload.fill('hello');
  await expect(page.getByText('5 bytes will be sent')).toBeVisible();
  expect(errors).toEqual([]);
});

test('in a narrow window the byte preview takes a line of its own instead of shrinking to a digit', async ({ page, web, errors }) => {
  await page.setViewportSize({ width: 800, height: 800 });
  await page.goto(web.url);
  const u = ui(page);
  await u.payload.fill('PING\nSET k hello\nGET k\nINFO server\n');
  const hex = page.locator('.preview .hex');
  await expect(hex).toBeVisible();
  // Wide enough to show whole bytes: at 800 px it used to be squeezed to "5" and an ellipsis.
  const shown = await hex.evaluate((el) => el.getBoundingClientRect().width);
  const ch = await hex.evaluate((el) => {
    const probe = document.createElement('span');
    probe.textContent = '0'.repeat(10);
    el.appendChild(probe);
    const w = probe.getBoundingClientRect().width / 10;
    probe.remove();
    return w;
  });
  expect(shown).toBeGreaterThanOrEqual(11 * ch);
  await expect(hex).toContainText('50 49 4e 47');
  expect(errors).toEqual([]);
});

test('the byte preview is cut between bytes, never inside one', async ({ page, web, errors }) => {
  await page.setViewportSize({ width: 800, height: 800 });
  await page.goto(web.url);
  const u = ui(page);
  await u.payload.fill('x'.repeat(300));
  const hex = page.locator('.preview .hex');
  await expect(hex).toContainText('78 78 78');
  // Every previewed byte is one atomic box of two digits: an ellipsis hides such a box whole, where
  // on plain text it cut "78" to "7".
  const bytes = await hex.locator('.byte').evaluateAll((els) => els.map((el) => [el.textContent, getComputedStyle(el).display]));
  expect(bytes).toHaveLength(256);
  expect(bytes.every(([text, display]) => text === '78' && display === 'inline-block')).toBe(true);
  // The line is clipped (the preview is narrower than 256 bytes) and ends with the "more" mark.
  await expect.poll(() => hex.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeGreaterThan(0);
  await expect(hex).toHaveText(/ …$/);
  await hex.screenshot({ path: 'test-results/screenshots/preview-cut-between-bytes.png' });
  // Every byte: the dump opens at its first row (it used to open at its end) and scrolls sideways
  // in this narrow editor (its rows were cut mid-byte, the ASCII column out of reach).
  await page.getByRole('button', { name: 'Show all 300 bytes' }).click();
  const dump = page.getByRole('region', { name: 'Bytes to send' });
  await expect(dump.getByText(/^00000000 /)).toBeInViewport();
  await expect.poll(() => dump.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeGreaterThan(0);
  await dump.evaluate((el) => (el.scrollLeft = el.scrollWidth));
  await expect(dump.getByText('xxxxxxxxxxxxxxxx').first()).toBeInViewport();
  expect(errors).toEqual([]);
});
