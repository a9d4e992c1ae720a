/**
 * Main keeps a bounded number of closed sessions (SESSION_LIMITS.maxClosedSessions, 50). Past it,
 * the oldest closed session's data is released, and its tab says so instead of going blank: the
 * bytes it already shows stay (they are the page's own copy).
 */
import { expect, shot, tcpServer, test, ui } from './web-mode.ts';

test('the oldest closed session of 51 says its data was released and keeps showing its bytes', async ({ page, web, errors }) => {
  test.setTimeout(120_000);
  const server = await tcpServer((s) => s.end('hello from the server'));
  try {
    const u = ui(page);
    await page.goto(web.url);
    const newTab = page.getByRole('button', { name: 'New tab' });
    for (let i = 0; i < 51; i++) {
      if (i > 0) await newTab.click();
      await u.host.fill('127.0.0.1');
      await u.port.fill(String(server.port));
      await u.connect.click();
      await expect(u.status).toContainText('Closed by peer');
    }
    const released = page.getByTestId('session-released');
    // The newest tab's session is kept.
    await expect(released).toHaveCount(0);
    await page.getByRole('tab').first().click();
    await expect(released).toBeVisible();
    await expect(released).toContainText("This session's data was released");
    await expect(u.response).toContainText('hello from the server');
    await shot(page, 'session-released');
    // Narrow and dark, 150 %: the notice wraps and stays readable.
    await page.setViewportSize({ width: 800, height: 700 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.evaluate(() => (document.documentElement.style.zoom = '1.5'));
    await released.scrollIntoViewIfNeeded();
    await expect(released).toBeVisible();
    await shot(page, 'session-released-800-dark-150');
  } finally {
    await server.close();
  }
  expect(errors).toEqual([]);
});
