/** Picks the transport: the Electron preload bridge when present, web mode's WebSocket otherwise. */
import type { SocketTesterApi } from '../../../shared/contract.ts';
import type { PreloadBridge } from '../../../shared/preload-bridge.ts';
import { createElectronClient, eventPortFrom, type PortWindow } from './electron-client.ts';
import { bridgeUrl, createWebClient, takeToken, type WebClient } from './web-client.ts';
import { createWorkerClient } from './worker-client.ts';

declare global {
  interface Window {
    socketTester?: PreloadBridge;
  }
}

/** How this page talks to main; `web-no-token` opens nothing, so the page can only explain. */
export type Connection =
  | { kind: 'electron'; api: SocketTesterApi }
  | { kind: 'web'; api: WebClient }
  | { kind: 'web-no-token' };

/** The session storage of this tab, or null where the browser forbids it. */
export function tabStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function connectApi(): Connection {
  // The port listener goes up before the client's first call (main sends the port on that call).
  if (window.socketTester) return { kind: 'electron', api: createElectronClient(window.socketTester, eventPortFrom(window as unknown as PortWindow)) };
  const token = takeToken({ location: window.location, history: window.history, storage: tabStorage() });
  if (!token) return { kind: 'web-no-token' };
  const url = bridgeUrl(window.location);
  // The WebSocket and the byte work run in a worker (worker-client.ts). A browser without workers,
  // or `?bridge=page` in the address (the bench compares both in one run), keeps them on the page.
  const onPage = typeof Worker !== 'function' || new URLSearchParams(window.location.search).get('bridge') === 'page';
  return { kind: 'web', api: onPage ? createWebClient(url, token) : createWorkerClient(url, token) };
}
