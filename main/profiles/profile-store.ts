/**
 * The profile store: every saved profile in one versioned JSON file, with the data-safety rules
 * D1–D8 of docs (RELIABILITY.md). Plain Node; the caller passes the file path (Electron's userData
 * folder in the app, `--profiles FILE` in the CLI).
 *
 * Invariants:
 * - One writer (D6): every change runs through one promise queue, computed from the state the
 *   previous change left, so two quick edits can never overwrite each other.
 * - The in-memory list changes only after the file on disk holds the new list: a failed write
 *   leaves both the file and the list as they were (nothing to roll back, nothing lost).
 * - Every write validates the whole file with the schema and the limits first (D4, D7), then
 *   replaces the file atomically (D1).
 * - The backup `<file>.bak` is only ever a copy of a file that parsed and validated (D2); defaults
 *   and recovered states never refresh it.
 * - A file that cannot be read is never overwritten (D3): it is moved aside as
 *   `<file>.corrupt-<time>`, or, when even that fails, the store opens read-only.
 * - A file from a newer format version opens read-only (D5); every write says which version.
 * - `open` never throws: problems are reported in {@link ProfileStore.loadReport}.
 */
import { randomUUID } from 'node:crypto';
import { lstat, mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fail, ok, type Result } from '../../shared/errors.ts';
import {
  PROFILE_FILE_VERSION,
  PROFILE_LIMITS,
  describeSchemaIssues,
  profileFileSchema,
  profileNameKey,
  profileSchema,
  validateFolderName,
  validateProfileDraft,
  validateProfileName,
  type Profile,
  type ProfileDraft,
} from '../../shared/profile.ts';
import { removeStaleTempFiles, writeFileAtomic } from './atomic-write.ts';
import { readProfileFile, serializeProfileExport, serializeProfileFile, type ProfileFileReading } from './profile-file.ts';
import { fileErrorFor } from '../engine/error-mapping.ts';

/** How the file loaded; anything but 'ok' and 'created' is shown to the user. */
export interface ProfileStoreLoadReport {
  status: 'ok' | 'created' | 'recovered-from-backup' | 'corrupt-no-backup' | 'newer-version-read-only';
  /** Where an unreadable file was moved, when it was. */
  movedAsideTo?: string;
  /** A sentence for people when something needs their attention. */
  message?: string;
}

/** Options for {@link ProfileStore.open}. */
export interface ProfileStoreOptions {
  filePath: string;
  /** Clock for createdAt/updatedAt and the corrupt-file time stamp. */
  now?: () => Date;
  /**
   * Never write, move, back up or clean anything (the CLI's `profiles list`). Problems are still
   * reported; every change returns STORE_READ_ONLY.
   */
  readOnly?: boolean;
}

/** What {@link ProfileStore.importProfiles} does with an item whose name is already taken. */
export type DuplicatePolicy = 'skip' | 'rename' | 'replace';

/** The backup of the last valid file. */
export function backupPathFor(filePath: string): string {
  return `${filePath}.bak`;
}

