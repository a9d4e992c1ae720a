/**
 * The profile file on disk: its stable text form (fixed key order, 2-space indent, trailing
 * newline, so files diff well in git) and the one load pipeline, in this order:
 *
 *   read (size checked on the open handle first, D7) → decode (strict UTF-8) → parse (JSON, with
 *   line and column) → count (D7) → migrate (D5) → validate (D4) → recover (D2, D3, D5)
 *
 * {@link readProfileFile} is the first six steps: it never writes and never throws, and classifies
 * what it found. {@link loadProfileFile} adds the last: the single place that decides what a
 * reading means (back it up, upgrade it, move it aside, fall back to the backup, open read-only).
 * The store calls the pipeline once on open and {@link readProfileFile} again before every write,
 * to see changes made by another process or by hand.
 */
import { createHash } from 'node:crypto';
import { lstat, open, rename } from 'node:fs/promises';
import { fail, ok, type Result } from '../../shared/errors.ts';
import {
  PROFILE_FILE_FORMAT,
  PROFILE_FILE_VERSION,
  PROFILE_LIMITS,
  describeSchemaIssues,
  profileFileSchema,
  profileSchema,
  type Profile,
  type ProfileFile,
} from '../../shared/profile.ts';
import { decodeUtf8Strict, parseJsonText } from './json-text.ts';
import { migrateToCurrent } from './migrations.ts';
import { fileErrorFor } from '../engine/error-mapping.ts';

const PROFILE_KEYS = [
  'id',
  'name',
  'folder',
  'kind',
  'host',
  'port',
  'transport',
  'tls',
  'payload',
  'connectTimeoutMs',
  'idleTimeoutMs',
  'closeAfterSend',
  'maxResponseBytes',
  'notes',
  'transport',
  'udp',
  'listener',
  'conversation',
  'revision',
  'createdAt',
  'updatedAt',
] as const;
const PAYLOAD_KEYS = ['text', 'mode', 'encoding', 'lineEnding', 'newlines'] as const;
const UDP_KEYS = ['localPort', 'mode', 'broadcast', 'replyWindowMs', 'maxDatagrams'] as const;
/** No passphrase and no key material: only what ProfileTlsSettings holds (paths, names, choices). */
const TLS_KEYS = ['serverName', 'verifyName', 'verify', 'caFile', 'certFile', 'keyFile', 'pfxFile', 'alpn', 'minVersion', 'maxVersion'] as const;

// The compiler proves the lists above name every field: a field missing from them would otherwise
// never be written.
type Unlisted =
  | Exclude<keyof Profile, (typeof PROFILE_KEYS)[number]>
  | Exclude<keyof Profile['payload'], (typeof PAYLOAD_KEYS)[number]>
  | Exclude<keyof NonNullable<Profile['udp']>, (typeof UDP_KEYS)[number]>
  | Exclude<keyof NonNullable<Profile['tls']>, (typeof TLS_KEYS)[number]>;
const everyKeyListed: [Unlisted] extends [never] ? true : never = true;

const LISTENER_KEYS = ['allowNonLoopback', 'maxClients', 'maxBytesPerClient', 'tls', 'responder'] as const;
const LISTENER_TLS_KEYS = ['kind', 'certFile', 'keyFile', 'requestClientCert'] as const;

type UnlistedSection =
  | Exclude<keyof NonNullable<Profile['listener']>, (typeof LISTENER_KEYS)[number]>
  | Exclude<keyof NonNullable<NonNullable<Profile['listener']>['tls']> | 'certFile' | 'keyFile', (typeof LISTENER_TLS_KEYS)[number]>;
const everySectionKeyListed: [UnlistedSection] extends [never] ? true : never = true;
void everyKeyListed;
void everySectionKeyListed;

/** The listed keys of `o`, in the lists' order; anything else (a passphrase, say) is never written. */
function pick(o: object, keys: readonly string[]): Record<string, unknown> {
  const record = o as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (record[key] !== undefined) out[key] = record[key];
  return out;
}

/**
 * A profile as written: known keys only, always in the same order whatever order the object was
 * built in (files diff well), and no key a schema would not accept (defence in depth for secrets).
 * A responder's rules are user data of a strict schema, written as they are.
 */
function profileForFile(p: Profile): Record<string, unknown> {
  const out = pick(p, PROFILE_KEYS);
  out['payload'] = pick(p.payload, PAYLOAD_KEYS);
  if (p.udp) out['udp'] = pick(p.udp, UDP_KEYS);
  if (p.tls) out['tls'] = pick(p.tls, TLS_KEYS);
  if (p.listener) {
    const listener = pick(p.listener, LISTENER_KEYS);
    if (p.listener.tls) listener['tls'] = pick(p.listener.tls, LISTENER_TLS_KEYS);
    out['listener'] = listener;
  }
  if (p.conversation) out['conversation'] = { yaml: p.conversation.yaml };
  return out;
}

