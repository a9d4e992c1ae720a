/**
 * The main window and its security settings (RELIABILITY R4, R7). Kept apart from index.ts so the
 * settings are asserted in unit tests with `electron` replaced.
 */
import { BrowserWindow, shell, type App, type Rectangle, type Session, type WebContents } from 'electron';
import { join } from 'node:path';
import { APP_ORIGIN } from './app-protocol.ts';

/** True for URLs of our own renderer: the app protocol, or the dev server in `npm run dev`. */
export function isAppUrl(url: string, devServerUrl: string | undefined): boolean {
  if (url.startsWith(APP_ORIGIN + '/')) return true;
  if (devServerUrl) {
    try {
      return new URL(url).origin === new URL(devServerUrl).origin;
    } catch {
      return false;
    }
  }
  return false;
}

/** The only origin the app links to (package.json homepage). */
export const PROJECT_ORIGIN = 'https://github.com';
const PROJECT_PATH = '/socket-tester/socket-tester';

/** True for https links into the project's own pages, the only external links the app builds. */
export function isProjectUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.origin === PROJECT_ORIGIN && (u.pathname === PROJECT_PATH || u.pathname.startsWith(PROJECT_PATH + '/'));
  } catch {
    return false;
  }
}

const lockedContents = new WeakSet<WebContents>();
const lockedSessions = new WeakSet<Session>();

/**
 * Denies navigation away from the app, new windows and webviews; external https links open in the
 * browser. Idempotent: the main window gets it at creation and again from 'web-contents-created'.
 */
export function lockDownContents(contents: WebContents, devServerUrl: string | undefined): void {
  if (lockedContents.has(contents)) return;
  lockedContents.add(contents);
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, devServerUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, devServerUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Only app-built links (the project's own https pages) may leave, and only to the system browser.
    // electronegativity-justified OPEN_EXTERNAL_JS_CHECK: only https URLs on the project's own origin (isProjectUrl) reach openExternal, so no file:, smb: or custom-scheme handler can be launched; the window itself is always denied
    if (isProjectUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

/** The one permission any page gets: writing to the clipboard, which the Copy button needs. */
export function isAllowedPermission(permission: string): boolean {
  return permission === 'clipboard-sanitized-write';
}

/** Denies every permission request and check (camera, notifications, clipboard-read, …) but clipboard writes. */
export function lockDownPermissions(session: Session): void {
  if (lockedSessions.has(session)) return;
  lockedSessions.add(session);
  session.setPermissionRequestHandler((_wc, permission, callback) => callback(isAllowedPermission(permission)));
  session.setPermissionCheckHandler((_wc, permission) => isAllowedPermission(permission));
}

/**
 * App-wide lockdown (R4, R7): every web contents Electron ever creates, not only the main window's
 * (a devtools page, a window that slipped past the open handler, a guest of any kind), gets the
 * navigation, window-open and webview denial, and its session (which may not be the default one)
 * the permission denial. Call before the app is ready, so no contents can be created first.
 */
export function lockDownEveryContents(app: Pick<App, 'on'>, devServerUrl: string | undefined): void {
  app.on('web-contents-created', (_event, contents) => {
    lockDownContents(contents, devServerUrl);
    lockDownPermissions(contents.session);
  });
}

export interface MainWindowOptions {
  preloadDir: string;
  bounds: Rectangle | null;
  devServerUrl: string | undefined;
  title: string;
}

export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  // The security settings are written out here, not built by a helper, so that both a reader and
  // the Electronegativity audit see them at the call; test/main/electron/main-window.test.ts pins them.
  const win = new BrowserWindow({
    ...(opts.bounds ?? { width: 1280, height: 820 }),
    minWidth: 720,
    minHeight: 480,
    title: opts.title,
    show: false,
    backgroundColor: '#1e1f22',
    webPreferences: {
      // electronegativity-justified PRELOAD_JS_CHECK: the preload runs sandboxed and context-isolated and exposes only one closure per contract channel (main/preload.ts)
      preload: join(opts.preloadDir, 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  lockDownContents(win.webContents, opts.devServerUrl);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(opts.devServerUrl ?? `${APP_ORIGIN}/index.html`);
  return win;
}
