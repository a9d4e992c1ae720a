/**
 * `socket-tester send --profile NAME [--profiles FILE]`, in-process through runCli with buffer
 * streams, against loopback servers, with profile files written by ProfileStore in a temporary
 * folder: what the profile supplies, what the command line overrides, and every lookup failure
 * (caught before any connection, the file left as it was).
 */
import { describe, expect, it } from 'vitest';
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import type net from 'node:net';
import { join, resolve } from 'node:path';
import { EXIT } from '../../../main/cli/run-cli.ts';
import { cli, echoServer, json, serve, tempDir } from './cli-harness.ts';
import { closeProfileNames } from '../../../main/cli/send-profile.ts';
import { ProfileStore } from '../../../main/profiles/profile-store.ts';
import type { Profile, ProfileDraft } from '../../../shared/profile.ts';
import { startNonAcceptingListener } from '../engine/loopback.ts';
import { draft } from '../profiles/test-helpers.ts';

const STORE_FIXTURES = resolve(import.meta.dirname, '../../fixtures/profiles/store');

/** Writes the drafts into a new profile file through the store, as the app would. */
async function profileFile(drafts: ProfileDraft[]): Promise<string> {
  const dir = await tempDir('st-send-profile-');
  const filePath = join(dir, 'profiles.json');
  const store = await ProfileStore.open({ filePath });
  for (const item of drafts) {
    const created = await store.create(item);
    expect(created.ok, JSON.stringify(created)).toBe(true);
  }
  await store.flush();
  return filePath;
}


/** A profile for the loopback server on `port` that half-closes after sending. */
function target(port: number, overrides: Partial<ProfileDraft> = {}): ProfileDraft {
  return draft({ host: '127.0.0.1', port, closeAfterSend: true, idleTimeoutMs: 0, ...overrides });
}

