/**
 * Preload (sandboxed, context-isolated): exposes one function per contract call, derived from the
 * contract's channel list, and passes main's event port on to the page (shared/preload-bridge.ts
 * says why events travel on a port). Nothing of `ipcRenderer`, Node or Electron reaches the page:
 * only these closures, which can name no other channel, and the port, on which main only sends.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CALL_CHANNELS, type CallChannel } from '../shared/contract.ts';
import { EVENT_PORT_CHANNEL, EVENT_PORT_MESSAGE, type PreloadBridge } from '../shared/preload-bridge.ts';

function buildBridge(): PreloadBridge {
  const calls = {} as Record<CallChannel, (arg: unknown) => Promise<unknown>>;
  for (const channel of CALL_CHANNELS) {
    calls[channel] = (arg: unknown) => ipcRenderer.invoke(channel, arg);
  }
  return Object.freeze({ calls: Object.freeze(calls) }) as PreloadBridge;
}

contextBridge.exposeInMainWorld('socketTester', buildBridge());

/** The preload's window (main's tsconfig has no DOM types; this is all the preload uses of it). */
interface PreloadWindow {
  postMessage(message: unknown, targetOrigin: string, transfer: readonly unknown[]): void;
}

ipcRenderer.on(EVENT_PORT_CHANNEL, (event: IpcRendererEvent) => {
  const [port] = event.ports;
  // The target is this very window (the page's world); '*' because an app:// page's origin may
  // read as "null". The port is transferred, so the preload keeps no handle on it.
  if (port) (globalThis as unknown as { window: PreloadWindow }).window.postMessage({ type: EVENT_PORT_MESSAGE }, '*', [port]);
});