/** `2026-11-24T00:45:12.123Z` → `2026-11-24T004512.123Z`: no colons, so it is a valid Windows name. */
function fileTimeStamp(date: Date): string {
  return date.toISOString().replaceAll(':', '');
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Moves an unreadable file aside without ever replacing an earlier one; returns the new path. */
async function moveAside(filePath: string, date: Date): Promise<Result<string>> {
  const base = `${filePath}.corrupt-${fileTimeStamp(date)}`;
  for (let attempt = 1; attempt <= 100; attempt += 1) {
    const target = attempt === 1 ? base : `${base}-${attempt}`;
    // rename() replaces an existing target on POSIX, so look first; the store is the only writer.
    if (await pathExists(target)) continue;
    try {
      await rename(filePath, target);
      return ok(target);
    } catch (err) {
      return { ok: false, error: fileErrorFor(err, `Could not move the unreadable file ${filePath} aside`) };
    }
  }
  return fail('FILE_ERROR', `Could not move the unreadable file ${filePath} aside: 100 earlier copies are in the way.`);
}

function copyProfile(profile: Profile): Profile {
  return { ...profile, payload: { ...profile.payload } };
}

function draftOf(profile: Profile): ProfileDraft {
  const { id: _id, createdAt: _created, updatedAt: _updated, ...draft } = copyProfile(profile);
  return draft;
}

/** Trims name and folder and validates the whole draft; the store's single entry check. */
function normalizeDraft(draft: unknown): Result<ProfileDraft> {
  if (typeof draft !== 'object' || draft === null) return fail('INVALID_INPUT', 'A profile must be an object.');
  const candidate = { ...(draft as Record<string, unknown>) };
  if (typeof candidate['name'] === 'string') {
    const name = validateProfileName(candidate['name']);
    if (!name.ok) return name;
    candidate['name'] = name.value;
  }
  if (typeof candidate['folder'] === 'string' || candidate['folder'] === null) {
    const folder = validateFolderName(candidate['folder'] as string | null);
    if (!folder.ok) return folder;
    candidate['folder'] = folder.value;
  }
  return validateProfileDraft(candidate);
}

function conflictError(name: string, folder: string | null): Result<never> {
  const where = folder === null ? 'at the top level' : `in folder "${folder}"`;
  return fail('PROFILE_CONFLICT', `A profile named "${name}" already exists ${where}.`, { field: 'name' });
}

function findNameClash(profiles: readonly Profile[], name: string, folder: string | null, exceptId?: string): Profile | undefined {
  const key = profileNameKey(name, folder);
  return profiles.find((profile) => profile.id !== exceptId && profileNameKey(profile.name, profile.folder) === key);
}

/** `base (copy)`, `base (copy 2)`, … or `base (2)`, `base (3)`, …: the first name free in `folder`. */
function freeName(profiles: readonly Profile[], base: string, folder: string | null, style: 'copy' | 'number'): string {
  for (let n = 1; n <= PROFILE_LIMITS.maxProfiles + 1; n += 1) {
    const suffix = style === 'copy' ? (n === 1 ? ' (copy)' : ` (copy ${n})`) : ` (${n + 1})`;
    const stem = base.slice(0, PROFILE_LIMITS.maxNameLength - suffix.length).trimEnd();
    const candidate = `${stem}${suffix}`;
    if (findNameClash(profiles, candidate, folder) === undefined) return candidate;
  }
  // Unreachable: there are fewer profiles than candidates tried.
  return `${base.slice(0, PROFILE_LIMITS.maxNameLength - 37)} ${randomUUID()}`;
}

function limitError(count: number): Result<never> {
  return fail('INVALID_INPUT', `That would make ${count} profiles; the limit is ${PROFILE_LIMITS.maxProfiles}.`);
}

/** Checks the whole next file (D4, D7) and returns its text. */
function checkBeforeWrite(profiles: readonly Profile[]): Result<string> {
  if (profiles.length > PROFILE_LIMITS.maxProfiles) return limitError(profiles.length);
  const text = serializeProfileFile(profiles);
  const validated = profileFileSchema.safeParse(JSON.parse(text));
  if (!validated.success) return fail('INVALID_INPUT', `The profiles were not saved: ${describeSchemaIssues(validated.error)}.`);
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > PROFILE_LIMITS.maxFileBytes) {
    return fail('INVALID_INPUT', `The profile file would be ${bytes} bytes; the limit is ${PROFILE_LIMITS.maxFileBytes} bytes.`);
  }
  return ok(text);
}

interface LoadedState {
  profiles: Profile[];
  report: ProfileStoreLoadReport;
  /** Why writes are refused; null when the store is writable. */
  readOnlyReason: string | null;
}

/** Profiles stored in one JSON file; see the file comment for the rules it keeps. */
export class ProfileStore {
  /** The file this store reads and writes. */
  readonly filePath: string;
  /** How the file loaded. */
  readonly loadReport: ProfileStoreLoadReport;
  /** True when every change is refused (newer version, unreadable file, or opened read-only). */
  readonly readOnly: boolean;