describe('send --profile: what the profile supplies', () => {
  it('host, port and payload (text with its line ending); half-closes; exit 0', async () => {
    const server = await echoServer();
    const file = await profileFile([
      target(server.port, { name: 'Redis ping', payload: { text: 'PING', mode: 'text', encoding: 'utf8', lineEnding: 'crlf' } }),
    ]);
    const run = await cli(['send', '--profile', 'redis PING', '--profiles', file]);
    expect(run.code).toBe(EXIT.OK);
    expect([...server.received()]).toEqual([0x50, 0x49, 0x4e, 0x47, 0x0d, 0x0a]);
    expect(run.stdout.toString('latin1')).toBe('got:PING\r\n');
    expect(run.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${server.port} closed by peer, sent 6 bytes, received 10 bytes`));
  });

  it('a hex profile sends NUL and 0xFF exactly, and latin1 text stays one byte a character', async () => {
    const server = await echoServer();
    const file = await profileFile([
      target(server.port, { name: 'Binary', payload: { text: '00 ff 41 00', mode: 'hex', encoding: 'utf8', lineEnding: 'none' } }),
      target(server.port, { name: 'Latin', folder: 'Lab', payload: { text: 'é\\x00', mode: 'escapes', encoding: 'latin1', lineEnding: 'lf' } }),
    ]);
    const binary = await cli(['send', '--profile', 'Binary', '--profiles', file, '--json']);
    expect(binary.code).toBe(EXIT.OK);
    expect([...server.received()]).toEqual([0x00, 0xff, 0x41, 0x00]);
    expect(json(binary)).toMatchObject({ outcome: 'peer-closed', bytesSent: 4, responseBase64: Buffer.from([0x67, 0x6f, 0x74, 0x3a, 0x00, 0xff, 0x41, 0x00]).toString('base64') });

    const latin = await cli(['send', '--profile', 'lab/latin', '--profiles', file]);
    expect(latin.code).toBe(EXIT.OK);
    expect([...server.received()]).toEqual([0xe9, 0x00, 0x0a]);
  });

  it('closeAfterSend false means keep-open: no FIN, the profile idle timeout ends it, bytes kept', async () => {
    const server = await serve((socket) => {
      socket.on('data', () => socket.write('reply'));
    });
    const file = await profileFile([target(server.port, { name: 'Chat', closeAfterSend: false, idleTimeoutMs: 300 })]);
    const run = await cli(['send', '--profile', 'Chat', '--profiles', file, '--json']);
    expect(run.code).toBe(EXIT.OK);
    expect(json(run)).toMatchObject({ outcome: 'idle-timeout', bytesSent: 6, responseBase64: Buffer.from('reply').toString('base64') });
  });

  it("the profile's response cap applies: reaching it exits 6 with the first N bytes", async () => {
    const server = await serve((socket) => socket.end('0123456789'));
    const file = await profileFile([target(server.port, { name: 'Capped', maxResponseBytes: 4 })]);
    const run = await cli(['send', '--profile', 'Capped', '--profiles', file]);
    expect(run.code).toBe(EXIT.LIMIT_REACHED);
    expect(run.stdout.toString('latin1')).toBe('0123');
  });

  it('stdin is not read with --profile: the saved payload is sent', async () => {
    const server = await echoServer();
    const file = await profileFile([target(server.port, { name: 'Echo', payload: { text: 'saved', mode: 'text', encoding: 'utf8', lineEnding: 'none' } })]);
    const run = await cli(['send', '--profile', 'Echo', '--profiles', file], Buffer.from('from stdin'));
    expect(run.code).toBe(EXIT.OK);
    expect(server.received().toString('latin1')).toBe('saved');
  });
});

describe('send --profile: the command line overrides', () => {
  it('--hex DATA replaces the whole payload (the profile line ending is not appended)', async () => {
    const server = await echoServer();
    const file = await profileFile([target(server.port, { name: 'Echo', payload: { text: 'saved', mode: 'text', encoding: 'utf8', lineEnding: 'crlf' } })]);
    const run = await cli(['send', '--profile', 'Echo', '--profiles', file, '--hex', '00 ff 0a']);
    expect(run.code).toBe(EXIT.OK);
    expect([...server.received()]).toEqual([0x00, 0xff, 0x0a]);
  });

  it('plain DATA is read with the command-line defaults, not the profile hex mode', async () => {
    const server = await echoServer();
    const file = await profileFile([target(server.port, { name: 'Binary', payload: { text: '00', mode: 'hex', encoding: 'utf8', lineEnding: 'lf' } })]);
    const run = await cli(['send', '--profile', 'Binary', '--profiles', file, 'ab']);
    expect(run.code).toBe(EXIT.OK);
    expect(server.received().toString('latin1')).toBe('ab');
  });

  it('--file replaces the payload', async () => {
    const server = await echoServer();
    const file = await profileFile([target(server.port, { name: 'Echo' })]);
    const input = join(await tempDir('st-send-profile-'), 'in.bin');
    await writeFile(input, Buffer.from([0x01, 0x00, 0xfe]));
    const run = await cli(['send', '--profile', 'Echo', '--profiles', file, '--file', input]);
    expect(run.code).toBe(EXIT.OK);
    expect([...server.received()]).toEqual([0x01, 0x00, 0xfe]);
  });

  it('--connect-timeout overrides the profile (600 s saved, 300 ms asked): exit 4', async () => {
    const listener = await startNonAcceptingListener();
    const fillers: net.Socket[] = [];
    try {
      // Fill the backlog so the next SYN is never answered.
      const { connect } = await import('node:net');
      for (let i = 0; i < 4; i++) {
        const filler = connect({ host: '127.0.0.1', port: listener.port });
        filler.on('error', () => undefined);
        fillers.push(filler);
      }
      await new Promise((r) => setTimeout(r, 100));
      const file = await profileFile([target(listener.port, { name: 'Slow', connectTimeoutMs: 600_000 })]);
      const run = await cli(['send', '--profile', 'Slow', '--profiles', file, '--connect-timeout', '300']);
      expect(run.code).toBe(EXIT.TIMEOUT);
      expect(run.stderr).toMatch(/CONNECT_TIMEOUT/);
    } finally {
      for (const filler of fillers) filler.destroy();
      await listener.stop();
    }
  });

  it('--max-bytes overrides the profile cap', async () => {
    const server = await serve((socket) => socket.end('0123456789'));
    const file = await profileFile([target(server.port, { name: 'Capped', maxResponseBytes: 4 })]);
    const run = await cli(['send', '--profile', 'Capped', '--profiles', file, '--max-bytes', '100']);
    expect(run.code).toBe(EXIT.OK);
    expect(run.stdout.toString('latin1')).toBe('0123456789');
  });

  it('--half-close overrides a keep-open profile; --keep-open a half-closing one', async () => {
    const server = await echoServer();
    const file = await profileFile([
      target(server.port, { name: 'Open', closeAfterSend: false, idleTimeoutMs: 300 }),
      target(server.port, { name: 'Closing', closeAfterSend: true }),
    ]);
    const savedKeepOpen = await cli(['send', '--profile', 'Open', '--profiles', file, '--json']);
    expect(json(savedKeepOpen)).toMatchObject({ outcome: 'idle-timeout', bytesReceived: 0 });
    const forced = await cli(['send', '--profile', 'Open', '--profiles', file, '--half-close', '--json']);
    expect(json(forced)).toMatchObject({ outcome: 'peer-closed', responseBase64: Buffer.from('got:hello\n').toString('base64') });
    const kept = await cli(['send', '--profile', 'Closing', '--profiles', file, '--keep-open', '--idle-timeout', '300', '--json']);
    expect(json(kept)).toMatchObject({ outcome: 'idle-timeout', bytesReceived: 0 });
  });
});

describe('send --profile: failures exit before any connection', () => {
  it('an unknown name: exit 2, names the profile and the file, lists close names', async () => {
    const server = await echoServer();
    const file = await profileFile([
      target(server.port, { name: 'redis-local' }),
      target(server.port, { name: 'Redis-main', folder: 'Prod' }),
      target(server.port, { name: 'HTTP HEAD' }),
    ]);
    const run = await cli(['send', '--profile', 'redis', '--profiles', file]);
    expect(run.code).toBe(EXIT.INVALID_INPUT);
    expect(run.stderr).toContain(`No profile is named "redis" in ${file}.`);
    expect(run.stderr).toContain('Close names: "Prod/Redis-main", "redis-local".');
    expect(run.stdout.length).toBe(0);
    expect(server.accepted).toHaveLength(0);
  });

  it('an unknown name with --json: one object with PROFILE_NOT_FOUND; nothing close: a hint to list', async () => {
    const server = await echoServer();
    const file = await profileFile([target(server.port, { name: 'Echo' })]);
    const run = await cli(['send', '--profile', 'zzzzzz', '--profiles', file, '--json']);
    expect(run.code).toBe(EXIT.INVALID_INPUT);
    expect(json(run)).toMatchObject({ outcome: null, error: { code: 'PROFILE_NOT_FOUND' } });
    expect(run.stderr).toContain('socket-tester profiles list --profiles');
    expect(run.stderr).not.toContain('Close names');
    expect(server.accepted).toHaveLength(0);
  });

  it('a missing file: not found, saying there is no file, and nothing is created', async () => {
    const dir = await tempDir('st-send-profile-');
    const missing = join(dir, 'none.json');
    const run = await cli(['send', '--profile', 'Echo', '--profiles', missing]);
    expect(run.code).toBe(EXIT.INVALID_INPUT);
    expect(run.stderr).toContain(`There is no profile file at ${missing} yet.`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('an ambiguous name: exit 2, PROFILE_CONFLICT, asks for folder/name, which then works', async () => {
    const server = await echoServer();
    const file = await profileFile([
      target(server.port, { name: 'Echo', folder: 'Lab', payload: { text: 'lab', mode: 'text', encoding: 'utf8', lineEnding: 'none' } }),
      target(server.port, { name: 'echo', folder: 'Prod' }),
    ]);
    const run = await cli(['send', '--profile', 'Echo', '--profiles', file, '--json']);
    expect(run.code).toBe(EXIT.INVALID_INPUT);
    expect(json(run)).toMatchObject({ outcome: null, error: { code: 'PROFILE_CONFLICT' } });
    expect(run.stderr).toMatch(/"Lab\/Echo".*"Prod\/echo".*FOLDER\/NAME \(file: .*profiles\.json\)/);
    expect(server.accepted).toHaveLength(0);

    const chosen = await cli(['send', '--profile', 'Lab/Echo', '--profiles', file]);
    expect(chosen.code).toBe(EXIT.OK);
    expect(server.received().toString('latin1')).toBe('lab');
  });

  it.each(['truncated.json', 'nul-filled.json', 'invalid-utf8.json', 'wrong-schema.json', 'future-version.json'])(
    'an unreadable file (%s): non-zero exit with the store message; the file and its folder are untouched',
    async (fixture) => {
      const server = await echoServer();
      const dir = await tempDir('st-send-profile-');
      const file = join(dir, 'profiles.json');
      await copyFile(join(STORE_FIXTURES, fixture), file);
      const before = await readFile(file);
      const run = await cli(['send', '--profile', 'Echo', '--profiles', file, '--json']);
      expect(run.code).toBe(EXIT.INVALID_INPUT);
      const report = json(run) as { error: { code: string; message: string } };
      expect(report.error.code).toBe(fixture === 'future-version.json' ? 'STORE_READ_ONLY' : 'STORE_CORRUPT');
      expect(report.error.message.length).toBeGreaterThan(20);
      expect(run.stderr).toContain(report.error.message);
      expect((await readFile(file)).equals(before)).toBe(true);
      expect(await readdir(dir)).toEqual(['profiles.json']);
      expect(server.accepted).toHaveLength(0);
    },
  );

  it.each([
    [['send', '--profiles', 'FILE', '127.0.0.1', '9', 'x'], /--profiles FILE only says which file --profile NAME is read from/],
    [['send', '--profile', 'Echo', '--profiles', 'FILE', '127.0.0.1', 'PORT'], /only argument is DATA; got 2 arguments/],
    [['send', '--profile', 'Echo', '--profiles', 'FILE', '--hex'], /without DATA the profile's payload is sent as saved/],
    [['send', '--profile', 'Echo', '--profiles', 'FILE', '--line-ending', 'crlf'], /without DATA the profile's payload is sent as saved/],
    [['send', '--profile', 'Echo', '--profiles', 'FILE', '--keep-open', '--half-close'], /--keep-open and --half-close/],
    [['send', '--profile', ' ', '--profiles', 'FILE'], /--profile needs a profile name/],
    [['send', '--profile', 'Echo', '--profiles', ''], /--profiles needs a file path/],
    [['send', '--profile', 'Echo', '--profiles', 'FILE', 'zz', '--hex'], /^socket-tester send: DATA: invalid hex digit "z" at character 1\.$/m],
    [['send', '--profile', 'Echo', '--profiles', 'FILE', '--connect-timeout', '0'], /--connect-timeout/],
  ])('invalid input %j exits 2 with no connection', async (template, message) => {
    const server = await echoServer();
    const file = await profileFile([target(server.port, { name: 'Echo' })]);
    const args = template.map((a) => (a === 'FILE' ? file : a === 'PORT' ? String(server.port) : a));
    const run = await cli(args);
    expect(run.code).toBe(EXIT.INVALID_INPUT);
    expect(run.stderr).toMatch(message);
    expect(run.stdout.length).toBe(0);
    expect(server.accepted).toHaveLength(0);
  });

  it('send --help documents --profile, --profiles and --half-close', async () => {
    const run = await cli(['send', '--help']);
    expect(run.code).toBe(EXIT.OK);
    const help = run.stdout.toString('utf8');
    for (const option of ['--profile NAME', '--profiles FILE', '--half-close']) expect(help).toContain(option);
  });
});

describe('closeProfileNames', () => {
  function profile(name: string, folder: string | null = null): Profile {
    return { ...draft({ name, folder }), id: name.replace(/\W/g, '_'), revision: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
  }

  it('orders by closeness, then name, and keeps at most five', () => {
    // One edit away: acho, ech, echo1. Containing "echo" but further: echoes, echoing, my echo server.
    const profiles = ['my echo server', 'echoing', 'echoes', 'echo1', 'ech', 'acho', 'unrelated'].map((name) => profile(name));
    expect(closeProfileNames(profiles, 'echo')).toEqual(['acho', 'ech', 'echo1', 'echoes', 'echoing']);
  });

  it('suggests folder/name forms, ignores case, and finds nothing for a far name', () => {
    const profiles = [profile('Ping', 'Redis'), profile('Pong')];
    expect(closeProfileNames(profiles, 'PING')).toEqual(['Redis/Ping', 'Pong']);
    expect(closeProfileNames(profiles, 'redis/pign')).toEqual(['Redis/Ping']);
    expect(closeProfileNames(profiles, 'xyz')).toEqual([]);
    expect(closeProfileNames(profiles, '   ')).toEqual([]);
  });
});
