import { describe, expect, it } from 'vitest';
import { draftFromSettings, settingsFromProfile } from '../../../../renderer/lib/state/profile-settings.ts';
import { profileDraftSchema, type Profile } from '../../../../shared/profile.ts';

const base: Profile = {
  id: 'p1',
  name: 'HTTP',
  folder: null,
  host: '127.0.0.1',
  port: 80,
  payload: { text: 'GET / HTTP/1.0\n', mode: 'text', encoding: 'utf8', lineEnding: 'crlf' },
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 0,
  closeAfterSend: true,
  maxResponseBytes: 1024,
  notes: '',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const meta = { name: 'HTTP', folder: null, notes: '' };

describe('newlines in profiles', () => {
  it('reads a profile saved before the choice existed as "as typed" (its bytes unchanged)', () => {
    expect(settingsFromProfile(base).newlines).toBe('as-typed');
  });

  it('writes "as typed" as no key, so older builds still read the file', () => {
    const draft = draftFromSettings(settingsFromProfile(base), meta, 80);
    expect('newlines' in draft.payload).toBe(false);
    expect(profileDraftSchema.safeParse(draft).success).toBe(true);
  });

  it('round-trips CRLF through a draft and the schema', () => {
    const settings = { ...settingsFromProfile(base), newlines: 'crlf' as const };
    const draft = draftFromSettings(settings, meta, 80);
    expect(draft.payload.newlines).toBe('crlf');
    expect(profileDraftSchema.safeParse(draft).success).toBe(true);
    expect(settingsFromProfile({ ...base, payload: draft.payload }).newlines).toBe('crlf');
    expect(profileDraftSchema.safeParse({ ...draft, payload: { ...draft.payload, newlines: 'cr' } }).success).toBe(false);
  });
});