  private profiles: Profile[];
  private readonly readOnlyReason: string | null;
  private readonly now: () => Date;
  /** The tail of the write queue (D6); it never rejects. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(filePath: string, now: () => Date, state: LoadedState) {
    this.filePath = filePath;
    this.now = now;
    this.profiles = state.profiles;
    this.loadReport = state.report;
    this.readOnlyReason = state.readOnlyReason;
    this.readOnly = state.readOnlyReason !== null;
  }

  /** Opens (or creates) the store at `options.filePath`. Never throws: a bad file is reported. */
  static async open(options: ProfileStoreOptions): Promise<ProfileStore> {
    const now = options.now ?? (() => new Date());
    let state: LoadedState;
    try {
      state = options.readOnly ? await loadReadOnly(options.filePath) : await loadWritable(options.filePath, now);
    } catch (err) {
      // Defensive: the readers return data, but an unforeseen throw must still not lose the file.
      const message = `Could not load ${options.filePath}: ${(err as Error).message}. Opened read-only so nothing is overwritten.`;
      state = { profiles: [], report: { status: 'corrupt-no-backup', message }, readOnlyReason: message };
    }
    if (options.readOnly && state.readOnlyReason === null) {
      state = { ...state, readOnlyReason: `${options.filePath} was opened read-only.` };
    }
    return new ProfileStore(options.filePath, now, state);
  }

  /** Every profile, in stored order (copies: changing them changes nothing here). */
  list(): Profile[] {
    return this.profiles.map(copyProfile);
  }

  /** The profile with this id. */
  get(id: string): Profile | undefined {
    const found = this.profiles.find((profile) => profile.id === id);
    return found === undefined ? undefined : copyProfile(found);
  }

  /**
   * The profile with this name, ignoring case and surrounding spaces. `folder` undefined searches
   * every folder (first match in stored order); null means the top level only.
   */
  findByName(name: string, folder?: string | null): Profile | undefined {
    const wanted = name.trim().toLowerCase();
    const wantedFolder = folder === undefined ? undefined : (folder?.trim().toLowerCase() || null);
    const found = this.profiles.find(
      (profile) =>
        profile.name.toLowerCase() === wanted && (wantedFolder === undefined || (profile.folder?.toLowerCase() ?? null) === wantedFolder),
    );
    return found === undefined ? undefined : copyProfile(found);
  }

  /** Adds a profile; names are trimmed; a name taken in the same folder is PROFILE_CONFLICT. */
  create(draft: ProfileDraft): Promise<Result<Profile>> {
    return this.mutate((current) => {
      const checked = normalizeDraft(draft);
      if (!checked.ok) return checked;
      if (findNameClash(current, checked.value.name, checked.value.folder)) return conflictError(checked.value.name, checked.value.folder);
      if (current.length + 1 > PROFILE_LIMITS.maxProfiles) return limitError(current.length + 1);
      const stamp = this.now().toISOString();
      const profile: Profile = { id: randomUUID(), ...checked.value, createdAt: stamp, updatedAt: stamp };
      return ok({ next: [...current, profile], value: profile });
    });
  }

  /** Changes some fields of a profile; id and createdAt stay, updatedAt moves. */
  update(id: string, patch: Partial<ProfileDraft>): Promise<Result<Profile>> {
    return this.mutate((current) => {
      const index = current.findIndex((profile) => profile.id === id);
      const existing = current[index];
      if (existing === undefined) return fail('PROFILE_NOT_FOUND', `No profile has the id "${id}".`);
      const checked = normalizeDraft({ ...draftOf(existing), ...patch });
      if (!checked.ok) return checked;
      if (findNameClash(current, checked.value.name, checked.value.folder, id)) return conflictError(checked.value.name, checked.value.folder);
      const profile: Profile = { ...checked.value, id, createdAt: existing.createdAt, updatedAt: this.now().toISOString() };
      const next = [...current];
      next[index] = profile;
      return ok({ next, value: profile });
    });
  }

