import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DESKTOP_ENTRY_FILE, FPM_ARGS_FILE, writeStubFpm } from '../../scripts/packaging/stub-fpm.js';

const run = promisify(execFile);

describe.runIf(process.platform !== 'win32')('writeStubFpm', () => {
  let folder: string;
  beforeEach(async () => {
    // A quote in the path proves the stub quotes the record paths it embeds.
    folder = await mkdtemp(join(tmpdir(), "socket-tester-fpm-it's-"));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('records every argument verbatim and copies the desktop entry', async () => {
    const stub = await writeStubFpm(folder, folder);
    const desktopSource = join(folder, '4-Socket Tester.desktop');
    await writeFile(desktopSource, '[Desktop Entry]\nName=Socket Tester\n');
    const args = ['-t', 'deb', '--description', 'line one\n line two', `${desktopSource}=/usr/share/applications/socket-tester.desktop`, '/opt/Socket Tester'];
    await run(stub, args);
    const recorded = await readFile(join(folder, FPM_ARGS_FILE), 'utf8');
    expect(recorded).toBe(`${args.join('\n')}\n`);
    expect(await readFile(join(folder, DESKTOP_ENTRY_FILE), 'utf8')).toBe('[Desktop Entry]\nName=Socket Tester\n');
  });
});
