/**
 * bin/socket-tester.js, the CommonJS launcher and its V8 code cache (issue 16, docs/cli.md
 * "Start-up"): the cache file format and checks in-process, and the built CLI as real processes
 * with a cache folder that is missing, fresh, corrupt, truncated, shared by concurrent runs,
 * someone else's, or turned off. The cache may only ever change how fast the CLI starts.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { echoOnEnd, type LoopbackServer } from '../main/engine/loopback.ts';

const root = resolve(import.meta.dirname, '..', '..');
const bin = resolve(root, 'bin', 'socket-tester.js');
const built = resolve(root, 'out', 'cli', 'cli.cjs');

interface Launcher {
  cacheDirFor(env: Record<string, string | undefined>, platform: string): string | null;
  fingerprint(source: string): number;
  encodeCacheFile(data: Buffer, print: number): Buffer;
  decodeCacheFile(file: Buffer, print: number): Buffer | null;
  readCacheFile(file: string, print: number): Buffer | null;
  writeCacheFile(dir: string, file: string, data: Buffer, print: number): void;
  commandOf(argv: readonly string[]): string;
  buildOf(name: string): { chunk: string; build: string } | null;
}
const launcher = createRequire(import.meta.url)(bin) as Launcher;

const folders: string[] = [];
const servers: LoopbackServer[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'st-code-cache-'));
  folders.push(dir);
  return dir;
}
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

beforeAll(() => {
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` before these tests (npm test does).`);
});

interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI with XDG_CACHE_HOME (and any `env`) set; async, so an in-process peer answers. */
function run(args: string[], env: Record<string, string | undefined>, program = bin): Promise<ProcessRun> {
  return new Promise((resolveRun, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env };
    for (const [key, value] of Object.entries(env)) {
      if (value === undefined) delete childEnv[key];
      else childEnv[key] = value;
    }
    const child = spawn(process.execPath, [program, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

/** The one cache folder under an XDG_CACHE_HOME, and the files in it. */
function cacheFiles(xdg: string): { dir: string; files: string[] } {
  const base = join(xdg, 'socket-tester', 'code-cache');
  if (!existsSync(base)) return { dir: '', files: [] };
  const [version] = readdirSync(base);
  const dir = join(base, version ?? '');
  return { dir, files: version === undefined ? [] : readdirSync(dir).sort() };
}

/** The source of the built chunk a cache file is named after. */
function chunkSource(cacheFile: string): string {
  return readFileSync(join(root, 'out', 'cli', 'chunks', `${cacheFile.split('.cjs.')[0]}.cjs`), 'utf8');
}

/** The fingerprint the launcher gives the chunk a cache file is named after. */
function printOf(cacheFile: string): number {
  return launcher.fingerprint(chunkSource(cacheFile));
}

/** The summary line without its timing ("in N ms"), for comparing runs. */
const untimed = (stderr: string): string => stderr.replace(/ in \d+ ms/g, ' in N ms');

async function sendOnce(xdg: string, env: Record<string, string | undefined> = {}): Promise<ProcessRun> {
  let server = servers[0];
  if (!server) {
    server = await echoOnEnd();
    servers.push(server);
  }
  return run(['send', '127.0.0.1', String(server.port), 'PING', '--line-ending', 'crlf'], { XDG_CACHE_HOME: xdg, SOCKET_TESTER_CODE_CACHE: undefined, ...env });
}

describe('code cache file format', () => {
  const data = Buffer.from('some V8 code cache bytes');
  const P = 0x12345678;

  it('round-trips its data, for the source it was made from only', () => {
    expect(launcher.decodeCacheFile(launcher.encodeCacheFile(data, P), P)).toEqual(data);
    expect(launcher.decodeCacheFile(launcher.encodeCacheFile(data, P), P + 1)).toBeNull();
  });

  it('fingerprints the length and the characters of a source', () => {
    const source = 'x'.repeat(5000);
    const print = launcher.fingerprint(source);
    expect(launcher.fingerprint(source)).toBe(print);
    expect(launcher.fingerprint(source + 'x')).not.toBe(print);
    expect(launcher.fingerprint('y' + source.slice(1))).not.toBe(print);
    expect(launcher.fingerprint(source.slice(0, 2500) + 'y' + source.slice(2501))).not.toBe(print);
  });

  it('refuses a file with a single byte changed in either copy, truncated, grown, empty or foreign', () => {
    const file = launcher.encodeCacheFile(data, P);
    for (let i = 0; i < file.length; i++) {
      const damaged = Buffer.from(file);
      damaged[i] = damaged[i]! ^ 0x01;
      expect(launcher.decodeCacheFile(damaged, P), `byte ${i}`).toBeNull();
    }
    expect(launcher.decodeCacheFile(file.subarray(0, file.length - 1), P)).toBeNull();
    expect(launcher.decodeCacheFile(Buffer.concat([file, Buffer.from([0])]), P)).toBeNull();
    expect(launcher.decodeCacheFile(Buffer.alloc(0), P)).toBeNull();
    expect(launcher.decodeCacheFile(launcher.encodeCacheFile(Buffer.alloc(0), P), P)).toBeNull();
    expect(launcher.decodeCacheFile(Buffer.from('#!/bin/sh\necho not a cache\n'), P)).toBeNull();
  });

  it('reads only a regular file of ours that no one else can write', () => {
    const dir = folder();
    const file = join(dir, 'x-AAAAAAAA.cjs.1.1.send.v8cache');
    writeFileSync(file, launcher.encodeCacheFile(data, P), { mode: 0o600 });
    expect(launcher.readCacheFile(file, P)).toEqual(data);
    chmodSync(file, 0o622);
    expect(launcher.readCacheFile(file, P)).toBeNull();
    chmodSync(file, 0o600);
    if (process.getuid?.() === 0) {
      chownSync(file, 4242, 4242);
      expect(launcher.readCacheFile(file, P)).toBeNull();
    }
    expect(launcher.readCacheFile(join(dir, 'missing'), P)).toBeNull();
    expect(launcher.readCacheFile(dir, P)).toBeNull();
  });

  it('writes whole files only into a folder of ours, and prunes older builds of the same chunk', () => {
    const dir = join(folder(), 'cache');
    launcher.writeCacheFile(dir, 'cli-send-AAAAAAAA.cjs.10.1.send.v8cache', data, P);
    launcher.writeCacheFile(dir, 'cli-send-AAAAAAAA.cjs.10.1.run.v8cache', data, P);
    launcher.writeCacheFile(dir, 'web-command-CCCCCCCC.cjs.10.1.web.v8cache', data, P);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'cli-send-AAAAAAAA.cjs.10.1.send.v8cache')).mode & 0o777).toBe(0o600);
    // A new build of cli-send replaces the old one's files (every command), and only those.
    launcher.writeCacheFile(dir, 'cli-send-BBBBBBBB.cjs.12.2.send.v8cache', data, P);
    expect(readdirSync(dir).sort()).toEqual(['cli-send-BBBBBBBB.cjs.12.2.send.v8cache', 'web-command-CCCCCCCC.cjs.10.1.web.v8cache']);
    expect(launcher.readCacheFile(join(dir, 'cli-send-BBBBBBBB.cjs.12.2.send.v8cache'), P)).toEqual(data);
    // A rebuild keeps an unchanged chunk's hash but not its mtime (or size): its files replace the
    // old build's too, so the folder holds one build per chunk however often it is rebuilt.
    launcher.writeCacheFile(dir, 'cli-send-BBBBBBBB.cjs.12.2.run.v8cache', data, P);
    for (let build = 3; build < 6; build++) launcher.writeCacheFile(dir, `cli-send-BBBBBBBB.cjs.12.${build}.send.v8cache`, data, P);
    launcher.writeCacheFile(dir, 'cli-send-BBBBBBBB.cjs.13.5.send.v8cache', data, P);
    expect(readdirSync(dir).sort()).toEqual(['cli-send-BBBBBBBB.cjs.13.5.send.v8cache', 'web-command-CCCCCCCC.cjs.10.1.web.v8cache']);

    const shared = folder();
    chmodSync(shared, 0o777);
    launcher.writeCacheFile(shared, 'cli-send-AAAAAAAA.cjs.10.1.send.v8cache', data, P);
    expect(readdirSync(shared)).toEqual([]);
  });

  it('keeps the cache in the user\'s cache folder, per Node version, or nowhere', () => {
    const tail = join('socket-tester', 'code-cache', `${process.version}-${process.arch}`);
    expect(launcher.cacheDirFor({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' }, 'linux')).toBe(join('/x/cache', tail));
    expect(launcher.cacheDirFor({ HOME: '/home/u' }, 'linux')).toBe(join('/home/u/.cache', tail));
    expect(launcher.cacheDirFor({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' }, 'linux')).toBe(join('/home/u/.cache', tail));
    expect(launcher.cacheDirFor({ HOME: '/Users/u' }, 'darwin')).toBe(join('/Users/u/Library/Caches', tail));
    expect(launcher.cacheDirFor({}, 'linux')).toBeNull();
    expect(launcher.cacheDirFor({ HOME: 'relative' }, 'linux')).toBeNull();
    expect(launcher.cacheDirFor({ HOME: '/home/u', SOCKET_TESTER_CODE_CACHE: 'off' }, 'linux')).toBeNull();
    expect(launcher.cacheDirFor({ HOME: '/home/u', SOCKET_TESTER_CODE_CACHE: '0' }, 'linux')).toBeNull();
  });

  it('tells a cache file\'s chunk and build from its name', () => {
    expect(launcher.buildOf('cli-send-DQNrMJGZ.cjs.88662.1796161588564.send.v8cache')).toEqual({ chunk: 'cli-send', build: 'DQNrMJGZ.88662.1796161588564' });
    expect(launcher.buildOf('cli-send-DQNrMJGZ.cjs.88662.1796161588564.send.v8cache.123.456.tmp')).toEqual({ chunk: 'cli-send', build: 'DQNrMJGZ.88662.1796161588564' });
    expect(launcher.buildOf('web-command-L3NL5f7E.cjs.1.2.web.v8cache')?.chunk).toBe('web-command');
    expect(launcher.buildOf('cli-send-DQNrMJGZ.cjs')).toBeNull();
    expect(launcher.buildOf('notes.txt')).toBeNull();
  });

  it('names the command in cache files, or "other"', () => {
    expect(launcher.commandOf(['node', 'bin', 'send', 'x'])).toBe('send');
    expect(launcher.commandOf(['node', 'bin'])).toBe('other');
    expect(launcher.commandOf(['node', 'bin', '../../etc'])).toBe('other');
    expect(launcher.commandOf(['node', 'bin', '--help'])).toBe('other');
  });
});

describe('the built CLI with its code cache', () => {
  it('writes the cache on the first run, uses it after, and prints the same either way', async () => {
    const xdg = folder();
    const first = await sendOnce(xdg);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('got:PING\r\n');
    const { dir, files } = cacheFiles(xdg);
    expect(files.length).toBe(1);
    expect(files[0]).toMatch(/^cli-send-[A-Za-z0-9_-]{8}\.cjs\.\d+\.\d+\.send\.v8cache$/);
    const written = statSync(join(dir, files[0]!)).mtimeMs;
    const second = await sendOnce(xdg);
    expect(second).toEqual({ ...first, stderr: expect.any(String) });
    expect(untimed(second.stderr)).toBe(untimed(first.stderr));
    // A cache that was used is not written again.
    expect(statSync(join(dir, files[0]!)).mtimeMs).toBe(written);
    const off = await sendOnce(xdg, { SOCKET_TESTER_CODE_CACHE: 'off' });
    expect({ ...off, stderr: untimed(off.stderr) }).toEqual({ ...first, stderr: untimed(first.stderr) });
  });

  it('runs as without a cache when the cache file is damaged or truncated, and replaces it', async () => {
    const xdg = folder();
    const reference = await sendOnce(xdg);
    const { dir, files } = cacheFiles(xdg);
    const file = join(dir, files[0]!);
    const good = readFileSync(file);
    for (const damage of [
      (b: Buffer) => {
        const copy = Buffer.from(b);
        copy[Math.floor(copy.length * 0.75)]! ^= 0xff;
        return copy;
      },
      (b: Buffer) => b.subarray(0, Math.floor(b.length / 3)),
      () => Buffer.from('garbage'),
    ]) {
      writeFileSync(file, damage(good), { mode: 0o600 });
      const result = await sendOnce(xdg);
      expect({ ...result, stderr: untimed(result.stderr) }).toEqual({ ...reference, stderr: untimed(reference.stderr) });
      expect(launcher.readCacheFile(file, printOf(files[0]!))).not.toBeNull();
    }
  });

  it('a cache made from another source of the same length is not used (V8 would take it)', async () => {
    const xdg = folder();
    const reference = await sendOnce(xdg);
    const { dir, files } = cacheFiles(xdg);
    // V8's code cache of another source of exactly the same length, under this chunk's name: V8
    // checks only the length and would run it; the fingerprint refuses it.
    const vm = await import('node:vm');
    const { wrap } = await import('node:module');
    const source = wrap(chunkSource(files[0]!));
    const other = new vm.Script(`(function(){${' '.repeat(source.length - '(function(){})'.length)}})`);
    expect(other.createCachedData().length).toBeGreaterThan(0);
    writeFileSync(join(dir, files[0]!), launcher.encodeCacheFile(other.createCachedData(), launcher.fingerprint('other source')), { mode: 0o600 });
    const result = await sendOnce(xdg);
    expect({ ...result, stderr: untimed(result.stderr) }).toEqual({ ...reference, stderr: untimed(reference.stderr) });
  });

  it('concurrent first runs all succeed and leave one whole cache file', async () => {
    const xdg = folder();
    const results = await Promise.all(Array.from({ length: 6 }, () => sendOnce(xdg)));
    for (const r of results) expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: 'got:PING\r\n' });
    const { dir, files } = cacheFiles(xdg);
    expect(files.length).toBe(1);
    expect(launcher.readCacheFile(join(dir, files[0]!), printOf(files[0]!))).not.toBeNull();
  });

  it('works with no usable cache folder: a file in the way, a folder others can write, or none at all', async () => {
    const blocked = folder();
    writeFileSync(join(blocked, 'socket-tester'), 'not a folder');
    const shared = folder();
    mkdirSync(join(shared, 'socket-tester', 'code-cache', `${process.version}-${process.arch}`), { recursive: true, mode: 0o777 });
    chmodSync(join(shared, 'socket-tester', 'code-cache', `${process.version}-${process.arch}`), 0o777);
    for (const env of [{ XDG_CACHE_HOME: blocked }, { XDG_CACHE_HOME: shared }, { XDG_CACHE_HOME: undefined, HOME: undefined }]) {
      const result = await sendOnce(folder(), env);
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 0, stdout: 'got:PING\r\n' });
    }
    expect(cacheFiles(shared).files).toEqual([]);
  });

  it('with SOCKET_TESTER_CODE_CACHE=off creates no cache folder', async () => {
    const xdg = folder();
    const result = await sendOnce(xdg, { SOCKET_TESTER_CODE_CACHE: 'off' });
    expect(result.code).toBe(0);
    expect(readdirSync(xdg)).toEqual([]);
  });

  it('says to build first when out/cli is missing', async () => {
    const install = folder();
    mkdirSync(join(install, 'bin'));
    copyFileSync(bin, join(install, 'bin', 'socket-tester.js'));
    copyFileSync(join(root, 'bin', 'package.json'), join(install, 'bin', 'package.json'));
    const result = await run(['send', '127.0.0.1', '1'], { XDG_CACHE_HOME: folder() }, join(install, 'bin', 'socket-tester.js'));
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'socket-tester: not built yet; run `npm run build` first.\n' });
  });
});
