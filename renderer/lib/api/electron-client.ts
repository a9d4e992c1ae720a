/**
 * SocketTesterApi over the Electron preload bridge (`window.socketTester`) and main's event port.
 *
 * Calls go through the bridge. Events arrive on the MessagePort main hands this page
 * (shared/preload-bridge.ts): a message on it lands in the page's world without contextBridge's
 * deep copy of every byte, and all events keep main's order.
 *
 * Flow control: once the listeners of a `session:update` have stored its bytes, the page
 * acknowledges them (`session:ack`, batched by AckBatcher), so main sends a bounded window beyond
 * what the page has taken instead of queueing every update for a busy renderer.
 */
import { EVENT_CHANNELS, type EventChannel, type EventPayload, type SocketTesterApi } from '../../../shared/contract.ts';
import { EVENT_PORT_MESSAGE, type PortEvent, type PreloadBridge } from '../../../shared/preload-bridge.ts';
import { AckBatcher } from './ack-batcher.ts';

/** The page's end of the event port: a DOM MessagePort, or a stand-in in tests. */
export interface EventPortLike {
  onmessage: ((event: { data: unknown }) => void) | null;
}

/** Where a window message comes from and what it carries (a MessageEvent's fields we read). */
interface WindowMessage {
  source: unknown;
  data: unknown;
  ports: readonly EventPortLike[];
}

/** The part of `window` the port hand-over needs. */
export interface PortWindow {
  addEventListener(type: 'message', listener: (event: WindowMessage) => void): void;
  removeEventListener(type: 'message', listener: (event: WindowMessage) => void): void;
}

/**
 * Resolves with main's event port once the preload posts it to `win`. Listen before the first
 * call: main sends the port when the page's first call reaches it. Only a message from this
 * window itself (the preload posts with `window.postMessage`) counts.
 */
export function eventPortFrom(win: PortWindow): Promise<EventPortLike> {
  return new Promise((resolve) => {
    const onMessage = (event: WindowMessage): void => {
      const data = event.data as { type?: unknown } | null;
      const port = event.ports[0];
      if (event.source !== win || typeof data !== 'object' || data === null || data.type !== EVENT_PORT_MESSAGE || !port) return;
      win.removeEventListener('message', onMessage);
      resolve(port);
    };
    win.addEventListener('message', onMessage);
  });
}

const KNOWN_EVENTS: ReadonlySet<string> = new Set(EVENT_CHANNELS);

export function createElectronClient(bridge: PreloadBridge, eventPort: Promise<EventPortLike>): SocketTesterApi {
  const acks = new AckBatcher((list) => bridge.calls['session:ack']({ acks: list }));
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>();
  function dispatch(message: unknown): void {
    const m = message as PortEvent | null;
    if (typeof m !== 'object' || m === null || !KNOWN_EVENTS.has(m.event)) return;
    for (const l of listeners.get(m.event) ?? []) (l as (payload: unknown) => void)(m.payload);
    // Acknowledged once, after every listener has stored the bytes.
    if (m.event === 'session:update') {
      const u = m.payload;
      if (u.data && u.data.byteLength > 0) acks.took(u.id, u.dataOffset + u.data.byteLength);
    }
  }
  // Setting onmessage starts the port: what main sent before is delivered now, in order.
  void eventPort.then((port) => {
    port.onmessage = (event) => dispatch(event.data);
  });
  return {
    host: 'electron',
    call: (channel, arg) => bridge.calls[channel](arg),
    on: <E extends EventChannel>(event: E, listener: (payload: EventPayload<E>) => void) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: never) => void);
      return () => {
        set.delete(listener as (payload: never) => void);
      };
    },
  };
}
