/**
 * A tab's editable settings (endpoint, payload, timeouts): the one definition of what they are, what
 * a new tab starts with, and how they map to and from a saved profile.
 *
 * The defaults of the connection behaviour come from `PROFILE_DEFAULTS` (shared with main's
 * importers), so a fresh tab saved as a profile behaves exactly as it did before it was saved.
 * Pure code, no runes: the tab keeps one `$state` object of this shape, and tests use it as is.
 */
import type { Profile, ProfileDraft, ProfileTlsSettings, ProfileTransport, UdpProfileSettings } from '../../../shared/profile.ts';
import { PROFILE_DEFAULTS, UDP_PROFILE_DEFAULTS } from '../../../shared/profile.ts';
import type { DatagramMode } from '../../../shared/session-datagram.ts';
import { TLS_FILE_PURPOSES, type TlsClientOptions, type TlsFilePurpose, type TlsVersion } from '../../../shared/tls.ts';
import type { LineEnding, NewlineStyle, PayloadMode, PayloadSpec, TextEncoding } from '../../../shared/payload.ts';
import { t } from '../i18n/index.ts';
import { formatEndpoint, parseHost, parsePort } from '../../../shared/endpoint.ts';

/** The editable request and connection settings: what a profile stores besides its name. */
export interface TabSettings {
  host: string;
  /** As typed: validated by `parseEndpoint` when used, so a half-typed port is not lost. */
  port: string;
  transport: ProfileTransport;
  /*
   * TLS settings, flat and as typed (empty = not set), kept while the transport is TCP so switching
   * back finds them. No passphrase here: it is asked for at connect and never saved.
   */
  tlsServerName: string;
  tlsVerifyName: string;
  tlsVerify: boolean;
  tlsCaFile: string;
  tlsCertFile: string;
  tlsKeyFile: string;
  tlsPfxFile: string;
  /** ALPN protocols, comma-separated. */
  tlsAlpn: string;
  tlsMinVersion: TlsVersion | '';
  tlsMaxVersion: TlsVersion | '';
  payloadText: string;
  mode: PayloadMode;
  encoding: TextEncoding;
  lineEnding: LineEnding;
  /** How newlines typed in the text are sent (a profile without the key means 'as-typed'). */
  newlines: NewlineStyle;
  closeAfterSend: boolean;
  connectTimeoutMs: number;
  /** 0 disables the idle timeout. */
  idleTimeoutMs: number;
  maxResponseBytes: number;
  // ── UDP (issue 13): flat fields so copy and compare stay one-level; used when transport is 'udp' ──
  /** 0: any free port. */
  udpLocalPort: number;
  udpMode: DatagramMode;
  udpBroadcast: boolean;
  /** 0: no reply window. */
  udpReplyWindowMs: number;
  udpMaxDatagrams: number;
}

/** Every key of {@link TabSettings}; the compiler rejects a list that misses or invents one. */
export const TAB_SETTING_KEYS = [
  'host',
  'port',
  'transport',
  'tlsServerName',
  'tlsVerifyName',
  'tlsVerify',
  'tlsCaFile',
  'tlsCertFile',
  'tlsKeyFile',
  'tlsPfxFile',
  'tlsAlpn',
  'tlsMinVersion',
  'tlsMaxVersion',
  'payloadText',
  'mode',
  'encoding',
  'lineEnding',
  'newlines',
  'closeAfterSend',
  'connectTimeoutMs',
  'idleTimeoutMs',
  'maxResponseBytes',
  'udpLocalPort',
  'udpMode',
  'udpBroadcast',
  'udpReplyWindowMs',
  'udpMaxDatagrams',
] as const satisfies readonly (keyof TabSettings)[];
type ListsEveryKey = Exclude<keyof TabSettings, (typeof TAB_SETTING_KEYS)[number]> extends never ? true : never;
const listsEveryKey: ListsEveryKey = true;
void listsEveryKey;

const TLS_DEFAULTS = {
  tlsServerName: '',
  tlsVerifyName: '',
  tlsVerify: true,
  tlsCaFile: '',
  tlsCertFile: '',
  tlsKeyFile: '',
  tlsPfxFile: '',
  tlsAlpn: '',
  tlsMinVersion: '',
  tlsMaxVersion: '',
} as const satisfies Partial<TabSettings>;

