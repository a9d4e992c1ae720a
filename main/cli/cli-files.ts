/**
 * The files the CLI opens on the user's word (`--output`, `--file`, `--profiles`), opened so that
 * none of them can hang the process or destroy another.
 *
 * Invariants:
 * - Nothing here blocks: `--output` is opened with O_NONBLOCK (a FIFO nobody reads fails at once
 *   with ENXIO instead of waiting for a reader), and files that are only read are `stat`ed first
 *   and refused unless regular. This matters beyond the hang itself: a libuv thread stuck in
 *   open(2) keeps even `process.exit()` from returning (seen with Node 20), so no signal handler
 *   could end the process either.
 * - `--output` is never truncated before it is known not to be one of the inputs (same device and
 *   inode, so symlinks and hard links count): it is opened without O_TRUNC, compared, then
 *   truncated when it holds bytes (an empty one is left alone: see openOutputTarget).
 * - Every error is data: INVALID_INPUT (before anything was sent) with `field` naming the option;
 *   the CLI prints its own label for it.
 * - An {@link OutputTarget} listens for 'error' from the moment it exists until the process ends,
 *   so a write failing after the session has finished (the disk fills while the buffer drains) is
 *   recorded, never an unhandled 'error' event.
 */
import { close, constants, createWriteStream, fstat, ftruncate, open, type Stats } from 'node:fs';
import type * as net from 'node:net';
import { Socket } from 'node:net';
import { promisify } from 'node:util';
import { fail, ok, type AppError, type Result } from '../../shared/errors.ts';
import { fileErrorReason, toFileError } from '../engine/error-mapping.ts';
import { lazyFsPromises } from '../engine/lazy-builtins.ts';

const openFd = promisify(open);
const fstatFd = promisify(fstat);
const truncateFd = promisify(ftruncate);
const closeFd = promisify(close);

/** Write buffer of a --output file. */
const OUTPUT_BUFFER_BYTES = 8 * 1024 * 1024;

/** A file the command reads, remembered so that --output cannot overwrite it. */
export interface InputFile {
  /** The option that named it, as data for the message (`file`, `profiles`). */
  field: string;
  path: string;
  dev: number;
  ino: number;
}

/** What kind of non-regular file `info` is, for messages. */
export function describeFileType(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/**
 * Checks a file the command will read: it must be a regular, readable file. `missingOk` accepts a
 * path that does not exist (a profile file that is not created yet). Resolves to the file's
 * identity, or null when it is missing and that is fine.
 */
export async function checkInputFile(path: string, field: string, missingOk = false): Promise<Result<InputFile | null>> {
  let info: Stats;
  try {
    info = await lazyFsPromises().stat(path);
  } catch (err) {
    if (missingOk && (err as { code?: unknown }).code === 'ENOENT') return ok(null);
    return inputError(toFileError(err, path, 'read'), field);
  }
  if (!info.isFile()) {
    return fail('INVALID_INPUT', `"${path}" is ${describeFileType(info)}, not a regular file; give the path of a file.`, { field });
  }
  return ok({ field, path, dev: info.dev, ino: info.ino });
}

/** The --output destination: a stream to hand to the session, and how to finish it. */
export interface OutputTarget {
  readonly stream: NodeJS.WritableStream;
  /** The first write error, if any, as FILE_ERROR naming the path. */
  error(): AppError | null;
  /** Ends the stream and waits until its bytes are written; resolves to the first error or null. */
  finish(): Promise<AppError | null>;
}

/**
 * Opens `path` for the response without blocking and without truncating an input. Regular files
 * holding bytes are truncated once checked; character devices (`/dev/null`) are written as they
 * are; a FIFO with a reader (`--output >(gzip > x)`) is written through a pipe handle, which
 * honours backpressure on a non-blocking descriptor; a FIFO without a reader, a socket, a
 * directory or a block device is refused.
 */
export async function openOutputTarget(path: string, inputs: readonly InputFile[]): Promise<Result<OutputTarget>> {
  let fd: number;
  try {
    // 0o666 before the umask, as shells create files; O_NOCTTY so a terminal never becomes ours.
    fd = await openFd(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NONBLOCK | constants.O_NOCTTY, 0o666);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENXIO') {
      const info = await lazyFsPromises().stat(path).catch(() => null);
      if (info?.isFIFO()) {
        return fail('INVALID_INPUT', `"${path}" is a named pipe (FIFO) that no process is reading; start the reader first.`, {
          field: 'output',
          errno: 'ENXIO',
        });
      }
      if (info?.isSocket()) return fail('INVALID_INPUT', `"${path}" is a socket; --output writes to files.`, { field: 'output', errno: 'ENXIO' });
    }
    return inputError(toFileError(err, path, 'write'), 'output');
  }
  try {
    const info = await fstatFd(fd);
    const same = inputs.find((input) => input.dev === info.dev && input.ino === info.ino);
    if (same) {
      await closeFd(fd);
      const what = same.field === 'file' ? 'the file being sent' : 'the profile file being read';
      return fail(
        'INVALID_INPUT',
        `"${path}" is ${what} (--${same.field} "${same.path}"); writing the response there would destroy it. Choose another file.`,
        { field: 'output' },
      );
    }
    if (info.isFIFO()) return ok(watchOutput(new Socket({ fd, readable: false, writable: true }), path));
    if (info.isFile()) {
      // Only a file that holds bytes is truncated: on ext4, truncating to 0 marks the file as one
      // being replaced (auto_da_alloc), and its close then waits for every block to be allocated
      // and written out: measured 280-380 ms for 1 GiB into a new, empty file, nothing without.
      // A shell's `>` skips it too for a file it creates (O_TRUNC does nothing to a new file).
      if (info.size > 0) await truncateFd(fd, 0);
      // 'drain' fires only once the buffer is empty, so every pause leaves the disk idle until the
      // socket resumes. An 8 MiB buffer (not the default 16 KiB) keeps writes and reads overlapping:
      // measured near the raw `net` counter's speed, with memory still bounded by it.
      return ok(watchOutput(createWriteStream(path, { fd, highWaterMark: OUTPUT_BUFFER_BYTES }), path));
    }
    if (info.isCharacterDevice()) {
      // O_NONBLOCK on a terminal would turn a full tty buffer into EAGAIN; reopen it plainly. Opening a
      // character device does not wait for a peer the way a FIFO does.
      await closeFd(fd);
      // Blocking writes on our own thread: a device's write finishes at once (device-sink.ts).
      const { DeviceSink } = await import('./device-sink.ts');
      return ok(watchOutput(new DeviceSink(path, OUTPUT_BUFFER_BYTES), path));
    }
    await closeFd(fd);
    return fail('INVALID_INPUT', `"${path}" is ${describeFileType(info)}; --output writes to a file, a character device or a named pipe.`, {
      field: 'output',
    });
  } catch (err) {
    await closeFd(fd).catch(() => undefined);
    return inputError(toFileError(err, path, 'write'), 'output');
  }
}

