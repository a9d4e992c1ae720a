/**
 * Saved connection profiles: the types, the limits and the zod schemas that guard them on load, on
 * import and before every write (D4).
 *
 * Invariants:
 * - Every schema is strict: an unknown key (including `__proto__`) is an error, never carried along.
 * - Names and folders are stored trimmed, 1–100 characters, without control, line-separator or
 *   bidi-override characters, so a name can be shown anywhere without reordering text around it.
 * - Within one folder, names are unique ignoring case; ids are unique. Profiles live in an array
 *   with ids (D8): a name is never used as a path or an object key.
 * - Pure code: no `node:*`, no `Buffer`, no `electron` (the renderer imports this file too).
 */
import { z } from 'zod';
import { fail, ok, type Result } from './errors.ts';
import { SESSION_LIMITS } from './session.ts';
import type { LineEnding, NewlineStyle, PayloadMode, TextEncoding } from './payload.ts';
import { DATAGRAM_LIMITS, DATAGRAM_MODES, type DatagramMode } from './session-datagram.ts';
import { TLS_LIMITS, TLS_VERSIONS, type TlsVersion } from './tls.ts';
import type { ListenerProfileSettings } from './listener.ts';
import { listenerProfileSettingsSchema } from './listener-schema.ts';
import { CONVERSATION_LIMITS } from './conversation.ts';

/**
 * What a profile opens: an outgoing session (absent means this), a listener, or a conversation.
 * A listener's `host`/`port`/`transport` are where it binds; a conversation's mirror its YAML's
 * target (the YAML is the truth; the copies let the list show and search them).
 */
export type ProfileKind = 'session' | 'listener' | 'conversation';
export const PROFILE_KINDS: readonly ProfileKind[] = ['session', 'listener', 'conversation'];

/** A conversation profile's body: the conversation file's text (docs/conversations.md). */
export interface ConversationProfileSettings {
  yaml: string;
}

/** How the payload text turns into bytes (the payload codec's modes). */
export type ProfilePayloadMode = PayloadMode;
/** Character encoding of text and escape payloads. */
export type ProfileTextEncoding = TextEncoding;
/** Line ending appended to the payload when sent. */
export type ProfileLineEnding = LineEnding;
/** How newlines typed in the payload text are sent. */
export type ProfileNewlines = NewlineStyle;

/** How a profile connects. Absent in a stored profile means 'tcp'. */
export type ProfileTransport = 'tcp' | 'tls' | 'udp';
export const PROFILE_TRANSPORTS: readonly ProfileTransport[] = ['tcp', 'tls', 'udp'];

/**
 * The TLS settings a profile keeps (shared/tls.ts's TlsClientOptions without the secrets). Never
 * a passphrase and never key material: a client key is kept as the path of its file, so the
 * profiles file and an export can be shared without leaking it. The schema is strict, so a
 * `passphrase` or PEM key refuses to be stored rather than being written.
 */
export interface ProfileTlsSettings {
  /** SNI name; absent: the host when it is a name. An empty string sends no SNI. */
  serverName?: string;
  /** Name the certificate must match; absent: the host. */
  verifyName?: string;
  /** Verify chain and name (absent: true). */
  verify?: boolean;
  caFile?: string;
  certFile?: string;
  /** Path of the client key file (never the key itself). */
  keyFile?: string;
  /** Path of a PKCS#12 file; its passphrase is asked for at connect and never stored. */
  pfxFile?: string;
  alpn?: string[];
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
}

