/**
 * The profile store: every saved profile in one versioned JSON file, with the data-safety rules
 * D1–D12 (RELIABILITY.md). Plain Node; the caller passes the file path (Electron's userData
 * folder in the app, `--profiles FILE` in the CLI and web mode).
 *
 * Invariants:
 * - One writer at a time, across processes (D6, D9): every change runs through one promise queue in
 *   this process and, inside it, holds the file's lock (profile-lock.ts) from reading the file to
 *   renaming the new one into place.
 * - Never over unseen content (D10): before each write the file is read again; when its bytes
 *   differ from what this store last read or wrote (another process, a hand edit), that content is
 *   loaded first, becomes the backup, and the change is planned against it. A changed file that no
 *   longer reads is never overwritten: the change fails with STORE_CORRUPT.
 * - Symlinks stay links (D11): the file's real target is resolved for every change; the backup,
 *   the temporary file and the lock live next to the target.
 * - Revisions (D12): every profile has a revision that each change raises by one; an update naming
 *   an older revision fails with PROFILE_CONFLICT carrying both versions. A hand edit that changed a
 *   profile without raising its revision is given a new one when it is loaded, so a stale copy
 *   conflicts with it too.
 * - The in-memory list changes only after the file on disk holds the new list: a failed write
 *   leaves both the file and the list as they were.
 * - Every write validates the whole file with the schema and the limits first (D4, D7), then
 *   replaces the file atomically (D1). Loading is one pipeline, in profile-file.ts.
 * - `open` never throws: problems are reported in {@link ProfileStore.loadReport}.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fail, ok, type Result } from '../../shared/errors.ts';
import {
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
import {
  backupPathFor,
  contentHash,
  loadProfileFile,
  readProfileFile,
  serializeProfileExport,
  serializeProfileFile,
  type LoadedProfiles,
  type ProfileFileReading,
  type ProfileStoreLoadReport,
} from './profile-file.ts';
import { resolveProfileTarget, withProfileLock } from './profile-lock.ts';
import { fileErrorFor } from '../engine/error-mapping.ts';

export { backupPathFor, type ProfileStoreLoadReport };

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

/** Options for {@link ProfileStore.importProfiles}. */
export interface ImportOptions {
  onDuplicate: DuplicatePolicy;
  /**
   * Put every imported profile into this folder (null: the top level). Omitted: each keeps the
   * folder it has in the file.
   */
  folder?: string | null;
}

function copyProfile(profile: Profile): Profile {
  return { ...profile, payload: { ...profile.payload } };
}

