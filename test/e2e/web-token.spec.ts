/**
 * Web mode's token in the browser (R-WEB-TOKEN-LEAK): it arrives in the URL fragment, leaves the
 * address bar at once, is never a cookie, rides only in the WebSocket upgrade, and survives a
 * reload of the tab. The page works as `localhost` as well as `127.0.0.1`, and opened without a
 * token (or with a stale one) it says how to get a working address instead of "Lost the connection".
 */
import { connectTo, expect, shot, tcpServer, test, ui, watchConsole } from './web-mode.ts';

test('opened as localhost with the token: works, token out of the address bar, no cookie, reload works', async ({ page, web, errors }) => {
  const server = await tcpServer((s) => s.on('data', (d) => s.end(d)));
  try {
    const port = new URL(web.url).port;
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(`http://localhost:${port}/#token=${web.token}`);
    const u = await connectTo(page, web, server.port);
    expect(page.url()).toBe(`http://localhost:${port}/`);
    expect(await page.context().cookies()).toEqual([]);
    // No request URL ever carries the token; only the upgrade's subprotocol list does.
    expect(requested.filter((url) => url.includes(web.token))).toEqual([]);
    await u.payload.fill('ping');
    await u.send.click();
    await expect(u.response).toContainText('ping');
    await shot(page, 'web-token-localhost');

    await page.reload();
    await expect(page).toHaveURL(`http://localhost:${port}/`);
    await expect(ui(page).status).toHaveText('Idle');
    await expect(page.getByRole('alert')).toHaveCount(0);
  } finally {
    await server.close();
  }
  expect(errors).toEqual([]);
});

test('opened from its own address without a token: a page-level explanation, no WebSocket', async ({ page, web, errors }) => {
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(web.origin + '/');
  const notice = page.getByRole('alert');
  await expect(notice).toContainText('This address needs its access token');
  await expect(notice).toContainText('socket-tester web');
  await expect(notice).toContainText(`${web.origin}/#token=`);
  await expect(page.getByText(/Lost the connection/)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Connect', exact: true })).toBeHidden();
  await shot(page, 'web-token-missing');
  expect(sockets).toEqual([]);
  expect(errors).toEqual([]);
});

test('a stale or wrong token is refused at the upgrade, forgotten, and explained', async ({ page, web }) => {
  // Chromium logs the refused handshake as a console error; that one is expected, nothing else is.
  const errors = watchConsole(page);
  await page.goto(`${web.origin}/#token=from-an-earlier-launch`);
  await expect(page.getByRole('alert')).toContainText("The web server refused this page's token");
  await expect(page.getByText(/Lost the connection/)).toHaveCount(0);
  // The token is gone from the tab's storage; only the open tabs' copy may be there (workspace.ts).
  expect(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k !== 'socket-tester.workspace'))).toEqual([]);
  expect(errors.filter((e) => !/WebSocket connection to .* failed/.test(e))).toEqual([]);
  // Pasting the right address into the same tab (only the fragment changes) starts over with it.
  await page.goto(web.url);
  await expect(ui(page).status).toHaveText('Idle');
  await expect(page.getByRole('alert')).toHaveCount(0);
});
