/**
 * The profile file's text form: a stable serializer (fixed key order, 2-space indent, trailing
 * newline, so files diff well in git) and a reader that checks limits before parsing (D7), decodes
 * strictly, migrates (D5) and validates (D4).
 *
 * Invariant: the reader never throws and never writes; it classifies what it found and leaves every
 * decision (move aside, load the backup, open read-only) to the store.
 */
import { open } from 'node:fs/promises';
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

const PROFILE_KEYS = [
  'id',
  'name',
  'folder',
  'host',
  'port',
  'payload',
  'connectTimeoutMs',
  'idleTimeoutMs',
  'closeAfterSend',
  'maxResponseBytes',
  'notes',
  'createdAt',
  'updatedAt',
] as const;
const PAYLOAD_KEYS = ['text', 'mode', 'encoding', 'lineEnding', 'newlines'] as const;

// The compiler proves the lists above name every field: a field missing from them would otherwise
// be dropped silently by JSON.stringify's key list.
type Unlisted = Exclude<keyof Profile, (typeof PROFILE_KEYS)[number]> | Exclude<keyof Profile['payload'], (typeof PAYLOAD_KEYS)[number]>;
const everyKeyListed: [Unlisted] extends [never] ? true : never = true;

/**
 * Every key we write, in the order we write it. JSON.stringify with a key list emits each object's
 * keys in this order, whatever order the object was built in.
 */
const KEY_ORDER: string[] = ['format', 'version', 'exportedAt', 'profiles', ...PROFILE_KEYS, ...PAYLOAD_KEYS];

/** The store's file text for `profiles`. */
export function serializeProfileFile(profiles: readonly Profile[]): string {
  return `${JSON.stringify({ format: PROFILE_FILE_FORMAT, version: PROFILE_FILE_VERSION, profiles }, KEY_ORDER, 2)}\n`;
}

/** Our export file text: the store's shape plus the time of export. */
export function serializeProfileExport(profiles: readonly Profile[], exportedAt: Date): string {
  const document = { format: PROFILE_FILE_FORMAT, version: PROFILE_FILE_VERSION, exportedAt: exportedAt.toISOString(), profiles };
  return `${JSON.stringify(document, KEY_ORDER, 2)}\n`;
}

/** What reading a profile file found. */
export type ProfileFileReading =
  | { kind: 'missing' }
  | { kind: 'valid'; file: ProfileFile; fromVersion: number; bytes: Uint8Array }
  | { kind: 'corrupt'; reason: string }
  | { kind: 'newer'; version: number; readableProfiles: Profile[] }
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

function errnoOf(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Reads and checks the profile file at `filePath`. The size is checked on the open handle before
 * reading (D7), and the read is capped at that size, so a file that grows meanwhile cannot make us
 * read more.
 */
export async function readProfileFile(filePath: string): Promise<ProfileFileReading> {
  let handle;
  try {
    handle = await open(filePath, 'r');
  } catch (err) {
    const errno = errnoOf(err);
    if (errno === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unreadable', reason: `Could not open ${filePath}: ${(err as Error).message}`, ...(errno === undefined ? {} : { errno }) };
  }
  let bytes: Uint8Array;
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { kind: 'unreadable', reason: `${filePath} is not a regular file.` };
    if (info.size > PROFILE_LIMITS.maxFileBytes) {
      return { kind: 'corrupt', reason: `${filePath} is ${info.size} bytes; the limit is ${PROFILE_LIMITS.maxFileBytes} bytes.` };
    }
    // One spare byte tells us if the file grew after the stat (another process appending to it).
    const buffer = new Uint8Array(info.size + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buffer.length) return { kind: 'unreadable', reason: `${filePath} changed while it was being read.` };
    }
    bytes = buffer.slice(0, filled);
  } catch (err) {
    const errno = errnoOf(err);
    return { kind: 'unreadable', reason: `Could not read ${filePath}: ${(err as Error).message}`, ...(errno === undefined ? {} : { errno }) };
  } finally {
    await handle.close().catch(() => undefined);
  }
  if (bytes.length === 0) return { kind: 'corrupt', reason: `${filePath} is empty.` };
  const text = decodeUtf8Strict(bytes, filePath);
  if (!text.ok) return { kind: 'corrupt', reason: text.error.message };
  const reading = interpretProfileText(text.value, filePath);
  return reading.kind === 'valid' ? { ...reading, bytes } : reading;
}
