import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  PROFILE_FILE_VERSION,
  PROFILE_LIMITS,
  profileDraftSchema,
  profileExportSchema,
  profileFileSchema,
  profileNameKey,
  profileSchema,
  validateFolderName,
  validateProfileDraft,
  validateProfileName,
  type Profile,
} from '../../shared/profile.ts';

function profile(overrides: Partial<Profile> = {}): Profile {
  return {
    id: 'p1',
    name: 'Echo',
    folder: null,
    host: '127.0.0.1',
    port: 7,
    payload: { text: 'hi', mode: 'text', encoding: 'utf8', lineEnding: 'lf' },
    connectTimeoutMs: 10_000,
    idleTimeoutMs: 0,
    closeAfterSend: false,
    maxResponseBytes: 1024,
    notes: '',
    revision: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('validateProfileName', () => {
  it('trims and accepts ordinary names, including unicode', () => {
    expect(validateProfileName('  Echo ✓ ')).toEqual({ ok: true, value: 'Echo ✓' });
  });

  it('rejects empty and blank names with field "name"', () => {
    for (const name of ['', '   ', '\u00a0']) {
      const result = validateProfileName(name);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatchObject({ code: 'INVALID_INPUT', field: 'name' });
    }
  });

  it('rejects overlong names, naming the limit', () => {
    expect(validateProfileName('x'.repeat(PROFILE_LIMITS.maxNameLength)).ok).toBe(true);
    const result = validateProfileName('x'.repeat(PROFILE_LIMITS.maxNameLength + 1));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain('100');
  });

  it('rejects control, line-separator and bidi characters with their position', () => {
    const cases: Array<[string, number]> = [
      ['a\u0000b', 1],
      ['tab\there', 3],
      ['new\nline', 3],
      ['x\u2028', 1],
      ['evil\u202Etxt.exe', 4],
      ['iso\u2066late', 3],
      ['del\u007f', 3],
    ];
    for (const [name, position] of cases) {
      const result = validateProfileName(name);
      expect(result.ok, JSON.stringify(name)).toBe(false);
      if (!result.ok) expect(result.error).toMatchObject({ code: 'INVALID_INPUT', field: 'name', position });
    }
  });

  it('treats a blank folder as no folder and validates the rest like names', () => {
    expect(validateFolderName(null)).toEqual({ ok: true, value: null });
    expect(validateFolderName('  ')).toEqual({ ok: true, value: null });
    expect(validateFolderName(' Lab ')).toEqual({ ok: true, value: 'Lab' });
    const bad = validateFolderName('a\u0007');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.field).toBe('folder');
  });
});

describe('profile schemas', () => {
  it('accepts a complete profile and rejects unknown keys (strict)', () => {
    expect(profileSchema.safeParse(profile()).success).toBe(true);
    expect(profileSchema.safeParse({ ...profile(), extra: 1 }).success).toBe(false);
    expect(profileSchema.safeParse({ ...profile(), payload: { ...profile().payload, script: 'x' } }).success).toBe(false);
  });

  it('rejects a __proto__ key from parsed JSON instead of carrying it along', () => {
    const parsed = JSON.parse(JSON.stringify(profile()).replace('{', '{"__proto__":{"polluted":true},')) as unknown;
    expect(profileSchema.safeParse(parsed).success).toBe(false);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('rejects wrong types and out-of-range values', () => {
    const bad: Array<Partial<Profile> | Record<string, unknown>> = [
      { port: 0 },
      { port: 65_536 },
      { port: 80.5 },
      { port: '80' as unknown as number },
      { host: '' },
      { host: 'a b' },
      { host: 'localhost\u0000x' },
      { name: ' padded' },
      { folder: '' },
      { connectTimeoutMs: 0 },
      { idleTimeoutMs: -1 },
      { maxResponseBytes: 0 },
      { notes: 'n'.repeat(PROFILE_LIMITS.maxNotesLength + 1) },
      { payload: { text: 'x'.repeat(PROFILE_LIMITS.maxPayloadChars + 1), mode: 'text', encoding: 'utf8', lineEnding: 'none' } },
      { payload: { text: '', mode: 'base64', encoding: 'utf8', lineEnding: 'none' } as unknown as Profile['payload'] },
      { createdAt: 'yesterday' },
      { id: '../etc' },
    ];
    for (const overrides of bad) expect(profileSchema.safeParse(profile(overrides as Partial<Profile>)).success, JSON.stringify(overrides).slice(0, 80)).toBe(false);
  });

  it('keeps NUL and any other character in payload text and notes', () => {
    const withNul = profile({ payload: { text: 'a\u0000b\u202e', mode: 'text', encoding: 'latin1', lineEnding: 'crlf' }, notes: 'x\u0000' });
    expect(profileSchema.parse(withNul).payload.text).toBe('a\u0000b\u202e');
  });

  it('requires unique ids and unique names per folder (ignoring case) in a file', () => {
    const file = (profiles: Profile[]) => ({ format: 'socket-tester-profiles', version: PROFILE_FILE_VERSION, profiles });
    expect(profileFileSchema.safeParse(file([profile(), profile({ id: 'p2', name: 'echo', folder: 'Lab' })])).success).toBe(true);
    expect(profileFileSchema.safeParse(file([profile(), profile({ id: 'p2', name: 'ECHO' })])).success).toBe(false);
    expect(profileFileSchema.safeParse(file([profile(), profile({ name: 'Other' })])).success).toBe(false);
    expect(profileFileSchema.safeParse({ ...file([]), version: PROFILE_FILE_VERSION + 1 }).success).toBe(false);
  });

  it('validateProfileDraft names the failing field', () => {
    const { id: _id, revision: _r, createdAt: _c, updatedAt: _u, ...draft } = profile();
    expect(profileDraftSchema.safeParse(draft).success).toBe(true);
    const result = validateProfileDraft({ ...draft, port: 70_000 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ code: 'INVALID_INPUT', field: 'port' });
  });

  it('a stored profile needs a whole revision from 1; a draft may not carry one (the store owns it)', () => {
    expect(profileSchema.safeParse(profile({ revision: 7 })).success).toBe(true);
    for (const revision of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2]) expect(profileSchema.safeParse(profile({ revision })).success).toBe(false);
    const { revision: _missing, ...withoutRevision } = profile();
    expect(profileSchema.safeParse(withoutRevision).success).toBe(false);
    const { id: _id, createdAt: _c, updatedAt: _u, ...draftWithRevision } = profile();
    expect(validateProfileDraft(draftWithRevision).ok).toBe(false);
  });

  it('profileNameKey ignores case in name and folder', () => {
    expect(profileNameKey('Echo', 'Lab')).toBe(profileNameKey('ECHO', 'lab'));
    expect(profileNameKey('Echo', null)).not.toBe(profileNameKey('Echo', 'Lab'));
  });
});

describe('docs/profiles-format.md', () => {
  it('its example is a valid export file', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/profiles-format.md'), 'utf8');
    const example = /```json\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    expect(profileExportSchema.safeParse(JSON.parse(example ?? '')).success).toBe(true);
  });
});
