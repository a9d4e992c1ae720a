/**
 * Writes a stand-in for an unpacked Linux Electron distribution, so `electron-builder --dir` can run
 * offline (electronDist points at it instead of the Electron zip it would download).
 *
 * The stub "binary" is a tiny shell script followed by a fuse wire laid out exactly as in a real
 * Electron binary (layout read from @electron/fuses 1.8: sentinel, wire version byte, wire length byte,
 * one state byte per fuse). Its fuses start at Electron 45's defaults, so each fuse Socket Tester
 * requires has to be flipped by electron-builder for the check to pass.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** @electron/fuses looks for this marker; the fuse wire follows it. */
export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

/** Fuse wire format version 1 (@electron/fuses FuseVersion.V1), stored as a raw byte. */
const FUSE_WIRE_VERSION = 1;

/**
 * Electron's shipped fuse states, in FuseV1Options order: RunAsNode on, EnableCookieEncryption off,
 * EnableNodeOptionsEnvironmentVariable on, EnableNodeCliInspectArguments on,
 * EnableEmbeddedAsarIntegrityValidation off, OnlyLoadAppFromAsar off,
 * LoadBrowserProcessSpecificV8Snapshot off, GrantFileProtocolExtraPrivileges on.
 */
export const ELECTRON_DEFAULT_FUSES = '10110001';

/**
 * Creates the stub distribution in `folder` (which must not exist yet or be empty).
 * @param {string} folder
 * @param {string} electronVersion written to the `version` file, as in a real distribution
 * @returns {Promise<void>}
 */
export async function writeStubElectron(folder, electronVersion) {
  await mkdir(join(folder, 'locales'), { recursive: true });
  await mkdir(join(folder, 'resources'), { recursive: true });
  const script = '#!/bin/sh\necho "stub Electron from the offline packaging check; it cannot run an app" >&2\nexit 1\n';
  const binary = Buffer.concat([
    Buffer.from(script, 'utf8'),
    Buffer.from(FUSE_SENTINEL, 'latin1'),
    Buffer.from([FUSE_WIRE_VERSION, ELECTRON_DEFAULT_FUSES.length]),
    Buffer.from(ELECTRON_DEFAULT_FUSES, 'latin1'),
    Buffer.from('\n', 'latin1'),
  ]);
  await writeFile(join(folder, 'electron'), binary, { mode: 0o755 });
  // electron-builder moves LICENSE next to the executable as LICENSE.electron.txt.
  await writeFile(join(folder, 'LICENSE'), 'Stub Electron distribution for an offline packaging check.\n');
  await writeFile(join(folder, 'LICENSES.chromium.html'), '<!doctype html><title>stub</title>\n');
  await writeFile(join(folder, 'version'), `${electronVersion}\n`);
  await writeFile(join(folder, 'locales', 'en-US.pak'), '');
}
