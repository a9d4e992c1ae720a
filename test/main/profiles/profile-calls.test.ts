/**
 * The profile calls end to end through the real dispatcher (schema, handler, store, file): import
 * selection and target folder (issue 10, item 9) and the revision conflict as a client sees it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeAppService } from '../../../main/app-composition.ts';
import type { AppService } from '../../../main/app-service.ts';
import { createClientDispatch } from '../../../main/ipc/dispatcher.ts';
import { CALL_SCHEMAS } from '../../../main/ipc/schemas.ts';
import type { AppError } from '../../../shared/errors.ts';
import type { Profile } from '../../../shared/profile.ts';
import { draft, makeTempDir } from './test-helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
let service: AppService;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  service = await composeAppService({ host: 'web', profilesPath: join(dir, 'profiles.json') });
});

afterEach(async () => {
  await service.shutdown();
  await cleanup();
});

type Reply<T> = { ok: true; value: T } | { ok: false; error: AppError };

function client() {
  const ctx = service.attachClient({ alive: true, send: () => undefined });
  const dispatch = createClientDispatch(service.handlers, CALL_SCHEMAS, ctx);
  return <T>(channel: string, arg: unknown) => dispatch(channel, arg) as Promise<Reply<T>>;
}

/** A Packet Sender JSON export: four TCP packets and one UDP packet (skipped). */
const PACKETS = JSON.stringify(
  ['one', 'two', 'three', 'four'].map((name, i) => ({ name, tcporudp: 'TCP', toip: '127.0.0.1', port: String(7000 + i), hexstring: '41 42' })).concat([
    { name: 'udp', tcporudp: 'UDP', toip: '127.0.0.1', port: '9', hexstring: '' },
  ]),
);

async function stored(): Promise<Array<Pick<Profile, 'name' | 'folder'>>> {
  const file = JSON.parse(await readFile(join(dir, 'profiles.json'), 'utf8')) as { profiles: Profile[] };
  return file.profiles.map(({ name, folder }) => ({ name, folder }));
}

describe('import selection', () => {
  it('imports only the chosen items, into the target folder', async () => {
    const call = client();
    const done = await call<{ imported: number }>('profiles:import', {
      text: PACKETS,
      fileName: 'ps.json',
      onDuplicate: 'skip',
      select: [0, 2],
      folder: ' Lab ',
    });
    expect(done).toEqual({ ok: true, value: { imported: 2, skipped: 0 } });
    expect(await stored()).toEqual([
      { name: 'one', folder: 'Lab' },
      { name: 'three', folder: 'Lab' },
    ]);
  });

  it('without select every importable item is taken, as before', async () => {
    const call = client();
    const done = await call<{ imported: number }>('profiles:import', { text: PACKETS, fileName: 'ps.json', onDuplicate: 'skip' });
    expect(done.ok && done.value.imported).toBe(4);
  });

  it('the preview marks duplicates against the target folder', async () => {
    const call = client();
    expect((await call('profiles:create', { draft: draft({ name: 'two', folder: 'Lab' }) })).ok).toBe(true);
    const top = await call<{ items: Array<{ status: string }> }>('profiles:import-preview', { text: PACKETS, fileName: 'ps.json' });
    const lab = await call<{ items: Array<{ status: string }> }>('profiles:import-preview', { text: PACKETS, fileName: 'ps.json', folder: 'lab' });
    expect(top.ok && top.value.items.map((item) => item.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'skipped']);
    expect(lab.ok && lab.value.items.map((item) => item.status)).toEqual(['ok', 'duplicate', 'ok', 'ok', 'skipped']);
  });

  it('choosing a skipped or a missing item is INVALID_INPUT naming it; nothing is imported', async () => {
    const call = client();
    const skipped = await call('profiles:import', { text: PACKETS, fileName: 'ps.json', onDuplicate: 'skip', select: [0, 4] });
    expect(!skipped.ok && skipped.error).toMatchObject({ code: 'INVALID_INPUT', field: 'select', item: 4 });
    const missing = await call('profiles:import', { text: PACKETS, fileName: 'ps.json', onDuplicate: 'skip', select: [9] });
    expect(!missing.ok && missing.error).toMatchObject({ code: 'INVALID_INPUT', field: 'select', item: 9 });
    expect(await stored()).toEqual([]);
  });

  it('a folder name with a control character is INVALID_INPUT with field folder', async () => {
    const call = client();
    const bad = await call('profiles:import', { text: PACKETS, fileName: 'ps.json', onDuplicate: 'skip', folder: 'a\u0007b' });
    expect(!bad.ok && bad.error).toMatchObject({ code: 'INVALID_INPUT', field: 'folder' });
  });
});

describe('revision conflicts over the contract', () => {
  it('a stale update from a second client gets PROFILE_CONFLICT with both versions', async () => {
    const first = client();
    const second = client();
    const created = await first<Profile>('profiles:create', { draft: draft({ name: 'shared' }) });
    if (!created.ok) throw new Error(created.error.message);
    const { id, revision, createdAt: _c, updatedAt: _u, ...base } = created.value;
    expect((await second<Profile>('profiles:update', { id, draft: { ...base, port: 8 }, revision })).ok).toBe(true);
    const stale = await first<Profile>('profiles:update', { id, draft: { ...base, port: 9 }, revision });
    expect(!stale.ok && stale.error.code).toBe('PROFILE_CONFLICT');
    if (stale.ok) return;
    expect(stale.error.conflict?.theirs).toMatchObject({ port: 8, revision: 2 });
    expect(stale.error.conflict?.mine).toMatchObject({ port: 9, revision: 1 });
    const bogus = await first('profiles:update', { id, draft: base, revision: 0 });
    expect(!bogus.ok && bogus.error.code).toBe('INVALID_INPUT');
  });
});