  /** Renames a profile (same checks as {@link update}). */
  rename(id: string, name: string): Promise<Result<Profile>> {
    return this.update(id, { name });
  }

  /** Copies a profile next to the original as "name (copy)", "name (copy 2)", …. */
  duplicate(id: string): Promise<Result<Profile>> {
    return this.mutate((current) => {
      const index = current.findIndex((profile) => profile.id === id);
      const original = current[index];
      if (original === undefined) return fail('PROFILE_NOT_FOUND', `No profile has the id "${id}".`);
      if (current.length + 1 > PROFILE_LIMITS.maxProfiles) return limitError(current.length + 1);
      const stamp = this.now().toISOString();
      const copy: Profile = {
        ...draftOf(original),
        name: freeName(current, original.name, original.folder, 'copy'),
        id: randomUUID(),
        createdAt: stamp,
        updatedAt: stamp,
      };
      const next = [...current];
      next.splice(index + 1, 0, copy);
      return ok({ next, value: copy });
    });
  }

  /** Deletes a profile; the result carries what {@link restore} needs to undo it. */
  remove(id: string): Promise<Result<{ removed: Profile; index: number }>> {
    return this.mutate((current) => {
      const index = current.findIndex((profile) => profile.id === id);
      const removed = current[index];
      if (removed === undefined) return fail('PROFILE_NOT_FOUND', `No profile has the id "${id}".`);
      return ok({ next: current.filter((profile) => profile.id !== id), value: { removed: copyProfile(removed), index } });
    });
  }

  /** Puts a deleted profile back at `index` (clamped), with its id and times (undo of delete). */
  restore(profile: Profile, index: number): Promise<Result<Profile>> {
    return this.mutate((current) => {
      const checked = profileSchema.safeParse(profile);
      if (!checked.success) return fail('INVALID_INPUT', `Cannot restore the profile: ${describeSchemaIssues(checked.error)}.`);
      const restored = checked.data;
      if (current.some((existing) => existing.id === restored.id)) {
        return fail('PROFILE_CONFLICT', `A profile with the id "${restored.id}" already exists.`, { field: 'id' });
      }
      if (findNameClash(current, restored.name, restored.folder)) return conflictError(restored.name, restored.folder);
      if (current.length + 1 > PROFILE_LIMITS.maxProfiles) return limitError(current.length + 1);
      const at = Number.isInteger(index) ? Math.min(Math.max(index, 0), current.length) : current.length;
      const next = [...current];
      next.splice(at, 0, restored);
      return ok({ next, value: copyProfile(restored) });
    });
  }

  /**
   * Adds imported drafts in one write: all of them or none. Every draft is validated first (D4);
   * one invalid draft fails the whole import with INVALID_INPUT naming its position.
   */
  importProfiles(items: ProfileDraft[], options: { onDuplicate: DuplicatePolicy }): Promise<Result<{ imported: number; skipped: number }>> {
    return this.mutate((current) => {
      const drafts: ProfileDraft[] = [];
      for (const [position, item] of items.entries()) {
        const checked = normalizeDraft(item);
        if (!checked.ok) {
          return fail('INVALID_INPUT', `Import item ${position + 1}: ${checked.error.message}`, {
            ...(checked.error.field === undefined ? {} : { field: checked.error.field }),
          });
        }
        drafts.push(checked.value);
      }
      const next = [...current];
      const stamp = this.now().toISOString();
      let imported = 0;
      let skipped = 0;
      for (const draft of drafts) {
        const clash = findNameClash(next, draft.name, draft.folder);
        if (clash !== undefined && options.onDuplicate === 'skip') {
          skipped += 1;
          continue;
        }
        if (clash !== undefined && options.onDuplicate === 'replace') {
          const at = next.indexOf(clash);
          // The existing profile keeps its identity (id, creation time, name and folder spelling).
          next[at] = { ...draft, name: clash.name, folder: clash.folder, id: clash.id, createdAt: clash.createdAt, updatedAt: stamp };
          imported += 1;
          continue;
        }
        const name = clash === undefined ? draft.name : freeName(next, draft.name, draft.folder, 'number');
        next.push({ ...draft, name, id: randomUUID(), createdAt: stamp, updatedAt: stamp });
        imported += 1;
      }
      if (next.length > PROFILE_LIMITS.maxProfiles) return limitError(next.length);
      return ok({ next, value: { imported, skipped } });
    });
  }

