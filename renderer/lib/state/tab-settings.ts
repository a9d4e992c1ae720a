/**
 * A tab's editable settings (endpoint, payload, timeouts): the one definition of what they are, what
 * a new tab starts with, and how they map to and from a saved profile.
 *
 * The defaults of the connection behaviour come from `PROFILE_DEFAULTS` (shared with main's
 * importers), so a fresh tab saved as a profile behaves exactly as it did before it was saved.
 * Pure code, no runes: the tab keeps one `$state` object of this shape, and tests use it as is.
 */
import type { Profile, ProfileDraft, UdpProfileSettings } from '../../../shared/profile.ts';
import { PROFILE_DEFAULTS, UDP_PROFILE_DEFAULTS } from '../../../shared/profile.ts';
import type { DatagramMode } from '../../../shared/session-datagram.ts';
import type { LineEnding, PayloadMode, PayloadSpec, TextEncoding } from '../../../shared/payload.ts';

/** The editable request and connection settings: what a profile stores besides its name. */
export interface TabSettings {
  host: string;
  /** As typed: validated by `parseEndpoint` when used, so a half-typed port is not lost. */
  port: string;
  payloadText: string;
  mode: PayloadMode;
  encoding: TextEncoding;
  lineEnding: LineEnding;
  closeAfterSend: boolean;
  connectTimeoutMs: number;
  /** 0 disables the idle timeout. */
  idleTimeoutMs: number;
  maxResponseBytes: number;
  // ── UDP (issue 13): flat fields so copy and compare stay one-level ──
  transport: 'tcp' | 'udp';
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
  'payloadText',
  'mode',
  'encoding',
  'lineEnding',
  'closeAfterSend',
  'connectTimeoutMs',
  'idleTimeoutMs',
  'maxResponseBytes',
  'transport',
  'udpLocalPort',
  'udpMode',
  'udpBroadcast',
  'udpReplyWindowMs',
  'udpMaxDatagrams',
] as const satisfies readonly (keyof TabSettings)[];
type ListsEveryKey = Exclude<keyof TabSettings, (typeof TAB_SETTING_KEYS)[number]> extends never ? true : never;
const listsEveryKey: ListsEveryKey = true;
void listsEveryKey;

/** What a new tab starts with. */
export function defaultTabSettings(): TabSettings {
  return {
    host: '127.0.0.1',
    port: '',
    payloadText: '',
    mode: 'text',
    encoding: 'utf8',
    lineEnding: 'none',
    closeAfterSend: PROFILE_DEFAULTS.closeAfterSend,
    connectTimeoutMs: PROFILE_DEFAULTS.connectTimeoutMs,
    idleTimeoutMs: PROFILE_DEFAULTS.idleTimeoutMs,
    maxResponseBytes: PROFILE_DEFAULTS.maxResponseBytes,
    ...udpSettings(UDP_PROFILE_DEFAULTS),
    transport: 'tcp',
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

/** The part that decides the bytes sent (a plain object, safe to keep in history). */
export function payloadOf(s: TabSettings): PayloadSpec {
  return { text: s.payloadText, mode: s.mode, encoding: s.encoding, lineEnding: s.lineEnding };
}

export function settingsFromProfile(p: Profile): TabSettings {
  return {
    host: p.host,
    port: String(p.port),
    payloadText: p.payload.text,
    mode: p.payload.mode,
    encoding: p.payload.encoding,
    lineEnding: p.payload.lineEnding,
    closeAfterSend: p.closeAfterSend,
    connectTimeoutMs: p.connectTimeoutMs,
    idleTimeoutMs: p.idleTimeoutMs,
    maxResponseBytes: p.maxResponseBytes,
    transport: p.transport === 'udp' ? 'udp' : 'tcp',
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
  return {
    name: meta.name,
    folder: meta.folder,
    host: s.host.trim(),
    port,
    payload: payloadOf(s),
    connectTimeoutMs: s.connectTimeoutMs,
    idleTimeoutMs: s.idleTimeoutMs,
    closeAfterSend: s.closeAfterSend,
    maxResponseBytes: s.maxResponseBytes,
    notes: meta.notes,
    // A TCP profile is saved exactly as before UDP existed: no transport and no udp keys.
    ...(s.transport === 'udp'
      ? {
          transport: 'udp' as const,
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
