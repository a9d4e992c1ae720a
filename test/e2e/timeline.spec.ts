/**
 * The Timeline view, as a user meets it: a session with two request/reply rounds against a peer that
 * answers after a pause is drawn as bars each way and a reply span per send; the summary and the
 * table (hidden until asked for, always there for screen readers) give the same numbers.
 */
import type { Socket } from 'node:net';
import { expect, tcpServer, test, ui } from './web-mode.ts';

test('two sends, two delayed replies: bars, reply spans, summary and table agree', async ({ page, web, errors }) => {
  void errors;
  const peer = await tcpServer((s: Socket) => {
    s.on('data', (d: Buffer) => setTimeout(() => s.write(Buffer.concat([Buffer.from('reply:'), d])), 150));
    s.on('end', () => s.end());
  });
  try {
    const u = ui(page);
    await page.goto(web.url);
    await u.view('Text').waitFor();
    const timelineTab = page.getByRole('tab', { name: 'Timeline', exact: true });
    await timelineTab.click();
    await expect(page.getByText('Nothing to draw yet')).toBeVisible();

    await u.host.fill('127.0.0.1');
    await u.port.fill(String(peer.port));
    await u.closeAfterSend.uncheck();
    await u.payload.fill('PING');
    await u.connect.click();
    await expect(u.status).toContainText('Connected');
    await u.send.click();
    await expect(u.bytesReceived).toHaveText('10');
    await u.send.click();
    await expect(u.bytesReceived).toHaveText('20');
    await u.disconnect.click();

    const summary = page.locator('.timeline .summary');
    await expect(summary).toContainText('2 sends, 8 B sent, 20 B received');
    await expect(summary).toContainText('2 of 2 sends answered');
    // The drawing is an image named by the summary; its parts are bounded by the bucket count.
    const chart = page.getByRole('img', { name: /2 sends, 8 B sent/ });
    await expect(chart).toBeVisible();
    expect(await chart.locator('rect').count()).toBeLessThanOrEqual(120);
    expect(await chart.locator('circle').count()).toBe(2);
    expect(await chart.locator('line.wait').count()).toBe(2);
    // Every time label is whole inside the drawing (the last one was cut to "800 m" at its edge).
    const cut = await chart.evaluate((svg) => {
      const box = svg.getBoundingClientRect();
      return [...svg.querySelectorAll('text.tick')].filter((t) => {
        const r = t.getBoundingClientRect();
        return r.left < box.left - 0.5 || r.right > box.right + 0.5;
      }).map((t) => t.textContent);
    });
    expect(cut).toEqual([]);
    await chart.screenshot({ path: 'test-results/screenshots/timeline-axis.png' });

    // The table is in the page for screen readers, and shown on request.
    const table = page.getByRole('table', { name: /Reply time of each send/ });
    await expect(table).toHaveCount(1);
    const toggle = page.getByRole('button', { name: 'Show table' });
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await toggle.click();
    await expect(page.getByRole('button', { name: 'Hide table' })).toHaveAttribute('aria-expanded', 'true');
    await expect(table).toBeVisible();
    await expect(table.getByRole('row')).toHaveCount(3);
    await expect(table.getByRole('row').nth(1)).toContainText(/1\s*\d+ ms\s*4/);
    await expect(page.getByRole('table', { name: 'Events' })).toContainText('connected');

    // Alt+4 goes to the Timeline from another view.
    await u.view('Hex').click();
    await page.keyboard.press('Alt+4');
    await expect(timelineTab).toHaveAttribute('aria-selected', 'true');
  } finally {
    await peer.close();
  }
});