/** The store's file text for `profiles`. */
export function serializeProfileFile(profiles: readonly Profile[]): string {
  return `${JSON.stringify({ format: PROFILE_FILE_FORMAT, version: PROFILE_FILE_VERSION, profiles: profiles.map(profileForFile) }, null, 2)}\n`;
}

/** Our export file text: the store's shape plus the time of export. */
export function serializeProfileExport(profiles: readonly Profile[], exportedAt: Date): string {
  const document = { format: PROFILE_FILE_FORMAT, version: PROFILE_FILE_VERSION, exportedAt: exportedAt.toISOString(), profiles: profiles.map(profileForFile) };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** The backup of the last valid file, next to the file's real target. */
export function backupPathFor(filePath: string): string {
  return `${filePath}.bak`;
}

/** SHA-256 of file bytes: what the store compares to notice that the file changed on disk. */
export function contentHash(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What reading a profile file found; `hash` identifies the bytes that were read. */
export type ProfileFileReading =
  | { kind: 'missing' }
  | { kind: 'valid'; file: ProfileFile; fromVersion: number; bytes: Uint8Array; hash: string }
  | { kind: 'corrupt'; reason: string; hash: string }
  | { kind: 'newer'; version: number; readableProfiles: Profile[]; hash: string }
  | { kind: 'unreadable'; reason: string; errno?: string };

/** The outcome of interpreting text that was read; the store and the importer share it. */
export type ProfileTextReading =
  | { kind: 'valid'; file: ProfileFile; fromVersion: number }
  | { kind: 'corrupt'; reason: string }
  | { kind: 'newer'; version: number; readableProfiles: Profile[] };

/** Parses, counts, migrates and validates the text of a profile file. */
export function interpretProfileText(text: string, label: string): ProfileTextReading {
  const parsed = parseJsonText(text, label);
  if (!parsed.ok) return { kind: 'corrupt', reason: parsed.error.message };
  const document = parsed.value;
  // Count before validating, so a file with a million entries is refused before zod walks it (D7).
  const profiles = (document as { profiles?: unknown } | null)?.profiles;
  if (Array.isArray(profiles) && profiles.length > PROFILE_LIMITS.maxProfiles) {
    return { kind: 'corrupt', reason: `${label} holds ${profiles.length} profiles; the limit is ${PROFILE_LIMITS.maxProfiles}.` };
  }
  const migrated = migrateToCurrent(document);
  if (migrated.kind === 'invalid') return { kind: 'corrupt', reason: `${label} is not a profile file: ${migrated.message}.` };
  if (migrated.kind === 'newer') {
    const readable = Array.isArray(profiles) ? profiles.flatMap((item) => {
      const checked = profileSchema.safeParse(item);
      return checked.success ? [checked.data] : [];
    }) : [];
    return { kind: 'newer', version: migrated.version, readableProfiles: readable };
  }
  const validated = profileFileSchema.safeParse(migrated.document);
  if (!validated.success) return { kind: 'corrupt', reason: `${label} does not match the profile format: ${describeSchemaIssues(validated.error)}.` };
  return { kind: 'valid', file: validated.data, fromVersion: migrated.fromVersion };
}

/** Reads at most the limit, checked on the open handle; null bytes mean "missing". */
async function readBytes(filePath: string): Promise<{ bytes: Uint8Array | null } | { problem: ProfileFileReading }> {
  let handle;
  try {
    handle = await open(filePath, 'r');
  } catch (err) {
    const errno = errnoOf(err);
    if (errno === 'ENOENT') return { bytes: null };
    return { problem: { kind: 'unreadable', reason: fileErrorFor(err, `Could not open ${filePath}`).message, ...(errno === undefined ? {} : { errno }) } };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { problem: { kind: 'unreadable', reason: `${filePath} is not a regular file.` } };
    if (info.size > PROFILE_LIMITS.maxFileBytes) {
      const reason = `${filePath} is ${info.size} bytes; the limit is ${PROFILE_LIMITS.maxFileBytes} bytes.`;
      return { problem: { kind: 'corrupt', reason, hash: `size:${info.size}:${info.mtimeMs}` } };
    }
    // One spare byte tells us if the file grew after the stat (another process appending to it).
    const buffer = new Uint8Array(info.size + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buffer.length) return { problem: { kind: 'unreadable', reason: `${filePath} changed while it was being read.` } };
    }
    return { bytes: buffer.slice(0, filled) };
  } catch (err) {
    const errno = errnoOf(err);
    return { problem: { kind: 'unreadable', reason: fileErrorFor(err, `Could not read ${filePath}`).message, ...(errno === undefined ? {} : { errno }) } };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Pipeline steps read → validate: classifies the file at `filePath`; never writes, never throws. */
export async function readProfileFile(filePath: string): Promise<ProfileFileReading> {
  const read = await readBytes(filePath);
  if ('problem' in read) return read.problem;
  const bytes = read.bytes;
  if (bytes === null) return { kind: 'missing' };
  const hash = contentHash(bytes);
  if (bytes.length === 0) return { kind: 'corrupt', reason: `${filePath} is empty.`, hash };
  const text = decodeUtf8Strict(bytes, filePath);
  if (!text.ok) return { kind: 'corrupt', reason: text.error.message, hash };
  const reading = interpretProfileText(text.value, filePath);
  return reading.kind === 'valid' ? { ...reading, bytes, hash } : { ...reading, hash };
}

function errnoOf(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** How the file loaded; anything but 'ok' and 'created' is shown to the user. */
export interface ProfileStoreLoadReport {
  status: 'ok' | 'created' | 'recovered-from-backup' | 'corrupt-no-backup' | 'newer-version-read-only';
  /** Where an unreadable file was moved, when it was. */
  movedAsideTo?: string;
  /** A sentence for people when something needs their attention. */
  message?: string;
}

/** What the pipeline hands the store. */
export interface LoadedProfiles {
  profiles: Profile[];
  report: ProfileStoreLoadReport;
  /** Why writes are refused; null when the store is writable. */
  readOnlyReason: string | null;
  /** Hash of the file's bytes as they are now on disk (null: there is no file). */
  seen: string | null;
}

/** `2026-11-24T00:45:12.123Z` → `2026-11-24T004512.123Z`: no colons, so it is a valid Windows name. */
function fileTimeStamp(date: Date): string {
  return date.toISOString().replaceAll(':', '');
}

/** Moves an unreadable file aside without ever replacing an earlier one; returns the new path. */
async function moveAside(filePath: string, date: Date): Promise<Result<string>> {
  const base = `${filePath}.corrupt-${fileTimeStamp(date)}`;
  for (let attempt = 1; attempt <= 100; attempt += 1) {
    const target = attempt === 1 ? base : `${base}-${attempt}`;
    // rename() replaces an existing target on POSIX, so look first; we hold the file's lock.
    if (await lstat(target).then(() => true, () => false)) continue;
    try {
      await rename(filePath, target);
      return ok(target);
    } catch (err) {
      return fail('FILE_ERROR', `Could not move the unreadable file ${filePath} aside: ${(err as Error).message}`);
    }
  }
  return fail('FILE_ERROR', `Could not move the unreadable file ${filePath} aside: 100 earlier copies are in the way.`);
}

function newerVersionMessage(filePath: string, version: number): string {
  return (
    `${filePath} was written by a newer Socket Tester (profile format version ${version}; this version knows up to ` +
    `${PROFILE_FILE_VERSION}). It is open read-only so that its data is not lost: update Socket Tester to change profiles.`
  );
}

/** Options for {@link loadProfileFile}. */
export interface LoadOptions {
  /** False: never write, move or back up anything (the CLI's `profiles list`). */
  writable: boolean;
  now: () => Date;
  /** Writes a file atomically (D1); the store passes its writer. */
  write: (path: string, data: string | Uint8Array) => Promise<Result<void>>;
}

/**
 * The whole load pipeline for the file whose real path is `target`: read, decode, parse, migrate,
 * validate, then recover. Writable loads must hold the file's lock (they may write the file, its
 * backup, or move it aside). Never throws for a bad file: problems are in the report.
 */
export async function loadProfileFile(target: string, options: LoadOptions): Promise<LoadedProfiles> {
  const reading = await readProfileFile(target);
  const backupPath = backupPathFor(target);
  const validBackup = async (): Promise<Profile[] | null> => {
    const backup = await readProfileFile(backupPath);
    return backup.kind === 'valid' ? backup.file.profiles : null;
  };
  /** Writes `profiles` as the file; returns the hash on disk afterwards and a note on failure. */
  const writeList = async (profiles: readonly Profile[], fallbackSeen: string | null): Promise<{ seen: string | null; failure: string | null }> => {
    const text = serializeProfileFile(profiles);
    const written = await options.write(target, text);
    return written.ok ? { seen: contentHash(text), failure: null } : { seen: fallbackSeen, failure: written.error.message };
  };
  /** Shows the backup (or nothing) and refuses every write: the one fallback for a bad file. */
  const readOnlyWithBackup = (reason: string, backup: Profile[] | null, seen: string | null, movedAsideTo?: string): LoadedProfiles => {
    const message = `${reason} ${backup === null ? 'There is no valid backup.' : `Showing the backup ${backupPath}.`} Profiles are read-only so that the file is never overwritten.`;
    const status = backup === null ? 'corrupt-no-backup' : 'recovered-from-backup';
    return { profiles: backup ?? [], report: { status, message, ...(movedAsideTo ? { movedAsideTo } : {}) }, readOnlyReason: message, seen };
  };

  switch (reading.kind) {
    case 'valid': {
      const profiles = reading.file.profiles;
      if (!options.writable) return { profiles, report: { status: 'ok' }, readOnlyReason: null, seen: reading.hash };
      // D2: the file parsed and validated, so it becomes the backup (byte for byte, pre-migration).
      const notes: string[] = [];
      const backedUp = await options.write(backupPath, reading.bytes);
      if (!backedUp.ok) notes.push(`The backup could not be refreshed: ${backedUp.error.message}.`);
      let seen: string | null = reading.hash;
      if (reading.fromVersion < PROFILE_FILE_VERSION) {
        const migrated = await writeList(profiles, seen);
        seen = migrated.seen;
        notes.push(
          migrated.failure === null
            ? `Profiles were upgraded from format version ${reading.fromVersion} to ${PROFILE_FILE_VERSION}; the original is kept as ${backupPath}.`
            : `Profiles were upgraded from format version ${reading.fromVersion} in memory, but could not be saved: ${migrated.failure}.`,
        );
      }
      const report: ProfileStoreLoadReport = notes.length === 0 ? { status: 'ok' } : { status: 'ok', message: notes.join(' ') };
      return { profiles, report, readOnlyReason: null, seen };
    }
    case 'missing': {
      if (!options.writable) {
        return { profiles: [], report: { status: 'ok', message: `There is no profile file at ${target} yet.` }, readOnlyReason: null, seen: null };
      }
      // The primary can only be missing after a crash between moving a corrupt file aside and
      // writing the recovered one, or if someone deleted it: a valid backup then wins over empty.
      const backup = await validBackup();
      const written = await writeList(backup ?? [], null);
      if (backup !== null) {
        const message = `${target} was missing; the profiles were loaded from the backup ${backupPath}.${written.failure === null ? '' : ` Saving them failed: ${written.failure}.`}`;
        return { profiles: backup, report: { status: 'recovered-from-backup', message }, readOnlyReason: null, seen: written.seen };
      }
      const report: ProfileStoreLoadReport =
        written.failure === null ? { status: 'created' } : { status: 'created', message: `Could not create ${target}: ${written.failure}.` };
      return { profiles: [], report, readOnlyReason: null, seen: written.seen };
    }
    case 'newer': {
      const message = newerVersionMessage(target, reading.version);
      return { profiles: reading.readableProfiles, report: { status: 'newer-version-read-only', message }, readOnlyReason: message, seen: reading.hash };
    }
    case 'unreadable':
      // We could not even read it (permissions, a folder in its place): leave it where it is (D3).
      return readOnlyWithBackup(`${reading.reason}.`, await validBackup(), null);
    case 'corrupt': {
      const backup = await validBackup();
      if (!options.writable) return readOnlyWithBackup(reading.reason, backup, reading.hash);
      // D3: never overwrite what we could not read; move it aside first.
      const moved = await moveAside(target, options.now());
      if (!moved.ok) return readOnlyWithBackup(`${reading.reason} ${moved.error.message}.`, backup, reading.hash);
      if (backup === null) {
        const message = `${reading.reason} It was moved to ${moved.value}; there is no valid backup, so the profile list starts empty.`;
        return { profiles: [], report: { status: 'corrupt-no-backup', movedAsideTo: moved.value, message }, readOnlyReason: null, seen: null };
      }
      const restored = await writeList(backup, null);
      const message =
        `${reading.reason} It was moved to ${moved.value}, and the profiles were loaded from the backup ${backupPath}.` +
        (restored.failure === null ? '' : ` Saving them failed: ${restored.failure}.`);
      return { profiles: backup, report: { status: 'recovered-from-backup', movedAsideTo: moved.value, message }, readOnlyReason: null, seen: restored.seen };
    }
  }
}
