/**
 * Import preview: decides the format by content (our JSON, Packet Sender's JSON export, Packet
 * Sender's packets.ini), converts every item to a draft, and marks per-item errors, skips and
 * duplicates. Nothing is written here; the store's importProfiles writes the chosen drafts.
 *
 * Invariants:
 * - A malformed file (bad JSON, not a profile file, a newer format, too large) is one error for the
 *   whole file: the preview has no items, so nothing can be imported from it.
 * - Size is checked before parsing (D7); item counts right after parsing, before any validation.
 * - Every 'ok' or 'duplicate' item carries a draft that already passed the store's schema (D4).
 */
import { stat, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fail, ok, type Result } from '../../shared/errors.ts';
import {
  PROFILE_FILE_VERSION,
  PROFILE_LIMITS,
  describeSchemaIssues,
  profileNameKey,
  profileSchema,
  validateFolderName,
  type Profile,
  type ProfileDraft,
} from '../../shared/profile.ts';
import { z } from 'zod';
import { decodeUtf8Strict, parseJsonText } from './json-text.ts';
import { migrateToCurrent } from './migrations.ts';
import {
  looksLikePacketSenderJson,
  parsePacketSenderIni,
  parsePacketSenderJson,
  type PacketConversion,
  type PacketFieldTooLong,
} from './packet-sender.ts';
import { convertSmartResponses, hasSmartResponses } from './packet-sender-smart.ts';
import { parseQSettingsIni } from './qsettings-ini.ts';
import { fileErrorFor } from '../engine/error-mapping.ts';

/** One row of the preview. */
export interface ImportPreviewItem {
  draft: ProfileDraft | null;
  /** The item's name in the source file (or "item N" when it has none). */
  sourceName: string;
  status: 'ok' | 'duplicate' | 'error' | 'skipped';
  reason?: string;
}

/** What an import would do, before anything is written. */
export interface ImportPreview {
  source: 'socket-tester' | 'packet-sender-ini' | 'packet-sender-json';
  items: ImportPreviewItem[];
}

/** The envelope of our format; the profiles inside are checked one by one for per-item errors. */
const importEnvelopeSchema = z.strictObject({
  format: z.literal('socket-tester-profiles'),
  version: z.literal(PROFILE_FILE_VERSION),
  exportedAt: z.iso.datetime().optional(),
  profiles: z.array(z.unknown()).max(PROFILE_LIMITS.maxProfiles),
});

/**
 * Linear on any text: no pattern here can span lines (`\s*` would, and then every blank line of a
 * file of newlines rescans the rest of the file).
 */
