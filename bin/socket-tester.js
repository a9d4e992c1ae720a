#!/usr/bin/env node
'use strict';
/**
 * `socket-tester` launcher, CommonJS (bin/package.json says so): no ES module loader at start-up.
 * `npm run build` writes the CLI as CommonJS chunks to out/cli/ (vite.cli.config.ts); this file
 * runs out/cli/cli.cjs and compiles the content-hashed chunks under out/cli/chunks/ from a V8 code
 * cache, so a one-shot `send` starts close to a bare `node` (issue 16, docs/cli.md "Start-up").
 *
 * The code cache (invariants; test/bin/socket-tester.test.ts proves them):
 * - Lives in the user's cache folder ($XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on
 *   macOS, %LOCALAPPDATA% on Windows), under socket-tester/code-cache/NODE-VERSION-ARCH/: never
 *   beside the install, which may be read-only. SOCKET_TESTER_CODE_CACHE=off turns it off.
 * - Is only a speed-up: every failure to read, check, use or write it falls back to the ordinary
 *   compile, silently; the program behaves the same with or without it.
 * - Keyed by the chunk's file name (it carries a hash of the chunk's content), size and mtime, and
 *   the command (`send`, `run`, …: each keeps the functions its own run compiled). V8 itself
 *   refuses data from another V8 version or other flags, but of the source it checks only the
 *   length: so each file also holds a fingerprint of the source it was made from (its length and
 *   ~1,000 of its characters) and of the node binary, and is used only for a source that matches.
 * - Checked before use: V8 release builds do not checksum code caches, so each file holds its
 *   data twice behind that header, and a copy that differs in a single byte (a torn or damaged
 *   file) is not used. Data in it is code we would run: a file is used only when it is a regular
 *   file owned by this user and writable by no one else, and files are written only into a folder
 *   that is ours alone.
 * - Written once (when missing or refused), at exit, to a new temporary name (never through an
 *   existing file or link) then renamed: concurrent runs never see half a file, and the last writer
 *   wins with a whole one. Files of other builds of the same chunk (another hash, size or mtime)
 *   are removed then, whatever their command.
 */
const Module = require('node:module');
const path = require('node:path');
const fs = require('node:fs');
const vm = require('node:vm');

const OUT = path.join(__dirname, '..', 'out', 'cli');
const ENTRY = path.join(OUT, 'cli.cjs');
/** "STC" + format version 2; the data length (u32 LE); the source's fingerprint (u32 LE); the data, twice. */
const MAGIC = 0x32435453;
const HEADER_BYTES = 12;
/** A chunk's file name: NAME-HASH.cjs, HASH being rolldown's 8-character content hash. */
const CHUNK_NAME = /^(.+)-([A-Za-z0-9_-]{8})\.cjs$/;

/**
 * The cache folder for this Node, or null when there is none to use.
 * @param {NodeJS.ProcessEnv} env
 * @param {NodeJS.Platform} platform
 * @returns {string | null}
 */
function cacheDirFor(env, platform) {
  const setting = env['SOCKET_TESTER_CODE_CACHE'];
  if (setting === 'off' || setting === '0') return null;
  const home = env['HOME'];
  let base;
  if (platform === 'win32') base = env['LOCALAPPDATA'];
  else if (platform === 'darwin') base = home && path.join(home, 'Library', 'Caches');
  else {
    // The XDG spec: a relative XDG_CACHE_HOME is ignored.
    const xdg = env['XDG_CACHE_HOME'];
    base = xdg && path.isAbsolute(xdg) ? xdg : home && path.join(home, '.cache');
  }
  if (!base || !path.isAbsolute(base)) return null;
  return path.join(base, 'socket-tester', 'code-cache', `${process.version}-${process.arch}`);
}

/**
 * Whether `stats` (of a folder or a file) is ours alone: owned by this user and writable by no one
 * else (POSIX; elsewhere the user's own cache folder is trusted as it is).
 * @param {fs.Stats} stats
 * @returns {boolean}
 */
