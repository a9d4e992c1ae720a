/**
 * Crash test for D1: a child process rewrites the profile file in a loop (alternating a small and a
 * 2 MB version), and we SIGKILL it at seeded random moments, 100 times. After every kill the file
 * must hold one complete version, parse and validate, and the store's open must clear the at most
 * one temporary file the killed writer left.
 *
 * How the child runs our real code: Node 20 cannot run TypeScript, and the built app does not
 * contain the store. atomic-write.ts imports nothing but `node:*` and types (on purpose), so the
 * test transpiles that one file with the TypeScript compiler we already depend on (types erased,
 * nothing else changed) into the temporary folder, and the child imports it. The bytes that get
 * killed mid-write are produced by the very function the store uses.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { listTempFiles } from '../../../main/profiles/atomic-write.ts';
import { readProfileFile, serializeProfileFile } from '../../../main/profiles/profile-file.ts';
import { ProfileStore } from '../../../main/profiles/profile-store.ts';
import type { Profile } from '../../../shared/profile.ts';
import { draft, makeTempDir } from './test-helpers.ts';
import { seededRandom } from '../../support/seeded-random.ts';

const KILLS = 100;
const SEED = 0x5eed_2026;

let dir: string;
let cleanup: () => Promise<void>;
let child: ChildProcess | null = null;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
});

afterEach(async () => {
  child?.kill('SIGKILL');
  await cleanup();
});


function profiles(count: number, notes: string): Profile[] {
  const stamp = '2026-11-24T00:00:00.000Z';
  return Array.from({ length: count }, (_, index) => ({ ...draft({ name: `P${index}`, notes }), id: `id-${index}`, revision: 1, createdAt: stamp, updatedAt: stamp }));
}

const CHILD_SCRIPT = `
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.mjs';
const [target, smallPath, largePath] = process.argv.slice(2);
const versions = [readFileSync(smallPath), readFileSync(largePath)];
for (let round = 0; ; round += 1) {
  const result = await writeFileAtomic(target, versions[round % 2]);
  if (!result.ok) { process.stderr.write(result.error.message); process.exit(3); }
  if (round === 0) process.stdout.write('ready\\n');
}
`;

function waitForReady(process: ChildProcess): Promise<void> {
  return new Promise((resolveReady, rejectReady) => {
    const timer = setTimeout(() => rejectReady(new Error('writer did not start within 10 s')), 10_000);
    process.stdout?.once('data', () => {
      clearTimeout(timer);
      resolveReady();
    });
    process.once('exit', (code) => {
      clearTimeout(timer);
      rejectReady(new Error(`writer exited early with code ${code}`));
    });
  });
}

function waitForExit(process: ChildProcess): Promise<void> {
  return new Promise((resolveExit) => {
    if (process.exitCode !== null || process.signalCode !== null) resolveExit();
    else process.once('exit', () => resolveExit());
  });
}

it(`after ${KILLS} SIGKILLs mid-write the file is always one complete, valid version`, { timeout: 180_000 }, async () => {
  const source = await readFile(resolve(import.meta.dirname, '../../../main/profiles/atomic-write.ts'), 'utf8');
  const compiled = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  });
  await writeFile(join(dir, 'atomic-write.mjs'), compiled.outputText);
  await writeFile(join(dir, 'writer.mjs'), CHILD_SCRIPT);

  const small = serializeProfileFile(profiles(2, 'small'));
  const large = serializeProfileFile(profiles(2_000, 'x'.repeat(800)));
  await writeFile(join(dir, 'small.json'), small);
  await writeFile(join(dir, 'large.json'), large);
  const target = join(dir, 'data', 'profiles.json');
  await ProfileStore.open({ filePath: target });

  const random = seededRandom(SEED);
  let killedMidWrite = 0;
  const seen = { small: 0, large: 0, empty: 0 };
  for (let kill = 0; kill < KILLS; kill += 1) {
    child = spawn(process.execPath, [join(dir, 'writer.mjs'), target, join(dir, 'small.json'), join(dir, 'large.json')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForReady(child);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, Math.floor(random() * 40)));
    child.kill('SIGKILL');
    await waitForExit(child);
    child = null;

    const leftovers = await listTempFiles(target);
    expect(leftovers.length, `kill ${kill}`).toBeLessThanOrEqual(1);
    killedMidWrite += leftovers.length;
    const text = await readFile(target, 'utf8');
    if (text === small) seen.small += 1;
    else if (text === large) seen.large += 1;
    else if (text === serializeProfileFile([])) seen.empty += 1;
    else throw new Error(`kill ${kill}: the file holds neither version (${text.length} characters)`);
    expect((await readProfileFile(target)).kind, `kill ${kill}`).toBe('valid');

    const store = await ProfileStore.open({ filePath: target });
    expect(store.loadReport.status, `kill ${kill}`).toBe('ok');
    expect(await listTempFiles(target)).toEqual([]);
  }
  process.stdout.write(
    `crash test: ${KILLS} kills, ${killedMidWrite} left a temp file (killed mid-write); file held the small version ${seen.small}×, the large ${seen.large}×\n`,
  );
  // Evidence that kills landed inside writes, not only between them.
  expect(killedMidWrite).toBeGreaterThan(0);
  expect(seen.empty).toBe(0);
});
