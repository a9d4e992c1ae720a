/**
 * SocketTesterApi over the Electron preload bridge (`window.socketTester`).
 *
 * Flow control: once the listeners of a `session:update` have stored its bytes, the page
 * acknowledges them (`session:ack`, batched by AckBatcher), so main sends a bounded window beyond
 * what the page has taken instead of queueing every update for a busy renderer.
 */
import type { EventPayload, SocketTesterApi } from '../../../shared/contract.ts';
import type { PreloadBridge } from '../../../shared/preload-bridge.ts';
import { AckBatcher } from './ack-batcher.ts';

export function createElectronClient(bridge: PreloadBridge): SocketTesterApi {
  const acks = new AckBatcher((list) => bridge.calls['session:ack']({ acks: list }));
  const updateListeners = new Set<(payload: EventPayload<'session:update'>) => void>();
  let unsubscribeUpdates: (() => void) | null = null;
  /** One bridge subscription for every update listener, so each update is acknowledged once, after all of them. */
  function onUpdate(u: EventPayload<'session:update'>): void {
    for (const l of updateListeners) l(u);
    if (u.data && u.data.byteLength > 0) acks.took(u.id, u.dataOffset + u.data.byteLength);
  }
  return {
    host: 'electron',
    call: (channel, arg) => bridge.calls[channel](arg),
    on: (event, listener) => {
      if (event !== 'session:update') return bridge.events[event](listener);
      const l = listener as (payload: EventPayload<'session:update'>) => void;
      updateListeners.add(l);
      unsubscribeUpdates ??= bridge.events['session:update'](onUpdate);
      return () => {
        updateListeners.delete(l);
      };
    },
  };
}
