/**
 * Preload (sandboxed, context-isolated): exposes one function per contract call and one
 * subscription per contract event, derived from the contract's channel lists. Nothing of
 * `ipcRenderer`, Node or Electron reaches the page: only these closures, which can name no other
 * channel.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CALL_CHANNELS, EVENT_CHANNELS, type CallChannel, type EventChannel } from '../shared/contract.ts';
import type { PreloadBridge } from '../shared/preload-bridge.ts';

function buildBridge(): PreloadBridge {
  const calls = {} as Record<CallChannel, (arg: unknown) => Promise<unknown>>;
  for (const channel of CALL_CHANNELS) {
    calls[channel] = (arg: unknown) => ipcRenderer.invoke(channel, arg);
  }
  const events = {} as Record<EventChannel, (listener: (payload: unknown) => void) => () => void>;
  for (const event of EVENT_CHANNELS) {
    events[event] = (listener) => {
      // Wrap so the page never sees the IpcRendererEvent (it carries `sender`).
      const wrapped = (_e: IpcRendererEvent, payload: unknown): void => listener(payload);
      ipcRenderer.on(event, wrapped);
      return () => {
        ipcRenderer.off(event, wrapped);
      };
    };
  }
  return Object.freeze({ calls: Object.freeze(calls), events: Object.freeze(events) }) as PreloadBridge;
}

contextBridge.exposeInMainWorld('socketTester', buildBridge());
