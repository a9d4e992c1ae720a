/**
 * Stand-in for the `electron` module in unit tests (aliased in vitest.config.ts), so no test ever
 * loads the real package (which would try to download the binary). It records what main asks of
 * Electron (window options, IPC handlers, protocol handlers) for tests to assert on, and lets
 * tests invoke registered IPC handlers with a chosen sender.
 */
import { EventEmitter } from 'node:events';

export const recorded = {
  windows: [] as FakeBrowserWindow[],
  ipcHandlers: new Map<string, (event: unknown, arg: unknown) => unknown>(),
  protocolHandlers: new Map<string, (req: Request) => Promise<Response> | Response>(),
  privilegedSchemes: [] as unknown[],
  openedExternal: [] as string[],
  exposed: new Map<string, unknown>(),
  invoked: [] as Array<{ channel: string; arg: unknown }>,
  rendererListeners: new Map<string, Set<(...a: unknown[]) => void>>(),
  reset(): void {
    this.exposed.clear();
    this.invoked.length = 0;
    this.rendererListeners.clear();
    this.windows.length = 0;
    this.ipcHandlers.clear();
    this.protocolHandlers.clear();
    this.privilegedSchemes.length = 0;
    this.openedExternal.length = 0;
  },
};

/** A webContents-like object: an EventEmitter with the methods main calls. */
export class FakeWebContents extends EventEmitter {
  destroyed = false;
  sent: Array<{ channel: string; payload: unknown }> = [];
  windowOpenHandler: ((d: { url: string }) => { action: string }) | null = null;
  readonly mainFrame = { url: 'app://socket-tester/index.html' };
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, payload: unknown): void {
    if (this.destroyed) throw new Error('send to destroyed webContents');
    this.sent.push({ channel, payload });
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }): void {
    this.windowOpenHandler = h;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }
}

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  constructor(readonly options: Record<string, unknown>) {
    super();
    recorded.windows.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  show(): void {}
  focus(): void {}
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
}

export const BrowserWindow = FakeBrowserWindow;

export const ipcMain = {
  handle(channel: string, fn: (event: unknown, arg: unknown) => unknown): void {
    if (recorded.ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`);
    recorded.ipcHandlers.set(channel, fn);
  },
  removeHandler(channel: string): void {
    recorded.ipcHandlers.delete(channel);
  },
};

export const protocol = {
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    recorded.privilegedSchemes.push(...schemes);
  },
  handle(scheme: string, fn: (req: Request) => Promise<Response> | Response): void {
    recorded.protocolHandlers.set(scheme, fn);
  },
};

export const shell = {
  openExternal(url: string): Promise<void> {
    recorded.openedExternal.push(url);
    return Promise.resolve();
  },
};

export const app = {
  getName: () => 'Socket Tester',
  getVersion: () => '0.0.0-test',
  showAboutPanel: () => undefined,
};

export const Menu = {
  buildFromTemplate: (t: unknown) => t,
  setApplicationMenu: () => undefined,
};

export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown): void {
    recorded.exposed.set(key, api);
  },
};
export const ipcRenderer = {
  invoke(channel: string, arg: unknown): Promise<unknown> {
    recorded.invoked.push({ channel, arg });
    return Promise.resolve({ ok: true, value: channel });
  },
  on(channel: string, fn: (...a: unknown[]) => void): void {
    const set = recorded.rendererListeners.get(channel) ?? new Set();
    set.add(fn);
    recorded.rendererListeners.set(channel, set);
  },
  off(channel: string, fn: (...a: unknown[]) => void): void {
    recorded.rendererListeners.get(channel)?.delete(fn);
  },
};
export const dialog = {};
export const session = {};
