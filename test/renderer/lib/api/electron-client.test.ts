/**
 * The page's side of Electron's event port: which window message counts as main's port, and what
 * the client does with what arrives on it (known events to their listeners, in order; anything
 * else ignored; bytes acknowledged once, after every listener).
 */
import { describe, expect, it } from 'vitest';
import { createElectronClient, eventPortFrom, type EventPortLike, type PortWindow } from '../../../../renderer/lib/api/electron-client.ts';
import type { PreloadBridge } from '../../../../shared/preload-bridge.ts';

type Listener = (e: { source: unknown; data: unknown; ports: readonly EventPortLike[] }) => void;

function fakeWindow() {
  const listeners = new Set<Listener>();
  const win = {
    addEventListener: (_t: string, l: Listener) => void listeners.add(l),
    removeEventListener: (_t: string, l: Listener) => void listeners.delete(l),
    emit: (e: Parameters<Listener>[0]) => {
      for (const l of [...listeners]) l(e);
    },
    listeners,
  };
  return win;
}

const port = (): EventPortLike => ({ onmessage: null });

describe('eventPortFrom', () => {
  it('takes only a port the window posted to itself, with the hand-over type, then stops listening', async () => {
    const win = fakeWindow();
    const got = eventPortFrom(win as unknown as PortWindow);
    const real = port();
    win.emit({ source: {}, data: { type: 'socket-tester:event-port' }, ports: [port()] }); // another frame
    win.emit({ source: win, data: { type: 'something-else' }, ports: [port()] });
    win.emit({ source: win, data: 'socket-tester:event-port', ports: [port()] });
    win.emit({ source: win, data: null, ports: [port()] });
    win.emit({ source: win, data: { type: 'socket-tester:event-port' }, ports: [] });
    win.emit({ source: win, data: { type: 'socket-tester:event-port' }, ports: [real] });
    expect(await got).toBe(real);
    expect(win.listeners.size).toBe(0);
  });
});

describe('createElectronClient', () => {
  it('hands known events to their listeners in order, ignores anything else, and acknowledges bytes once', async () => {
    const acks: unknown[] = [];
    const bridge = {
      calls: new Proxy({}, {
        get: (_t, channel) => (arg: unknown) => {
          if (channel === 'session:ack') acks.push(arg);
          return Promise.resolve({ ok: true, value: null });
        },
      }),
    } as unknown as PreloadBridge;
    const p = port();
    const api = createElectronClient(bridge, Promise.resolve(p));
    const seen: string[] = [];
    api.on('session:update', (u) => seen.push(`a:${u.id}:${u.data?.byteLength ?? 0}`));
    api.on('session:update', (u) => seen.push(`b:${u.id}`));
    const off = api.on('profiles:changed', () => seen.push('profiles'));
    await Promise.resolve();
    await Promise.resolve();
    const deliver = (data: unknown): void => p.onmessage!({ data });
    deliver({ event: 'session:update', payload: { id: 's1', dataOffset: 0, data: new Uint8Array(5), status: {} } });
    deliver({ event: 'profiles:changed', payload: {} });
    deliver({ event: 'no-such-event', payload: {} });
    deliver(null);
    deliver('session:update');
    off();
    deliver({ event: 'profiles:changed', payload: {} });
    expect(seen).toEqual(['a:s1:5', 'b:s1', 'profiles']);
    // The batcher sends the acknowledgement a little later, once for both listeners.
    for (let i = 0; i < 100 && acks.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(acks).toEqual([{ acks: [{ id: 's1', through: 5 }] }]);
  });
});