/** One saved connection: where to connect, what to send, how long to wait. */
export interface Profile {
  id: string;
  name: string;
  /** One level of grouping; null when the profile sits at the top. */
  folder: string | null;
  /** Absent means 'session' (and is how a session profile is written). */
  kind?: ProfileKind;
  host: string;
  port: number;
  /**
   * Absent means 'tcp' (files migrated from version 2 name it). 'udp' opens a datagram session
   * with {@link Profile.udp}'s settings.
   */
  transport?: ProfileTransport;
  /** Kept whatever the transport, so switching back to TLS finds them again. */
  tls?: ProfileTlsSettings;
  payload: {
    text: string;
    mode: ProfilePayloadMode;
    encoding: ProfileTextEncoding;
    lineEnding: ProfileLineEnding;
    /**
     * Absent means 'as-typed': files written before this key existed keep their bytes, and a
     * profile that never changes it is written without it (so older builds can still read it).
     */
    newlines?: ProfileNewlines;
  };
  connectTimeoutMs: number;
  /** 0 disables the idle timeout. */
  idleTimeoutMs: number;
  /** Half-close (send our FIN) after the payload is sent. */
  closeAfterSend: boolean;
  maxResponseBytes: number;
  notes: string;
  /** UDP settings; present exactly when `transport` is 'udp' and the kind is 'session'. */
  udp?: UdpProfileSettings;
  /** Present exactly when `kind` is 'listener'. */
  listener?: ListenerProfileSettings;
  /** Present exactly when `kind` is 'conversation'. */
  conversation?: ConversationProfileSettings;
  /**
   * Counts the saved versions of this profile, from 1; every change the store makes adds one. An
   * update that names an older revision than the stored one is PROFILE_CONFLICT (a stale copy
   * from another window or process never overwrites a newer edit).
   */
  revision: number;
  /** ISO 8601, UTC. */
  createdAt: string;
  updatedAt: string;
}

/** What a UDP profile stores besides host, port and payload (the UDP part of Options). */
export interface UdpProfileSettings {
  /** 0: any free port. */
  localPort: number;
  mode: DatagramMode;
  broadcast: boolean;
  /** 0: no reply window (the session stays open until closed). */
  replyWindowMs: number;
  maxDatagrams: number;
}

/** A new UDP tab's settings (the engine's defaults, with no reply window: the user closes). */
export const UDP_PROFILE_DEFAULTS: Readonly<UdpProfileSettings> = {
  localPort: 0,
  mode: 'target-only',
  broadcast: false,
  replyWindowMs: 0,
  maxDatagrams: DATAGRAM_LIMITS.defaultMaxDatagrams,
};

/** A profile as the user edits it: everything but the bookkeeping fields the store owns. */
export type ProfileDraft = Omit<Profile, 'id' | 'revision' | 'createdAt' | 'updatedAt'>;

/** A stale update's two sides, carried on PROFILE_CONFLICT so the UI can offer a choice. */
export interface ProfileConflict {
  /** The stored profile that won (the newer revision). */
  theirs: Profile;
  /** The profile as the refused update would have saved it. */
  mine: Profile;
}

/** Hard limits, checked by the store before parsing (sizes) and after parsing (counts). */
export const PROFILE_LIMITS = {
  maxNameLength: 100,
  maxFolderLength: 100,
  maxNotesLength: 10_000,
  maxPayloadChars: 1_000_000,
  maxProfiles: 5_000,
  maxFileBytes: 32 * 1024 * 1024,
  maxHostLength: 255,
  maxIdLength: 100,
} as const;

/** The format version this build reads and writes; older files are migrated, newer open read-only. */
export const PROFILE_FILE_VERSION = 4;

/** The `format` marker of our profile file and of our export files. */
export const PROFILE_FILE_FORMAT = 'socket-tester-profiles';

/**
 * Field values for a new profile and a new tab (the UI starts from these, the importers fill gaps
 * with them). They match `socket-tester send`'s defaults: our FIN after sending and no idle timeout,
 * so the session ends when the peer has answered and closed (F12, F13), however late that is.
 */
export const PROFILE_DEFAULTS = {
  connectTimeoutMs: SESSION_LIMITS.defaultConnectTimeoutMs,
  idleTimeoutMs: 0,
  closeAfterSend: true,
  maxResponseBytes: SESSION_LIMITS.defaultMaxResponseBytes,
} as const;

/**
 * Characters a name or folder may not contain: C0/C1 controls, line and paragraph separators, and
 * the bidi embedding/override/isolate controls that could make a name display as something else.
 */
const FORBIDDEN_LABEL_CHARACTER = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

