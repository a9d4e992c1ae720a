import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmod, copyFile, mkdir, readFile, readdir, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROFILE_FILE_VERSION, PROFILE_LIMITS, profileFileSchema, type Profile } from '../../../shared/profile.ts';
import { ProfileStore, backupPathFor } from '../../../main/profiles/profile-store.ts';
import { MIGRATIONS } from '../../../main/profiles/migrations.ts';
import { serializeProfileFile } from '../../../main/profiles/profile-file.ts';
import { listTempFiles } from '../../../main/profiles/atomic-write.ts';
import { parseImport } from '../../../main/profiles/import-profiles.ts';
import { FIXTURES, draft, makeTempDir, runsAsRoot } from './test-helpers.ts';

const FIXED_NOW = new Date('2026-11-24T01:02:03.456Z');
const now = () => FIXED_NOW;

let dir: string;
let cleanup: () => Promise<void>;
let filePath: string;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  filePath = join(dir, 'profiles.json');
});

afterEach(async () => {
  await chmod(dir, 0o700).catch(() => undefined);
  await cleanup();
});

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8')) as unknown;
}

async function fixture(name: string): Promise<Buffer> {
  return readFile(join(FIXTURES, 'store', name));
}

function must<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.message}`);
  return result.value;
}

describe('opening', () => {
  it('creates an empty versioned file when none exists, without a backup of defaults (D2)', async () => {
    const store = await ProfileStore.open({ filePath, now });
    expect(store.loadReport.status).toBe('created');
    expect(store.readOnly).toBe(false);
    expect(await readJson(filePath)).toEqual({ format: 'socket-tester-profiles', version: PROFILE_FILE_VERSION, profiles: [] });
    await expect(stat(backupPathFor(filePath))).rejects.toThrow();
  });

  it('creates the folder when it is missing', async () => {
    const nested = join(dir, 'a', 'b', 'profiles.json');
    const store = await ProfileStore.open({ filePath: nested, now });
    expect(store.loadReport.status).toBe('created');
    expect(must(await store.create(draft())).name).toBe('Echo');
  });

  it('loads a valid file and keeps a byte-exact backup of it (D2)', async () => {
    const original = await fixture('valid-v4.json');
    await writeFile(filePath, original);
    const store = await ProfileStore.open({ filePath, now });
    expect(store.loadReport).toEqual({ status: 'ok' });
    expect(store.list().map((profile) => profile.name)).toEqual(['Echo', 'HTTP HEAD', 'Binary']);
    expect(await readFile(backupPathFor(filePath))).toEqual(original);
  });

  it('does not refresh the backup on writes, only from a file that loaded and validated (D2)', async () => {
    await writeFile(filePath, await fixture('valid-v1.json'));
    const store = await ProfileStore.open({ filePath, now });
    must(await store.create(draft({ name: 'New one' })));
    expect(await readFile(backupPathFor(filePath))).toEqual(await fixture('valid-v1.json'));
    await ProfileStore.open({ filePath, now });
    expect(await readFile(backupPathFor(filePath), 'utf8')).toContain('New one');
  });

  it('accepts a UTF-8 byte-order mark', async () => {
    await writeFile(filePath, await fixture('bom.json'));
    const store = await ProfileStore.open({ filePath, now });
    expect(store.loadReport.status).toBe('ok');
    expect(store.list()).toHaveLength(3);
  });

  it('removes temporary files a killed writer left behind', async () => {
    await writeFile(filePath, await fixture('valid-v1.json'));
    await writeFile(join(dir, '.profiles.json.tmp-deadbeef0000'), '{"half":');
    await ProfileStore.open({ filePath, now });
    expect(await listTempFiles(filePath)).toEqual([]);
  });
});

describe('corrupt files (D3)', () => {
  const corruptFixtures = ['truncated.json', 'empty.json', 'nul-filled.json', 'invalid-utf8.json', 'wrong-schema.json'];

  for (const name of corruptFixtures) {
    it(`${name}: moved aside unchanged, backup loaded and reported`, async () => {
      const bad = await fixture(name);
      await writeFile(filePath, bad);
      await writeFile(backupPathFor(filePath), await fixture('valid-v1.json'));
      const store = await ProfileStore.open({ filePath, now });
      expect(store.loadReport.status).toBe('recovered-from-backup');
      expect(store.loadReport.movedAsideTo).toBe(`${filePath}.corrupt-2026-11-24T010203.456Z`);
      expect(store.loadReport.message).toContain(store.loadReport.movedAsideTo);
      expect(await readFile(store.loadReport.movedAsideTo ?? '')).toEqual(bad);
      expect(store.list()).toHaveLength(3);
      expect(profileFileSchema.safeParse(await readJson(filePath)).success).toBe(true);
      expect(store.readOnly).toBe(false);
    });

    it(`${name}: without a backup, moved aside and the list starts empty`, async () => {
      const bad = await fixture(name);
      await writeFile(filePath, bad);
      const store = await ProfileStore.open({ filePath, now });
      expect(store.loadReport.status).toBe('corrupt-no-backup');
      expect(store.list()).toEqual([]);
      expect(await readFile(store.loadReport.movedAsideTo ?? '')).toEqual(bad);
      must(await store.create(draft()));
      expect(await readFile(store.loadReport.movedAsideTo ?? '')).toEqual(bad);
      await expect(stat(backupPathFor(filePath))).rejects.toThrow();
    });
  }

  it('reports where the file is invalid (line and column for bad JSON, path for bad schema)', async () => {
    await writeFile(filePath, await fixture('truncated.json'));
    const truncated = await ProfileStore.open({ filePath, now });
    expect(truncated.loadReport.message).toMatch(/line \d+, column \d+/);
    await writeFile(filePath, await fixture('wrong-schema.json'));
    const wrong = await ProfileStore.open({ filePath, now: () => new Date('2026-11-24T02:00:00.000Z') });
    expect(wrong.loadReport.message).toContain('profiles[0].port');
    await writeFile(filePath, await fixture('invalid-utf8.json'));
    const utf8 = await ProfileStore.open({ filePath, now: () => new Date('2026-11-24T03:00:00.000Z') });
    expect(utf8.loadReport.message).toMatch(/not valid UTF-8.*offset \d+/);
  });

  it('never overwrites an earlier moved-aside file', async () => {
    await writeFile(filePath, 'first garbage');
    const first = await ProfileStore.open({ filePath, now });
    await writeFile(filePath, 'second garbage');
    const second = await ProfileStore.open({ filePath, now });
    expect(second.loadReport.movedAsideTo).toBe(`${first.loadReport.movedAsideTo}-2`);
    expect(await readFile(first.loadReport.movedAsideTo ?? '', 'utf8')).toBe('first garbage');
    expect(await readFile(second.loadReport.movedAsideTo ?? '', 'utf8')).toBe('second garbage');
  });

  it('loads the backup when the file itself is missing', async () => {
    await writeFile(backupPathFor(filePath), await fixture('valid-v1.json'));
    const store = await ProfileStore.open({ filePath, now });
    expect(store.loadReport.status).toBe('recovered-from-backup');
    expect(store.list()).toHaveLength(3);
  });

  it('a corrupt backup is never used and never replaced by defaults', async () => {
    await writeFile(filePath, 'garbage');
    await writeFile(backupPathFor(filePath), 'also garbage');
    const store = await ProfileStore.open({ filePath, now });
    expect(store.loadReport.status).toBe('corrupt-no-backup');
    must(await store.create(draft()));
    expect(await readFile(backupPathFor(filePath), 'utf8')).toBe('also garbage');
  });

  it('a file that cannot be read at all (a folder in its place) is left alone and the store is read-only', async () => {
    await mkdir(filePath);
    const store = await ProfileStore.open({ filePath, now });
    expect(store.readOnly).toBe(true);
    expect(store.loadReport.status).toBe('corrupt-no-backup');
    expect((await stat(filePath)).isDirectory()).toBe(true);
    const result = await store.create(draft());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('STORE_READ_ONLY');
  });
});

describe('versions and migrations (D5)', () => {
  it('opens a newer format version read-only, shows what it can, and never writes', async () => {
    const newer = await fixture('future-version.json');
    await writeFile(filePath, newer);
    const store = await ProfileStore.open({ filePath, now });
    expect(store.loadReport.status).toBe('newer-version-read-only');
    expect(store.readOnly).toBe(true);
    expect(store.loadReport.message).toContain('version 7');
    expect(store.list().map((profile) => profile.name)).toEqual(['Echo']);
    for (const attempt of [store.create(draft({ name: 'X' })), store.remove('p-echo'), store.importProfiles([draft({ name: 'Y' })], { onDuplicate: 'skip' })]) {
      const result = await attempt;
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('STORE_READ_ONLY');
        expect(result.error.message).toContain('version 7');
      }
    }
    expect(await readFile(filePath)).toEqual(newer);
    await expect(stat(backupPathFor(filePath))).rejects.toThrow();
  });

  it('migrates a version-0 file: folder and notes added, v1 written, original kept as backup', async () => {
    const v0 = await fixture('v0-prerelease.json');
    await writeFile(filePath, v0);
    const store = await ProfileStore.open({ filePath, now });
    expect(store.loadReport.status).toBe('ok');
    expect(store.loadReport.message).toContain('upgraded from format version 0');
    expect(store.list().every((profile) => profile.folder === null && profile.notes === '')).toBe(true);
    const written = await readJson(filePath);
    expect(profileFileSchema.safeParse(written).success).toBe(true);
    expect(await readFile(backupPathFor(filePath))).toEqual(v0);
  });

  it('migrates a version-1 file: every profile starts at revision 1, the v1 original is the backup', async () => {
    const v1 = await fixture('valid-v1.json');
    await writeFile(filePath, v1);
    const store = await ProfileStore.open({ filePath, now });
    expect(store.loadReport.message).toContain('upgraded from format version 1');
    expect(store.list().map((profile) => profile.revision)).toEqual([1, 1, 1]);
    expect(await readFile(filePath, 'utf8')).toBe(await fixture('valid-v4.json').then((bytes) => bytes.toString('utf8')));
    expect(await readFile(backupPathFor(filePath))).toEqual(v1);
  });

  it('migrates a version-2 file: every profile is TCP, v4 written, the v2 original is the backup', async () => {
    const v2 = await fixture('valid-v2.json');
    await writeFile(filePath, v2);
    const store = await ProfileStore.open({ filePath, now });
    expect(store.loadReport.message).toContain('upgraded from format version 2');
    expect(store.list().map((profile) => profile.transport)).toEqual(['tcp', 'tcp', 'tcp']);
    expect(store.list().map((profile) => profile.revision)).toEqual([1, 1, 1]);
    expect(await readFile(filePath, 'utf8')).toBe(await fixture('valid-v4.json').then((bytes) => bytes.toString('utf8')));
    expect(await readFile(backupPathFor(filePath))).toEqual(v2);
  });

  it('migrates a version-3 file: the same profiles, all sessions, v4 written, the v3 original is the backup', async () => {
    const v3 = await fixture('valid-v3.json');
    await writeFile(filePath, v3);
    const store = await ProfileStore.open({ filePath, now });
    expect(store.loadReport.message).toContain('upgraded from format version 3');
    expect(store.list().map((profile) => profile.kind ?? 'session')).toEqual(['session', 'session', 'session']);
    expect(await readFile(filePath, 'utf8')).toBe(await fixture('valid-v4.json').then((bytes) => bytes.toString('utf8')));
    expect(await readFile(backupPathFor(filePath))).toEqual(v3);
  });

  it('the 2 → 3 migration is pure and leaves a profile that names its transport alone', () => {
    const input = { format: 'socket-tester-profiles', version: 2, profiles: [{ id: 'a' }, { id: 'b', transport: 'tls' }] };
    const snapshot = structuredClone(input);
    const output = MIGRATIONS[2]?.(input);
    expect(input).toEqual(snapshot);
    expect(output).toEqual({ format: 'socket-tester-profiles', version: 3, profiles: [{ id: 'a', transport: 'tcp' }, { id: 'b', transport: 'tls' }] });
  });

  it('migrations are pure: the input is not changed', () => {
    const input = { profiles: [{ id: 'a', name: 'A' }] };
    const snapshot = structuredClone(input);
    const migrate = MIGRATIONS[0];
    expect(migrate).toBeDefined();
    const output = migrate?.(input);
    expect(input).toEqual(snapshot);
    expect(output).toEqual({ format: 'socket-tester-profiles', version: 1, profiles: [{ id: 'a', name: 'A', folder: null, notes: '' }] });
  });

  it('a version that is not a whole number is corrupt, not "newer"', async () => {
    await writeFile(filePath, JSON.stringify({ format: 'socket-tester-profiles', version: '2', profiles: [] }));
    const store = await ProfileStore.open({ filePath, now });
    expect(store.loadReport.status).toBe('corrupt-no-backup');
  });
});

describe('limits (D7)', () => {
  it('refuses a file larger than the limit without reading it, moving it aside', async () => {
    await writeFile(filePath, '{');
    await truncate(filePath, PROFILE_LIMITS.maxFileBytes + 1);
    const store = await ProfileStore.open({ filePath, now });
    expect(store.loadReport.status).toBe('corrupt-no-backup');
    expect(store.loadReport.message).toContain('the limit is');
    expect((await stat(store.loadReport.movedAsideTo ?? '')).size).toBe(PROFILE_LIMITS.maxFileBytes + 1);
  });

  it('refuses more profiles than the limit before validating them', async () => {
    const many = Array.from({ length: PROFILE_LIMITS.maxProfiles + 1 }, () => ({}));
    await writeFile(filePath, JSON.stringify({ format: 'socket-tester-profiles', version: 1, profiles: many }));
    const store = await ProfileStore.open({ filePath, now });
    expect(store.loadReport.status).toBe('corrupt-no-backup');
    expect(store.loadReport.message).toContain(`${PROFILE_LIMITS.maxProfiles + 1} profiles`);
  });

  it('refuses a write that would exceed the profile count', async () => {
    const stamp = FIXED_NOW.toISOString();
    const full: Profile[] = Array.from({ length: PROFILE_LIMITS.maxProfiles }, (_, index) => ({
      ...draft({ name: `P${index}` }),
      id: `id-${index}`,
      revision: 1,
      createdAt: stamp,
      updatedAt: stamp,
    }));
    await writeFile(filePath, serializeProfileFile(full));
    const store = await ProfileStore.open({ filePath, now });
    expect(store.list()).toHaveLength(PROFILE_LIMITS.maxProfiles);
    const before = await readFile(filePath);
    const result = await store.create(draft({ name: 'one too many' }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain(`${PROFILE_LIMITS.maxProfiles}`);
    // Buffer.equals: vitest's deep equality walks a 2 MB buffer byte by byte, taking seconds.
    expect((await readFile(filePath)).equals(before)).toBe(true);
  });
});

describe('writes', () => {
  it('every change is on disk, validated, and in stable key order with 2-space indent (D1, D4)', async () => {
    const store = await ProfileStore.open({ filePath, now });
    const created = must(await store.create(draft({ name: '  Spaced  ', folder: ' Lab ' })));
    expect(created).toMatchObject({ name: 'Spaced', folder: 'Lab', createdAt: FIXED_NOW.toISOString() });
    const text = await readFile(filePath, 'utf8');
    expect(text).toBe(serializeProfileFile(store.list()));
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "format": "socket-tester-profiles",');
    const keys = Object.keys((JSON.parse(text) as { profiles: Array<Record<string, unknown>> }).profiles[0] ?? {});
    expect(keys).toEqual(['id', 'name', 'folder', 'host', 'port', 'payload', 'connectTimeoutMs', 'idleTimeoutMs', 'closeAfterSend', 'maxResponseBytes', 'notes', 'revision', 'createdAt', 'updatedAt']);
    expect(await listTempFiles(filePath)).toEqual([]);
  });

  it('rejects invalid drafts before writing, naming the field (D4)', async () => {
    const store = await ProfileStore.open({ filePath, now });
    const before = await readFile(filePath);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...draft(), port: 0 }, 'port'],
      [{ ...draft(), name: '' }, 'name'],
      [{ ...draft(), name: 'x'.repeat(101) }, 'name'],
      [{ ...draft(), host: '' }, 'host'],
      [{ ...draft(), sneaky: true }, ''],
    ];
    for (const [bad, field] of cases) {
      const result = await store.create(bad as never);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('INVALID_INPUT');
        if (field !== '') expect(result.error.field).toBe(field);
      }
    }
    expect(await readFile(filePath)).toEqual(before);
  });

  it('duplicate names are PROFILE_CONFLICT within a folder, ignoring case; other folders are fine', async () => {
    const store = await ProfileStore.open({ filePath, now });
    must(await store.create(draft({ name: 'Echo', folder: 'Lab' })));
    const clash = await store.create(draft({ name: 'ECHO ', folder: 'lab' }));
    expect(clash.ok).toBe(false);
    if (!clash.ok) expect(clash.error).toMatchObject({ code: 'PROFILE_CONFLICT', field: 'name' });
    must(await store.create(draft({ name: 'Echo', folder: null })));
    must(await store.create(draft({ name: 'Echo', folder: 'Prod' })));
    expect(store.list()).toHaveLength(3);
  });

  it('names are data, never paths or keys (D8)', async () => {
    const store = await ProfileStore.open({ filePath, now });
    for (const name of ['__proto__', 'constructor', '../../etc/passwd', 'a/b\\c', 'toString']) must(await store.create(draft({ name })));
    const file = (await readJson(filePath)) as { profiles: unknown[] };
    expect(Array.isArray(file.profiles)).toBe(true);
    expect(store.findByName('__proto__')?.name).toBe('__proto__');
    expect((await readdir(dir)).sort()).toEqual(['profiles.json']);
  });

  it('update, rename, duplicate, remove and restore', async () => {
    let tick = 0;
    const store = await ProfileStore.open({ filePath, now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)) });
    const a = must(await store.create(draft({ name: 'A' })));
    const b = must(await store.create(draft({ name: 'B', folder: 'F' })));
    const updated = must(await store.update(a.id, { port: 8080, notes: 'changed' }));
    expect(updated).toMatchObject({ id: a.id, port: 8080, notes: 'changed', createdAt: a.createdAt });
    expect(updated.updatedAt > a.updatedAt).toBe(true);
    expect(must(await store.rename(a.id, ' A2 ')).name).toBe('A2');
    // B lives in folder F, so the same name at the top level is no clash.
    const sameNameOtherFolder = await store.rename(a.id, 'b');
    expect(sameNameOtherFolder.ok).toBe(true);
    must(await store.rename(a.id, 'A2'));
    expect(must(await store.duplicate(a.id)).name).toBe('A2 (copy)');
    expect(must(await store.duplicate(a.id)).name).toBe('A2 (copy 2)');
    expect(store.list().map((profile) => profile.name)).toEqual(['A2', 'A2 (copy 2)', 'A2 (copy)', 'B']);
    const removed = must(await store.remove(b.id));
    expect(removed.index).toBe(3);
    expect(store.get(b.id)).toBeUndefined();
    expect(must(await store.restore(removed.removed, removed.index))).toEqual(b);
    expect(store.list()[3]).toEqual(b);
    const again = await store.restore(b, 0);
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.code).toBe('PROFILE_CONFLICT');
    const missing = await store.update('nope', { port: 1 });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error.code).toBe('PROFILE_NOT_FOUND');
    const disk = (await readJson(filePath)) as { profiles: Profile[] };
    expect(disk.profiles).toEqual(store.list());
  });

  it('duplicate keeps long names within the limit', async () => {
    const store = await ProfileStore.open({ filePath, now });
    const long = must(await store.create(draft({ name: 'n'.repeat(PROFILE_LIMITS.maxNameLength) })));
    const copy = must(await store.duplicate(long.id));
    expect(copy.name.length).toBeLessThanOrEqual(PROFILE_LIMITS.maxNameLength);
    expect(copy.name.endsWith(' (copy)')).toBe(true);
  });

  it('list() hands out copies', async () => {
    const store = await ProfileStore.open({ filePath, now });
    must(await store.create(draft()));
    const listed = store.list();
    (listed[0] as Profile).payload.text = 'mutated';
    expect(store.list()[0]?.payload.text).toBe('hello');
  });

  it('findByName ignores case and can be limited to a folder', async () => {
    const store = await ProfileStore.open({ filePath, now });
    must(await store.create(draft({ name: 'Echo', folder: 'Lab' })));
    expect(store.findByName(' echo ')?.folder).toBe('Lab');
    expect(store.findByName('echo', null)).toBeUndefined();
    expect(store.findByName('echo', 'LAB')?.name).toBe('Echo');
  });

  it('serializes concurrent changes: none is lost (D6)', async () => {
    const store = await ProfileStore.open({ filePath, now });
    const results = await Promise.all(Array.from({ length: 25 }, (_, index) => store.create(draft({ name: `P${index}` }))));
    expect(results.every((result) => result.ok)).toBe(true);
    await store.flush();
    const disk = (await readJson(filePath)) as { profiles: Profile[] };
    expect(disk.profiles.map((profile) => profile.name)).toEqual(Array.from({ length: 25 }, (_, index) => `P${index}`));
  });

  it('flush waits for queued writes', async () => {
    const store = await ProfileStore.open({ filePath, now });
    void store.create(draft({ name: 'queued' }));
    await store.flush();
    expect(await readFile(filePath, 'utf8')).toContain('queued');
  });
});

describe('write failures keep everything (D1)', () => {
  /**
   * Makes the next write fail. As a normal user, removing write permission from the folder does it.
   * As root (our CI containers) chmod does not stop writes, so the folder is swapped for a plain
   * file instead: every write then fails with ENOTDIR, and the real folder, with the old
   * profiles.json in it, waits under another name until `undo`.
   */
  async function breakWrites(): Promise<{ undo: () => Promise<void>; oldFilePath: string }> {
    if (!runsAsRoot()) {
      await chmod(dir, 0o500);
      return { undo: () => chmod(dir, 0o700), oldFilePath: filePath };
    }
    const parked = `${dir}-parked`;
    await rename(dir, parked);
    await writeFile(dir, 'not a folder');
    return {
      oldFilePath: join(parked, 'profiles.json'),
      undo: async () => {
        await rm(dir);
        await rename(parked, dir);
      },
    };
  }

  it('a failed write returns FILE_ERROR, keeps the old file and the in-memory list, and later writes work', async () => {
    const store = await ProfileStore.open({ filePath, now });
    must(await store.create(draft({ name: 'kept' })));
    const before = await readFile(filePath);
    const broken = await breakWrites();
    try {
      const failed = await store.create(draft({ name: 'lost?' }));
      expect(failed.ok).toBe(false);
      if (!failed.ok) {
        expect(failed.error.code).toBe('FILE_ERROR');
        expect(failed.error.message).toContain('Nothing was changed');
      }
      const failedRemove = await store.remove(store.list()[0]?.id ?? '');
      expect(failedRemove.ok).toBe(false);
      expect(store.list().map((profile) => profile.name)).toEqual(['kept']);
      expect(await readFile(broken.oldFilePath)).toEqual(before);
    } finally {
      await broken.undo();
    }
    must(await store.create(draft({ name: 'after' })));
    expect(((await readJson(filePath)) as { profiles: Profile[] }).profiles.map((profile) => profile.name)).toEqual(['kept', 'after']);
    expect(await listTempFiles(filePath)).toEqual([]);
  });

  it('a read-only folder still opens and lists', async () => {
    await writeFile(filePath, await fixture('valid-v1.json'));
    await chmod(dir, 0o500);
    const store = await ProfileStore.open({ filePath, now });
    expect(store.list()).toHaveLength(3);
    expect(store.loadReport.status).toBe('ok');
  });
});

describe('readOnly option (for listing)', () => {
  it('never moves, backs up, cleans or writes, even for a corrupt file', async () => {
    const bad = await fixture('truncated.json');
    await writeFile(filePath, bad);
    await writeFile(join(dir, '.profiles.json.tmp-abc'), 'x');
    const store = await ProfileStore.open({ filePath, now, readOnly: true });
    expect(store.loadReport.status).toBe('corrupt-no-backup');
    expect(store.loadReport.movedAsideTo).toBeUndefined();
    expect(store.readOnly).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['.profiles.json.tmp-abc', 'profiles.json']);
    expect(await readFile(filePath)).toEqual(bad);
    const result = await store.create(draft());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('STORE_READ_ONLY');
  });

  it('a valid file lists normally and no backup appears; a missing file is not created', async () => {
    await writeFile(filePath, await fixture('valid-v1.json'));
    const store = await ProfileStore.open({ filePath, readOnly: true });
    expect(store.loadReport.status).toBe('ok');
    expect(store.list()).toHaveLength(3);
    expect(await readdir(dir)).toEqual(['profiles.json']);
    const missingPath = join(dir, 'none', 'profiles.json');
    const empty = await ProfileStore.open({ filePath: missingPath, readOnly: true });
    expect(empty.list()).toEqual([]);
    await expect(stat(join(dir, 'none'))).rejects.toThrow();
  });
});

describe('import and export', () => {
  it('imports with skip, rename and replace, in one write', async () => {
    const store = await ProfileStore.open({ filePath, now });
    const original = must(await store.create(draft({ name: 'Echo', folder: 'Lab', port: 1 })));
    const items = [draft({ name: 'echo', folder: 'lab', port: 2 }), draft({ name: 'Fresh' })];
    expect(must(await store.importProfiles(items, { onDuplicate: 'skip' }))).toEqual({ imported: 1, skipped: 1 });
    expect(must(await store.importProfiles([draft({ name: 'Echo', folder: 'Lab', port: 3 })], { onDuplicate: 'rename' }))).toEqual({ imported: 1, skipped: 0 });
    expect(store.findByName('Echo (2)', 'Lab')?.port).toBe(3);
    expect(must(await store.importProfiles([draft({ name: 'ECHO', folder: 'LAB', port: 4 })], { onDuplicate: 'replace' }))).toEqual({ imported: 1, skipped: 0 });
    const replaced = store.get(original.id);
    expect(replaced).toMatchObject({ name: 'Echo', folder: 'Lab', port: 4, createdAt: original.createdAt });
    expect(store.list()).toHaveLength(3);
  });

  it('an invalid item fails the whole import and changes nothing', async () => {
    const store = await ProfileStore.open({ filePath, now });
    const before = await readFile(filePath);
    const result = await store.importProfiles([draft({ name: 'good' }), { ...draft({ name: 'bad' }), port: -1 }], { onDuplicate: 'skip' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain('Import item 2');
    expect(store.list()).toEqual([]);
    expect(await readFile(filePath)).toEqual(before);
  });

  it('exports our format with a fixed key order, and the export imports back identically', async () => {
    const store = await ProfileStore.open({ filePath, now });
    must(await store.create(draft({ name: 'A', folder: 'F', notes: 'x\u0000y' })));
    const b = must(await store.create(draft({ name: 'B', payload: { text: '00 ff', mode: 'hex', encoding: 'latin1', lineEnding: 'none' } })));
    const text = store.exportJson();
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['format', 'version', 'exportedAt', 'profiles']);
    expect(text.endsWith('\n')).toBe(true);
    expect(text).toContain(`\n  "version": ${PROFILE_FILE_VERSION},\n`);
    const preview = must(parseImport(text, 'export.json'));
    expect(preview.source).toBe('socket-tester');
    const { id: _id, revision: _r, createdAt: _c, updatedAt: _u, ...expected } = b;
    expect(preview.items[1]).toEqual({ draft: expected, sourceName: 'B', status: 'ok' });
    expect(JSON.parse(store.exportJson([b.id])).profiles).toHaveLength(1);
  });
});

describe('TLS settings and secrets', () => {
  const tls = { verify: false, serverName: 'echo.test', certFile: '/home/me/client.pem', keyFile: '/home/me/client.key', alpn: ['h2'] };

  it('stores a TLS profile with the key as a path, and the file and an export hold no secret', async () => {
    const store = await ProfileStore.open({ filePath, now });
    const created = must(await store.create(draft({ transport: 'tls', tls })));
    expect(created.tls).toEqual(tls);
    const text = await readFile(filePath, 'utf8');
    expect(JSON.parse(text).profiles[0].tls.keyFile).toBe('/home/me/client.key');
    const sneaky = { ...created, tls: { ...created.tls, passphrase: 'hunter2', keyPem: '-----BEGIN PRIVATE KEY-----' } } as Profile;
    const { serializeProfileExport } = await import('../../../main/profiles/profile-file.ts');
    for (const written of [text, serializeProfileFile([sneaky]), serializeProfileExport([sneaky], FIXED_NOW)]) {
      expect(written).not.toMatch(/passphrase|hunter2|PRIVATE KEY|keyPem/);
      expect(written).toContain('"keyFile": "/home/me/client.key"');
    }
  });

  it('stores a listener profile (its rules whole, its TLS as paths) and a conversation profile, and reads both back', async () => {
    const store = await ProfileStore.open({ filePath, now });
    const responder = {
      kind: 'rules' as const,
      framing: { kind: 'line' as const },
      rules: [
        { match: { kind: 'regex' as const, value: '^GET (\\S+)' }, reply: { mode: 'escapes' as const, value: 'HTTP/1.0 200 OK\\r\\n\\r\\n${1}' }, delayMs: 5, close: true },
        { match: { kind: 'hex' as const, value: '00 ff' }, reply: null, delayMs: 0, close: false },
      ],
    };
    const listener = must(
      await store.create(
        draft({ name: 'Fake device', kind: 'listener', host: '127.0.0.1', port: 9000, transport: 'tls', listener: { maxClients: 10, tls: { kind: 'self-signed', requestClientCert: true }, responder } }),
      ),
    );
    const yaml = 'target: { host: 127.0.0.1, port: 6379 }\nsteps:\n  - send: { text: "PING\\r\\n" }\n  - expect: { contains: PONG }\n';
    const conversation = must(await store.create(draft({ name: 'Redis ping', kind: 'conversation', host: '127.0.0.1', port: 6379, conversation: { yaml } })));
    const reopened = await ProfileStore.open({ filePath, now });
    expect(reopened.list().find((p) => p.id === listener.id)?.listener).toEqual({ maxClients: 10, tls: { kind: 'self-signed', requestClientCert: true }, responder });
    expect(reopened.list().find((p) => p.id === conversation.id)?.conversation).toEqual({ yaml });
    const text = await readFile(filePath, 'utf8');
    expect(text).toContain('"kind": "listener"');
    // A session profile is written without `kind` (absent means a session).
    must(await store.create(draft({ name: 'Plain' })));
    expect(JSON.parse(await readFile(filePath, 'utf8')).profiles[2]).not.toHaveProperty('kind');
  });

  it('refuses a section without its kind and a kind without its section, naming the key', async () => {
    const store = await ProfileStore.open({ filePath, now });
    for (const [bad, field] of [
      [{ kind: 'listener' }, 'listener'],
      [{ listener: { responder: { kind: 'echo' } } }, 'kind'],
      [{ kind: 'conversation' }, 'conversation'],
      [{ kind: 'listener', listener: { tls: { kind: 'files', certFile: '/c.pem', keyFile: '/k.pem', keyPem: 'x' } } }, 'listener.tls.keyPem'],
      [{ kind: 'listener', listener: { responder: { kind: 'rules', framing: { kind: 'length', length: 0 }, rules: [] } } }, 'listener.responder.framing.length'],
    ] as const) {
      const refused = await store.create(draft(bad as never));
      expect(refused.ok).toBe(false);
      if (!refused.ok) {
        expect(refused.error.code).toBe('INVALID_INPUT');
        expect(refused.error.field ?? '').toContain(field.split('.')[0]!);
      }
    }
    expect(store.list()).toEqual([]);
  });

  it('refuses to store a passphrase or key material, naming the problem', async () => {
    const store = await ProfileStore.open({ filePath, now });
    for (const extra of [{ passphrase: 'hunter2' }, { keyPem: '-----BEGIN PRIVATE KEY-----' }]) {
      const refused = await store.create(draft({ transport: 'tls', tls: { ...tls, ...extra } as typeof tls }));
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.error.code).toBe('INVALID_INPUT');
    }
    expect(await readFile(filePath, 'utf8')).not.toMatch(/hunter2|PRIVATE KEY/);
  });
});
