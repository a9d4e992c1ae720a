/**
 * Where the profile file really is, and the lock that lets several processes share it (the desktop
 * app and `socket-tester web` use the same file by default).
 *
 * Invariants:
 * - Writes go to the symlink's final target, never over the link: {@link resolveProfileTarget}
 *   follows every link (also a dangling one, whose target is then created), so the atomic rename
 *   happens next to the target and the link stays a link.
 * - Every read-check-write of the file happens inside {@link withProfileLock}, so two processes
 *   never interleave: the second one reads what the first wrote before planning its change.
 * - The lock is a folder `<target>.lock` (proper-lockfile: `mkdir` is atomic on every local file
 *   system and on NFS). Its holder touches it every few seconds; a lock untouched for
 *   {@link LOCK_TIMING.staleMs} belongs to a process that died and is taken over. A process that
 *   exits normally (or by SIGINT/SIGTERM) removes its lock at once.
 */
import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import { fail, type Result } from '../../shared/errors.ts';
import { errnoOf } from './atomic-write.ts';

/** Lock timing: long enough for a 32 MiB write on a slow disk, short enough to recover from a crash. */
export const LOCK_TIMING = {
  staleMs: 10_000,
  updateMs: 2_000,
  /** Waiting for another holder backs off from 20 ms to 1 s, about 30 s in all: longer than a stale lock lives. */
  firstWaitMs: 20,
  maxWaitMs: 1_000,
  giveUpAfterMs: 30_000,
} as const;

const MAX_LINK_HOPS = 40;

/**
 * The path the profile file's bytes really live at: every symlink followed, relative links read
 * against their own folder. A missing file resolves to where it would be created.
 */
export async function resolveProfileTarget(filePath: string): Promise<string> {
  let current = resolve(filePath);
  for (let hop = 0; hop < MAX_LINK_HOPS; hop += 1) {
    let isLink: boolean;
    try {
      isLink = (await lstat(current)).isSymbolicLink();
    } catch {
      // Missing (or a dangling link's missing target): its folder may still be a link.
      const folder = await realpath(dirname(current)).catch(() => dirname(current));
      return join(folder, basename(current));
    }
    if (!isLink) return realpath(current).catch(() => current);
    current = resolve(dirname(current), await readlink(current));
  }
  // A loop of links: using the path as given makes the open fail with ELOOP, which is reported.
  return resolve(filePath);
}

/**
 * Runs `task` holding the lock on `target`. Fails with FILE_ERROR (errno ELOCKED) when another
 * process held it for the whole retry period; the task's own result is returned otherwise.
 */
export async function withProfileLock<T>(target: string, task: () => Promise<Result<T>>): Promise<Result<T>> {
  let release: (() => Promise<void>) | null = null;
  const started = Date.now();
  // Our own retry loop: proper-lockfile's retries also retry errors that never go away (a folder
  // we cannot write), which would stall every save for the whole period.
  for (let wait: number = LOCK_TIMING.firstWaitMs; release === null; wait = Math.min(wait * 1.5, LOCK_TIMING.maxWaitMs)) {
    try {
      release = await lockfile.lock(target, {
        realpath: false,
        lockfilePath: `${target}.lock`,
        stale: LOCK_TIMING.staleMs,
        update: LOCK_TIMING.updateMs,
        retries: 0,
        // The default throws from a timer and would crash the process. A lost lock means another
        // process thought we were dead; our write is atomic either way, and its read-check ran.
        onCompromised: () => undefined,
      });
    } catch (err) {
      const errno = errnoOf(err);
      if (errno === 'ELOCKED' && Date.now() - started < LOCK_TIMING.giveUpAfterMs) {
        await new Promise((resolveWait) => setTimeout(resolveWait, wait * (0.5 + Math.random() / 2)));
        continue;
      }
      const why =
        errno === 'ELOCKED'
          ? `Another Socket Tester process kept ${target} locked for ${Math.round((Date.now() - started) / 1000)} s`
          : `Could not lock ${target}: ${(err as Error).message}`;
      return fail('FILE_ERROR', `${why}. Nothing was changed; the file on disk is as it was.`, errno === undefined ? {} : { errno });
    }
  }
  try {
    return await task();
  } finally {
    await release().catch(() => undefined);
  }
}
