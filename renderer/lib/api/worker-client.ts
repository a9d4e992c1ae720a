/**
 * SocketTesterApi for web mode with the WebSocket in a dedicated worker (bridge-worker.ts). Same
 * contract and Results as web-client.ts; the page's main thread only receives decoded events, the
 * bytes transferred and their line starts found (attached for ResponseBuffer, line-index.ts).
 *
 * After an update's listeners ran (they store its bytes), the page tells the worker, which
 * acknowledges to main: flow control reaches all the way to the page's main thread.
 */
import type { CallChannel, EventChannel, EventPayload } from '../../../shared/contract.ts';
import { transportError } from '../../../shared/contract.ts';
import type { Result } from '../../../shared/errors.ts';
import { attachLineStarts } from '../line-index.ts';
import type { FromWorker, ToWorker } from './bridge-messages.ts';
import type { WebClient, WebConnectionState } from './web-client.ts';

export function createWorkerClient(url: string, token: string): WebClient {
  const worker = new Worker(new URL('./bridge-worker.ts', import.meta.url), { type: 'module', name: 'socket-tester-bridge' });
  const post = (m: ToWorker): void => worker.postMessage(m);
  let state: WebConnectionState = 'connecting';
  let nextCall = 1;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>();
  const stateListeners = new Set<(s: WebConnectionState) => void>();

  // Pending calls are answered by the worker's own client (with its words for a refused or a lost
  // connection); only a worker that died leaves them to be answered here.
  function setState(s: WebConnectionState): void {
    state = s;
    for (const l of stateListeners) l(s);
  }

  worker.addEventListener('message', (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    if (m.t === 'state') setState(m.state);
    else if (m.t === 'result') {
      pending.get(m.n)?.(m.result);
      pending.delete(m.n);
    } else {
      if (m.event === 'session:update') {
        const u = m.payload as EventPayload<'session:update'>;
        if (u.data && m.lineStarts) attachLineStarts(u.data, m.lineStarts);
        for (const l of listeners.get(m.event) ?? []) (l as (p: unknown) => void)(u);
        if (u.data && u.data.byteLength > 0) post({ t: 'ack', id: u.id, through: u.dataOffset + u.data.byteLength });
      } else {
        for (const l of listeners.get(m.event) ?? []) (l as (p: unknown) => void)(m.payload);
      }
    }
  });
  // A worker that cannot start (or dies) is a lost connection, said as such, never a hang.
  worker.addEventListener('error', () => {
    for (const resolve of pending.values()) resolve(transportError('The connection to the Socket Tester web server stopped; reload the page.'));
    pending.clear();
    setState(state === 'connecting' ? 'failed' : 'lost');
  });
  post({ t: 'open', url, token });

  return {
    host: 'web',
    ack: (id: string, through: number) => post({ t: 'ack', id, through }),
    call<C extends CallChannel>(channel: C, arg: unknown) {
      if (state === 'failed' || state === 'lost') return Promise.resolve(transportError('Not connected to the Socket Tester web server; reload the page.'));
      const n = nextCall++;
      return new Promise((resolve) => {
        pending.set(n, resolve as (r: Result<unknown>) => void);
        post({ t: 'call', n, channel, arg });
      });
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => {
        set.delete(listener as (payload: never) => void);
      };
    },
    onConnectionChange(listener) {
      stateListeners.add(listener);
      listener(state);
      return () => {
        stateListeners.delete(listener);
      };
    },
  } as WebClient;
}
