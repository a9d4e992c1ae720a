/**
 * `socket-tester run --profile NAME`: runs the conversation saved in a profile (format 4, kind
 * 'conversation') against a real redis-server, reading the profile file without changing it; a
 * session profile, an unknown name and a broken saved conversation exit 2 before connecting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProfileStore } from '../../../main/profiles/profile-store.ts';
import { PROFILE_DEFAULTS, type ProfileDraft } from '../../../shared/profile.ts';
import { startRedis, type RealPeer } from '../conversation/peers.ts';
import { redisConversation } from '../conversation/real-peer-conversations.ts';
import { cli, json, tempDir } from './cli-harness.ts';

let redis: RealPeer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

function draft(name: string, over: Partial<ProfileDraft>): ProfileDraft {
  return {
    name,
    folder: null,
    host: '127.0.0.1',
    port: redis.port,
    payload: { text: '', mode: 'text', encoding: 'utf8', lineEnding: 'none' },
    connectTimeoutMs: PROFILE_DEFAULTS.connectTimeoutMs,
    idleTimeoutMs: 0,
    closeAfterSend: true,
    maxResponseBytes: PROFILE_DEFAULTS.maxResponseBytes,
    notes: '',
    ...over,
  };
}

async function profileFile(): Promise<string> {
  const path = join(await tempDir(), 'profiles.json');
  const store = await ProfileStore.open({ filePath: path });
  const yaml = redisConversation(redis.port);
  for (const d of [
    draft('Redis check', { kind: 'conversation', conversation: { yaml } }),
    draft('Broken', { kind: 'conversation', conversation: { yaml: 'target: {host: 127.0.0.1, port: 1}\nsteps:\n  - sned: 1\n' } }),
    draft('Plain session', {}),
  ]) {
    const created = await store.create(d);
    if (!created.ok) throw new Error(created.error.message);
  }
  await store.flush();
  return path;
}

describe('run --profile', () => {
  it('runs the saved conversation and leaves the profile file as it was', async () => {
    const path = await profileFile();
    const before = await readFile(path, 'utf8');
    const run = await cli(['run', '--profile', 'redis check', '--profiles', path, '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ passed: true, error: null });
    expect((json(run) as { steps: unknown[] }).steps).toHaveLength(9);
    expect(await readFile(path, 'utf8')).toBe(before);
    const human = await cli(['run', '--profile', 'Redis check', '--profiles', path]);
    expect(human.code).toBe(0);
    expect(human.stdout.toString()).toContain(`socket-tester run: profile "Redis check" (Redis SET, GET with a capture, QUIT) -> 127.0.0.1:${redis.port}`);
  });

  it('exits 2 for a session profile, an unknown name and a broken saved conversation', async () => {
    const path = await profileFile();
    const session = await cli(['run', '--profile', 'Plain session', '--profiles', path]);
    expect(session.code).toBe(2);
    expect(session.stderr).toBe('socket-tester run: --profile: profile "Plain session" is a session profile; run --profile runs conversation profiles. Send it with: socket-tester send --profile "Plain session"\n');
    const missing = await cli(['run', '--profile', 'Nope', '--profiles', path, '--json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No profile is named "Nope".');
    expect(json(missing)).toMatchObject({ passed: false, error: { code: 'PROFILE_NOT_FOUND' } });
    const broken = await cli(['run', '--profile', 'Broken', '--profiles', path]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^profile "Broken":3:5: Unknown step kind or option "sned"/);
  });
});
