/**
 * Flow control over Electron's IPC, end to end through the glue with `electron` replaced
 * (test/fakes/electron.ts): main's binding, the preload's bridge and the page's Electron client,
 * joined the way Electron joins them (invoke → ipcMain handler; main's event port → the preload →
 * the page's window → the client). A real TCP peer streams; while the renderer is frozen, what main
 * has queued towards it (a port has no backlog signal: Electron would hold every message) stays
 * under the window, and once the page runs again its acknowledgements bring every byte, in order.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ipcRenderer, recorded, FakeWebContents } from '../../fakes/electron.ts';
import { bindIpc } from '../../../main/electron/ipc-binding.ts';
import { composeAppService } from '../../../main/app-composition.ts';
import type { AppService } from '../../../main/app-service.ts';
import { ACK_WINDOW_BYTES } from '../../../main/ipc/session-updates.ts';
import type { EventPayload } from '../../../shared/contract.ts';
import type { PreloadBridge } from '../../../shared/preload-bridge.ts';
import { createElectronClient, eventPortFrom, type PortWindow } from '../../../renderer/lib/api/electron-client.ts';

type Update = EventPayload<'session:update'>;
const TOTAL = 48 * 1024 * 1024;

let dir: string;
let service: AppService;
let unbind: () => void;
let server: Server;
let port: number;
const serverSockets = new Set<Socket>();
const realInvoke = ipcRenderer.invoke;

beforeEach(async () => {
  recorded.reset();
  dir = await mkdtemp(join(tmpdir(), 'st-eflow-'));
  service = await composeAppService({ host: 'electron', profilesPath: join(dir, 'profiles.json') });
  unbind = bindIpc(service, undefined);
  server = createServer((s) => {
    serverSockets.add(s);
    s.on('close', () => serverSockets.delete(s));
    s.on('error', () => undefined);
    const chunk = Buffer.alloc(256 * 1024, 0x61);
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
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
});

afterEach(async () => {
  ipcRenderer.invoke = realInvoke;
  delete (globalThis as { window?: unknown }).window;
  unbind();
  await service.shutdown();
  for (const s of serverSockets) s.destroy();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('flow control over Electron IPC', () => {
  it('queues at most the window for a frozen renderer and delivers everything once it runs', async () => {
    const wc = new FakeWebContents();
    const ev = { sender: wc, senderFrame: wc.mainFrame };
    // The renderer side: the preload's invoke reaches main's handlers as Electron's would.
    ipcRenderer.invoke = (channel: string, arg: unknown) => {
      const handler = recorded.ipcHandlers.get(channel);
      return Promise.resolve(handler ? handler(ev, arg) : { ok: false });
    };
    // The page's window: the preload's postMessage reaches the page's 'message' listeners.
    const windowListeners = new Set<(e: { source: unknown; data: unknown; ports: unknown[] }) => void>();
    const win = {
      postMessage(data: unknown, _origin: string, ports: unknown[]): void {
        for (const l of [...windowListeners]) l({ source: win, data, ports });
      },
      addEventListener: (_type: string, l: (e: { source: unknown; data: unknown; ports: unknown[] }) => void) => windowListeners.add(l),
      removeEventListener: (_type: string, l: (e: { source: unknown; data: unknown; ports: unknown[] }) => void) => windowListeners.delete(l),
    };
    (globalThis as { window?: unknown }).window = win;
    await import('../../../main/preload.ts');
    const bridge = recorded.exposed.get('socketTester') as PreloadBridge;
    const api = createElectronClient(bridge, eventPortFrom(win as unknown as PortWindow));
    const updates: Update[] = [];
    api.on('session:update', (u) => updates.push(u));

    // main → renderer: what main posts waits in the page's port until `deliver` lets the page run.
    const deliver = (): void => void wc.eventPort?.deliver();
    const queuedBytes = (): number => (wc.eventPort?.queue ?? []).reduce<number>((n, m) => n + (((m as { payload: Update }).payload.data?.byteLength) ?? 0), 0);

    const opened = await api.call('session:open', { host: '127.0.0.1', port, maxResponseBytes: 64 * 1024 * 1024 });
    if (!opened.ok) throw new Error(opened.error.message);
    // Frozen renderer: nothing delivered for a while; main's queue towards it stops at the window.
    let maxQueued = 0;
    for (let i = 0; i < 40; i++) {
      await sleep(50);
      maxQueued = Math.max(maxQueued, queuedBytes());
    }
    expect(maxQueued).toBeGreaterThan(0);
    expect(maxQueued).toBeLessThanOrEqual(ACK_WINDOW_BYTES);

    // The renderer runs again: it takes what was queued and acknowledges (AckBatcher, via invoke).
    const delivered = (): number => updates.reduce((n, u) => n + (u.data?.byteLength ?? 0), 0);
    const deadline = Date.now() + 60_000;
    while (!(updates.at(-1)?.status.phase === 'closed' && delivered() === updates.at(-1)!.status.bytesReceived)) {
      if (Date.now() > deadline) throw new Error(`stalled at ${delivered()} of ${TOTAL}`);
      deliver();
      maxQueued = Math.max(maxQueued, queuedBytes());
      await sleep(5);
    }
    expect(maxQueued).toBeLessThanOrEqual(ACK_WINDOW_BYTES);
    expect(delivered()).toBe(TOTAL);
    let expected = 0;
    for (const u of updates) {
      expect(u.dataOffset).toBe(expected);
      expected += u.data?.byteLength ?? 0;
    }
    expect(recorded.invoked.length).toBe(0); // every call went through main's handlers
    expect(wc.sent).toEqual([]); // and every event through the port
  }, 90_000);
});