  /** Our export format for the given ids (all profiles when omitted), in stored order. */
  exportJson(ids?: string[]): string {
    const wanted = ids === undefined ? null : new Set(ids);
    const chosen = wanted === null ? this.profiles : this.profiles.filter((profile) => wanted.has(profile.id));
    return serializeProfileExport(chosen, this.now());
  }

  /** Resolves when every queued write has finished (call on quit, F26). */
  async flush(): Promise<void> {
    await this.queue;
  }

  /**
   * Runs one change through the write queue: plan it against the current list, validate the whole
   * next file, write it atomically, and only then make it the current list.
   */
  private mutate<T>(plan: (current: readonly Profile[]) => Result<{ next: Profile[]; value: T }>): Promise<Result<T>> {
    const run = async (): Promise<Result<T>> => {
      if (this.readOnlyReason !== null) return fail('STORE_READ_ONLY', this.readOnlyReason);
      const planned = plan(this.profiles);
      if (!planned.ok) return planned;
      const text = checkBeforeWrite(planned.value.next);
      if (!text.ok) return text;
      const written = await writeFileAtomic(this.filePath, text.value);
      if (!written.ok) {
        return fail('FILE_ERROR', `${written.error.message}. Nothing was changed; the file on disk is as it was.`, {
          ...(written.error.errno === undefined ? {} : { errno: written.error.errno }),
        });
      }
      this.profiles = planned.value.next;
      return ok(planned.value.value);
    };
    const result = this.queue.then(run).catch((err: unknown) => fail<T>('INTERNAL', `Saving profiles failed: ${(err as Error).message}`));
    this.queue = result;
    return result;
  }
}

function newerVersionMessage(filePath: string, version: number): string {
  return (
    `${filePath} was written by a newer Socket Tester (profile format version ${version}; this version knows up to ` +
    `${PROFILE_FILE_VERSION}). It is open read-only so that its data is not lost: update Socket Tester to change profiles.`
  );
}

/** Loads the backup when it is valid (and not from a newer version). */
async function readValidBackup(filePath: string): Promise<Profile[] | null> {
  const backup = await readProfileFile(backupPathFor(filePath));
  return backup.kind === 'valid' ? backup.file.profiles : null;
}

async function loadReadOnly(filePath: string): Promise<LoadedState> {
  const reading = await readProfileFile(filePath);
  switch (reading.kind) {
    case 'valid':
      return { profiles: reading.file.profiles, report: { status: 'ok' }, readOnlyReason: null };
    case 'missing':
      return { profiles: [], report: { status: 'ok', message: `There is no profile file at ${filePath} yet.` }, readOnlyReason: null };
    case 'newer': {
      const message = newerVersionMessage(filePath, reading.version);
      return { profiles: reading.readableProfiles, report: { status: 'newer-version-read-only', message }, readOnlyReason: message };
    }
    case 'corrupt':
    case 'unreadable': {
      const backup = await readValidBackup(filePath);
      const message = `${reading.reason} ${backup === null ? 'There is no valid backup.' : `Showing the backup ${backupPathFor(filePath)}.`}`;
      return {
        profiles: backup ?? [],
        report: { status: backup === null ? 'corrupt-no-backup' : 'recovered-from-backup', message },
        readOnlyReason: message,
      };
    }
  }
}

async function loadWritable(filePath: string, now: () => Date): Promise<LoadedState> {
  await mkdir(dirname(filePath), { recursive: true }).catch(() => undefined);
  await removeStaleTempFiles(filePath);
  const reading = await readProfileFile(filePath);
  return loadFromReading(filePath, now, reading);
}