function codePointLabel(text: string, index: number): string {
  const codePoint = text.codePointAt(index) ?? 0;
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Checks a name-like label; `position` is in the untrimmed text the user typed. */
function validateLabel(text: string, field: 'name' | 'folder', maxLength: number): Result<string> {
  const label = field === 'name' ? 'Profile name' : 'Folder name';
  const match = FORBIDDEN_LABEL_CHARACTER.exec(text);
  if (match) {
    return fail('INVALID_INPUT', `${label} contains the control character ${codePointLabel(text, match.index)} at character ${match.index + 1}.`, {
      field,
      position: match.index,
    });
  }
  const trimmed = text.trim();
  if (trimmed.length === 0) return fail('INVALID_INPUT', `${label} is empty.`, { field });
  if (trimmed.length > maxLength) {
    return fail('INVALID_INPUT', `${label} is ${trimmed.length} characters long; the limit is ${maxLength}.`, { field });
  }
  return ok(trimmed);
}

/** Trims a profile name and rejects empty, overlong and control-character names (field 'name'). */
export function validateProfileName(name: string): Result<string> {
  return validateLabel(name, 'name', PROFILE_LIMITS.maxNameLength);
}

/**
 * Trims a folder name; null, empty or all-blank means "no folder" and yields null. Rejects overlong
 * and control-character folders (field 'folder').
 */
export function validateFolderName(folder: string | null): Result<string | null> {
  if (folder === null || folder.trim().length === 0) return ok(null);
  return validateLabel(folder, 'folder', PROFILE_LIMITS.maxFolderLength);
}

/**
 * The identity two profiles must not share: folder and name, ignoring case. Used as a Map key only;
 * it is never a path or a property name.
 */
export function profileNameKey(name: string, folder: string | null): string {
  return `${(folder ?? '').toLowerCase()}\u0000${name.toLowerCase()}`;
}

/** A stored label: already trimmed and valid (a schema never silently changes data it validates). */
function storedLabel(field: 'name' | 'folder', maxLength: number) {
  return z.string().superRefine((value, ctx) => {
    const checked = validateLabel(value, field, maxLength);
    if (!checked.ok) ctx.addIssue({ code: 'custom', message: checked.error.message });
    else if (checked.value !== value) ctx.addIssue({ code: 'custom', message: `${field} has leading or trailing spaces.` });
  });
}

const hostSchema = z
  .string()
  .min(1, 'Host is empty.')
  .max(PROFILE_LIMITS.maxHostLength, `Host is longer than ${PROFILE_LIMITS.maxHostLength} characters.`)
  .refine((host) => !/[\p{Cc}\s]/u.test(host), 'Host contains a space or a control character.');

const payloadModes = ['text', 'hex', 'escapes'] as const;
const textEncodings = ['utf8', 'latin1'] as const;
const lineEndings = ['none', 'lf', 'cr', 'crlf'] as const;
const newlineStyles = ['as-typed', 'lf', 'crlf'] as const;
/** Compiles only while the lists above equal the payload codec's types, in both directions. */
type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const payloadListsMatchCodec: SameSet<(typeof payloadModes)[number], PayloadMode> &
  SameSet<(typeof textEncodings)[number], TextEncoding> &
  SameSet<(typeof lineEndings)[number], LineEnding> &
  SameSet<(typeof newlineStyles)[number], NewlineStyle> = true;

const payloadSchema = z.strictObject({
  text: z.string().max(PROFILE_LIMITS.maxPayloadChars, `Payload is longer than ${PROFILE_LIMITS.maxPayloadChars} characters.`),
  mode: z.enum(payloadModes),
  encoding: z.enum(textEncodings),
  lineEnding: z.enum(lineEndings),
  newlines: z.enum(newlineStyles).optional(),
});

const tlsPathSchema = z.string().min(1).max(4096).refine((path) => !/\p{Cc}/u.test(path), 'File path contains a control character.');
const tlsNameSchema = z.string().max(PROFILE_LIMITS.maxHostLength).refine((name) => !/[\p{Cc}\s]/u.test(name), 'Name contains a space or a control character.');
const tlsSettingsSchema = z.strictObject({
  serverName: tlsNameSchema.optional(),
  verifyName: tlsNameSchema.min(1).optional(),
  verify: z.boolean().optional(),
  caFile: tlsPathSchema.optional(),
  certFile: tlsPathSchema.optional(),
  keyFile: tlsPathSchema.optional(),
  pfxFile: tlsPathSchema.optional(),
  alpn: z.array(z.string().min(1).max(TLS_LIMITS.maxAlpnProtocolBytes)).max(TLS_LIMITS.maxAlpnProtocols).optional(),
  minVersion: z.enum(TLS_VERSIONS).optional(),
  maxVersion: z.enum(TLS_VERSIONS).optional(),
});

const draftShape = {
  name: storedLabel('name', PROFILE_LIMITS.maxNameLength),
  folder: storedLabel('folder', PROFILE_LIMITS.maxFolderLength).nullable(),
  host: hostSchema,
  // 0 only for a listener (any free port); checkTransport refuses it for every other kind.
  port: z.int().min(0).max(65_535),
  transport: z.enum(['tcp', 'tls', 'udp']).optional(),
  tls: tlsSettingsSchema.optional(),
  payload: payloadSchema,
  connectTimeoutMs: z.int().min(1).max(SESSION_LIMITS.maxConnectTimeoutMs),
  idleTimeoutMs: z.int().min(0).max(SESSION_LIMITS.maxIdleTimeoutMs),
  closeAfterSend: z.boolean(),
  maxResponseBytes: z.int().min(1).max(SESSION_LIMITS.maxResponseBytes),
  notes: z.string().max(PROFILE_LIMITS.maxNotesLength, `Notes are longer than ${PROFILE_LIMITS.maxNotesLength} characters.`),
};

const udpSchema = z.strictObject({
  localPort: z.int().min(0).max(65_535),
  mode: z.enum(DATAGRAM_MODES as [DatagramMode, ...DatagramMode[]]),
  broadcast: z.boolean(),
  replyWindowMs: z.int().min(0).max(DATAGRAM_LIMITS.maxReplyWindowMs),
  maxDatagrams: z.int().min(1).max(DATAGRAM_LIMITS.maxDatagrams),
});
const conversationSchema = z.strictObject({
  yaml: z.string().max(CONVERSATION_LIMITS.maxFileBytes, `A conversation is longer than ${CONVERSATION_LIMITS.maxFileBytes} characters.`),
});
const transportShape = {
  kind: z.enum(['session', 'listener', 'conversation']).optional(),
  udp: udpSchema.optional(),
  listener: listenerProfileSettingsSchema.optional(),
  conversation: conversationSchema.optional(),
};

interface KindAndSections {
  kind?: ProfileKind | undefined;
  port?: number;
  transport?: ProfileTransport | undefined;
  udp?: unknown;
  listener?: unknown;
  conversation?: unknown;
}

/**
 * Each section goes with its kind (and `udp` with a UDP session) and only with it, so a file never
 * says two things.
 */
function checkTransport(p: KindAndSections, ctx: z.RefinementCtx): void {
  const kind = p.kind ?? 'session';
  if (kind !== 'listener' && p.port === 0) ctx.addIssue({ code: 'custom', path: ['port'], message: 'Port 0 is only for a listener (any free port); give 1–65535.' });
  const udpSession = kind === 'session' && p.transport === 'udp';
  if (udpSession && p.udp === undefined) ctx.addIssue({ code: 'custom', path: ['udp'], message: 'A UDP profile needs its udp settings.' });
  if (!udpSession && p.udp !== undefined) ctx.addIssue({ code: 'custom', path: ['transport'], message: 'udp settings need transport "udp".' });
  if (kind === 'listener' && p.listener === undefined) ctx.addIssue({ code: 'custom', path: ['listener'], message: 'A listener profile needs its listener settings.' });
  if (kind !== 'listener' && p.listener !== undefined) ctx.addIssue({ code: 'custom', path: ['kind'], message: 'listener settings need kind "listener".' });
  if (kind === 'conversation' && p.conversation === undefined) {
    ctx.addIssue({ code: 'custom', path: ['conversation'], message: 'A conversation profile needs its conversation.' });
  }
  if (kind !== 'conversation' && p.conversation !== undefined) ctx.addIssue({ code: 'custom', path: ['kind'], message: 'a conversation needs kind "conversation".' });
}

/** A {@link ProfileDraft}: what create/update/import accept. */
export const profileDraftSchema = z.strictObject({ ...draftShape, ...transportShape }).superRefine(checkTransport);

/** A stored {@link Profile}. */
export const profileSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(PROFILE_LIMITS.maxIdLength)
    .regex(/^[A-Za-z0-9_-]+$/, 'Profile id may only contain letters, digits, "_" and "-".'),
  ...draftShape,
  ...transportShape,
  revision: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
}).superRefine(checkTransport);

