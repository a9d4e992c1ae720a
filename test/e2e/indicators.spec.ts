/**
 * Every figure and control on the page shows what is in effect (issue 10, items 1, 2, 3, 6, 7, 12):
 * the cap banner follows the bytes still arriving, the byte rate shows during a slow transfer, Wrap
 * is not ticked while wrapping is forced off, typed newlines follow the chosen newline style, input
 * errors sit under their field and stale errors clear, and a bounded history says what it dropped.
 * Real web mode, real loopback peers.
 */
import type { Socket } from 'node:net';
import { connectTo, expect, shot, startSession, tcpServer, test, ui } from './web-mode.ts';

/** A peer that writes `total` bytes (the pattern i & 0xff) as fast as the socket takes them, then FIN. */
function streamingPeer(total: number): (s: Socket) => void {
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = i & 0xff;
  return (s) => {
    let sent = 0;
    const pump = (): void => {
      while (sent < total) {
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        if (!s.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void s.once('drain', pump);
      }
      s.end();
    };
    s.on('error', () => undefined);
    pump();
  };
}

test('the cap banner names the bytes actually kept, also after they finish arriving', async ({ page, web, errors }) => {
  test.setTimeout(120_000);
  const server = await tcpServer(streamingPeer(100 * 1024 * 1024));
  try {
    const u = await startSession(page, web, server.port, async (x) => {
      await x.view('Hex').click();
    });
    await expect(u.status).toContainText('Limit reached', { timeout: 60_000 });
    // The last kept row is on screen: all 64 MiB reached the page.
    await expect(u.response).toContainText('03fffff0', { timeout: 60_000 });
    await expect(page.getByText(/Loading bytes into the view/)).toHaveCount(0);
    const banner = page.getByText(/Response cap of 64\.0 MiB reached/);
    await expect(banner).toContainText('67,108,864 bytes');
    await expect(banner).toContainText('64.0 MiB');
    await expect(u.bytesReceived).toHaveText('67,108,864');
  } finally {
    await server.close();
  }
  expect(errors).toEqual([]);
});

test('the receive rate shows while 5 MB arrive over several seconds', async ({ page, web }) => {
  test.setTimeout(60_000);
  const TOTAL = 5_000_000;
  const STEPS = 60;
  const server = await tcpServer((s) => {
    let step = 0;
    const timer = setInterval(() => {
      if (s.destroyed || step === STEPS) {
        clearInterval(timer);
        if (!s.destroyed) s.end();
        return;
      }
      s.write(Buffer.alloc(Math.floor(TOTAL / STEPS), 0x61));
      step++;
    }, 100);
    s.on('close', () => clearInterval(timer));
  });
  try {
    const u = await startSession(page, web, server.port);
    await expect(u.status).toContainText('Connected');
    const rate = page.getByLabel('Receive rate');
    await expect(rate).toHaveText(/^\d+(\.\d)? (B|KiB|MiB)\/s$/);
    // The figure follows the data: about 810 KiB/s here (83,333 bytes every 100 ms).
    const text = (await rate.textContent()) ?? '';
    expect(text).toMatch(/KiB\/s/);
    await expect(u.status).toContainText(/Closed|Connected/);
  } finally {
    await server.close();
  }
});

test('Wrap is unticked and disabled, with the reason, while a large response forces it off', async ({ page, web }) => {
  const server = await tcpServer(streamingPeer(300 * 1024));
  try {
    const u = await startSession(page, web, server.port);
    await expect(u.bytesReceived).toHaveText('307,200');
    const wrap = page.getByRole('checkbox', { name: 'Wrap' });
    await expect(wrap).not.toBeChecked();
    await expect(wrap).toBeDisabled();
    await expect(wrap).toHaveAccessibleDescription(/over 256 KiB/);
    // Cleared: the user's own choice (ticked) is back in effect.
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect(wrap).toBeEnabled();
    await expect(wrap).toBeChecked();
  } finally {
    await server.close();
  }
});

test('newlines typed in the text are sent as CRLF when chosen, separately from the appended ending', async ({ page, web }) => {
  const received: Buffer[] = [];
  const server = await tcpServer((s) => {
    s.on('data', (d) => received.push(d));
    s.on('end', () => s.end());
  });
  try {
    const u = await connectTo(page, web, server.port);
    await u.payload.fill('GET / HTTP/1.0\nHost: a\n');
    await page.getByLabel('Newlines').selectOption('crlf');
    await page.getByLabel('Append').selectOption('crlf');
    await expect(page.getByText('27 bytes will be sent')).toBeVisible();
    await u.send.click();
    await expect(u.status).toContainText('Closed by peer');
    expect(Buffer.concat(received).toString('latin1')).toBe('GET / HTTP/1.0\r\nHost: a\r\n\r\n');
  } finally {
    await server.close();
  }
});

test('the byte preview expands to show every byte', async ({ page, web }) => {
  await page.goto(web.url);
  const u = ui(page);
  await u.payload.fill(`${'x'.repeat(299)}Z`);
  await expect(page.getByText('300 bytes will be sent')).toBeVisible();
  await page.getByRole('button', { name: 'Show all 300 bytes' }).click();
  const dump = page.getByRole('region', { name: 'Bytes to send' });
  // The last row: offset 0x120 = 288, then eleven "x" and the "Z" (0x5a).
  await expect(dump).toContainText('00000120');
  await expect(dump).toContainText('78 78 78 5a');
  // The dump follows the editor: one more character is one more byte on the last row.
  await u.payload.press('End');
  await u.payload.pressSequentially('!');
  await expect(dump).toContainText('78 78 78 5a 21');
  await expect(page.getByRole('button', { name: 'Hide bytes' })).toBeVisible();
  await page.getByRole('button', { name: 'Hide bytes' }).click();
  // Few enough for the line to hold them all: the button offers the dump, not "all" of them.
  await u.payload.fill('hello');
  await expect(page.getByRole('button', { name: 'Hex dump' })).toBeVisible();
  await expect(page.getByRole('button', { name: /Show all/ })).toHaveCount(0);
});

test('an input error sits under its field once, and a stale connect error clears when the inputs change', async ({ page, web }) => {
  const u = ui(page);
  await page.goto(web.url);
  // Fresh tab: the port error shows under Port only, not in the status badge as well.
  await u.host.fill('127.0.0.1');
  await u.port.fill('70000');
  await expect(u.port).toHaveAttribute('aria-invalid', 'true');
  await expect(u.port).toHaveAccessibleDescription(/70000 is out of range/);
  await expect(u.connect).toBeDisabled();
  await expect(u.status).toHaveText('Idle');
  await expect(page.getByText(/70000 is out of range/)).toHaveCount(1);

  // A DNS failure, then a bad port: the DNS error is stale and goes; the port error is under Port.
  await u.host.fill('nope.invalid');
  await u.port.fill('80');
  await expect(u.port).not.toHaveAttribute('aria-invalid', 'true');
  await u.connect.click();
  await expect(u.status).toContainText('Error:');
  await u.port.fill('70000');
  await expect(u.status).toHaveText('Idle');
  await expect(u.port).toHaveAttribute('aria-invalid', 'true');
  await expect(u.port).toHaveAccessibleDescription(/70000 is out of range/);
  await expect(u.connect).toBeDisabled();
  await expect(page.getByRole('region', { name: 'Request' }).getByText(/out of range/)).toHaveCount(0);
  await expect(page.getByText(/70000 is out of range/)).toHaveCount(1);

  // An empty port is named only after Connect is pressed.
  await u.port.fill('');
  await expect(u.port).not.toHaveAttribute('aria-invalid', 'true');
  await u.connect.click();
  await expect(u.port).toHaveAttribute('aria-invalid', 'true');
  await expect(u.port).toHaveAccessibleDescription(/enter a port number/);
});

test('the sent history keeps 50 sends and says how many older ones it dropped', async ({ page, web }) => {
  test.setTimeout(120_000);
  const server = await tcpServer((s) => s.resume());
  try {
    const u = await connectTo(page, web, server.port);
    await u.closeAfterSend.uncheck();
    await u.payload.fill('ping');
    for (let i = 1; i <= 52; i++) {
      await u.send.click();
      await expect(u.bytesSent).toHaveText(String(4 * i));
    }
    await expect(page.getByText('Sent in this session (50)')).toBeVisible();
    await expect(page.getByText(/2 older sends? not kept/)).toBeVisible();
  } finally {
    await server.close();
  }
});

test('a send too large for the history stays listed, says its bytes were not kept, and offers no Send again', async ({ page, web }) => {
  test.setTimeout(120_000);
  const SIZE = 17 * 1024 * 1024;
  const server = await tcpServer((s) => s.resume());
  try {
    const u = await connectTo(page, web, server.port);
    await u.closeAfterSend.uncheck();
    await page.getByRole('region', { name: 'Request' }).locator('input[type="file"]').setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(SIZE, 0x42) });
    await expect(u.bytesSent).toHaveText('17,825,792', { timeout: 60_000 });
    const history = page.locator('details.history');
    await expect(history).toContainText('file big.bin (17,825,792 bytes)');
    await expect(history).toContainText('17,825,792 B');
    await expect(history).toContainText('not kept for Send again');
    await expect(history.getByRole('button', { name: /Send again/ })).toHaveCount(0);
  } finally {
    await server.close();
  }
});

