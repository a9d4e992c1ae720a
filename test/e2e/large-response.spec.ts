/**
 * A 100 MiB response at full loopback speed: the final count is exact, the session ends normally
 * and the views still scroll to the last byte. (Timing is measured by `npm run bench:ui`, not here.)
 */
import { expect, setOption, shot, startSession, tcpServer, test } from './web-mode.ts';

const TOTAL = 100 * 1024 * 1024;

test('100 MiB arrives with an exact count and the hex view reaches the last row', async ({ page, web, errors }) => {
  test.setTimeout(120_000);
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = i & 0xff;
  const server = await tcpServer((s) => {
    let sent = 0;
    const pump = (): void => {
      while (sent < TOTAL) {
        sent += chunk.length;
        if (!s.write(chunk)) return void s.once('drain', pump);
      }
      s.end();
    };
    pump();
  });
  try {
    const u = await startSession(page, web, server.port, async (ui) => {
      await setOption(page, 'Response cap (MiB)', '128');
      await ui.view('Hex').click();
    });
    await expect(u.status).toContainText('Closed by peer', { timeout: 60_000 });
    await expect(u.bytesReceived).toHaveText('104,857,600');
    // Pinned to the end while data streamed in: the last row (offset 0x63ffff0) is on screen.
    await expect(u.response).toContainText('063ffff0');
    await expect(u.response).toContainText('f0 f1 f2 f3 f4 f5 f6 f7  f8 f9 fa fb fc fd fe ff');
    await shot(page, 'large-response-hex');
    await u.view('Text').click();
    await expect(page.getByText(/Wrapping is off for responses over 256 KiB/)).toBeVisible();
    await u.view('Transcript').click();
    await expect(u.response).toContainText('closed: peer-closed');
  } finally {
    await server.close();
  }
  expect(errors).toEqual([]);
});