function draftOf(profile: Profile): ProfileDraft {
  const { id: _id, revision: _revision, createdAt: _created, updatedAt: _updated, ...draft } = copyProfile(profile);
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

/**
 * Gives profiles loaded from a file this store did not write a new revision where they changed
 * without one (a hand edit keeps the number it had), so an update based on the old content
 * conflicts instead of silently replacing the edit.
 */
function adoptRevisions(previous: readonly Profile[], loaded: readonly Profile[]): Profile[] {
  const before = new Map(previous.map((profile) => [profile.id, profile]));
  return loaded.map((profile) => {
    const old = before.get(profile.id);
    if (old === undefined || profile.revision > old.revision) return profile;
    const same = serializeProfileFile([profile]) === serializeProfileFile([{ ...old, revision: profile.revision }]);
    return same ? profile : { ...profile, revision: old.revision + 1 };
  });
}

/** Profiles stored in one JSON file; see the file comment for the rules it keeps. */
export class ProfileStore {
  /** The path this store was opened with (it may be a symlink; writes go to its target). */
  readonly filePath: string;

  private profiles: Profile[];
  private report: ProfileStoreLoadReport;
  private readOnlyReason: string | null;
  /** Hash of the file's bytes as this store last read or wrote them; null: there was no file. */
  private seen: string | null;
  private readonly now: () => Date;
  /** The tail of the write queue (D6); it never rejects. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(filePath: string, now: () => Date, state: LoadedProfiles) {
    this.filePath = filePath;
    this.now = now;
    this.profiles = state.profiles;
    this.report = state.report;
    this.readOnlyReason = state.readOnlyReason;
    this.seen = state.seen;
  }

  /** How the file loaded. */
  get loadReport(): ProfileStoreLoadReport {
    return this.report;
  }

  /** True when every change is refused (newer version, unreadable file, or opened read-only). */
  get readOnly(): boolean {
    return this.readOnlyReason !== null;
  }

  /** Opens (or creates) the store at `options.filePath`. Never throws: a bad file is reported. */
  static async open(options: ProfileStoreOptions): Promise<ProfileStore> {
    const now = options.now ?? (() => new Date());
    let state: LoadedProfiles;
    try {
      const target = await resolveProfileTarget(options.filePath);
      if (options.readOnly) {
        state = await loadProfileFile(target, { writable: false, now, write: writeFileAtomic });
      } else {
        await mkdir(dirname(target), { recursive: true }).catch(() => undefined);
        let loaded: LoadedProfiles | null = null;
        const locked = await withProfileLock(target, async () => {
          // Safe only under the lock: no other process is between writing and renaming a temp file.
          await removeStaleTempFiles(target);
          loaded = await loadProfileFile(target, { writable: true, now, write: writeFileAtomic });
          return ok(undefined);
        });
        if (!locked.ok || loaded === null) {
          // Without the lock nothing may be written; show what the file holds, read-only.
          const shown = await loadProfileFile(target, { writable: false, now, write: writeFileAtomic });
          const message = `${locked.ok ? 'The profile file could not be loaded.' : locked.error.message} Profiles are read-only until Socket Tester is restarted.`;
          state = { ...shown, report: { ...shown.report, message }, readOnlyReason: message };
        } else {
          state = loaded;
        }
      }
    } catch (err) {
      // Defensive: the pipeline returns data, but an unforeseen throw must still not lose the file.
      const message = `Could not load ${options.filePath}: ${(err as Error).message}. Opened read-only so nothing is overwritten.`;
      state = { profiles: [], report: { status: 'corrupt-no-backup', message }, readOnlyReason: message, seen: null };
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
      const profile: Profile = { id: randomUUID(), ...checked.value, revision: 1, createdAt: stamp, updatedAt: stamp };
      return ok({ next: [...current, profile], value: profile });
    });
  }

  /**
   * Changes some fields of a profile; id and createdAt stay, updatedAt moves, the revision goes up
   * by one. With `baseRevision` (the revision the caller's copy came from) a profile changed since
   * then is PROFILE_CONFLICT with both versions, and nothing is written; without it the update
   * applies to whatever is stored (the CLI's and the tests' case).
   */
  update(id: string, patch: Partial<ProfileDraft>, baseRevision?: number): Promise<Result<Profile>> {
    return this.mutate((current) => {
      const index = current.findIndex((profile) => profile.id === id);
      const existing = current[index];
      if (existing === undefined) return fail('PROFILE_NOT_FOUND', `No profile has the id "${id}".`);
      const checked = normalizeDraft({ ...draftOf(existing), ...patch });
      if (!checked.ok) return checked;
      const stamp = this.now().toISOString();
      if (baseRevision !== undefined && baseRevision !== existing.revision) {
        const mine: Profile = { ...checked.value, id, revision: baseRevision, createdAt: existing.createdAt, updatedAt: stamp };
        return fail(
          'PROFILE_CONFLICT',
          `"${existing.name}" was changed elsewhere since you opened it (now revision ${existing.revision}; your copy is revision ${baseRevision}). ` +
            'Nothing was saved: keep your version or take theirs.',
          { field: 'revision', conflict: { theirs: copyProfile(existing), mine } },
        );
      }
      if (findNameClash(current, checked.value.name, checked.value.folder, id)) return conflictError(checked.value.name, checked.value.folder);
      const profile: Profile = { ...checked.value, id, revision: existing.revision + 1, createdAt: existing.createdAt, updatedAt: stamp };
      const next = [...current];
      next[index] = profile;
      return ok({ next, value: profile });
    });
  }

  /** Renames a profile (same checks as {@link update}). */
  rename(id: string, name: string, baseRevision?: number): Promise<Result<Profile>> {
    return this.update(id, { name }, baseRevision);
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
        revision: 1,
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
   * `options.folder` moves every item into one folder before names are compared.
   */
  importProfiles(items: ProfileDraft[], options: ImportOptions): Promise<Result<{ imported: number; skipped: number }>> {
    return this.mutate((current) => {
      let folder: string | null | undefined;
      if (options.folder !== undefined) {
        const checkedFolder = validateFolderName(options.folder);
        if (!checkedFolder.ok) return checkedFolder;
        folder = checkedFolder.value;
      }
      const drafts: ProfileDraft[] = [];
      for (const [position, item] of items.entries()) {
        const checked = normalizeDraft(folder === undefined ? item : { ...item, folder });
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
          next[at] = {
            ...draft,
            name: clash.name,
            folder: clash.folder,
            id: clash.id,
            revision: clash.revision + 1,
            createdAt: clash.createdAt,
            updatedAt: stamp,
          };
          imported += 1;
          continue;
        }
        const name = clash === undefined ? draft.name : freeName(next, draft.name, draft.folder, 'number');
        next.push({ ...draft, name, id: randomUUID(), revision: 1, createdAt: stamp, updatedAt: stamp });
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
   * Looks at the file again (another process or a hand edit may have changed it) and loads what it
   * holds when it changed and is valid; resolves to true when the list changed. A changed file that
   * does not read is left to the next write, which reports it.
   */
  refresh(): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      if (this.readOnlyReason !== null) return false;
      const target = await resolveProfileTarget(this.filePath);
      const reading = await readProfileFile(target);
      if (this.unchanged(reading) || reading.kind !== 'valid') return false;
      await this.adopt(target, reading);
      return true;
    };
    const result = this.queue.then(run).catch(() => false);
    this.queue = result;
    return result;
  }

  /** True when `reading` shows the bytes this store last read or wrote. */
  private unchanged(reading: ProfileFileReading): boolean {
    return reading.kind === 'missing' ? this.seen === null : 'hash' in reading && reading.hash === this.seen;
  }

  /** Makes a valid file someone else wrote the current list, and its bytes the backup (D2). */
  private async adopt(target: string, reading: Extract<ProfileFileReading, { kind: 'valid' }>): Promise<void> {
    this.profiles = adoptRevisions(this.profiles, reading.file.profiles);
    this.seen = reading.hash;
    await writeFileAtomic(backupPathFor(target), reading.bytes);
  }

  /**
   * Runs one change through the write queue and, inside it, the file's lock: read the file again
   * and load it if it changed (D10), plan the change against that, validate the whole next file,
   * write it atomically next to the real target (D11), and only then make it the current list.
   */
  private mutate<T>(plan: (current: readonly Profile[]) => Result<{ next: Profile[]; value: T }>): Promise<Result<T>> {
    const run = async (): Promise<Result<T>> => {
      if (this.readOnlyReason !== null) return fail('STORE_READ_ONLY', this.readOnlyReason);
      const target = await resolveProfileTarget(this.filePath);
      return withProfileLock(target, async () => {
        const reading = await readProfileFile(target);
        if (!this.unchanged(reading)) {
          const problem = this.changedOnDisk(target, reading);
          if (problem !== null) return problem;
          if (reading.kind === 'valid') await this.adopt(target, reading);
        }
        const planned = plan(this.profiles);
        if (!planned.ok) return planned;
        const text = checkBeforeWrite(planned.value.next);
        if (!text.ok) return text;
        const written = await writeFileAtomic(target, text.value);
        if (!written.ok) {
          return fail('FILE_ERROR', `${written.error.message}. Nothing was changed; the file on disk is as it was.`, {
            ...(written.error.errno === undefined ? {} : { errno: written.error.errno }),
          });
        }
        this.profiles = planned.value.next;
        this.seen = contentHash(text.value);
        return ok(planned.value.value);
      });
    };
    const result = this.queue.then(run).catch((err: unknown) => fail<T>('INTERNAL', `Saving profiles failed: ${(err as Error).message}`));
    this.queue = result;
    return result;
  }

  /**
   * Why a file that changed on disk must not be written over, or null when it may (it is valid, or
   * it was deleted: then nothing unseen is lost by writing the list again).
   */
  private changedOnDisk(target: string, reading: ProfileFileReading): Result<never> | null {
    switch (reading.kind) {
      case 'valid':
      case 'missing':
        return null;
      case 'newer':
        this.readOnlyReason = `${target} was replaced by a newer Socket Tester's file (format version ${reading.version}). Profiles are read-only so that its data is not lost.`;
        return fail('STORE_READ_ONLY', `${this.readOnlyReason} Nothing was saved.`);
      case 'corrupt':
        return fail(
          'STORE_CORRUPT',
          `${reading.reason} The file changed on disk since Socket Tester last read it, so nothing was saved and it was not overwritten: fix it (or move it away) and save again.`,
        );
      case 'unreadable':
        return fail('FILE_ERROR', `${reading.reason}. Nothing was saved.`, reading.errno === undefined ? {} : { errno: reading.errno });
    }
  }
}