/** ALPN text ("h2, http/1.1") as the list offered. */
function alpnList(text: string): string[] {
  return text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** A profile's TLS object from the settings: only the keys set, none at all when nothing is. */
export function tlsSettingsOf(s: TabSettings): ProfileTlsSettings {
  const t: ProfileTlsSettings = {};
  if (s.tlsServerName.trim()) t.serverName = s.tlsServerName.trim();
  if (s.tlsVerifyName.trim()) t.verifyName = s.tlsVerifyName.trim();
  if (!s.tlsVerify) t.verify = false;
  if (s.tlsCaFile.trim()) t.caFile = s.tlsCaFile.trim();
  if (s.tlsCertFile.trim()) t.certFile = s.tlsCertFile.trim();
  if (s.tlsKeyFile.trim()) t.keyFile = s.tlsKeyFile.trim();
  if (s.tlsPfxFile.trim()) t.pfxFile = s.tlsPfxFile.trim();
  const alpn = alpnList(s.tlsAlpn);
  if (alpn.length > 0) t.alpn = alpn;
  if (s.tlsMinVersion) t.minVersion = s.tlsMinVersion;
  if (s.tlsMaxVersion) t.maxVersion = s.tlsMaxVersion;
  return t;
}

/**
 * A credential file the browser read (web mode cannot learn a path): its name for the UI and its
 * bytes for the connect. Kept in the tab's memory only, never in settings (so never in a profile).
 */
export interface PickedTlsFile {
  name: string;
  bytes: Uint8Array;
}
export type PickedTlsFiles = Partial<Record<TlsFilePurpose, PickedTlsFile>>;

/** The tab setting that holds each credential's path. */
export const TLS_PATH_SETTING = {
  ca: 'tlsCaFile',
  cert: 'tlsCertFile',
  key: 'tlsKeyFile',
  pfx: 'tlsPfxFile',
} as const satisfies Record<TlsFilePurpose, keyof TabSettings>;
const TLS_DATA_OPTION = { ca: 'caData', cert: 'certData', key: 'keyData', pfx: 'pfxData' } as const satisfies Record<TlsFilePurpose, keyof TlsClientOptions>;

/** The file a credential comes from: a path typed or chosen, else bytes the browser read, else none. */
export function credentialSource(s: TabSettings, picked: PickedTlsFiles, purpose: TlsFilePurpose): 'path' | 'picked' | null {
  if (s[TLS_PATH_SETTING[purpose]].trim() !== '') return 'path';
  return picked[purpose] ? 'picked' : null;
}

/**
 * The `tls` of a connect: the settings plus this connect's passphrase (asked for, never stored)
 * and the bytes of files the browser read where no path is given; undefined for TCP.
 */
export function tlsOptionsOf(s: TabSettings, passphrase: string, picked: PickedTlsFiles = {}): TlsClientOptions | undefined {
  if (s.transport !== 'tls') return undefined;
  const options: TlsClientOptions = { ...tlsSettingsOf(s) };
  for (const purpose of TLS_FILE_PURPOSES) {
    const file = picked[purpose];
    if (file && credentialSource(s, picked, purpose) === 'picked') options[TLS_DATA_OPTION[purpose]] = file.bytes;
  }
  if (passphrase) options.passphrase = passphrase;
  return options;
}

/** Whether a connect with these settings needs a passphrase field (a PFX or a client key). */
export function mayNeedPassphrase(s: TabSettings, picked: PickedTlsFiles = {}): boolean {
  return s.transport === 'tls' && (credentialSource(s, picked, 'pfx') !== null || credentialSource(s, picked, 'key') !== null);
}

/**
 * A session tab's name from its endpoint fields: `host:port`, with `?` for a port that is not one
 * (the field says why; a title repeating "6 5" looks like a port), or null while either is blank.
 */
export function endpointTitle(host: string, port: string): string | null {
  const h = host.trim();
  const p = port.trim();
  // A host that carries its port (`[::1]:80`, `tcp://host:80`) is named by it, as the connect
  // uses it: the typed text bracketed again read "[[::1]:80]:81" or "[::1]:80:81" (tester).
  const named = h === '' ? null : parseHost(h);
  if (named === null) return null;
  const parsed = p === '' ? null : parsePort(p);
  const portShown = (value: number | undefined): number | '?' => (value === undefined ? '?' : value);
  if (named.ok) {
    // The name as typed (Unicode, not its punycode), without a scheme or a port of its own.
    const { host: ascii, display, port: hostPort } = named.value;
    const name = display === ascii ? ascii : display.slice(0, display.lastIndexOf(' ('));
    if (hostPort !== undefined) return formatEndpoint(name, parsed === null || (parsed.ok && parsed.value === hostPort) ? hostPort : '?');
    if (parsed === null) return null;
    return formatEndpoint(name, portShown(parsed.ok ? parsed.value : undefined));
  }
  if (parsed === null) return null;
  // Text that is no host at all (`http://x`) is shown as typed, not bracketed as if IPv6.
  return `${h}:${portShown(parsed.ok ? parsed.value : undefined)}`;
}

/** What a new tab starts with. */
export function defaultTabSettings(): TabSettings {
  return {
    host: '127.0.0.1',
    port: '',
    transport: 'tcp',
    ...TLS_DEFAULTS,
    payloadText: '',
    mode: 'text',
    encoding: 'utf8',
    lineEnding: 'none',
    newlines: 'as-typed',
    closeAfterSend: PROFILE_DEFAULTS.closeAfterSend,
    connectTimeoutMs: PROFILE_DEFAULTS.connectTimeoutMs,
    idleTimeoutMs: PROFILE_DEFAULTS.idleTimeoutMs,
    maxResponseBytes: PROFILE_DEFAULTS.maxResponseBytes,
    ...udpSettings(UDP_PROFILE_DEFAULTS),
  };
}

/** The tab's flat UDP fields from a profile's `udp` object. */
function udpSettings(u: UdpProfileSettings): Pick<TabSettings, 'udpLocalPort' | 'udpMode' | 'udpBroadcast' | 'udpReplyWindowMs' | 'udpMaxDatagrams'> {
  return { udpLocalPort: u.localPort, udpMode: u.mode, udpBroadcast: u.broadcast, udpReplyWindowMs: u.replyWindowMs, udpMaxDatagrams: u.maxDatagrams };
}

/** A plain copy with exactly the settings' keys (never a reactive proxy, never extra fields). */
export function copySettings(s: TabSettings): TabSettings {
  const out = {} as Record<keyof TabSettings, unknown>;
  for (const k of TAB_SETTING_KEYS) out[k] = s[k];
  return out as unknown as TabSettings;
}

/** True when every setting is equal (what the unsaved marker compares). */
export function sameSettings(a: TabSettings, b: TabSettings): boolean {
  return TAB_SETTING_KEYS.every((k) => a[k] === b[k]);
}

/**
 * The part that decides the bytes sent (a plain object, safe to keep in history), also what a
 * profile stores. 'as-typed' newlines are written as no key at all: a spec or a profile without it
 * means as typed, so files that never use the choice stay readable by builds from before it (their
 * strict schema refuses unknown keys).
 */
export function payloadOf(s: TabSettings): PayloadSpec {
  const spec: PayloadSpec = { text: s.payloadText, mode: s.mode, encoding: s.encoding, lineEnding: s.lineEnding };
  return s.newlines === 'as-typed' ? spec : { ...spec, newlines: s.newlines };
}

export function settingsFromProfile(p: Profile): TabSettings {
  return {
    host: p.host,
    port: String(p.port),
    transport: p.transport ?? 'tcp',
    tlsServerName: p.tls?.serverName ?? '',
    tlsVerifyName: p.tls?.verifyName ?? '',
    tlsVerify: p.tls?.verify ?? true,
    tlsCaFile: p.tls?.caFile ?? '',
    tlsCertFile: p.tls?.certFile ?? '',
    tlsKeyFile: p.tls?.keyFile ?? '',
    tlsPfxFile: p.tls?.pfxFile ?? '',
    tlsAlpn: (p.tls?.alpn ?? []).join(', '),
    tlsMinVersion: p.tls?.minVersion ?? '',
    tlsMaxVersion: p.tls?.maxVersion ?? '',
    payloadText: p.payload.text,
    mode: p.payload.mode,
    encoding: p.payload.encoding,
    lineEnding: p.payload.lineEnding,
    // Profiles saved before the choice existed have no key: their bytes stay as typed.
    newlines: p.payload.newlines ?? 'as-typed',
    closeAfterSend: p.closeAfterSend,
    connectTimeoutMs: p.connectTimeoutMs,
    idleTimeoutMs: p.idleTimeoutMs,
    maxResponseBytes: p.maxResponseBytes,
    ...udpSettings(p.udp ?? UDP_PROFILE_DEFAULTS),
  };
}

/** Where a profile lives and what it says about itself: the parts the tab does not edit. */
export interface ProfileMeta {
  name: string;
  folder: string | null;
  notes: string;
}

/** A draft from tab settings; the port must already be valid (the caller checked it). */
export function draftFromSettings(s: TabSettings, meta: ProfileMeta, port: number): ProfileDraft {
  const tls = tlsSettingsOf(s);
  return {
    name: meta.name,
    folder: meta.folder,
    host: s.host.trim(),
    port,
    transport: s.transport,
    ...(Object.keys(tls).length > 0 ? { tls } : {}),
    payload: payloadOf(s),
    connectTimeoutMs: s.connectTimeoutMs,
    idleTimeoutMs: s.idleTimeoutMs,
    closeAfterSend: s.closeAfterSend,
    maxResponseBytes: s.maxResponseBytes,
    notes: meta.notes,
    // Only a UDP profile carries udp settings (the schema refuses them elsewhere).
    ...(s.transport === 'udp'
      ? {
          udp: { localPort: s.udpLocalPort, mode: s.udpMode, broadcast: s.udpBroadcast, replyWindowMs: s.udpReplyWindowMs, maxDatagrams: s.udpMaxDatagrams },
        }
      : {}),
  };
}

/** A stored profile as a draft (to update it with a new name or folder, keeping everything else). */
export function draftFromProfile(p: Profile): ProfileDraft {
  const { id: _id, revision: _r, createdAt: _c, updatedAt: _u, ...draft } = p;
  return draft;
}

// ── Repeat and macros on send (issue 15 item 4) ──────────────────────────────────────────────

/**
 * How Send behaves beyond one press: macro expansion and "Send every N ms". Off by default, kept
 * with the tab but not in profiles (a saved request sends what it says; a repeat is an action).
 */
export interface SendOptions {
  /** Expand `${counter}`, `${time}`, `${date}`, `${random:hex:N}` on send (renderer/lib/session-macros.ts). */
  macros: boolean;
  /** Milliseconds from the start of one send to the start of the next. */
  repeatEveryMs: number;
  /** How many sends; 0 = until stopped (still at most SEND_REPEAT_LIMITS.maxCount). */
  repeatCount: number;
}

/** Bounds of a repeat: a fast interval must not flood main or the peer, nor run forever. */
export const SEND_REPEAT_LIMITS = {
  minIntervalMs: 10,
  maxIntervalMs: 3_600_000,
  maxCount: 100_000,
} as const;

export function defaultSendOptions(): SendOptions {
  return { macros: false, repeatEveryMs: 1000, repeatCount: 10 };
}

/** A checked repeat plan: the interval and how many sends (`until stopped` is the limit). */
export interface RepeatPlan {
  everyMs: number;
  count: number;
  untilStopped: boolean;
}

/** Checks the repeat fields; an error names its field (`repeatEveryMs`, `repeatCount`). */
export function repeatPlan(o: SendOptions): { ok: true; value: RepeatPlan } | { ok: false; error: AppErrorLike } {
  const every = o.repeatEveryMs;
  if (!Number.isInteger(every) || every < SEND_REPEAT_LIMITS.minIntervalMs || every > SEND_REPEAT_LIMITS.maxIntervalMs) {
    return repeatError('repeatEveryMs', t('request.repeatIntervalRule', { min: SEND_REPEAT_LIMITS.minIntervalMs, max: SEND_REPEAT_LIMITS.maxIntervalMs }));
  }
  const count = o.repeatCount;
  if (!Number.isInteger(count) || count < 0 || count > SEND_REPEAT_LIMITS.maxCount) {
    return repeatError('repeatCount', t('request.repeatCountRule', { max: SEND_REPEAT_LIMITS.maxCount }));
  }
  return { ok: true, value: { everyMs: every, count: count === 0 ? SEND_REPEAT_LIMITS.maxCount : count, untilStopped: count === 0 } };
}

type AppErrorLike = { code: 'INVALID_INPUT'; message: string; field: string };

function repeatError(field: string, message: string): { ok: false; error: AppErrorLike } {
  return { ok: false, error: { code: 'INVALID_INPUT', message, field } };
}
