/**
 * Format versions of the profile file and the pure functions that lift one version to the next (D5).
 *
 * Invariants:
 * - `MIGRATIONS[n]` turns a version-n document into a version-(n+1) document and nothing else: no
 *   I/O, no clock, no mutation of its input (it builds new objects).
 * - A migration only reshapes; the caller validates the result with the current schema, so a
 *   migration never has to prove the data is valid.
 * - A version above {@link PROFILE_FILE_VERSION} is never migrated "down": the store opens it
 *   read-only, so a newer app's data is never rewritten by an older one.
 *
 * Version 0 is the pre-release shape: `{ "profiles": [...] }` with no `format` or `version` keys,
 * and profiles without `folder` and `notes`. Version 1 has no per-profile `revision` (version 2
 * starts every profile at revision 1). Version 2 has no `transport` (version 3 names it: every older
 * profile is 'tcp'). Version 3 has no `kind` (every profile is a session).
 *
 */
import { PROFILE_FILE_FORMAT, PROFILE_FILE_VERSION } from '../../shared/profile.ts';

type Migration = (document: Record<string, unknown>) => Record<string, unknown>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The migration table: index n lifts version n to n+1. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = {
  0: (document) => {
    const { profiles, ...rest } = document;
    return {
      ...rest,
      format: PROFILE_FILE_FORMAT,
      version: 1,
      profiles: Array.isArray(profiles)
        ? profiles.map((profile: unknown) =>
            isPlainObject(profile)
              ? { ...profile, folder: 'folder' in profile ? profile['folder'] : null, notes: 'notes' in profile ? profile['notes'] : '' }
              : profile,
          )
        : profiles,
    };
  },
  1: (document) => {
    const { profiles, ...rest } = document;
    return {
      ...rest,
      version: 2,
      profiles: Array.isArray(profiles)
        ? profiles.map((profile: unknown) => (isPlainObject(profile) && !('revision' in profile) ? { ...profile, revision: 1 } : profile))
        : profiles,
    };
  },
  2: (document) => {
    const { profiles, ...rest } = document;
    return {
      ...rest,
      version: 3,
      profiles: Array.isArray(profiles)
        ? profiles.map((profile: unknown) => (isPlainObject(profile) && !('transport' in profile) ? { ...profile, transport: 'tcp' } : profile))
        : profiles,
    };
  },
  // Version 4 adds `kind` (listener and conversation profiles); absent means 'session', so every
  // version-3 profile is already a version-4 one. The number changes so that an older build opens a
  // file holding listeners or conversations read-only instead of failing on keys it does not know.
  3: (document) => ({ ...document, version: 4 }),
};

/** What {@link migrateToCurrent} found. */
export type MigrationOutcome =
  | { kind: 'current'; document: unknown; fromVersion: number }
  | { kind: 'newer'; version: number }
  | { kind: 'invalid'; message: string };

/** Reads the document's version: an integer `version`, or 0 for the unversioned pre-release shape. */
export function detectFileVersion(document: unknown): { ok: true; version: number } | { ok: false; message: string } {
  if (!isPlainObject(document)) return { ok: false, message: 'the top level is not a JSON object' };
  if (!('version' in document)) {
    if (!('format' in document) && Array.isArray(document['profiles'])) return { ok: true, version: 0 };
    return { ok: false, message: 'the "version" key is missing' };
  }
  const version = document['version'];
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    return { ok: false, message: `"version" must be a whole number, got ${JSON.stringify(version)}` };
  }
  return { ok: true, version };
}

/** Lifts a parsed document to {@link PROFILE_FILE_VERSION} through every migration in turn. */
export function migrateToCurrent(document: unknown): MigrationOutcome {
  const detected = detectFileVersion(document);
  if (!detected.ok) return { kind: 'invalid', message: detected.message };
  if (detected.version > PROFILE_FILE_VERSION) return { kind: 'newer', version: detected.version };
  let current = document as Record<string, unknown>;
  for (let version = detected.version; version < PROFILE_FILE_VERSION; version += 1) {
    const migrate = MIGRATIONS[version];
    if (migrate === undefined) return { kind: 'invalid', message: `no migration from format version ${version}` };
    current = migrate(current);
  }
  return { kind: 'current', document: current, fromVersion: detected.version };
}
