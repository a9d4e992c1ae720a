import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RECORD_FILES, writeStubAppImageTools, writeStubFpm } from '../../scripts/packaging/stub-linux-tools.js';

const run = promisify(execFile);

describe.runIf(process.platform !== 'win32')('Linux packaging tool stubs', () => {
  let folder: string;
  beforeEach(async () => {
    // A quote in the path proves the stubs quote the record paths they embed.
    folder = await mkdtemp(join(tmpdir(), "socket-tester-stubs-it's-"));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('fpm records every argument verbatim and copies the desktop entry', async () => {
    const stub = await writeStubFpm(join(folder, 'bin'), folder);
    const desktopSource = join(folder, '4-Socket Tester.desktop');
    await writeFile(desktopSource, '[Desktop Entry]\nName=Socket Tester\n');
    const args = ['-t', 'deb', '--description', 'line one\n line two', `${desktopSource}=/usr/share/applications/socket-tester.desktop`, '/opt/Socket Tester'];
    await run(stub, args);
    expect(await readFile(join(folder, RECORD_FILES.fpmArgs), 'utf8')).toBe(`${args.join('\n')}\n`);
    expect(await readFile(join(folder, RECORD_FILES.debDesktopEntry), 'utf8')).toBe('[Desktop Entry]\nName=Socket Tester\n');
  });

  it('the AppImage tools folder has the layout electron-builder 26 looks for', async () => {
    const tools = await writeStubAppImageTools(join(folder, 'appimage'), folder);
    for (const file of ['linux-x64/mksquashfs', 'linux-x64/desktop-file-validate', 'runtime-x64']) {
      expect((await stat(join(tools, file))).isFile()).toBe(true);
    }
    expect((await stat(join(tools, 'lib', 'x64'))).isDirectory()).toBe(true);
  });

  it('mksquashfs records the staged tree and desktop entry and creates the output', async () => {
    const tools = await writeStubAppImageTools(join(folder, 'appimage'), folder);
    const stage = join(folder, 'stage dir');
    await mkdir(join(stage, 'usr', 'share'), { recursive: true });
    await writeFile(join(stage, 'AppRun'), '#!/bin/sh\n');
    await writeFile(join(stage, 'socket-tester.desktop'), '[Desktop Entry]\nExec=AppRun %U\n');
    await writeFile(join(stage, 'usr', 'share', 'x.png'), '');
    const output = join(folder, 'out.AppImage');
    await run(join(tools, 'linux-x64', 'mksquashfs'), [stage, output, '-offset', '22']);
    expect(await readFile(join(folder, RECORD_FILES.mksquashfsArgs), 'utf8')).toBe(`${stage}\n${output}\n-offset\n22\n`);
    expect(await readFile(join(folder, RECORD_FILES.appImageFiles), 'utf8')).toBe('AppRun\nsocket-tester.desktop\nusr/share/x.png\n');
    expect(await readFile(join(folder, RECORD_FILES.appImageDesktopEntry), 'utf8')).toBe('[Desktop Entry]\nExec=AppRun %U\n');
    expect((await readdir(folder)).includes('out.AppImage')).toBe(true);
  });
});