function looksLikeIni(text: string): boolean {
  return /^[ \t]*\[[^\]\r\n]*\][ \t]*$/m.test(text) && /^[^=\r\n[;#]+=/m.test(text);
}

function fromSocketTester(document: unknown, label: string): Result<ImportPreviewItem[]> {
  const migrated = migrateToCurrent(document);
  if (migrated.kind === 'newer') {
    return fail('IMPORT_FAILED', `${label} was exported by a newer Socket Tester (format version ${migrated.version}); update Socket Tester to import it.`);
  }
  if (migrated.kind === 'invalid') return fail('INVALID_INPUT', `${label} is not a Socket Tester profile file: ${migrated.message}.`);
  const envelope = importEnvelopeSchema.safeParse(migrated.document);
  if (!envelope.success) return fail('INVALID_INPUT', `${label} is not a Socket Tester profile file: ${describeSchemaIssues(envelope.error)}.`);
  return ok(
    envelope.data.profiles.map((item, index): ImportPreviewItem => {
      const rawName = (item as { name?: unknown } | null)?.name;
      // Shown in the preview: a name is at most 100 characters, so longer text is cut for display.
      const sourceName = typeof rawName === 'string' && rawName.trim() !== '' ? rawName.slice(0, 200) : `item ${index + 1}`;
      const checked = profileSchema.safeParse(item);
      if (!checked.success) return { draft: null, sourceName, status: 'error', reason: `Invalid profile: ${describeSchemaIssues(checked.error)}.` };
      const { id: _id, revision: _revision, createdAt: _created, updatedAt: _updated, ...draft } = checked.data;
      return { draft, sourceName, status: 'ok' };
    }),
  );
}

/** IMPORT_FAILED naming the packet and the field, both also as data (`item`, `field`). */
function fieldTooLongError(label: string, tooLong: PacketFieldTooLong): Result<never> {
  return fail(
    'IMPORT_FAILED',
    `${label}: packet ${tooLong.item + 1} ("${tooLong.sourceName}") has a ${tooLong.field} of ${tooLong.length} characters; ` +
      `the limit is ${tooLong.limit}. Nothing was imported.`,
    { field: tooLong.field, item: tooLong.item },
  );
}

function fromPacketSender(conversions: PacketConversion[]): ImportPreviewItem[] {
  return conversions.map((conversion) => ({
    draft: conversion.draft,
    sourceName: conversion.sourceName,
    status: conversion.status,
    ...(conversion.reason === undefined ? {} : { reason: conversion.reason }),
  }));
}

/** Marks items whose folder+name is taken by an existing profile or by an earlier item. */
function markDuplicates(items: ImportPreviewItem[], existing: ReadonlyArray<Pick<Profile, 'name' | 'folder'>>): ImportPreviewItem[] {
  const taken = new Set(existing.map((profile) => profileNameKey(profile.name, profile.folder)));
  const earlier = new Map<string, number>();
  return items.map((item, index) => {
    if (item.draft === null || item.status !== 'ok') return item;
    const key = profileNameKey(item.draft.name, item.draft.folder);
    const where = item.draft.folder === null ? 'at the top level' : `in folder "${item.draft.folder}"`;
    const seen = earlier.get(key);
    if (seen !== undefined) return { ...item, status: 'duplicate', reason: `Same name as item ${seen + 1} in this file.` };
    earlier.set(key, index);
    if (taken.has(key)) return { ...item, status: 'duplicate', reason: `A profile named "${item.draft.name}" already exists ${where}.` };
    return item;
  });
}

/** Options for {@link parseImport}. */
export interface ImportParseOptions {
  /** Every item goes into this folder (null: the top level); omitted: the file's own folders. */
  folder?: string | null;
}

/**
 * Builds the import preview for a file's text. `existingNames` are the store's profiles (name and
 * folder are enough) for duplicate marking, which happens after `options.folder` is applied, so it
 * shows what importing into that folder would do. Fails for a malformed file, so nothing is imported.
 */
export function parseImport(
  text: string,
  fileName: string,
  existingNames: ReadonlyArray<Pick<Profile, 'name' | 'folder'>> = [],
  options: ImportParseOptions = {},
): Result<ImportPreview> {
  if (options.folder !== undefined) {
    const folder = validateFolderName(options.folder);
    if (!folder.ok) return folder;
    const preview = parseImport(text, fileName, existingNames);
    if (!preview.ok) return preview;
    const moved = preview.value.items.map((item) => (item.draft === null ? item : { ...item, draft: { ...item.draft, folder: folder.value } }));
    // Marked again from scratch: the file's own duplicates may not clash in the target folder.
    const fresh = moved.map((item): ImportPreviewItem => (item.status === 'duplicate' ? { draft: item.draft, sourceName: item.sourceName, status: 'ok' } : item));
    return ok({ source: preview.value.source, items: markDuplicates(fresh, existingNames) });
  }
  const label = `"${basename(fileName)}"`;
  if (text.length > PROFILE_LIMITS.maxFileBytes) {
    return fail('INVALID_INPUT', `${label} is too large to import (${text.length} characters; the limit is ${PROFILE_LIMITS.maxFileBytes}).`);
  }
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const start = body.trimStart()[0];
  if (start !== '{' && start !== '[') return fail('INVALID_INPUT', `${label} is neither JSON nor a Packet Sender packets.ini file.`);
  // packets.ini also starts with "[": it is INI when it is not JSON and has [section] and key= lines.
  if (start === '[' && looksLikeIni(body)) {
    // ps_settings.ini (smart responses) rather than packets.ini (packets): one listener profile.
    const settings = parseQSettingsIni(body);
    if (settings.ok && !settings.document.values.has('NAMES/size') && hasSmartResponses(settings.document.values)) {
      return ok({ source: 'packet-sender-ini', items: markDuplicates(fromPacketSender(convertSmartResponses(settings.document.values)), existingNames) });
    }
    const ini = parsePacketSenderIni(body);
    if (!ini.ok) return 'field' in ini ? fieldTooLongError(label, ini) : fail('INVALID_INPUT', `${label}: ${ini.message}`);
    if (ini.items.length > PROFILE_LIMITS.maxProfiles) return fail('INVALID_INPUT', `${label} holds ${ini.items.length} packets; the limit is ${PROFILE_LIMITS.maxProfiles}.`);
    return ok({ source: 'packet-sender-ini', items: markDuplicates(fromPacketSender(ini.items), existingNames) });
  }
  const parsed = parseJsonText(body, label);
  if (!parsed.ok) return parsed;
  const document = parsed.value;
  const inner = typeof document === 'object' && document !== null ? (document as { profiles?: unknown }).profiles : undefined;
  const count = Array.isArray(document) ? document.length : Array.isArray(inner) ? inner.length : undefined;
  if (typeof count === 'number' && count > PROFILE_LIMITS.maxProfiles) {
    return fail('INVALID_INPUT', `${label} holds ${count} items; the limit is ${PROFILE_LIMITS.maxProfiles}.`);
  }
  if (Array.isArray(document)) {
    if (!looksLikePacketSenderJson(document)) {
      return fail('INVALID_INPUT', `${label} is a JSON list, but not a Packet Sender export (every item needs "hexstring" or "tcporudp").`);
    }
    const packets = parsePacketSenderJson(document);
    if (!packets.ok) return fieldTooLongError(label, packets);
    return ok({ source: 'packet-sender-json', items: markDuplicates(fromPacketSender(packets.items), existingNames) });
  }
  const items = fromSocketTester(document, label);
  if (!items.ok) return items;
  return ok({ source: 'socket-tester', items: markDuplicates(items.value, existingNames) });
}

/**
 * The drafts of the chosen preview items, in file order. `select` holds zero-based item positions;
 * omitted, every importable item ('ok' or 'duplicate') is taken. Choosing an item that cannot be
 * imported, or one that does not exist, is INVALID_INPUT (field 'select', `item` the position).
 */
export function selectImportDrafts(preview: ImportPreview, select?: readonly number[]): Result<ProfileDraft[]> {
  const importable = (item: ImportPreviewItem) => item.draft !== null && (item.status === 'ok' || item.status === 'duplicate');
  if (select === undefined) return ok(preview.items.flatMap((item) => (item.draft !== null && importable(item) ? [item.draft] : [])));
  const chosen = new Set<number>();
  for (const position of select) {
    const item = preview.items[position];
    if (item === undefined) {
      return fail('INVALID_INPUT', `The file has no item ${position + 1} (it has ${preview.items.length}).`, { field: 'select', item: position });
    }
    if (!importable(item)) {
      return fail('INVALID_INPUT', `Item ${position + 1} ("${item.sourceName.slice(0, 100)}") cannot be imported: ${item.reason ?? item.status}`, {
        field: 'select',
        item: position,
      });
    }
    chosen.add(position);
  }
  return ok(preview.items.flatMap((item, position) => (chosen.has(position) && item.draft !== null ? [item.draft] : [])));
}

/**
 * Reads an import file for {@link parseImport}: size checked before reading (D7), UTF-8 decoded
 * strictly (one byte-order mark dropped). packets.ini written by Qt 5 is ASCII; an INI file that is
 * not UTF-8 is read as ISO Latin-1 (not TextDecoder's windows-1252), as Qt 5's QSettings reads it.
 */
export async function readImportFile(filePath: string): Promise<Result<{ text: string; fileName: string }>> {
  const fileName = basename(filePath);
  try {
    const info = await stat(filePath);
    if (!info.isFile()) return fail('FILE_ERROR', `${filePath} is not a regular file.`);
    if (info.size > PROFILE_LIMITS.maxFileBytes) {
      return fail('INVALID_INPUT', `${fileName} is ${info.size} bytes; the import limit is ${PROFILE_LIMITS.maxFileBytes} bytes.`);
    }
    const bytes = new Uint8Array(await readFile(filePath));
    const text = decodeUtf8Strict(bytes, fileName);
    if (text.ok) return ok({ text: text.value, fileName });
    if (/\.ini$/i.test(fileName)) return ok({ text: Buffer.from(bytes).toString('latin1'), fileName });
    return fail('INVALID_INPUT', text.error.message);
  } catch (err) {
    return { ok: false, error: fileErrorFor(err, `Could not read ${filePath}`) };
  }
}
