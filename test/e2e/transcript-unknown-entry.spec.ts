/**
 * A transcript entry of a kind the page does not know (main and renderer out of step) is shown as a
 * labelled "unknown entry" row naming the kind, between the entries around it, not as a blank row.
 *
 * The real web mode runs the real session; the test sits on the page's WebSocket (Playwright's
 * routeWebSocket, with the bridge kept on the page) and adds one entry of an invented kind to the first update that carries the
 * "connected" entry. Frames are shared/wire.ts's: a 4-byte header length, the JSON header, then the
 * binary tail the header points into; only the header is rewritten.
 */
import type { WebSocketRoute } from '@playwright/test';
import { expect, shot, tcpServer, test, ui } from './web-mode.ts';

function withUnknownEntry(frame: Buffer): Buffer {
  const headerLength = frame.readUInt32BE(0);
  const header = JSON.parse(frame.subarray(4, 4 + headerLength).toString('utf8')) as {
    t: string;
    event?: string;
    payload?: { transcript?: Array<{ at: number; kind: string }> };
  };
  const transcript = header.t === 'event' && header.event === 'session:update' ? header.payload?.transcript : undefined;
  const at = transcript?.findIndex((e) => e.kind === 'connected') ?? -1;
  if (!transcript || at < 0) return frame;
  transcript.splice(at + 1, 0, { at: transcript[at]!.at, kind: 'tls-handshake' });
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.byteLength, 0);
  return Buffer.concat([length, json, frame.subarray(4 + headerLength)]);
}

test('an entry of an unknown kind is a labelled row naming the kind', async ({ page, web, errors }) => {
  const server = await tcpServer((s) => s.end('hello'));
  let injected = 0;
  await page.routeWebSocket(/\/ws/, (ws: WebSocketRoute) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => {
      if (typeof m === 'string') return ws.send(m);
      const out = withUnknownEntry(m);
      if (out !== m) injected += 1;
      ws.send(out);
    });
  });
  try {
    const u = ui(page);
    // Playwright routes only the page's own WebSockets, not a worker's: keep the bridge on the page
    // (`?bridge=page`, the same client web mode runs in its worker) so the test can sit on it.
    await page.goto(web.url.replace('/#', '/?bridge=page#'));
    await u.host.fill('127.0.0.1');
    await u.port.fill(String(server.port));
    await u.connect.click();
    await expect(u.status).toContainText('Closed by peer');
    expect(injected).toBe(1);
    await u.view('Transcript').click();
    const row = u.response.getByText('unknown entry: kind "tls-handshake"');
    await expect(row).toBeVisible();
    await expect(u.response).toContainText('⚠ ????');
    // The rows around it are still there, in order.
    const text = (await u.response.textContent()) ?? '';
    const connected = text.indexOf('connected to 127.0.0.1');
    const unknown = text.indexOf('unknown entry');
    const received = text.indexOf('← recv');
    expect(connected).toBeGreaterThanOrEqual(0);
    expect(unknown).toBeGreaterThan(connected);
    expect(received).toBeGreaterThan(unknown);
    await shot(page, 'transcript-unknown-entry');
  } finally {
    await server.close();
  }
  expect(errors).toEqual([]);
});
