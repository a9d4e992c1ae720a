/**
 * `send --profile NAME`: finds the saved profile and turns it into the values `send` would
 * otherwise take from HOST, PORT, DATA and its options. docs/cli.md ("Profiles") is the reference.
 *
 * Invariants:
 * - The profile file is opened read-only: nothing is created, moved, backed up or rewritten, even
 *   when the file is corrupt (the app recovers it; the CLI only reports).
 * - Every failure is data (Result) with the store's or the lookup's code, and the message names the
 *   profile and the file; nothing here touches DNS or sockets.
 * - send-command.ts imports this module only when --profile is given, so a plain `send` never
 *   loads the store and its schema library.
 */
import { parseEndpoint, type ParsedEndpoint } from '../../shared/endpoint.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { encodePayload } from '../../shared/payload.ts';
import type { Profile } from '../../shared/profile.ts';
import { lookupProfile, openProfilesForCli } from '../profiles/profile-lookup.ts';

/** How many close names an unknown-profile message suggests at most. */
export const MAX_SUGGESTED_NAMES = 5;

/** What a profile contributes to one `send`; the command line may override each part. */
export interface ProfileSendSettings {
  /** The profile's name as saved, with its folder (`Lab/Echo`), for messages. */
  label: string;
  /** The file the profile came from. */
  filePath: string;
  host: string;
  port: number;
  /** The saved host and port as parsed, for the connect options (parsed once). */
  endpoint: ParsedEndpoint;
  /** The saved payload, encoded exactly as the app would send it. */
  data: Uint8Array;
  connectTimeoutMs: number;
  /** 0: no idle timeout. */
  idleTimeoutMs: number;
  /** The profile's "close after send": true means half-close, false means keep-open. */
  closeAfterSend: boolean;
  maxResponseBytes: number;
}

/** `folder/name`, or the bare name for a top-level profile: the form `--profile` accepts. */
function profileLabel(profile: Profile): string {
  return profile.folder === null ? profile.name : `${profile.folder}/${profile.name}`;
}

/**
 * Edit distance between `a` and `b` (insert, delete, replace one character), or `limit + 1` as soon
 * as it is sure to exceed `limit`, so comparing against thousands of names stays cheap.
 */
function editDistanceWithin(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowMinimum = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      rowMinimum = Math.min(rowMinimum, value);
    }
    if (rowMinimum > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length] ?? limit + 1;
}

/**
 * Up to `max` profiles whose name (or `folder/name`) is close to `reference`, ignoring case:
 * one containing the other, or a few typos apart (a third of the length, at least one). Closest
 * first, then alphabetically; each in the `folder/name` form that `--profile` accepts.
 */
export function closeProfileNames(profiles: readonly Profile[], reference: string, max = MAX_SUGGESTED_NAMES): string[] {
  const wanted = reference.trim().toLowerCase();
  if (wanted === '') return [];
  const limit = Math.max(1, Math.floor(wanted.length / 3));
  // Containment ranks just behind a one-typo match ("redis" → "redis-local" is a good hint), but
  // only for references of a few characters: "e" is contained in half of any list.
  const containedScore = 1.5;
  const worstKept = Math.max(limit, containedScore);
  const scored: { label: string; score: number }[] = [];
  for (const profile of profiles) {
    const label = profileLabel(profile);
    let best = Number.POSITIVE_INFINITY;
    for (const candidate of [profile.name.toLowerCase(), label.toLowerCase()]) {
      if (wanted.length >= 3 && (candidate.includes(wanted) || wanted.includes(candidate))) best = Math.min(best, containedScore);
      best = Math.min(best, editDistanceWithin(wanted, candidate, limit));
    }
    if (best <= worstKept) scored.push({ label, score: best });
  }
  scored.sort((a, b) => a.score - b.score || a.label.toLowerCase().localeCompare(b.label.toLowerCase()));
  return scored.slice(0, max).map((entry) => entry.label);
}

/**
 * Opens `filePath` (default: the app's own profile file) read-only, finds `reference` (a name, or
 * `folder/name`) and returns what it contributes to `send`. Fails with STORE_CORRUPT or
 * STORE_READ_ONLY (the store's message), PROFILE_NOT_FOUND (naming the file, with close names),
 * PROFILE_CONFLICT (listing the `folder/name` forms), or INVALID_INPUT when the saved host, port or
 * payload cannot be sent as it is.
 */
export async function loadSendProfile(reference: string, filePath?: string): Promise<Result<ProfileSendSettings>> {
  const opened = await openProfilesForCli(filePath);
  if (!opened.ok) return opened;
  const { store, filePath: usedPath } = opened.value;
  const profiles = store.list();
  const found = lookupProfile(profiles, reference);
  if (!found.ok) {
    const { code, message } = found.error;
    if (code === 'PROFILE_NOT_FOUND') {
      const parts = [`No profile is named "${reference.trim()}" in ${usedPath}.`];
      // A missing file reads as an empty list; say so rather than let "not found" mislead.
      if (store.loadReport.message) parts.push(store.loadReport.message);
      const close = closeProfileNames(profiles, reference);
      if (close.length > 0) parts.push(`Close names: ${close.map((name) => `"${name}"`).join(', ')}.`);
      else if (profiles.length > 0) parts.push(`List them with: socket-tester profiles list --profiles ${JSON.stringify(usedPath)}`);
      return fail('PROFILE_NOT_FOUND', parts.join(' '), { field: 'profile' });
    }
    if (code === 'PROFILE_CONFLICT') {
      return fail('PROFILE_CONFLICT', `${message} Give --profile as FOLDER/NAME (file: ${usedPath}).`, { field: 'profile' });
    }
    return fail(code, message, { field: 'profile' });
  }
  return settingsOf(found.value, usedPath);
}

/** Checks the saved endpoint and payload as strictly as HOST, PORT and DATA on the command line. */
function settingsOf(profile: Profile, filePath: string): Result<ProfileSendSettings> {
  const label = profileLabel(profile);
  const endpoint = parseEndpoint(profile.host, profile.port);
  if (!endpoint.ok) {
    const which = endpoint.error.field === 'port' ? 'port' : 'host';
    return fail('INVALID_INPUT', `profile "${label}" has an unusable ${which}: ${endpoint.error.message}`, { field: 'profile' });
  }
  const data = encodePayload(profile.payload);
  if (!data.ok) {
    // The payload's messages say the position themselves.
    return fail('INVALID_INPUT', `profile "${label}" has a payload that cannot be sent: ${data.error.message}`, { field: 'profile' });
  }
  return ok({
    label,
    filePath,
    host: endpoint.value.host.host,
    port: endpoint.value.port,
    endpoint: endpoint.value,
    data: data.value,
    connectTimeoutMs: profile.connectTimeoutMs,
    idleTimeoutMs: profile.idleTimeoutMs,
    closeAfterSend: profile.closeAfterSend,
    maxResponseBytes: profile.maxResponseBytes,
  });
}