test.describe('the loading note', () => {
  // The note needs the page to fall behind main's count. On a loaded CI machine (two workers on two
  // cores) main can slow as much as the throttled page, so a run may see no note at all: that run
  // proves nothing either way, and it gets one more try (passed 4 of 4 alone, failed 1 of 1 in a
  // fresh-clone CI run beside other work).
  test.describe.configure({ retries: 1 });

  test('the loading note sits over the view: the view keeps its height while the page catches up', async ({ page, web, errors }) => {
    test.setTimeout(120_000);
    const TOTAL = 32 * 1024 * 1024;
    const server = await tcpServer(streamingPeer(TOTAL));
    try {
      const u = await startSession(page, web, server.port, async (x) => {
        await x.view('Hex').click();
        // A slow page falls behind main's count for sure, so the note shows while bytes arrive.
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 8 });
        await page.evaluate(() => {
          const seen = { note: false, heights: [] as number[] };
          Object.assign(window, { __seen: seen });
          const sizes = new ResizeObserver((entries) => {
            for (const e of entries) seen.heights.push(Math.round(e.contentRect.height));
          });
          new MutationObserver(() => {
            if ([...document.querySelectorAll('p')].some((p) => p.textContent?.startsWith('Loading bytes into the view'))) seen.note = true;
            const scroller = document.querySelector('[role="tabpanel"] [role="region"]');
            if (scroller && !(scroller as { __watched?: boolean }).__watched) {
              (scroller as { __watched?: boolean }).__watched = true;
              sizes.observe(scroller);
            }
          }).observe(document.body, { subtree: true, childList: true, characterData: true });
        });
      });
      await expect(u.bytesReceived).toHaveText(TOTAL.toLocaleString('en-US'), { timeout: 60_000 });
      await expect(page.getByText(/Loading bytes into the view/)).toHaveCount(0, { timeout: 60_000 });
      const seen = await page.evaluate(() => (window as unknown as { __seen: { note: boolean; heights: number[] } }).__seen);
      expect(seen.note).toBe(true);
      // One height from first row to last byte: the note came and went without moving the rows.
      expect(seen.heights.length).toBeGreaterThan(0);
      expect(new Set(seen.heights).size).toBe(1);
    } finally {
      await server.close();
    }
    expect(errors).toEqual([]);
  });
});

