/**
 * Nothing a user saved may disappear without a message (issue 11, item 3): two processes on one
 * file, a hand edit while the store is open, a symlinked file, and a stale update from another
 * window. Real files, real child processes; no fs mocks.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lstat, mkdir, readFile, readlink, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProfileStore, backupPathFor } from '../../../main/profiles/profile-store.ts';
import { serializeProfileFile } from '../../../main/profiles/profile-file.ts';
import type { Profile } from '../../../shared/profile.ts';
import { draft, makeTempDir } from './test-helpers.ts';
import { STORE_URL, startStoreChild } from './store-child.ts';

let dir: string;
let cleanup: () => Promise<void>;
let filePath: string;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  filePath = join(dir, 'profiles.json');
});

afterEach(async () => {
  await cleanup();
});

function must<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.message}`);
  return result.value;
}

async function namesOnDisk(path = filePath): Promise<string[]> {
  const file = JSON.parse(await readFile(path, 'utf8')) as { profiles: Profile[] };
  return file.profiles.map((profile) => profile.name).sort();
}

/** A child that opens the store, waits for a go file, then saves `count` profiles named tag-N. */
const WRITER = `
import { existsSync } from 'node:fs';
import { ProfileStore } from ${JSON.stringify(STORE_URL)};
const [filePath, tag, count, goFile] = process.argv.slice(2);
const store = await ProfileStore.open({ filePath });
process.stdout.write('opened ' + store.loadReport.status + '\\n');
for (let wait = 0; !existsSync(goFile) && wait < 600; wait += 1) await new Promise((r) => setTimeout(r, 50));
for (let i = 0; i < Number(count); i += 1) {
  const result = await store.create({
    name: tag + '-' + i, folder: null, host: '127.0.0.1', port: 7,
    payload: { text: 'x', mode: 'text', encoding: 'utf8', lineEnding: 'none' },
    connectTimeoutMs: 1000, idleTimeoutMs: 0, closeAfterSend: false, maxResponseBytes: 1024, notes: '',
  });
  if (!result.ok) { process.stderr.write(result.error.code + ' ' + result.error.message + '\\n'); process.exit(2); }
}
process.stdout.write('saved ' + store.list().length + '\\n');
`;

