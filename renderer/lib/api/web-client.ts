/**
 * SocketTesterApi over web mode's WebSocket. Same contract, same Results; bytes travel in binary
 * frames (shared/wire.ts). If the connection drops, pending and later calls resolve to an error
 * Result instead of hanging, and `onConnectionChange` tells the UI.
 */
import type { CallChannel, EventChannel, EventPayload, SocketTesterApi } from '../../../shared/contract.ts';
import { transportError } from '../../../shared/contract.ts';
import type { Result } from '../../../shared/errors.ts';
import { decodeFrame, encodeFrame, TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL, type WireServerMessage } from '../../../shared/wire.ts';
import { AckBatcher } from './ack-batcher.ts';

/**
 * `connecting` until the upgrade answers; `open`; `failed` when the WebSocket closed without ever
 * opening (the server refused the upgrade, e.g. a stale or wrong token, or is not running); `lost`
 * when an open connection went away (the server stopped).
 */
export type WebConnectionState = 'connecting' | 'open' | 'failed' | 'lost';

export interface WebClient extends SocketTesterApi {
  onConnectionChange(listener: (state: WebConnectionState) => void): () => void;
  /**
   * Acknowledge session `id`'s bytes before `through` (flow control, ack-batcher.ts). With
   * `autoAck` (the default) the client does it itself once the update's listeners have run.
   */
  ack(id: string, through: number): void;
}

export interface WebClientOptions {
  /** Acknowledge each update's bytes once its listeners ran (default true); false: the caller calls ack(). */
  autoAck?: boolean;
  /** Sees every decoded server event before the listeners (the bridge worker indexes lines here). */
  onEvent?: (event: EventChannel, payload: unknown) => void;
}

/** Where the page keeps its token across reloads (see {@link takeToken}). */
export const TOKEN_STORAGE_KEY = 'socket-tester.token';

/** The parts of `window` that {@link takeToken} touches, so tests can pass their own. */
export interface TokenSources {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
}

/**
 * The launch token the CLI printed in the URL fragment (`#token=…`), or null when the page was
 * opened without one.
 *
 * The fragment is never sent to any server, so no other origin can receive the token; this function
 * removes it from the address bar at once (history.replaceState), so it is not left on screen, in a
 * screenshot or in a bookmark. It is kept in sessionStorage, which is per tab and per origin (scheme,
 * host *and port*, unlike cookies) and never sent anywhere, so that reloading the tab still works.
 */
export function takeToken({ location, history, storage }: TokenSources): string | null {
  const fromHash = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
  if (fromHash) {
    history.replaceState(history.state, '', location.pathname + location.search);
    try {
      storage?.setItem(TOKEN_STORAGE_KEY, fromHash);
    } catch {
      // Storage disabled or full: the token still works for this page; only a reload loses it.
    }
    return fromHash;
  }
  try {
    return storage?.getItem(TOKEN_STORAGE_KEY) || null;
  } catch {
    return null;
  }
}

/** Forgets a token the server refused, so the next load explains instead of retrying it. */
export function forgetToken(storage: TokenSources['storage']): void {
  try {
    storage?.removeItem(TOKEN_STORAGE_KEY);
  } catch {
    // nothing to forget
  }
}

/** The WebSocket URL for the page we were served from. It carries no token (see createWebClient). */
export function bridgeUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

/**
 * Opens the bridge. The token goes only into the upgrade's subprotocol list
 * (`socket-tester.v1`, `token.<token>`), never into a URL or a cookie.
 */
export function createWebClient(url: string, token: string, options: WebClientOptions = {}): WebClient {
  const autoAck = options.autoAck ?? true;
  const ws = new WebSocket(url, [WIRE_PROTOCOL, TOKEN_PROTOCOL_PREFIX + token]);
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
    const neverOpened = state === 'connecting';
    setState(neverOpened ? 'failed' : 'lost');
    const message = neverOpened
      ? 'Could not connect to the Socket Tester web server: it refused this page or is not running.'
      : 'Lost the connection to the Socket Tester web server.';
    for (const resolve of pending.values()) resolve(transportError(message));
    pending.clear();
    queued.length = 0;
    acks.stop();
  });
  ws.addEventListener('message', (e: MessageEvent<ArrayBuffer>) => {
    const msg = decodeFrame(new Uint8Array(e.data)) as WireServerMessage;
    if (msg.t === 'result') {
      pending.get(msg.n)?.(msg.result);
      pending.delete(msg.n);
    } else {
      options.onEvent?.(msg.event, msg.payload);
      for (const l of listeners.get(msg.event) ?? []) (l as (p: unknown) => void)(msg.payload);
      if (autoAck && msg.event === 'session:update') {
        const u = msg.payload as EventPayload<'session:update'>;
        if (u.data && u.data.byteLength > 0) acks.took(u.id, u.dataOffset + u.data.byteLength);
      }
    }
  });

  const client = {
    host: 'web',
    ack: (id: string, through: number) => acks.took(id, through),
    call<C extends CallChannel>(channel: C, arg: unknown) {
      if (state === 'failed' || state === 'lost') return Promise.resolve(transportError('Not connected to the Socket Tester web server; reload the page.'));
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
  const acks = new AckBatcher((list) => client.call('session:ack', { acks: list }));
  return client;
}