/** Records the stream's first error from now on; see {@link OutputTarget}. */
function watchOutput(stream: NodeJS.WritableStream & { destroyed?: boolean; closed?: boolean }, path: string): OutputTarget {
  let first: AppError | null = null;
  const errored = new Promise<void>((resolveErrored) => {
    stream.on('error', (err: unknown) => {
      first ??= toFileError(err, path, 'write');
      resolveErrored();
    });
  });
  return {
    stream,
    error: () => first,
    async finish() {
      if (first) return first;
      if (stream.destroyed) {
        // A failed write destroys the stream at once but emits 'error' only once the descriptor is
        // closed (a round trip to the thread pool), just before 'close': wait for one of them.
        if (!stream.closed) await Promise.race([errored, new Promise((resolveClosed) => stream.once('close', resolveClosed))]);
        return first;
      }
      const finished = new Promise<void>((resolveFinished) => {
        stream.once('finish', resolveFinished);
        stream.once('close', resolveFinished);
      });
      stream.end();
      await Promise.race([finished, errored]);
      return first;
    },
  };
}

/**
 * Error handling for the CLI's own stdout: a closed pipe (`| head -c1`) or a full disk
 * (`> /dev/full`) is reported as FILE_ERROR instead of crashing on an unhandled 'error'.
 * Attach once per stream; the listener stays, because a late EPIPE may come after we are done.
 */
export function watchStdout(stdout: NodeJS.WritableStream): { error(): AppError | null; flushed(): Promise<AppError | null> } {
  let first: AppError | null = null;
  const listeners: (() => void)[] = [];
  stdout.on('error', (err: unknown) => {
    const { errno, reason } = fileErrorReason(err);
    first ??= { code: 'FILE_ERROR', message: `Could not write to stdout: ${reason} (${errno}).`, field: 'stdout', ...(errno === 'UNKNOWN' ? {} : { errno }) };
    for (const listener of listeners.splice(0)) listener();
  });
  return {
    error: () => first,
    /** Resolves once everything written so far has been handed on, or the stream failed. */
    flushed: async () => {
      if (!first && !(stdout as { destroyed?: boolean }).destroyed) {
        await new Promise<void>((resolveFlushed) => {
          listeners.push(resolveFlushed);
          stdout.write('', () => resolveFlushed());
        });
      }
      // A failed write destroys the stream at once but emits 'error' on a later tick.
      if (!first) await new Promise((resolveTick) => setImmediate(resolveTick));
      return first;
    },
  };
}

/** A file error found before connecting: invalid input for the named option, errno kept. */
function inputError(error: AppError, field: string): Result<never> {
  return fail('INVALID_INPUT', error.message, { field, ...(error.errno === undefined ? {} : { errno: error.errno }) });
}

/**
 * Checks the profile file a command is about to open (`--profiles`, or the app's own file): a
 * missing file is fine (it lists nothing, or web mode creates it); anything but a regular file is
 * refused before the store opens it, since reading a FIFO would wait forever for a writer.
 */
export async function checkProfilesFile(path: string | undefined): Promise<Result<{ path: string; input: InputFile | null }>> {
  const { defaultProfilesPath, defaultUserDataDir } = await import('../profiles/profile-paths.ts');
  const filePath = path ?? defaultProfilesPath(defaultUserDataDir());
  const checked = await checkInputFile(filePath, 'profiles', true);
  return checked.ok ? ok({ path: filePath, input: checked.value }) : checked;
}
