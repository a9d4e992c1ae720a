/**
 * Stand-in for the `electron` module in unit tests (aliased in vitest.config.ts), so no test ever
 * loads the real package (which would try to download the binary). It records what main asks of
 * Electron (window options, IPC handlers, protocol handlers) for tests to assert on, and lets
 * tests invoke registered IPC handlers with a chosen sender.
 */
import { EventEmitter } from 'node:events';
import { EVENT_PORT_CHANNEL } from '../../shared/preload-bridge.ts';

export const recorded = {
  windows: [] as FakeBrowserWindow[],
  ipcHandlers: new Map<string, (event: unknown, arg: unknown) => unknown>(),
  protocolHandlers: new Map<string, (req: Request) => Promise<Response> | Response>(),
  privilegedSchemes: [] as unknown[],
  openedExternal: [] as string[],
  exposed: new Map<string, unknown>(),
  errorBoxes: [] as string[],
  invoked: [] as Array<{ channel: string; arg: unknown }>,
  rendererListeners: new Map<string, Set<(...a: unknown[]) => void>>(),
  /** Options passed to dialog.showSaveDialog, in order. */
  saveDialogs: [] as unknown[],
  /** Options passed to dialog.showOpenDialog, in order. */
  openDialogs: [] as unknown[],
  /** What the preload posted to its window (window.postMessage), in order. */
  windowMessages: [] as Array<{ data: unknown; targetOrigin: string; ports: unknown[] }>,
  reset(): void {
    this.windowMessages.length = 0;
    this.saveDialogs.length = 0;
    this.openDialogs.length = 0;
    this.errorBoxes.length = 0;
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

/** A session-like object: records the permission handlers main installs. */
export class FakeSession {
  requestHandler: null | ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void) = null;
  checkHandler: null | ((wc: unknown, permission: string) => boolean) = null;
  setPermissionRequestHandler(h: (wc: unknown, permission: string, cb: (ok: boolean) => void) => void): void {
    this.requestHandler = h;
  }
  setPermissionCheckHandler(h: (wc: unknown, permission: string) => boolean): void {
    this.checkHandler = h;
  }
}

/**
 * One end of a MessageChannelMain. What is posted to an end waits in its `queue` until the test
 * lets the renderer run (`deliver()`), as a busy renderer would leave it; `log` keeps everything
 * for assertions. Messages are structured-cloned, as crossing to the renderer does.
 */
export class FakeMessagePortMain extends EventEmitter {
  peer: FakeMessagePortMain | null = null;
  readonly queue: unknown[] = [];
  readonly log: unknown[] = [];
  closed = false;
  started = false;
  /** The page's handler (a DOM MessagePort's onmessage) once the port reached the page. */
  onmessage: ((event: { data: unknown }) => void) | null = null;
  postMessage(message: unknown): void {
    // Stricter than Electron (which drops it): a test sees main posting after it closed the port.
    if (this.closed) throw new Error('postMessage on a closed port');
    const peer = this.peer!;
    if (peer.closed) return;
    const copy = structuredClone(message);
    peer.queue.push(copy);
    peer.log.push(copy);
  }
  start(): void {
    this.started = true;
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.peer) this.peer.closed = true;
    this.emit('close');
  }
  /** Test control: the renderer runs; queued messages go to onmessage in order. Returns how many. */
  deliver(): number {
    let n = 0;
    while (this.queue.length > 0 && this.onmessage) {
      this.onmessage({ data: this.queue.shift() });
      n += 1;
    }
    return n;
  }
}

export class MessageChannelMain {
  readonly port1 = new FakeMessagePortMain();
  readonly port2 = new FakeMessagePortMain();
  constructor() {
    this.port1.peer = this.port2;
    this.port2.peer = this.port1;
  }
}

/** A webContents-like object: an EventEmitter with the methods main calls. */
export class FakeWebContents extends EventEmitter {
  /** The default session unless a test gives it its own (a partition). */
  session: FakeSession = session.defaultSession;
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
  /** Messages with ports (webContents.postMessage), in order. */
  posted: Array<{ channel: string; message: unknown; ports: FakeMessagePortMain[] }> = [];
  /** The page's end of the event port main handed this page (the latest one). */
  eventPort: FakeMessagePortMain | null = null;
  postMessage(channel: string, message: unknown, transfer: FakeMessagePortMain[] = []): void {
    if (this.destroyed) throw new Error('postMessage to destroyed webContents');
    this.posted.push({ channel, message, ports: transfer });
    if (channel === EVENT_PORT_CHANNEL) this.eventPort = transfer[0] ?? null;
    // Like Electron, the preload's listener hears it later, with the ports on the event.
    queueMicrotask(() => {
      for (const l of recorded.rendererListeners.get(channel) ?? []) l({ ports: transfer }, message);
    });
  }
  /** Every event main sent this page on its event port: { channel, payload }, in order. */
  events(): Array<{ channel: string; payload: unknown }> {
    return (this.eventPort?.log ?? []).map((m) => {
      const { event, payload } = m as { event: string; payload: unknown };
      return { channel: event, payload };
    });
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
  maximized = false;
  maximize(): void {
    this.maximized = true;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  getNormalBounds(): { x: number; y: number; width: number; height: number } {
    const o = this.options as { x?: number; y?: number; width: number; height: number };
    return { x: o.x ?? 0, y: o.y ?? 0, width: o.width, height: o.height };
  }
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

/** The app object: an EventEmitter whose readiness, lock and paths tests control. */
class FakeApp extends EventEmitter {
  isPackaged = false;
  gotLock = true;
  userData = '/nonexistent';
  quitCalls = 0;
  aboutOptions: unknown = null;
  private readyResolve: (() => void) | null = null;
  private readonly ready = new Promise<void>((r) => (this.readyResolve = r));
  getName = (): string => 'Socket Tester';
  getVersion = (): string => '0.0.0-test';
  /** The system's UI language, as Electron reports it; passed to the renderer in app:info. */
  getLocale = (): string => 'en-US';
  showAboutPanel = (): void => undefined;
  setAboutPanelOptions = (o: unknown): void => {
    this.aboutOptions = o;
  };
  requestSingleInstanceLock = (): boolean => this.gotLock;
  getPath = (_name: string): string => this.userData;
  whenReady = (): Promise<void> => this.ready;
  quit = (): void => {
    this.quitCalls++;
    // Like Electron: quitting emits before-quit, which a handler may prevent.
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.emit('quit');
  };
  exit = (): void => undefined;
  /** Test control: resolves whenReady(). */
  makeReady(): void {
    this.readyResolve?.();
  }
}

export const app = new FakeApp();

export const screen = {
  displays: [
    { id: 2, workArea: { x: 1920, y: 0, width: 1280, height: 1000 } },
    { id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1040 } },
  ],
  getAllDisplays(): Array<{ id: number; workArea: { x: number; y: number; width: number; height: number } }> {
    return this.displays;
  },
  getPrimaryDisplay(): { id: number; workArea: { x: number; y: number; width: number; height: number } } {
    return this.displays.find((d) => d.id === 1)!;
  },
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
export const dialog = {
  showOpenDialog: (options: unknown) => {
    recorded.openDialogs.push(options);
    return Promise.resolve({ canceled: true, filePaths: [] });
  },
  showSaveDialog: (options: unknown) => {
    recorded.saveDialogs.push(options);
    return Promise.resolve({ canceled: true });
  },
  showErrorBox: (title: string, body: string) => recorded.errorBoxes.push(`${title}: ${body}`),
};

export const session = {
  defaultSession: new FakeSession(),
};
