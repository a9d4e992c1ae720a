/**
 * The response view follows the end while bytes arrive, unless the user scrolled away; scrolled
 * back to the end, it follows again (renderer/components/VirtualRows.svelte: the rows are drawn
 * for the end without reading the DOM, then the scroller is moved there).
 */
import type { Socket } from 'node:net';
import { connectTo, expect, tcpServer, test, type TestServer } from './web-mode.ts';

const lines = (from: number, to: number): string => {
  let s = '';
  for (let i = from; i <= to; i++) s += `line ${String(i).padStart(4, '0')}\n`;
  return s;
};

/** A peer that sends lines 1–400 on connect, and more on `send(from, to)`. */
async function linesPeer(): Promise<{ server: TestServer; send: (from: number, to: number) => void }> {
  let peer: Socket | null = null;
  const server = await tcpServer((s) => {
    peer = s;
    s.write(lines(1, 400));
  });
  return { server, send: (from, to) => void (peer as Socket | null)?.write(lines(from, to)) };
}

test('the Text view follows the end, stays where the user scrolled, and follows again at the end', async ({ page, web, errors }) => {
  const { server, send } = await linesPeer();
  try {
    const u = await connectTo(page, web, server.port);
    // Unwrapped, a response of any size is drawn as virtual rows (wrapped small ones render whole).
    await page.getByRole('checkbox', { name: 'Wrap' }).uncheck();
    const scroller = page.getByRole('region', { name: 'Response text' });
    const position = (): Promise<{ top: number; max: number }> =>
      scroller.evaluate((el) => ({ top: el.scrollTop, max: el.scrollHeight - el.clientHeight }));
    await expect(u.bytesReceived).toHaveText('4,000');
    // Followed: the last line is drawn and the scroller is at its end.
    await expect(scroller.getByText('line 0400', { exact: true })).toBeVisible();
    await expect.poll(async () => { const p = await position(); return p.max > 0 && p.top >= p.max - 1; }).toBe(true);

    // The user scrolls to the top; more lines arrive; the view stays there.
    await scroller.evaluate((el) => { el.scrollTop = 0; });
    await expect(scroller.getByText('line 0001', { exact: true })).toBeVisible();
    send(401, 800);
    await expect(u.bytesReceived).toHaveText('8,000');
    await page.waitForTimeout(300);
    expect((await position()).top).toBe(0);
    await expect(scroller.getByText('line 0001', { exact: true })).toBeVisible();

    // Back at the end, it follows again.
    await scroller.evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await expect(scroller.getByText('line 0800', { exact: true })).toBeVisible();
    send(801, 1200);
    await expect(u.bytesReceived).toHaveText('12,000');
    await expect(scroller.getByText('line 1200', { exact: true })).toBeVisible();
    await expect.poll(async () => { const p = await position(); return p.top >= p.max - 1; }).toBe(true);
  } finally {
    await server.close();
  }
  expect(errors).toEqual([]);
});

test('the wrapped Text view follows the end too, stays where the user scrolled up, and follows again at the end', async ({ page, web, errors }) => {
  const { server, send } = await linesPeer();
  try {
    const u = await connectTo(page, web, server.port);
    // Wrap is ticked by default, and 4,000 bytes render whole (it used to stay at the top).
    await expect(page.getByRole('checkbox', { name: 'Wrap' })).toBeChecked();
    const scroller = page.getByRole('region', { name: 'Response text' });
    const position = (): Promise<{ top: number; max: number }> =>
      scroller.evaluate((el) => ({ top: el.scrollTop, max: el.scrollHeight - el.clientHeight }));
    const atEnd = async (): Promise<boolean> => {
      const p = await position();
      return p.max > 0 && p.top >= p.max - 1;
    };
    await expect(u.bytesReceived).toHaveText('4,000');
    await expect(scroller.getByText(/line 0400/)).toBeInViewport();
    await expect.poll(atEnd).toBe(true);

    // Scrolled up, the view stays put while more arrives.
    await scroller.evaluate((el) => { el.scrollTop = 0; });
    await expect.poll(async () => (await position()).top).toBe(0);
    send(401, 800);
    await expect(u.bytesReceived).toHaveText('8,000');
    await page.waitForTimeout(300);
    expect((await position()).top).toBe(0);

    // Back at the end, it follows again.
    await scroller.evaluate((el) => { el.scrollTop = el.scrollHeight; });
    send(801, 1200);
    await expect(u.bytesReceived).toHaveText('12,000');
    await expect(scroller.getByText(/line 1200/)).toBeInViewport();
    await expect.poll(atEnd).toBe(true);
  } finally {
    await server.close();
  }
  expect(errors).toEqual([]);
});