function isPrivate(stats) {
  if (typeof process.getuid !== 'function') return true;
  return stats.uid === process.getuid() && (stats.mode & 0o022) === 0;
}

/** Cache files bigger than this are not ours (the send chunk's is ~0.2 MB). */
const MAX_CACHE_FILE_BYTES = 64 * 1024 * 1024;

/**
 * The data of the cache file at `file` for a source of fingerprint `print`, or null when there is
 * none, or it is not a private regular file, or not a whole cache file for that source.
 * @param {string} file
 * @param {number} print
 * @returns {Buffer | null}
 */
function readCacheFile(file, print) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const stats = fs.fstatSync(fd);
    if (!stats.isFile() || !isPrivate(stats) || stats.size > MAX_CACHE_FILE_BYTES) return null;
    const bytes = Buffer.allocUnsafe(stats.size);
    let filled = 0;
    while (filled < bytes.length) {
      const n = fs.readSync(fd, bytes, filled, bytes.length - filled, filled);
      if (n === 0) return null;
      filled += n;
    }
    return decodeCacheFile(bytes, print);
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A 32-bit fingerprint (FNV-1a) of `source` (its length and ~1,000 characters spread over it) and
 * of the node binary: cheap enough for every start-up, unlike a hash of every byte.
 * @param {string} source
 * @returns {number}
 */
function fingerprint(source) {
  let hash = 0x811c9dc5 ^ source.length;
  const step = Math.max(1, source.length >> 10);
  for (let i = 0; i < source.length; i += step) hash = Math.imul(hash ^ source.charCodeAt(i), 0x01000193);
  const node = process.execPath;
  for (let i = 0; i < node.length; i++) hash = Math.imul(hash ^ node.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * The data of a cache file made for a source of fingerprint `print`, or null when it is not one,
 * was made for another source, or its two copies differ.
 * @param {Buffer} file
 * @param {number} print
 * @returns {Buffer | null}
 */
function decodeCacheFile(file, print) {
  if (file.length < HEADER_BYTES || file.readUInt32LE(0) !== MAGIC || file.readUInt32LE(8) !== print) return null;
  const length = file.readUInt32LE(4);
  if (length === 0 || file.length !== HEADER_BYTES + 2 * length) return null;
  const first = file.subarray(HEADER_BYTES, HEADER_BYTES + length);
  return first.equals(file.subarray(HEADER_BYTES + length)) ? first : null;
}

/**
 * A cache file holding `data`, made for a source of fingerprint `print`.
 * @param {Buffer} data
 * @param {number} print
 * @returns {Buffer}
 */
function encodeCacheFile(data, print) {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(data.length, 4);
  header.writeUInt32LE(print, 8);
  return Buffer.concat([header, data, data]);
}

/**
 * Writes `data` as the cache file `file`: a temporary file in the same folder, then a rename. Then
 * removes the files of other builds of the same chunk (same NAME, another HASH). Never throws.
 * @param {string} dir
 * @param {string} file a name inside dir
 * @param {Buffer} data
 * @param {number} print the fingerprint of the source the data was made from
 */
function writeCacheFile(dir, file, data, print) {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!isPrivate(fs.statSync(dir))) return;
  } catch {
    return;
  }
  const target = path.join(dir, file);
  const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
  try {
    // 'wx': a new file, never one (or a link) that is already there.
    fs.writeFileSync(temporary, encodeCacheFile(data, print), { mode: 0o600, flag: 'wx' });
    fs.renameSync(temporary, target);
  } catch {
    try {
      fs.unlinkSync(temporary);
    } catch {
      // Nothing was written.
    }
    return;
  }
  const mine = buildOf(file);
  if (!mine) return;
  try {
    for (const other of fs.readdirSync(dir)) {
      const theirs = buildOf(other);
      if (theirs && theirs.chunk === mine.chunk && theirs.build !== mine.build) fs.unlinkSync(path.join(dir, other));
    }
  } catch {
    // Pruning is housekeeping: a file that cannot be removed now is tried again next time.
  }
}

