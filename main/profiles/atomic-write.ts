/**
 * Crash-safe file replacement (D1): the new content goes to a temporary file in the same folder, is
 * flushed to disk, and then renamed over the target; on POSIX the folder is flushed too so that the
 * rename itself survives a power cut.
 *
 * Invariants:
 * - At every instant the target path holds either the complete old content or the complete new
 *   content; a crash at any point leaves at most one stray temporary file, which
 *   {@link removeStaleTempFiles} clears on the next open.
 * - There is no in-place fallback: if any step fails, the temporary file is removed, the target is
 *   untouched and the failure is returned as data.
 *
 * This module imports nothing but `node:*` and types, on purpose: the crash test transpiles this one
 * file and runs it in a child process that it kills at random moments.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { Result } from '../../shared/errors.ts';

/** Temporary files are `.<target name>.tmp-<random>`: hidden, and recognisable as ours. */
function tempPrefix(targetPath: string): string {
  return `.${basename(targetPath)}.tmp-`;
}

/** Node's errno name of a failed fs call, if it has one. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A FILE_ERROR result carrying Node's message and errno. */
export function fileError(message: string, err: unknown): Result<never> {
  const errno = errnoOf(err);
  const detail = err instanceof Error ? err.message : String(err);
  return {
    ok: false,
    error: { code: 'FILE_ERROR', message: `${message}: ${detail}`, ...(errno === undefined ? {} : { errno }) },
  };
}

/**
 * Flushes a folder's entry table so that a completed rename survives a crash. Windows cannot open a
 * folder for fsync (EPERM/EISDIR) and NTFS journals renames itself, so it is skipped there.
 */
async function fsyncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `targetPath` with `data` atomically; on failure the old file is intact. */
export async function writeFileAtomic(targetPath: string, data: string | Uint8Array): Promise<Result<void>> {
  const folder = dirname(targetPath);
  const tempPath = join(folder, `${tempPrefix(targetPath)}${randomBytes(6).toString('hex')}`);
  let created = false;
  try {
    // 'wx': never reuse or follow an existing file at the temporary name.
    const handle = await open(tempPath, 'wx', 0o600);
    created = true;
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, targetPath);
    created = false;
  } catch (err) {
    if (created) await unlink(tempPath).catch(() => undefined);
    return fileError(`Could not save ${targetPath}`, err);
  }
  try {
    await fsyncFolder(folder);
  } catch {
    // The rename is complete and visible; only its survival of a power cut is unconfirmed (some
    // file systems refuse to fsync a folder). Reporting failure here would make the caller roll
    // back a change that is already on disk, so the write counts as done.
  }
  return { ok: true, value: undefined };
}

/** Synchronous twin of {@link fsyncFolder}; failures are ignored for the same reason. */
function fsyncFolderSync(folder: string): void {
  if (process.platform === 'win32') return;
  let fd: number | null = null;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // The rename is complete and visible; only its durability is unconfirmed.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * {@link writeFileAtomic}, synchronously, for small files that must be written from an exit path
 * (the window state on `close`), where nothing asynchronous is guaranteed to finish.
 */
export function writeFileAtomicSync(targetPath: string, data: string | Uint8Array): Result<void> {
  const folder = dirname(targetPath);
  const tempPath = join(folder, `${tempPrefix(targetPath)}${randomBytes(6).toString('hex')}`);
  let created = false;
  try {
    const fd = openSync(tempPath, 'wx', 0o600);
    created = true;
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tempPath, targetPath);
    created = false;
  } catch (err) {
    if (created) {
      try {
        unlinkSync(tempPath);
      } catch {
        // A stray hidden temporary file is never read, and the next open removes it.
      }
    }
    return fileError(`Could not save ${targetPath}`, err);
  }
  fsyncFolderSync(folder);
  return { ok: true, value: undefined };
}

/**
 * Deletes temporary files a killed writer left next to `targetPath`; returns how many it removed.
 * Only call it when this process is the only writer (D6), or it could delete a write in progress.
 */
export async function removeStaleTempFiles(targetPath: string): Promise<number> {
  const prefix = tempPrefix(targetPath);
  let names: string[];
  try {
    names = await readdir(dirname(targetPath));
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    try {
      await unlink(join(dirname(targetPath), name));
      removed += 1;
    } catch {
      // A leftover we cannot delete is harmless: it is never read, and the next open tries again.
    }
  }
  return removed;
}

/** Lists the temporary files next to `targetPath` (for tests and diagnostics). */
export async function listTempFiles(targetPath: string): Promise<string[]> {
  const prefix = tempPrefix(targetPath);
  const names = await readdir(dirname(targetPath)).catch(() => [] as string[]);
  return names.filter((name) => name.startsWith(prefix));
}