/** Adds an issue for every repeated id and every repeated folder+name (ignoring case). */
function checkUniqueProfiles(profiles: readonly Profile[], ctx: z.RefinementCtx): void {
  const ids = new Map<string, number>();
  const names = new Map<string, number>();
  profiles.forEach((profile, index) => {
    const idSeen = ids.get(profile.id);
    if (idSeen !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['profiles', index, 'id'], message: `Profile id "${profile.id}" repeats profile ${idSeen}.` });
    }
    ids.set(profile.id, index);
    const key = profileNameKey(profile.name, profile.folder);
    const nameSeen = names.get(key);
    if (nameSeen !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['profiles', index, 'name'],
        message: `Profile name "${profile.name}" repeats profile ${nameSeen} in the same folder.`,
      });
    }
    names.set(key, index);
  });
}

/** The store's file on disk, version {@link PROFILE_FILE_VERSION}. */
export const profileFileSchema = z
  .strictObject({
    format: z.literal(PROFILE_FILE_FORMAT),
    version: z.literal(PROFILE_FILE_VERSION),
    profiles: z.array(profileSchema).max(PROFILE_LIMITS.maxProfiles),
  })
  .superRefine((file, ctx) => checkUniqueProfiles(file.profiles, ctx));

/** Our export file: the store's shape plus the time of export. */
export const profileExportSchema = z
  .strictObject({
    format: z.literal(PROFILE_FILE_FORMAT),
    version: z.literal(PROFILE_FILE_VERSION),
    exportedAt: z.iso.datetime(),
    profiles: z.array(profileSchema).max(PROFILE_LIMITS.maxProfiles),
  })
  .superRefine((file, ctx) => checkUniqueProfiles(file.profiles, ctx));