/** A cache file's name: NAME-HASH.cjs.SIZE.MTIME.COMMAND.v8cache (and its temporary names). */
const CACHE_FILE_NAME = /^(.+)-([A-Za-z0-9_-]{8})\.cjs\.(\d+)\.(\d+)\./;

/**
 * The chunk a cache file is for (NAME) and the build of it (HASH, size and mtime), or null for a
 * name that is not a cache file's. A rebuild keeps the hash of an unchanged chunk but not its
 * mtime, so pruning by hash alone kept one file per rebuild (931 files, 19 MB, in a developer's
 * cache after a day of builds).
 * @param {string} name
 * @returns {{ chunk: string, build: string } | null}
 */
function buildOf(name) {
  const match = CACHE_FILE_NAME.exec(name);
  return match ? { chunk: /** @type {string} */ (match[1]), build: `${match[2]}.${match[3]}.${match[4]}` } : null;
}

/**
 * Makes `require` compile the chunks in `chunksDir` from the code cache in `cacheDir`.
 * @param {string} chunksDir
 * @param {string} cacheDir
 * @param {string} command the CLI command, part of each cache file's name
 */
function installCodeCache(chunksDir, cacheDir, command) {
  /** @type {Array<{ script: vm.Script, file: string, print: number }>} */
  const toWrite = [];
  const prefix = chunksDir + path.sep;
  // Module.prototype._compile is how CommonJS source becomes a function (the hook v8-compile-cache
  // uses too); undocumented, so it is only replaced when it is there, and kept for other files.
  /** @type {{ _compile?: (this: Module, content: string, filename: string) => unknown }} */
  const proto = /** @type {never} */ (Module.prototype);
  const compile = proto._compile;
  if (typeof compile !== 'function') return;
  /** @this {Module} @param {string} content @param {string} filename */
  proto._compile = function compileFromCache(content, filename) {
    if (!filename.startsWith(prefix) || !CHUNK_NAME.test(filename.slice(prefix.length))) {
      return compile.call(this, content, filename);
    }
    let script;
    let file;
    try {
      const stats = fs.statSync(filename);
      file = `${filename.slice(prefix.length)}.${stats.size}.${Math.trunc(stats.mtimeMs)}.${command}.v8cache`;
      const print = fingerprint(content);
      const cached = readCacheFile(path.join(cacheDir, file), print);
      script = new vm.Script(Module.wrap(content), { filename, ...(cached ? { cachedData: cached } : {}) });
      if (!cached || script.cachedDataRejected) toWrite.push({ script, file, print });
    } catch {
      return compile.call(this, content, filename);
    }
    const wrapper = script.runInThisContext({ displayErrors: true });
    const require = Module.createRequire(filename);
    return wrapper.call(this.exports, this.exports, require, this, filename, path.dirname(filename));
  };
  process.once('exit', () => {
    for (const { script, file, print } of toWrite) {
      try {
        writeCacheFile(cacheDir, file, script.createCachedData(), print);
      } catch {
        // A cache that cannot be made is only a slower next start.
      }
    }
  });
}

/**
 * The command word for cache file names: a known-looking word, else "other".
 * @param {readonly string[]} argv
 */
function commandOf(argv) {
  const word = argv[2];
  return word !== undefined && /^[a-z]{1,16}$/.test(word) ? word : 'other';
}

function main() {
  if (!fs.statSync(ENTRY, { throwIfNoEntry: false })) {
    process.stderr.write('socket-tester: not built yet; run `npm run build` first.\n');
    process.exitCode = 1;
    return;
  }
  const cacheDir = cacheDirFor(process.env, process.platform);
  if (cacheDir) installCodeCache(path.join(OUT, 'chunks'), cacheDir, commandOf(process.argv));
  require(ENTRY);
}

if (require.main === module) main();

module.exports = { cacheDirFor, fingerprint, decodeCacheFile, encodeCacheFile, readCacheFile, installCodeCache, writeCacheFile, commandOf, buildOf };
