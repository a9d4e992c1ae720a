import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ELECTRON_DEFAULT_FUSES, FUSE_SENTINEL, writeStubElectron } from '../../scripts/packaging/stub-electron.js';

// The same @electron/fuses electron-builder uses to flip the packaged binary.
const builderRequire = createRequire(createRequire(import.meta.url).resolve('app-builder-lib/scheme.json'));
const fuses = builderRequire('@electron/fuses') as typeof import('@electron/fuses');

describe('writeStubElectron', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'socket-tester-stub-'));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('lays out the files electron-builder expects in an unpacked Linux distribution', async () => {
    await writeStubElectron(join(folder, 'dist'), '45.4.1');
    expect((await readdir(join(folder, 'dist'))).sort()).toEqual(['LICENSE', 'LICENSES.chromium.html', 'electron', 'locales', 'resources', 'version']);
    expect(await readFile(join(folder, 'dist', 'version'), 'utf8')).toBe('45.4.1\n');
    const binary = await readFile(join(folder, 'dist', 'electron'));
    expect(binary.indexOf(FUSE_SENTINEL)).toBeGreaterThan(0);
  });

  it("starts at Electron's default fuses, readable by @electron/fuses", async () => {
    await writeStubElectron(folder, '45.4.1');
    const wire = (await fuses.getCurrentFuseWire(join(folder, 'electron'))) as unknown as Record<string, unknown>;
    expect(wire['version']).toBe(fuses.FuseVersion.V1);
    const states = ELECTRON_DEFAULT_FUSES.split('').map((bit) => bit.charCodeAt(0));
    states.forEach((state, index) => expect(wire[String(index)]).toBe(state));
  });

  it('lets @electron/fuses flip each fuse in place', async () => {
    await writeStubElectron(folder, '45.4.1');
    const binaryPath = join(folder, 'electron');
    const sizeBefore = (await readFile(binaryPath)).length;
    await fuses.flipFuses(binaryPath, {
      version: fuses.FuseVersion.V1,
      [fuses.FuseV1Options.RunAsNode]: false,
      [fuses.FuseV1Options.OnlyLoadAppFromAsar]: true,
    });
    const wire = await fuses.getCurrentFuseWire(binaryPath);
    expect(wire[fuses.FuseV1Options.RunAsNode]).toBe('0'.charCodeAt(0));
    expect(wire[fuses.FuseV1Options.OnlyLoadAppFromAsar]).toBe('1'.charCodeAt(0));
    // Untouched fuses keep their defaults.
    expect(wire[fuses.FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe('1'.charCodeAt(0));
    expect((await readFile(binaryPath)).length).toBe(sizeBefore);
  });
});