/** The store's file, parsed. */
export type ProfileFile = z.infer<typeof profileFileSchema>;
/** An export file, parsed. */
export type ProfileExport = z.infer<typeof profileExportSchema>;

/**
 * One zod failure as a sentence naming where it happened, e.g.
 * `profiles[3].port: Too big: expected number to be <=65535`.
 */
export function describeSchemaIssues(error: z.ZodError, maxIssues = 3): string {
  const parts = error.issues.slice(0, maxIssues).map((issue) => {
    const path = issue.path
      .map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`))
      .join('');
    return path.length > 0 ? `${path}: ${issue.message}` : issue.message;
  });
  const more = error.issues.length > maxIssues ? ` (and ${error.issues.length - maxIssues} more)` : '';
  return `${parts.join('; ')}${more}`;
}

/** Validates a draft and turns the first problems into one INVALID_INPUT naming the field. */
export function validateProfileDraft(draft: unknown): Result<ProfileDraft> {
  const parsed = profileDraftSchema.safeParse(draft);
  if (parsed.success) return ok(parsed.data);
  const first = parsed.error.issues[0];
  const field = first?.path.map(String).join('.') || undefined;
  return fail('INVALID_INPUT', `Invalid profile: ${describeSchemaIssues(parsed.error)}.`, field === undefined ? {} : { field });
}
