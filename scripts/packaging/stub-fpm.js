/**
 * A stand-in for fpm, the tool electron-builder downloads to build .deb packages. electron-builder
 * runs whatever CUSTOM_FPM_PATH names; this stub records the arguments it was given, one per line
 * (an argument holding a newline, like the deb description, spans lines), and copies the desktop
 * entry electron-builder generated, so the offline check can assert the deb's metadata, icons and
 * desktop entry without downloading fpm or building a real package.
 *
 * Needs a POSIX shell: the check runs this step on Linux and macOS only.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Files the stub writes into its record folder. */
export const FPM_ARGS_FILE = 'fpm-args';
export const DESKTOP_ENTRY_FILE = 'desktop-entry';

/**
 * Writes the stub as `<folder>/fpm`; it records into `recordDir`.
 * @param {string} folder
 * @param {string} recordDir
 * @returns {Promise<string>} the stub's path, for CUSTOM_FPM_PATH
 */
export async function writeStubFpm(folder, recordDir) {
  const quote = (/** @type {string} */ text) => `'${text.replaceAll("'", "'\\''")}'`;
  const args = quote(join(recordDir, FPM_ARGS_FILE));
  const entry = quote(join(recordDir, DESKTOP_ENTRY_FILE));
  const script = [
    '#!/bin/sh',
    '# Stub fpm from the offline packaging check: records its arguments, builds nothing.',
    `: > ${args}`,
    'for arg in "$@"; do',
    `  printf '%s\\n' "$arg" >> ${args}`,
    '  case "$arg" in',
    `    *=/usr/share/applications/*) cp "\${arg%%=*}" ${entry} ;;`,
    '  esac',
    'done',
    '',
  ].join('\n');
  const path = join(folder, 'fpm');
  await writeFile(path, script, { mode: 0o755 });
  return path;
}
