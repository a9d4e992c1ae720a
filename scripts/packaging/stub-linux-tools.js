/**
 * Stand-ins for the Linux packaging tools electron-builder downloads, so the offline check can run
 * the real deb and AppImage targets. Each stub records what electron-builder asked of it into a
 * record folder and builds nothing real:
 * - fpm (found through CUSTOM_FPM_PATH) records its arguments, one per line (an argument holding a
 *   newline, like the deb description, spans lines), and copies the generated desktop entry;
 * - the AppImage tools folder (APPIMAGE_TOOLS_PATH, legacy FUSE2 layout of electron-builder 26:
 *   linux-x64/mksquashfs, linux-x64/desktop-file-validate, runtime-x64, lib/x64) has a mksquashfs
 *   that records its arguments, lists the staged AppImage tree and copies its desktop entry, then
 *   writes an empty output file for electron-builder to finish.
 *
 * They are POSIX shell scripts: the check runs these targets on Linux and macOS only.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Files the stubs write into their record folder. */
export const RECORD_FILES = Object.freeze({
  fpmArgs: 'fpm-args',
  debDesktopEntry: 'deb-desktop-entry',
  mksquashfsArgs: 'mksquashfs-args',
  appImageFiles: 'appimage-files',
  appImageDesktopEntry: 'appimage-desktop-entry',
});

/**
 * Single-quotes text for a POSIX shell.
 * @param {string} text
 * @returns {string}
 */
function shellQuote(text) {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * Writes the fpm stub as `<folder>/fpm`.
 * @param {string} folder
 * @param {string} recordDir
 * @returns {Promise<string>} the stub's path, for CUSTOM_FPM_PATH
 */
export async function writeStubFpm(folder, recordDir) {
  const args = shellQuote(join(recordDir, RECORD_FILES.fpmArgs));
  const entry = shellQuote(join(recordDir, RECORD_FILES.debDesktopEntry));
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
  await mkdir(folder, { recursive: true });
  const path = join(folder, 'fpm');
  await writeFile(path, script, { mode: 0o755 });
  return path;
}

/**
 * Writes a stub AppImage tools folder at `folder` for x64 targets.
 * @param {string} folder
 * @param {string} recordDir
 * @returns {Promise<string>} the folder, for APPIMAGE_TOOLS_PATH
 */
export async function writeStubAppImageTools(folder, recordDir) {
  const hostTools = join(folder, 'linux-x64');
  await mkdir(hostTools, { recursive: true });
  await mkdir(join(folder, 'lib', 'x64'), { recursive: true });
  // electron-builder prepends the runtime's bytes to the squashfs image; any bytes do here.
  await writeFile(join(folder, 'runtime-x64'), 'stub AppImage runtime\n');
  await writeFile(join(hostTools, 'desktop-file-validate'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const args = shellQuote(join(recordDir, RECORD_FILES.mksquashfsArgs));
  const files = shellQuote(join(recordDir, RECORD_FILES.appImageFiles));
  const entry = shellQuote(join(recordDir, RECORD_FILES.appImageDesktopEntry));
  const script = [
    '#!/bin/sh',
    '# Stub mksquashfs from the offline packaging check: $1 is the staged tree, $2 the image to write.',
    `printf '%s\\n' "$@" > ${args}`,
    `(cd "$1" && find . -type f | sed 's|^\\./||' | sort) > ${files}`,
    `for desktop in "$1"/*.desktop; do cp "$desktop" ${entry}; done`,
    ': > "$2"',
    '',
  ].join('\n');
  await writeFile(join(hostTools, 'mksquashfs'), script, { mode: 0o755 });
  return folder;
}
