/**
 * The renderer's web-mode client: where the token comes from and where it goes. `takeToken` with
 * stand-ins for location/history/storage; `createWebClient` against the real web-mode server over a
 * real WebSocket (ws's, given the Origin a browser would send, since Node 20 has no global one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { bridgeUrl, createWebClient, forgetToken, takeToken, TOKEN_STORAGE_KEY, type WebConnectionState } from '../../../../renderer/lib/api/web-client.ts';
import { createServer } from 'node:net';
import { startWebMode, type RunningWebMode } from '../../../../main/web/web-mode.ts';
import type { EventPayload } from '../../../../shared/contract.ts';

function sources(hash: string, stored: string | null = null) {
  const store = new Map<string, string>(stored === null ? [] : [[TOKEN_STORAGE_KEY, stored]]);
  const replaced: string[] = [];
  return {
    replaced,
    store,
    src: {
      location: { hash, pathname: '/', search: '' },
      history: { state: null, replaceState: (_s: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)) },
      storage: {
        getItem: (k: string) => store.get(k) ?? null,
        setItem: (k: string, v: string) => void store.set(k, v),
        removeItem: (k: string) => void store.delete(k),
      },
    },
  };
}

describe('takeToken', () => {
  it('takes the token from the fragment, strips it from the address bar, keeps it for reloads', () => {
    const s = sources('#token=abc_DEF-123');
    expect(takeToken(s.src)).toBe('abc_DEF-123');
    expect(s.replaced).toEqual(['/']);
    expect(s.store.get(TOKEN_STORAGE_KEY)).toBe('abc_DEF-123');
  });

  it('falls back to the tab storage after a reload, and to nothing without either', () => {
    expect(takeToken(sources('', 'kept').src)).toBe('kept');
    const none = sources('');
    expect(takeToken(none.src)).toBeNull();
    expect(none.replaced).toEqual([]);
    expect(takeToken(sources('#token=').src)).toBeNull();
  });

  it('survives storage that throws, and forgets a refused token', () => {
    const s = sources('#token=t');
    const throwing = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); }, removeItem: () => { throw new Error('denied'); } };
    expect(takeToken({ ...s.src, storage: throwing })).toBe('t');
    expect(takeToken({ ...sources('').src, storage: throwing })).toBeNull();
    expect(() => forgetToken(throwing)).not.toThrow();
    const kept = sources('', 'old');
    forgetToken(kept.src.storage);
    expect(kept.store.size).toBe(0);
  });

  it('builds a bridge URL without any token', () => {
    expect(bridgeUrl({ protocol: 'http:', host: 'localhost:5000' })).toBe('ws://localhost:5000/ws');
  });
});

describe('createWebClient against real web mode', () => {
  let dir: string;
  let web: RunningWebMode;
  const saved = (globalThis as { WebSocket?: unknown }).WebSocket;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'st-web-client-'));
    await mkdir(join(dir, 'renderer'));
    await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>t</title>');
    web = await startWebMode({ rendererDir: join(dir, 'renderer'), port: 0, host: '127.0.0.1', profilesPath: join(dir, 'profiles.json') });
    const origin = web.origin;
    // What a browser adds by itself: the page's Origin.
    (globalThis as { WebSocket?: unknown }).WebSocket = class extends WebSocket {
      constructor(url: string, protocols: string[]) {
        super(url, protocols, { headers: { origin } });
        // A browser's 'error' event is harmless; ws's EventEmitter would throw it without a listener.
        this.on('error', () => undefined);
      }
    };
  });

  afterAll(async () => {
    (globalThis as { WebSocket?: unknown }).WebSocket = saved;
    await web.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function until(states: WebConnectionState[], want: WebConnectionState): Promise<void> {
    for (let i = 0; i < 500 && !states.includes(want); i++) await new Promise((r) => setTimeout(r, 10));
    expect(states).toContain(want);
  }

  it('connects with the token in the subprotocol and calls through', async () => {
    const client = createWebClient(`ws://127.0.0.1:${web.port}/ws`, web.token);
    const states: WebConnectionState[] = [];
    client.onConnectionChange((s) => states.push(s));
    expect(await client.call('app:info', {})).toMatchObject({ ok: true, value: { host: 'web' } });
    await until(states, 'open');
  });

  it('acknowledges what its listeners took, so a stream far larger than main\'s window arrives whole and in order', async () => {
    const TOTAL = Number(process.env.ST_WEB_CLIENT_MIB ?? 40) * 1024 * 1024;
    const peer = createServer((s) => {
      s.on('error', () => undefined);
      const chunk = Buffer.alloc(1024 * 1024, 0x5a);
      let sent = 0;
      const pump = (): void => {
        while (sent < TOTAL) {
          sent += chunk.length;
          if (!s.write(chunk)) return void s.once('drain', pump);
        }
        s.end();
      };
      pump();
    });
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', () => r()));
    try {
      const client = createWebClient(`ws://127.0.0.1:${web.port}/ws`, web.token);
      let delivered = 0;
      let last: EventPayload<'session:update'> | null = null;
      let ordered = true;
      client.on('session:update', (u) => {
        if (u.data) {
          if (u.dataOffset !== delivered) ordered = false;
          delivered += u.data.byteLength;
        }
        last = u;
      });
      const t0 = performance.now();
      const opened = await client.call('session:open', { host: '127.0.0.1', port: (peer.address() as { port: number }).port, maxResponseBytes: TOTAL + 1 });
      expect(opened.ok).toBe(true);
      for (let i = 0; i < 6000 && !((last as EventPayload<'session:update'> | null)?.status.phase === 'closed' && delivered === TOTAL); i++) await new Promise((r) => setTimeout(r, 10));
      if (process.env.ST_WEB_CLIENT_MIB) console.log(`web client: ${TOTAL} bytes in ${(performance.now() - t0).toFixed(0)} ms`);
      expect(ordered).toBe(true);
      expect(delivered).toBe(TOTAL);
    } finally {
      await new Promise((r) => peer.close(r));
    }
  }, 90_000);

  it('reports a refused token as failed (not lost), and pending calls get an error, not a hang', async () => {
    const client = createWebClient(`ws://127.0.0.1:${web.port}/ws`, 'wrong');
    const states: WebConnectionState[] = [];
    client.onConnectionChange((s) => states.push(s));
    const r = await client.call('app:info', {});
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.error.message).not.toMatch(/Lost the connection/);
    await until(states, 'failed');
    expect(states).not.toContain('lost');
  });
});
