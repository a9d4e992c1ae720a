/**
 * `socket-tester profiles list` (the subcommand run-cli.ts dispatches `profiles` to), plus the
 * profile lookup for `send --profile` and the default file location. Lives here rather than under
 * test/main/cli/ because this work owns test/main/profiles/ only.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatProfileTable, runProfilesCommand } from '../../../main/cli/profiles-command.ts';
import { lookupProfile } from '../../../main/profiles/profile-lookup.ts';
import { defaultProfilesPath, defaultUserDataDir } from '../../../main/profiles/profile-paths.ts';
import { ProfileStore } from '../../../main/profiles/profile-store.ts';
import { FIXTURES, draft, makeTempDir } from './test-helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
});
afterEach(async () => cleanup());

/** Runs `socket-tester profiles …`; `argv` starts after the word "profiles". */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const code = await runProfilesCommand(argv, { stdout, stderr });
  return { code, stdout: out, stderr: err };
}

describe('socket-tester profiles list', () => {
  it('prints a table of folder, name and endpoint, sorted, and exits 0', async () => {
    const file = join(dir, 'profiles.json');
    await copyFile(join(FIXTURES, 'store', 'valid-v1.json'), file);
    const result = await cli(['list', '--profiles', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      ['FOLDER  NAME       ENDPOINT', '-       Binary     [::1]:9000', '-       HTTP HEAD  example.invalid:80', 'Lab     Echo       127.0.0.1:7', ''].join('\n'),
    );
    expect(result.stderr).toBe('');
  });

  it('--json prints our export format', async () => {
    const file = join(dir, 'profiles.json');
    await copyFile(join(FIXTURES, 'store', 'valid-v1.json'), file);
    const result = await cli(['list', '--profiles', file, '--json']);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as { format: string; profiles: unknown[] };
    expect(parsed.format).toBe('socket-tester-profiles');
    expect(parsed.profiles).toHaveLength(3);
  });

  it('a corrupt file: message, exit 2 (as send --profile), and the file is not touched (no move, no backup)', async () => {
    const file = join(dir, 'profiles.json');
    const bad = await readFile(join(FIXTURES, 'store', 'truncated.json'));
    await writeFile(file, bad);
    const result = await cli(['list', '--profiles', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not valid JSON at line');
    expect(result.stderr).toContain('STORE_CORRUPT');
    expect(await readdir(dir)).toEqual(['profiles.json']);
    expect(await readFile(file)).toEqual(bad);
  });

  it('a newer-version file: exit 2 naming the version', async () => {
    const file = join(dir, 'profiles.json');
    await copyFile(join(FIXTURES, 'store', 'future-version.json'), file);
    const result = await cli(['list', '--profiles', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('version 7');
  });

  it('a missing file lists nothing, exits 0 and creates nothing', async () => {
    const result = await cli(['list', '--profiles', join(dir, 'none.json')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No profiles');
    expect(await readdir(dir)).toEqual([]);
  });

  it('bad usage exits 2', async () => {
    expect((await cli(['lst'])).code).toBe(2);
    expect((await cli(['list', '--bogus'])).code).toBe(2);
    expect((await cli(['list', '--profiles', ''])).code).toBe(2);
    const help = await cli([]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('profiles list [--profiles FILE] [--json]');
  });

  it('the table escapes nothing because stored names cannot hold control characters', () => {
    const stamp = '2026-01-01T00:00:00.000Z';
    const table = formatProfileTable([{ ...draft({ name: 'Ünïcode ✓' }), id: 'a', revision: 1, createdAt: stamp, updatedAt: stamp }]);
    expect(table).toBe('FOLDER  NAME       ENDPOINT\n-       Ünïcode ✓  127.0.0.1:7\n');
  });
});

describe('lookupProfile (for send --profile NAME)', () => {
  it('finds by name ignoring case, by folder/name or /name, and reports ambiguity and absence', async () => {
    const store = await ProfileStore.open({ filePath: join(dir, 'p.json') });
    for (const [name, folder] of [['Echo', 'Lab'], ['Echo', 'Prod'], ['Solo', null], ['a/b', null]] as const) {
      const created = await store.create(draft({ name, folder }));
      expect(created.ok).toBe(true);
    }
    const profiles = store.list();
    expect(lookupProfile(profiles, ' solo ')).toMatchObject({ ok: true, value: { name: 'Solo' } });
    expect(lookupProfile(profiles, 'prod/echo')).toMatchObject({ ok: true, value: { folder: 'Prod' } });
    expect(lookupProfile(profiles, 'a/b')).toMatchObject({ ok: true, value: { name: 'a/b' } });
    const ambiguous = lookupProfile(profiles, 'echo');
    expect(ambiguous.ok).toBe(false);
    if (!ambiguous.ok) {
      expect(ambiguous.error.code).toBe('PROFILE_CONFLICT');
      expect(ambiguous.error.message).toContain('"Lab/Echo"');
    }
    const missing = lookupProfile(profiles, 'nope');
    expect(lookupProfile(profiles, '/solo')).toMatchObject({ ok: true, value: { name: 'Solo', folder: null } });
    expect(lookupProfile(profiles, '/echo')).toMatchObject({ ok: false, error: { code: 'PROFILE_NOT_FOUND' } });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error.code).toBe('PROFILE_NOT_FOUND');
  });
});

describe('lookupProfile with the same name at the top level and in a folder', () => {
  it('offers "/Name" for the top-level one, and each offered form picks exactly that profile', async () => {
    const store = await ProfileStore.open({ filePath: join(dir, 'p.json') });
    for (const folder of [null, 'Lab'] as const) expect((await store.create(draft({ name: 'Echo', folder }))).ok).toBe(true);
    const profiles = store.list();
    const ambiguous = lookupProfile(profiles, 'echo');
    expect(ambiguous).toMatchObject({ ok: false, error: { code: 'PROFILE_CONFLICT' } });
    if (ambiguous.ok) return;
    const forms = [...ambiguous.error.message.matchAll(/"([^"]+)"(?! profiles)/g)].map((m) => m[1]!).filter((f) => f.includes('/'));
    expect(forms).toEqual(['/Echo', 'Lab/Echo']);
    expect(lookupProfile(profiles, forms[0]!)).toMatchObject({ ok: true, value: { folder: null } });
    expect(lookupProfile(profiles, forms[1]!)).toMatchObject({ ok: true, value: { folder: 'Lab' } });
  });
});

describe('default locations', () => {
  it("computes Electron's userData folder on each OS", () => {
    expect(defaultUserDataDir('Socket Tester', { platform: 'linux', env: {}, home: '/home/ann' })).toBe('/home/ann/.config/Socket Tester');
    expect(defaultUserDataDir('Socket Tester', { platform: 'linux', env: { XDG_CONFIG_HOME: '/xdg' }, home: '/home/ann' })).toBe('/xdg/Socket Tester');
    expect(defaultUserDataDir('Socket Tester', { platform: 'linux', env: { XDG_CONFIG_HOME: 'relative' }, home: '/home/ann' })).toBe('/home/ann/.config/Socket Tester');
    expect(defaultUserDataDir('Socket Tester', { platform: 'darwin', env: {}, home: '/Users/ann' })).toBe('/Users/ann/Library/Application Support/Socket Tester');
    expect(defaultUserDataDir('Socket Tester', { platform: 'win32', env: { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, home: 'C:\\Users\\ann' })).toBe(
      'C:\\Users\\ann\\AppData\\Roaming\\Socket Tester',
    );
    expect(defaultProfilesPath('/data')).toBe(join('/data', 'profiles.json'));
  });
});
