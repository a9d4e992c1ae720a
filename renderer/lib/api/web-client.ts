/**
 * SocketTesterApi over web mode's WebSocket. Same contract, same Results; bytes travel in binary
 * frames (shared/wire.ts). If the connection drops, pending and later calls resolve to an error
 * Result instead of hanging, and `onConnectionChange` tells the UI.
 */
import type { CallChannel, EventChannel, SocketTesterApi } from '../../../shared/contract.ts';
import { transportError } from '../../../shared/contract.ts';
import type { Result } from '../../../shared/errors.ts';
import { decodeFrame, encodeFrame, type WireServerMessage } from '../../../shared/wire.ts';

export type WebConnectionState = 'connecting' | 'open' | 'closed';

export interface WebClient extends SocketTesterApi {
  onConnectionChange(listener: (state: WebConnectionState) => void): () => void;
}

/** The WebSocket URL for the page we were served from, carrying its token. */
export function bridgeUrl(location: Location): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`;
}

export function createWebClient(url: string): WebClient {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  let state: WebConnectionState = 'connecting';
  let nextCall = 1;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const queued: Uint8Array<ArrayBuffer>[] = [];
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>();
  const stateListeners = new Set<(s: WebConnectionState) => void>();

  function setState(s: WebConnectionState): void {
    state = s;
    for (const l of stateListeners) l(s);
  }

  ws.addEventListener('open', () => {
    setState('open');
    for (const frame of queued.splice(0)) ws.send(frame);
  });
  ws.addEventListener('close', () => {
    setState('closed');
    for (const resolve of pending.values()) resolve(transportError('Lost the connection to the Socket Tester web server.'));
    pending.clear();
  });
  ws.addEventListener('message', (e: MessageEvent<ArrayBuffer>) => {
    const msg = decodeFrame(new Uint8Array(e.data)) as WireServerMessage;
    if (msg.t === 'result') {
      pending.get(msg.n)?.(msg.result);
      pending.delete(msg.n);
    } else {
      for (const l of listeners.get(msg.event) ?? []) (l as (p: unknown) => void)(msg.payload);
    }
  });

  return {
    host: 'web',
    call<C extends CallChannel>(channel: C, arg: unknown) {
      if (state === 'closed') return Promise.resolve(transportError('Not connected to the Socket Tester web server; reload the page.'));
      const n = nextCall++;
      const frame = encodeFrame({ t: 'call', n, channel, arg });
      return new Promise((resolve) => {
        pending.set(n, resolve as (r: Result<unknown>) => void);
        if (state === 'open') ws.send(frame);
        else queued.push(frame);
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