async function loadFromReading(filePath: string, now: () => Date, reading: ProfileFileReading): Promise<LoadedState> {
  switch (reading.kind) {
    case 'valid': {
      // D2: the file parsed and validated, so it becomes the backup (byte for byte, pre-migration).
      const backedUp = await writeFileAtomic(backupPathFor(filePath), reading.bytes);
      const notes: string[] = [];
      if (!backedUp.ok) notes.push(`The backup could not be refreshed: ${backedUp.error.message}.`);
      if (reading.fromVersion < PROFILE_FILE_VERSION) {
        const migrated = await writeFileAtomic(filePath, serializeProfileFile(reading.file.profiles));
        notes.push(
          migrated.ok
            ? `Profiles were upgraded from format version ${reading.fromVersion} to ${PROFILE_FILE_VERSION}; the original is kept as ${backupPathFor(filePath)}.`
            : `Profiles were upgraded from format version ${reading.fromVersion} in memory, but could not be saved: ${migrated.error.message}.`,
        );
      }
      const report: ProfileStoreLoadReport = notes.length === 0 ? { status: 'ok' } : { status: 'ok', message: notes.join(' ') };
      return { profiles: reading.file.profiles, report, readOnlyReason: null };
    }
    case 'missing': {
      // The primary can only be missing after a crash between moving a corrupt file aside and
      // writing the recovered one, or if someone deleted it: a valid backup then wins over empty.
      const backup = await readValidBackup(filePath);
      if (backup !== null) {
        const restored = await writeFileAtomic(filePath, serializeProfileFile(backup));
        const message = `${filePath} was missing; the profiles were loaded from the backup ${backupPathFor(filePath)}.${restored.ok ? '' : ` Saving them failed: ${restored.error.message}.`}`;
        return { profiles: backup, report: { status: 'recovered-from-backup', message }, readOnlyReason: null };
      }
      const created = await writeFileAtomic(filePath, serializeProfileFile([]));
      return {
        profiles: [],
        report: created.ok ? { status: 'created' } : { status: 'created', message: `Could not create ${filePath}: ${created.error.message}.` },
        readOnlyReason: null,
      };
    }
    case 'newer': {
      const message = newerVersionMessage(filePath, reading.version);
      return { profiles: reading.readableProfiles, report: { status: 'newer-version-read-only', message }, readOnlyReason: message };
    }
    case 'unreadable': {
      // We could not even read it (permissions, a folder in its place): leave it exactly where it is
      // and refuse every write, so it can never be overwritten.
      const backup = await readValidBackup(filePath);
      const message = `${reading.reason}. Profiles are read-only until this is fixed${backup === null ? '.' : '; showing the backup.'}`;
      return {
        profiles: backup ?? [],
        report: { status: backup === null ? 'corrupt-no-backup' : 'recovered-from-backup', message },
        readOnlyReason: message,
      };
    }
    case 'corrupt': {
      const moved = await moveAside(filePath, now());
      const backup = await readValidBackup(filePath);
      if (!moved.ok) {
        const message = `${reading.reason} ${moved.error.message}. Profiles are read-only so that the file is never overwritten.`;
        return {
          profiles: backup ?? [],
          report: { status: backup === null ? 'corrupt-no-backup' : 'recovered-from-backup', message },
          readOnlyReason: message,
        };
      }
      if (backup === null) {
        const message = `${reading.reason} It was moved to ${moved.value}; there is no valid backup, so the profile list starts empty.`;
        return { profiles: [], report: { status: 'corrupt-no-backup', movedAsideTo: moved.value, message }, readOnlyReason: null };
      }
      const restored = await writeFileAtomic(filePath, serializeProfileFile(backup));
      const message =
        `${reading.reason} It was moved to ${moved.value}, and the profiles were loaded from the backup ${backupPathFor(filePath)}.` +
        (restored.ok ? '' : ` Saving them failed: ${restored.error.message}.`);
      return { profiles: backup, report: { status: 'recovered-from-backup', movedAsideTo: moved.value, message }, readOnlyReason: null };
    }
  }
}
