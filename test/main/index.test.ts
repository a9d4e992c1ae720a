/**
 * The Electron entry (main/index.ts) with `electron` replaced: single-instance lock, secure window
 * placed on a display that exists, permissions denied but clipboard writes, and a quit that waits
 * for sessions and profile writes (F26). The real binary never runs here; this is its wiring.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { app, FakeSession, FakeWebContents, recorded, session } from '../fakes/electron.ts';
import { CALL_CHANNELS } from '../../shared/contract.ts';

let dir: string;
let rejectionListenersBefore: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'st-index-'));
  app.userData = dir;
  // A remembered window on the second display, partly off it: it must be pulled back on screen.
  await writeFile(
    join(dir, 'window-state.json'),
    JSON.stringify({ version: 1, bounds: { x: 2800, y: 100, width: 900, height: 700 }, maximized: false }),
  );
  recorded.reset();
  rejectionListenersBefore = process.listenerCount('unhandledRejection');
  process.env['ELECTRON_RENDERER_URL'] = 'https://evil.example/';
  await import('../../main/index.ts');
  app.makeReady();
  for (let i = 0; i < 200 && recorded.windows.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
});

afterAll(async () => {
  delete process.env['ELECTRON_RENDERER_URL'];
  await rm(dir, { recursive: true, force: true });
});

describe('main/index.ts', () => {
  it('registers the app scheme, takes the lock, and opens one secure window on a real display', () => {
    expect(recorded.privilegedSchemes).toHaveLength(1);
    expect(recorded.windows).toHaveLength(1);
    const options = recorded.windows[0]!.options as { x: number; y: number; width: number; height: number; webPreferences: Record<string, unknown> };
    expect(options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    // Second display is x 1920..3200: the window is moved inside it.
    expect(options.x + options.width).toBeLessThanOrEqual(3200);
    expect(options.x).toBeGreaterThanOrEqual(1920);
    expect(recorded.errorBoxes).toEqual([]);
  });

  it('handles exactly the contract\'s call channels, each once', () => {
    // The fake's ipcMain.handle throws on a second handler for a channel, so a duplicate would
    // have failed the start-up above (and shown in errorBoxes).
    expect([...recorded.ipcHandlers.keys()].sort()).toEqual([...CALL_CHANNELS].sort());
    expect(CALL_CHANNELS).toHaveLength(new Set(CALL_CHANNELS).size);
  });

  it('answers a call from its own window through the real handlers', async () => {
    const win = recorded.windows[0]!;
    const handler = recorded.ipcHandlers.get('profiles:state')!;
    const r = await handler({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, {});
    expect(r).toEqual({
      ok: true,
      value: { status: 'created', readOnly: false, message: null, filePath: join(dir, 'profiles.json') },
    });
  });

  it('tells the renderer the system language in app:info (issue 17)', async () => {
    const win = recorded.windows[0]!;
    const r = await recorded.ipcHandlers.get('app:info')!({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, {});
    expect(r).toMatchObject({ ok: true, value: { host: 'electron', locale: 'en-US' } });
  });

  it('never loads a non-local dev server URL from the environment', () => {
    expect(recorded.windows[0]!.loadedUrl).toBe('app://socket-tester/index.html');
  });

  it('denies every permission except writing to the clipboard', () => {
    const results: Record<string, boolean> = {};
    for (const p of ['media', 'notifications', 'clipboard-read', 'geolocation', 'clipboard-sanitized-write']) {
      session.defaultSession.requestHandler!(null, p, (ok) => (results[p] = ok));
    }
    expect(results).toEqual({ media: false, notifications: false, 'clipboard-read': false, geolocation: false, 'clipboard-sanitized-write': true });
    expect(session.defaultSession.checkHandler!(null, 'media')).toBe(false);
  });

  // R-ELECTRON-EVERY-CONTENTS: the lockdown used to be attached to the main window only.
  it('locks down every web contents the app creates, and its session (R-ELECTRON-EVERY-CONTENTS)', () => {
    const other = new FakeWebContents();
    other.session = new FakeSession();
    app.emit('web-contents-created', {}, other);
    let prevented = 0;
    const ev = { preventDefault: () => prevented++ };
    other.emit('will-navigate', ev, 'https://evil.example/');
    other.emit('will-redirect', ev, 'file:///etc/passwd');
    other.emit('will-attach-webview', ev);
    expect(prevented).toBe(3);
    other.emit('will-navigate', ev, 'app://socket-tester/index.html');
    expect(prevented).toBe(3);
    expect(other.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    let granted: boolean | null = null;
    other.session.requestHandler!(null, 'media', (ok) => (granted = ok));
    expect(granted).toBe(false);
    expect(other.session.checkHandler!(null, 'geolocation')).toBe(false);
    expect(other.session.checkHandler!(null, 'clipboard-sanitized-write')).toBe(true);
    // The main window is locked down once, not once per path that reaches it.
    const main = recorded.windows[0]!.webContents;
    app.emit('web-contents-created', {}, main);
    expect(main.listenerCount('will-navigate')).toBe(1);
  });

  it('keeps running on an unhandled rejection (logs it)', () => {
    expect(process.listenerCount('unhandledRejection')).toBe(rejectionListenersBefore + 1);
  });

  it('sets the About panel to the app name and version', () => {
    expect(app.aboutOptions).toMatchObject({ applicationName: 'Socket Tester', applicationVersion: '0.0.0-test' });
  });

  it('quitting waits for shutdown, then quits for real', async () => {
    const quitSpy = vi.fn();
    app.once('quit', quitSpy);
    app.quit();
    expect(quitSpy).not.toHaveBeenCalled();
    for (let i = 0; i < 200 && quitSpy.mock.calls.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(quitSpy).toHaveBeenCalledTimes(1);
    expect(app.quitCalls).toBe(2);
  });
});
