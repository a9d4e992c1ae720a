import { load } from 'js-yaml';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findPngSizeProblems, findPolicyProblems } from '../../scripts/packaging/builder-policy.js';

const projectRoot = resolve(import.meta.dirname, '..', '..');

async function realConfig(): Promise<Record<string, any>> {
  return load(await readFile(join(projectRoot, 'electron-builder.yml'), 'utf8')) as Record<string, any>;
}

describe('findPolicyProblems', () => {
  it('accepts the committed electron-builder.yml and icons', async () => {
    expect(findPolicyProblems(await realConfig(), projectRoot)).toEqual([]);
  });

  it('reports publishing, artifact names without version or arch, and missing targets', async () => {
    const config = await realConfig();
    config['publish'] = 'always';
    config['artifactName'] = '${productName}.${ext}';
    config['linux'].target = ['AppImage'];
    config['mac'].target = 'zip';
    expect(findPolicyProblems(config, projectRoot)).toEqual([
      'publish must be null: installers are never uploaded.',
      'artifactName must contain ${version} (is "${productName}.${ext}").',
      'artifactName must contain ${arch} (is "${productName}.${ext}").',
      'linux.target must include deb.',
      'mac.target must include dmg.',
    ]);
  });

  it('accepts targets written as objects with arch lists', async () => {
    const config = await realConfig();
    config['win'].target = [{ target: 'nsis', arch: ['x64', 'arm64'] }];
    expect(findPolicyProblems(config, projectRoot)).toEqual([]);
  });

  it('reports a per-machine or elevating installer and a category list without Network', async () => {
    const config = await realConfig();
    config['nsis'].perMachine = true;
    delete config['nsis'].allowElevation;
    config['linux'].category = 'Development';
    delete config['linux'].synopsis;
    expect(findPolicyProblems(config, projectRoot)).toEqual([
      'linux.category must include Network (is "Development").',
      'linux.synopsis must be set (the deb package shows it).',
      'nsis.perMachine must be false: the installer installs per user.',
      'nsis.allowElevation must be false: a per-user install never asks for administrator rights.',
    ]);
  });

  it('reports each required fuse that is missing or set the wrong way', async () => {
    const config = await realConfig();
    config['electronFuses'].runAsNode = true;
    delete config['electronFuses'].onlyLoadAppFromAsar;
    expect(findPolicyProblems(config, projectRoot)).toEqual([
      'electronFuses.runAsNode must be false (is true).',
      'electronFuses.onlyLoadAppFromAsar must be true (is undefined).',
    ]);
  });
});

describe('findPngSizeProblems', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'socket-tester-icons-'));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('accepts a PNG of the right size and reports a wrong size, a non-PNG and a missing file', async () => {
    await mkdir(join(folder, 'icons'));
    await copyFile(join(projectRoot, 'build', 'icons', '32x32.png'), join(folder, 'icons', '32x32.png'));
    await writeFile(join(folder, 'icons', 'fake.png'), 'not a png at all, just text');
    expect(findPngSizeProblems(folder, 'icons/32x32.png', 32)).toEqual([]);
    expect(findPngSizeProblems(folder, 'icons/32x32.png', 64)).toEqual(['icons/32x32.png is 32×32, expected 64×64.']);
    expect(findPngSizeProblems(folder, 'icons/fake.png', 32)).toEqual(['icons/fake.png is not a PNG file.']);
    expect(findPngSizeProblems(folder, 'icons/none.png', 32)).toEqual([
      'icons/none.png is missing: run `node scripts/make-icons.js` and commit the result.',
    ]);
  });
});
