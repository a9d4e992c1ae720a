/**
 * Reading and writing `<folder>/window-state.json`. Plain Node: no `electron` import; main/index.ts
 * passes in the folder (`app.getPath('userData')`).
 *
 * Invariants:
 * - The size is checked before reading (D7); the content is validated by ./schema.ts.
 * - Writes go through the profiles' atomic writer (D1): temporary file in the same folder, fsync,
 *   rename, fsync of the folder on POSIX; no in-place fallback. They are synchronous on purpose: the
 *   file is under 200 bytes, writes happen at most once per debounce period (./saver.ts), synchronous
 *   writes keep them trivially ordered, and the window's `close` handler can flush the last state
 *   before the process exits.
 * - The window state is disposable: a file that cannot be read or fails validation yields an error
 *   result (the caller opens the default window) and is replaced by the next save. Unlike profiles,
 *   nothing a user typed is lost by that.
 */
import { mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { errnoOf, fileError, writeFileAtomicSync } from '../profiles/atomic-write.ts';
import { parseWindowState, toFileFormat, type WindowState } from './schema.ts';

/** The file's name inside the folder given to {@link loadWindowState} / {@link saveWindowStateSync}. */
export const WINDOW_STATE_FILE_NAME = 'window-state.json';

/** The file is tiny; anything larger is not ours (checked before reading, D7). */
const MAX_FILE_BYTES = 64 * 1024;

/**
 * Reads and validates `<folder>/window-state.json`. Resolves to `ok(null)` when there is no file yet
 * (first launch); to an error (FILE_ERROR or STORE_CORRUPT) when it cannot be used. Never throws.
 */
export async function loadWindowState(folder: string): Promise<Result<WindowState | null>> {
  const path = join(folder, WINDOW_STATE_FILE_NAME);
  let text: string;
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size > MAX_FILE_BYTES) {
        return fail('STORE_CORRUPT', `${path} is ${size} bytes, more than the ${MAX_FILE_BYTES} a window state can be; ignoring it.`);
      }
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return ok(null);
    return fileError(`Could not read ${path}`, err);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail('STORE_CORRUPT', `${path} is not valid JSON (${err instanceof Error ? err.message : String(err)}); ignoring it.`);
  }
  const parsed = parseWindowState(json);
  if (!parsed.ok) return fail('STORE_CORRUPT', `${path}: ${parsed.error.message}`, fieldOf(parsed.error.field));
  return parsed;
}

/**
 * Atomically replaces `<folder>/window-state.json` with `state` (creating the folder if needed).
 * Synchronous by design (see the file comment). A state that would not load back is refused as
 * INVALID_INPUT naming the field. On failure the old file is untouched and no temporary file is left.
 */
export function saveWindowStateSync(folder: string, state: WindowState): Result<void> {
  const checked = parseWindowState(toFileFormat(state));
  if (!checked.ok) return fail('INVALID_INPUT', `Refusing to save a window state: ${checked.error.message}`, fieldOf(checked.error.field));
  const target = join(folder, WINDOW_STATE_FILE_NAME);
  const data = `${JSON.stringify(toFileFormat(checked.value), null, 2)}\n`;
  try {
    mkdirSync(folder, { recursive: true });
  } catch (err) {
    return fileError(`Could not save ${target}`, err);
  }
  return writeFileAtomicSync(target, data);
}

function fieldOf(field: string | undefined): { field?: string } {
  return field ? { field } : {};
}
