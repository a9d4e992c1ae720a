/**
 * Shared helpers for the profile tests: a temporary folder per test and a valid draft.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ProfileDraft } from '../../../shared/profile.ts';

/** The committed fixtures folder. */
export const FIXTURES = resolve(import.meta.dirname, '../../fixtures/profiles');

/** A fresh temporary folder and a function that removes it. */
export async function makeTempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'socket-tester-profiles-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A valid draft; override what the test is about. */
export function draft(overrides: Partial<ProfileDraft> = {}): ProfileDraft {
  return {
    name: 'Echo',
    folder: null,
    host: '127.0.0.1',
    port: 7,
    payload: { text: 'hello', mode: 'text', encoding: 'utf8', lineEnding: 'lf' },
    connectTimeoutMs: 10_000,
    idleTimeoutMs: 10_000,
    closeAfterSend: false,
    maxResponseBytes: 1024 * 1024,
    notes: '',
    ...overrides,
  };
}

/** True when this process can write into a folder whose write permission was removed (root). */
export function runsAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
