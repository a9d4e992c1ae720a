/** Picks the transport: the Electron preload bridge when present, web mode's WebSocket otherwise. */
import type { SocketTesterApi } from '../../../shared/contract.ts';
import type { PreloadBridge } from '../../../shared/preload-bridge.ts';
import { createElectronClient } from './electron-client.ts';
import { bridgeUrl, createWebClient } from './web-client.ts';

declare global {
  interface Window {
    socketTester?: PreloadBridge;
  }
}

export function connectApi(): SocketTesterApi {
  return window.socketTester ? createElectronClient(window.socketTester) : createWebClient(bridgeUrl(window.location));
}