describe('two processes on one file', () => {
  it('two store processes saving different profiles at the same time: every profile survives', { timeout: 120_000 }, async () => {
    // Before: each process kept its own list and the later write erased the other's profiles.
    must(await (await ProfileStore.open({ filePath })).create(draft({ name: 'before both' })));
    const go = join(dir, 'go');
    const writers = [
      await startStoreChild(dir, 'writer-a', WRITER, [filePath, 'a', '15', go]),
      await startStoreChild(dir, 'writer-b', WRITER, [filePath, 'b', '15', go]),
    ];
    // Both open (and read the same file) before either writes: the case that used to lose data.
    await Promise.all(writers.map((writer) => writer.printed('opened')));
    await writeFile(go, '');
    const [a, b] = await Promise.all(writers.map((writer) => writer.done));
    if (a === undefined || b === undefined) throw new Error('two writers');
    expect(a.stderr).toBe('');
    expect(b.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const expected = ['before both', ...Array.from({ length: 15 }, (_, i) => [`a-${i}`, `b-${i}`]).flat()].sort();
    expect(await namesOnDisk()).toEqual(expected);
    // No lock is left behind by processes that exited.
    await expect(lstat(`${filePath}.lock`)).rejects.toThrow();
  });

  it('a lock left by a process that died is taken over once it is stale', { timeout: 60_000 }, async () => {
    const store = await ProfileStore.open({ filePath });
    await mkdir(`${filePath}.lock`);
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(`${filePath}.lock`, longAgo, longAgo);
    must(await store.create(draft({ name: 'after a crash' })));
    expect(await namesOnDisk()).toEqual(['after a crash']);
  });
});

describe('a file changed on disk while the store is open', () => {
  it('a hand edit between two saves survives, and the backup holds it', async () => {
    // Before: the second save wrote the in-memory list over the edit, and .bak had never seen it.
    const store = await ProfileStore.open({ filePath });
    must(await store.create(draft({ name: 'first' })));
    const edited = JSON.parse(await readFile(filePath, 'utf8')) as { profiles: Profile[] };
    const handMade = { ...edited.profiles[0]!, id: 'hand-made', name: 'typed by hand' };
    await writeFile(filePath, serializeProfileFile([...edited.profiles, handMade]));
    must(await store.create(draft({ name: 'second' })));
    expect(await namesOnDisk()).toEqual(['first', 'second', 'typed by hand']);
    expect(store.list().map((profile) => profile.name)).toEqual(['first', 'typed by hand', 'second']);
    expect(await readFile(backupPathFor(filePath), 'utf8')).toContain('typed by hand');
  });

  it('a changed file that no longer parses is not overwritten: STORE_CORRUPT, nothing saved', async () => {
    const store = await ProfileStore.open({ filePath });
    must(await store.create(draft({ name: 'first' })));
    const broken = '{ "format": "socket-tester-profiles", "version": 2, "profiles": [ { oops';
    await writeFile(filePath, broken);
    const result = await store.create(draft({ name: 'second' }));
    expect(!result.ok && result.error.code).toBe('STORE_CORRUPT');
    expect(await readFile(filePath, 'utf8')).toBe(broken);
  });

  it('refresh() picks up another process\'s change without a write', async () => {
    const mine = await ProfileStore.open({ filePath });
    const theirs = await ProfileStore.open({ filePath });
    must(await theirs.create(draft({ name: 'theirs' })));
    expect(mine.list()).toEqual([]);
    expect(await mine.refresh()).toBe(true);
    expect(mine.list().map((profile) => profile.name)).toEqual(['theirs']);
    expect(await mine.refresh()).toBe(false);
  });
});

describe('a symlinked profile file', () => {
  it('stays a symlink, and its target is updated (with backup and lock next to the target)', async () => {
    // Before: the atomic rename replaced the link with a plain file; the target never changed again.
    const realDir = join(dir, 'dotfiles');
    await mkdir(realDir);
    const target = join(realDir, 'profiles.json');
    await writeFile(target, serializeProfileFile([]));
    await symlink('dotfiles/profiles.json', filePath);
    const store = await ProfileStore.open({ filePath });
    must(await store.create(draft({ name: 'through the link' })));
    expect((await lstat(filePath)).isSymbolicLink()).toBe(true);
    expect(await readlink(filePath)).toBe('dotfiles/profiles.json');
    expect(await namesOnDisk(target)).toEqual(['through the link']);
    expect((await lstat(backupPathFor(target))).isFile()).toBe(true);
    await expect(lstat(backupPathFor(filePath))).rejects.toThrow();
  });

  it('a dangling link gets its target created, and stays a link', async () => {
    await symlink('elsewhere.json', filePath);
    const store = await ProfileStore.open({ filePath });
    expect(store.loadReport.status).toBe('created');
    must(await store.create(draft({ name: 'new' })));
    expect((await lstat(filePath)).isSymbolicLink()).toBe(true);
    expect(await namesOnDisk(join(dir, 'elsewhere.json'))).toEqual(['new']);
  });
});

describe('revisions', () => {
  it('a stale update gets PROFILE_CONFLICT with both versions; keeping mine needs the current revision', async () => {
    const windowA = await ProfileStore.open({ filePath });
    const created = must(await windowA.create(draft({ name: 'shared', host: 'one.invalid' })));
    expect(created.revision).toBe(1);
    const windowB = await ProfileStore.open({ filePath });
    const theirs = must(await windowB.update(created.id, { host: 'two.invalid' }, 1));
    expect(theirs.revision).toBe(2);
    // Window A still holds revision 1 and saves its own edit.
    const stale = await windowA.update(created.id, { host: 'three.invalid' }, 1);
    expect(stale.ok).toBe(false);
    if (stale.ok) return;
    expect(stale.error).toMatchObject({ code: 'PROFILE_CONFLICT', field: 'revision' });
    expect(stale.error.conflict?.theirs).toMatchObject({ host: 'two.invalid', revision: 2 });
    expect(stale.error.conflict?.mine).toMatchObject({ host: 'three.invalid', revision: 1 });
    expect(JSON.parse(await readFile(filePath, 'utf8')).profiles[0].host).toBe('two.invalid');
    // "Keep mine": the same edit, based on the revision the conflict showed.
    const kept = must(await windowA.update(created.id, { host: 'three.invalid' }, stale.error.conflict?.theirs.revision));
    expect(kept).toMatchObject({ host: 'three.invalid', revision: 3 });
  });

  it('a hand edit that kept the revision number still makes an older copy conflict', async () => {
    const store = await ProfileStore.open({ filePath });
    const created = must(await store.create(draft({ name: 'edited by hand' })));
    const file = JSON.parse(await readFile(filePath, 'utf8')) as { profiles: Profile[] };
    await writeFile(filePath, serializeProfileFile([{ ...file.profiles[0]!, port: 9 }]));
    const stale = await store.update(created.id, { notes: 'from the app' }, created.revision);
    expect(!stale.ok && stale.error.code).toBe('PROFILE_CONFLICT');
    expect(!stale.ok && stale.error.conflict?.theirs.port).toBe(9);
  });
});
