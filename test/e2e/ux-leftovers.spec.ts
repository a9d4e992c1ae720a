/**
 * Rough edges found by trying the app as a new user in Chromium: the tab strip at 800 px with
 * several tabs, a listener's TLS view for an accepted TLS client, and a UDP listener's peer
 * conversation. Real web mode, real loopback clients.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, test, watchConsole } from './web-mode.ts';

const sessionTabs = (page: Page): Locator => page.getByRole('tablist', { name: 'Sessions' }).getByRole('tab');

/** The tab (with its close button) lies wholly inside the strip's visible box, right of the title. */
async function whollyInStrip(page: Page, tab: Locator): Promise<void> {
  await expect(tab).toHaveAttribute('aria-selected', 'true');
  await expect
    .poll(async () =>
      tab.evaluate((el) => {
        const scroller = el.closest('[role="tablist"]')!.parentElement!.getBoundingClientRect();
        const title = document.querySelector('h1')!.getBoundingClientRect();
        const close = document.querySelector(`[data-close-key="${(el as HTMLElement).dataset['tabKey']}"]`)!.getBoundingClientRect();
        const box = el.getBoundingClientRect();
        return box.left >= scroller.left - 0.5 && close.right <= scroller.right + 0.5 && scroller.left >= title.right;
      }),
    )
    .toBe(true);
}

for (const width of [800, 1024]) {
  test(`tab strip at ${width} px: no page scroll, the selected tab always wholly visible, scroll buttons and keys reach every tab`, async ({ browser, web }) => {
    const context = await browser.newContext({ viewport: { width, height: 600 } });
    const page = await context.newPage();
    const errors = watchConsole(page);
    try {
      await page.goto(web.url);
      await page.getByRole('button', { name: 'New tab' }).click();
      await page.getByRole('button', { name: 'New listener' }).click();
      await page.getByRole('button', { name: 'New tab' }).click();
      await page.getByRole('button', { name: '+ Conversation' }).click();
      await expect(sessionTabs(page)).toHaveCount(5);
      // A created tab is selected and wholly in view.
      await whollyInStrip(page, sessionTabs(page).last());
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);

      // The strip overflows: its scroll buttons show; at the end, only "left" can move.
      const left = page.getByRole('button', { name: 'Scroll tabs left' });
      const right = page.getByRole('button', { name: 'Scroll tabs right' });
      await expect(left).toBeVisible();
      await expect(left).toBeEnabled();
      await expect(right).toBeDisabled();

      // The roving tablist: Home, ArrowRight and End select and reveal each tab.
      await sessionTabs(page).last().focus();
      await page.keyboard.press('Home');
      await whollyInStrip(page, sessionTabs(page).first());
      await expect(left).toBeDisabled();
      await expect(sessionTabs(page).first()).toBeFocused();
      for (let i = 1; i < 5; i++) {
        await page.keyboard.press('ArrowRight');
        await whollyInStrip(page, sessionTabs(page).nth(i));
        await expect(sessionTabs(page).nth(i)).toBeFocused();
      }
      await page.keyboard.press('Home');
      await page.keyboard.press('End');
      await whollyInStrip(page, sessionTabs(page).last());

      // Ctrl+1 from elsewhere, then the right button scrolls the hidden tabs back into sight.
      await page.keyboard.press('Control+1');
      await whollyInStrip(page, sessionTabs(page).first());
      await expect(right).toBeEnabled();
      await right.click();
      await expect(left).toBeEnabled();
      // A wheel turned over the strip scrolls it sideways.
      await page.getByRole('tablist', { name: 'Sessions' }).hover();
      const before = await left.evaluate((b) => b.nextElementSibling!.scrollLeft);
      await page.mouse.wheel(0, -400);
      await expect.poll(() => left.evaluate((b) => b.nextElementSibling!.scrollLeft)).toBeLessThan(before);

      // Closing tabs until they fit: the buttons go.
      while ((await sessionTabs(page).count()) > 1) await page.keyboard.press('Alt+w');
      await expect(left).toBeHidden();
      await expect(right).toBeHidden();
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
}