test('a response too big to wrap shows its last line: the note above the rows does not push them past the panel', async ({ page, web, errors }) => {
  test.setTimeout(60_000);
  let text = '';
  for (let i = 0; text.length < 600 * 1024; i++) text += `line ${String(i).padStart(8, '0')} ${'x'.repeat(60)}\n`;
  text += 'THE LAST LINE\n';
  const server = await tcpServer((s) => {
    s.on('error', () => undefined);
    s.end(text);
  });
  try {
    const u = await startSession(page, web, server.port);
    await expect(u.bytesReceived).toHaveText(Buffer.byteLength(text).toLocaleString('en-US'), { timeout: 30_000 });
    await expect(page.getByText(/Wrapping is off for responses over 256 KiB/)).toBeVisible();
    const last = page.getByText('THE LAST LINE', { exact: true });
    await expect(last).toBeVisible();
    const rows = await page.getByRole('region', { name: 'Response text' }).boundingBox();
    const panel = await page.getByRole('region', { name: 'Response', exact: true }).boundingBox();
    const line = await last.boundingBox();
    // The scroller ends inside its panel, and the last line inside the scroller.
    expect(rows!.y + rows!.height).toBeLessThanOrEqual(panel!.y + panel!.height + 0.5);
    expect(line!.y + line!.height).toBeLessThanOrEqual(rows!.y + rows!.height + 0.5);
  } finally {
    await server.close();
  }
  expect(errors).toEqual([]);
});

test("control bytes are drawn with the app's own Control Pictures, not the system's fallback (or an empty box)", async ({ page, web, errors }) => {
  // 64 control bytes on one line: more marks than chips are drawn for, so the line is plain text
  // and its marks are the Control Pictures themselves (MarkedText.svelte).
  const controls = Buffer.from(Array.from({ length: 64 }, (_, i) => [0x01, 0x1b, 0x00, 0x7f][i % 4]!));
  const server = await tcpServer((s) => {
    s.on('error', () => undefined);
    s.end(Buffer.concat([Buffer.from('before '), controls, Buffer.from(' after\n')]));
  });
  try {
    const u = await startSession(page, web, server.port);
    await expect(u.bytesReceived).toHaveText('78');
    const piece = page.locator('.wrap .piece').first();
    await expect(piece).toContainText('before ␁␛␀␡');
    // Which fonts Chromium actually drew the piece with, and how many glyphs each.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: '.wrap .piece' });
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    // Every control picture from the app's font (a web font: Chromium names it by the font's own
    // family), the 13 other characters from the system's monospace font.
    expect(fonts.filter((f) => f.isCustomFont)).toEqual([expect.objectContaining({ familyName: 'Noto Sans Symbols 2', glyphCount: 64 })]);
    expect(fonts.reduce((n, f) => n + f.glyphCount, 0)).toBe(64 + 13);
    await cdp.detach();
  } finally {
    await server.close();
  }
  expect(errors).toEqual([]);
});

