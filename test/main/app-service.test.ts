/**
 * The service behind every channel, driven as a client would: quitting mid-transfer (F26) destroys
 * the sockets and flushes profile writes; profile changes reach every attached client.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeAppService } from '../../main/app-composition.ts';
import type { AppService, ClientContext } from '../../main/app-service.ts';
import { createClientDispatch } from '../../main/ipc/dispatcher.ts';
import { CALL_SCHEMAS } from '../../main/ipc/schemas.ts';
import type { EventChannel } from '../../shared/contract.ts';
import type { ProfileDraft } from '../../shared/profile.ts';

let dir: string;
let service: AppService;
let server: Server;
let port: number;
const serverSockets = new Set<Socket>();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'st-svc-'));
  service = await composeAppService({ host: 'web', profilesPath: join(dir, 'profiles.json') });
  // Streams forever until the client goes away.
  server = createServer((s) => {
    serverSockets.add(s);
    s.on('close', () => serverSockets.delete(s));
    s.on('error', () => undefined);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const pump = (): void => {
      while (!s.destroyed && s.write(chunk));
      if (!s.destroyed) s.once('drain', pump);
    };
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
});

afterEach(async () => {
  await service.shutdown();
  for (const s of serverSockets) s.destroy();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

function attach(): { ctx: ClientContext; events: Array<{ event: EventChannel; payload: unknown }>; call: (c: string, a: unknown) => Promise<unknown> } {
  const events: Array<{ event: EventChannel; payload: unknown }> = [];
  const ctx = service.attachClient({ alive: true, send: (event, payload) => events.push({ event, payload }) });
  const dispatch = createClientDispatch(service.handlers, CALL_SCHEMAS, ctx);
  return { ctx, events, call: dispatch };
}

const draft = (name: string): ProfileDraft => ({
  name,
  folder: null,
  host: '127.0.0.1',
  port: 7,
  payload: { text: 'hi', mode: 'text', encoding: 'utf8', lineEnding: 'lf' },
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 0,
  closeAfterSend: true,
  maxResponseBytes: 1024,
  notes: '',
});

describe('AppService', () => {
  it('quit mid-transfer destroys sockets and flushes pending profile writes (F26)', async () => {
    const c = attach();
    const opened = (await c.call('session:open', { host: '127.0.0.1', port, maxResponseBytes: 1024 * 1024 * 1024 })) as { ok: boolean };
    expect(opened.ok).toBe(true);
    for (let i = 0; i < 200 && serverSockets.size === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(serverSockets.size).toBe(1);
    // A write still queued when quitting must land on disk.
    const pending = c.call('profiles:create', { draft: draft('Saved while quitting') });
    await service.shutdown();
    await pending;
    for (let i = 0; i < 200 && serverSockets.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(serverSockets.size).toBe(0);
    expect(await readFile(join(dir, 'profiles.json'), 'utf8')).toContain('Saved while quitting');
  });

  it('tells every client when profiles change', async () => {
    const a = attach();
    const b = attach();
    const r = (await a.call('profiles:create', { draft: draft('Shared') })) as { ok: boolean };
    expect(r.ok).toBe(true);
    for (const client of [a, b]) {
      const changed = client.events.filter((e) => e.event === 'profiles:changed');
      expect(changed).toHaveLength(1);
      expect(JSON.stringify(changed[0]!.payload)).toContain('Shared');
    }
  });

  it('rejects a profile draft with unknown keys before the store sees it', async () => {
    const a = attach();
    const r = (await a.call('profiles:create', { draft: { ...draft('x'), __proto__: { admin: true }, script: 'alert(1)' } })) as { ok: boolean; error?: { code: string } };
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('INVALID_INPUT');
  });

  it('session:open refuses a bad endpoint with the shared message and field, creating no session', async () => {
    const c = attach();
    const r = (await c.call('session:open', { host: '127.0.0.1:8080', port: 80 })) as { ok: boolean; error?: { code: string; field?: string; message: string } };
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({ code: 'INVALID_INPUT', field: 'port', message: 'the host names port 8080 but the port is 80; remove one of them.' });
    expect(c.ctx.sessions.size).toBe(0);
  });

  it('the import preview shows IPv6 endpoints in brackets', async () => {
    const c = attach();
    // Exported by the app itself, then previewed as an import (both are duplicates by then; the
    // preview still shows each endpoint).
    for (const [name, host, port] of [['v6', '::1', 80], ['v4', '127.0.0.1', 7]] as const) {
      expect(((await c.call('profiles:create', { draft: { ...draft(name), host, port } })) as { ok: boolean }).ok).toBe(true);
    }
    const exported = (await c.call('profiles:export', { ids: null })) as { value: { json: string } };
    const text = exported.value.json;
    const r = (await c.call('profiles:import-preview', { text, fileName: 'p.json' })) as { ok: boolean; value?: { items: { endpoint: string | null }[] } };
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(r.value?.items.map((i) => i.endpoint)).toEqual(['[::1]:80', '127.0.0.1:7']);
  });
});
