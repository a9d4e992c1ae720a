/**
 * Finding a profile by what a person types on the command line (`send --profile NAME`), and
 * opening the profile file for the CLI without ever changing it.
 */
import { fail, ok, type Result } from '../../shared/errors.ts';
import type { Profile } from '../../shared/profile.ts';
import { defaultProfilesPath, defaultUserDataDir } from './profile-paths.ts';
import { ProfileStore } from './profile-store.ts';

/**
 * Resolves `reference` to one profile, ignoring case and surrounding spaces: first as a plain name
 * in any folder, then as `folder/name`, or `/name` for the one at the top level. A name found in
 * several places is PROFILE_CONFLICT (the message lists the forms to use, each of which resolves to
 * exactly one profile); nothing found is PROFILE_NOT_FOUND. Names may contain "/" themselves; an
 * exact name wins, so such a profile is always reachable by its name.
 */
export function lookupProfile(profiles: readonly Profile[], reference: string): Result<Profile> {
  const wanted = reference.trim().toLowerCase();
  if (wanted === '') return fail('INVALID_INPUT', 'The profile name is empty.', { field: 'profile' });
  const byName = profiles.filter((profile) => profile.name.toLowerCase() === wanted);
  const only = byName[0];
  if (byName.length === 1 && only !== undefined) return ok(only);
  if (byName.length > 1) {
    const forms = byName.map((profile) => (profile.folder === null ? `"/${profile.name}" (top level)` : `"${profile.folder}/${profile.name}"`));
    return fail('PROFILE_CONFLICT', `Several profiles are named "${reference.trim()}": use one of ${forms.join(', ')}.`, { field: 'profile' });
  }
  const slash = wanted.indexOf('/');
  if (slash >= 0) {
    // "/name" is the top level; "folder/name" a folder. Names are unique within a folder and within
    // the top level, so at most one profile matches.
    const folder = slash === 0 ? null : wanted.slice(0, slash).trim();
    const name = wanted.slice(slash + 1).trim();
    const found = profiles.find(
      (profile) => (folder === null ? profile.folder === null : profile.folder?.toLowerCase() === folder) && profile.name.toLowerCase() === name,
    );
    if (found !== undefined) return ok(found);
  }
  return fail('PROFILE_NOT_FOUND', `No profile is named "${reference.trim()}".`, { field: 'profile' });
}

/**
 * A conversation profile's YAML text, for `run --profile NAME`; any other kind is INVALID_INPUT
 * saying what the profile is and how to use it instead.
 */
export function conversationYamlOf(profile: Profile): Result<string> {
  const label = profile.folder === null ? profile.name : `${profile.folder}/${profile.name}`;
  const kind = profile.kind ?? 'session';
  if (kind !== 'conversation' || profile.conversation === undefined) {
    const use = kind === 'session' ? ` Send it with: socket-tester send --profile ${JSON.stringify(label)}` : '';
    return fail('INVALID_INPUT', `profile "${label}" is a ${kind} profile; run --profile runs conversation profiles.${use}`, { field: 'profile' });
  }
  return ok(profile.conversation.yaml);
}

/**
 * Opens the profile file read-only for the CLI (default: the app's own file). A file that is not
 * plainly readable (corrupt, unreadable, newer format) is an error: the CLI must not guess, and
 * opening read-only guarantees the file is not moved, backed up or rewritten.
 */
export async function openProfilesForCli(filePath: string = defaultProfilesPath(defaultUserDataDir())): Promise<Result<{ store: ProfileStore; filePath: string }>> {
  const store = await ProfileStore.open({ filePath, readOnly: true });
  const { status, message } = store.loadReport;
  if (status === 'newer-version-read-only') return fail('STORE_READ_ONLY', message ?? `${filePath} is from a newer version.`);
  if (status !== 'ok') return fail('STORE_CORRUPT', message ?? `${filePath} could not be read.`);
  return ok({ store, filePath });
}
