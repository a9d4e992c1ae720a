/**
 * Electron entry point. Thin on purpose: everything that can run without Electron (engine, store,
 * handlers, guards) lives in plain-Node modules tested on machines where Electron cannot run.
 * This file only wires them to Electron's app lifecycle, window, protocol, dialogs and IPC.
 */
import { app, BrowserWindow, dialog, screen, session } from 'electron';
import { join } from 'node:path';
import { composeAppService } from './app-composition.ts';
import type { AppService } from './app-service.ts';
import { registerAppScheme, serveRenderer } from './electron/app-protocol.ts';
import { installAppMenu } from './electron/app-menu.ts';
import { bindIpc } from './electron/ipc-binding.ts';
import { createMainWindow, lockDownEveryContents, lockDownPermissions } from './electron/main-window.ts';
import { createNativeDialogs } from './electron/native-dialogs.ts';
import { keepRunningOnUnhandledRejection } from './unhandled-rejections.ts';
import { loadWindowState } from './window-state/file.ts';
import { placeWindow } from './window-state/geometry.ts';
import { WindowStateSaver } from './window-state/saver.ts';
import type { WindowState } from './window-state/schema.ts';

// Only `npm run dev` serves the renderer from a dev server. A packaged app ignores the variable:
// honouring it would let anyone who can set the environment load a page of theirs with our bridge.
const devServerUrl = app.isPackaged ? undefined : localDevServer(process.env['ELECTRON_RENDERER_URL']);
const outDir = join(import.meta.dirname, '..');
let mainWindow: BrowserWindow | null = null;
let service: AppService | null = null;

/** The dev server URL when it is on this machine (electron-vite's default), else nothing. */
function localDevServer(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const { protocol, hostname } = new URL(url);
    return protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(hostname) ? url : undefined;
  } catch {
    return undefined;
  }
}

function focusMainWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

async function start(): Promise<void> {
  await app.whenReady();
  // The default session exists only now; every other session is locked when a contents using it
  // is created (lockDownEveryContents).
  lockDownPermissions(session.defaultSession);
  serveRenderer(join(outDir, 'renderer'));
  installAppMenu();
  app.setAboutPanelOptions({
    applicationName: app.getName(),
    applicationVersion: app.getVersion(),
    copyright: 'Copyright © 2026 Socket Tester developers',
    website: 'https://github.com/socket-tester/socket-tester',
  });

  service = await composeAppService({
    host: 'electron',
    profilesPath: join(app.getPath('userData'), 'profiles.json'),
    dialogs: createNativeDialogs(dialog),
    locale: app.getLocale(),
  });
  bindIpc(service, devServerUrl);

  // Remembered size and position, placed onto a display that exists now.
  const userData = app.getPath('userData');
  const saved = await loadWindowState(userData);
  // placeWindow wants the primary display's work area first.
  const primary = screen.getPrimaryDisplay();
  const workAreas = [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map((d) => d.workArea);
  const placed = placeWindow(saved.ok ? saved.value : null, workAreas);
  const win = createMainWindow({
    preloadDir: join(outDir, 'preload'),
    bounds: placed.bounds,
    devServerUrl,
    title: app.getName(),
  });
  if (placed.maximized) win.maximize();
  mainWindow = win;
  // A failed save is not worth interrupting the user for; the next move or close tries again.
  const saver = new WindowStateSaver(userData, () => undefined);
  const current = (): WindowState => ({ bounds: win.getNormalBounds(), maximized: win.isMaximized() });
  const remember = (): void => saver.schedule(current());
  win.on('move', remember);
  win.on('resize', remember);
  win.on('maximize', remember);
  win.on('unmaximize', remember);
  win.on('close', () => saver.flushSync(current()));
  win.on('closed', () => {
    saver.dispose();
    mainWindow = null;
  });
}

if (!app.requestSingleInstanceLock()) {
  // Another instance owns the window; it focuses itself on 'second-instance'.
  app.quit();
} else {
  // One forgotten catch must not take every session down with the app (as in web mode).
  keepRunningOnUnhandledRejection((text) => console.error(text));
  // Before anything can create a web contents: every one of them is locked down, not only ours.
  lockDownEveryContents(app, devServerUrl);
  registerAppScheme();
  app.on('second-instance', focusMainWindow);
  app.on('window-all-closed', () => app.quit());

  // Quit mid-transfer (F26): destroy sockets and flush profile writes before exiting.
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !service) return;
    event.preventDefault();
    quitting = true;
    void service.shutdown().finally(() => app.quit());
  });

  start().catch((err: unknown) => {
    dialog.showErrorBox('Socket Tester could not start', err instanceof Error ? (err.stack ?? err.message) : String(err));
    app.exit(1);
  });
}
