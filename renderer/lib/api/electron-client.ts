/** SocketTesterApi over the Electron preload bridge (`window.socketTester`). */
import type { SocketTesterApi } from '../../../shared/contract.ts';
import type { PreloadBridge } from '../../../shared/preload-bridge.ts';

export function createElectronClient(bridge: PreloadBridge): SocketTesterApi {
  return {
    host: 'electron',
    call: (channel, arg) => bridge.calls[channel](arg),
    on: (event, listener) => bridge.events[event](listener),
  };
}