test('a line wider than the Text view scrolls sideways to its last byte, and the Hex view in a narrow window too', async ({ page, web, errors }) => {
  await page.setViewportSize({ width: 800, height: 800 });
  // Every byte value, 40 times: lines of up to 256 bytes with 4,000+ marks, so Wrap is forced off.
  const body = Buffer.concat(Array.from({ length: 40 }, () => Buffer.from(Array.from({ length: 256 }, (_, i) => i))));
  const all = Buffer.concat([body, Buffer.from('\nEND OF THE LONGEST LINE '.padEnd(900, '.') + '|LAST\n')]);
  const server = await tcpServer((s) => {
    s.on('error', () => undefined);
    s.end(all);
  });
  try {
    const u = await startSession(page, web, server.port);
    await expect(u.bytesReceived).toHaveText(all.length.toLocaleString('en-US'));
    // Too many marks to wrap, yet the invalid bytes are still counted (the badge was missing).
    await expect(page.getByText('5,120 invalid byte sequences shown as �')).toBeVisible();
    const text = page.getByRole('region', { name: 'Response text' });
    const last = page.getByText(/\|LAST$/);
    await expect(last).toBeAttached();
    await expect.poll(() => text.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeGreaterThan(100);
    await text.evaluate((el) => (el.scrollLeft = el.scrollWidth));
    // Scrolled to the far right, the line's end is inside the view.
    const box = await text.boundingBox();
    const end = await last.evaluate((el) => {
      const r = document.createRange();
      r.selectNodeContents(el);
      const rects = r.getClientRects();
      return rects[rects.length - 1]!.right;
    });
    expect(end).toBeLessThanOrEqual(box!.x + box!.width + 0.5);
    expect(end).toBeGreaterThan(box!.x);
    await shot(page, 'text-scrolled-right-800');

    await u.view('Hex').click();
    const dump = page.getByRole('region', { name: 'Hex dump' });
    // A dump row (offset, 16 bytes, their ASCII) is wider than this panel: it scrolls, not cuts.
    await expect.poll(() => dump.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeGreaterThan(0);
    // Scrolled to the ASCII column, the offsets stay at the view's left edge.
    await dump.evaluate((el) => (el.scrollLeft = el.scrollWidth));
    const [dumpLeft, offsetLeft] = await dump.evaluate((el) => [el.getBoundingClientRect().left, el.querySelector('.off')!.getBoundingClientRect().left]);
    expect(Math.abs(offsetLeft! - dumpLeft!)).toBeLessThan(1);
    const [dumpRight, asciiRight] = await dump.evaluate((el) => [el.getBoundingClientRect().right, Math.max(...[...el.querySelectorAll('.ascii')].map((a) => a.getBoundingClientRect().right))]);
    // …and the ASCII column ends inside the view.
    expect(asciiRight!).toBeLessThanOrEqual(dumpRight! + 0.5);
    await shot(page, 'hex-scrolled-right-800');
  } finally {
    await server.close();
  }
  expect(errors).toEqual([]);
});

test("a payload error is the payload box's description, as the Host and Port errors are theirs", async ({ page, web, errors }) => {
  const u = ui(page);
  await page.goto(web.url);
  await u.mode('Hex').click();
  await u.payload.fill('48 6z');
  await expect(u.payload).toHaveAttribute('aria-invalid', 'true');
  await expect(u.payload).toHaveAccessibleDescription(/invalid hex digit "z" at character 5/);
  await u.payload.fill('48 69');
  await expect(u.payload).not.toHaveAttribute('aria-invalid', 'true');
  await expect(u.payload).toHaveAccessibleDescription('');
  expect(errors).toEqual([]);
});

test('short lines never scroll sideways, also after the window was wider', async ({ page, web, errors }) => {
  await page.setViewportSize({ width: 1920, height: 800 });
  const server = await tcpServer((s) => {
    s.on('error', () => undefined);
    // Over 256 KiB, so the rows are the virtual ones; every line short.
    s.end('short line\n'.repeat(30_000));
  });
  try {
    const u = await startSession(page, web, server.port);
    await expect(u.bytesReceived).toHaveText('330,000');
    const text = page.getByRole('region', { name: 'Response text' });
    await expect(text.getByText('short line').first()).toBeVisible();
    await page.setViewportSize({ width: 800, height: 800 });
    await expect.poll(() => text.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(1);
  } finally {
    await server.close();
  }
  expect(errors).toEqual([]);
});
