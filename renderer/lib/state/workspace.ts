/**
 * The open tabs as plain data, so that a reload gives them back: each tab's settings as typed (a
 * half-typed port too), what it was saved as (the unsaved marker), its profile link and view, and
 * which tab was selected. Sessions, listeners, runs and received bytes are not in it: a reload
 * ends them (main owns the sockets), and the page says so by showing the tabs idle.
 *
 * Kept in the browser tab's sessionStorage (`tabStorage()`): it survives a reload of this tab, in
 * web mode and in Electron, and nothing else. Two windows never share it, a closed window takes it
 * along, and it never reaches main, a profile or an export. No secret is in it: a TLS passphrase
 * and files picked in the browser live only in their tab's memory (see tab-settings.ts).
 *
 * What is read back is hostile like any stored text (another version of the app, a hand edit, a
 * full disk): every field is checked against its kind's defaults and anything that does not fit
 * falls back to the default; a text that is not a workspace gives none, never an error page.
 */
import { PAYLOAD_MODES, TEXT_ENCODINGS, LINE_ENDINGS, NEWLINE_STYLES } from '../../../shared/payload.ts';
import { PROFILE_TRANSPORTS } from '../../../shared/profile.ts';
import { DATAGRAM_MODES } from '../../../shared/session-datagram.ts';
import { TLS_VERSIONS } from '../../../shared/tls.ts';
import { defaultListenerSettings, newRule, type ListenerSettings, type RuleDraft } from './listener-settings.ts';
import { defaultTabSettings, type TabSettings } from './tab-settings.ts';
import type { ResponseView } from './session-tab.svelte.ts';
import type { WorkTab } from './work-tab.ts';

export const WORKSPACE_KEY = 'socket-tester.workspace';

export const WORKSPACE_LIMITS = {
  /** More tabs than anyone keeps open; a stored list longer than this is cut here. */
  maxTabs: 100,
  /** Rules of one listener tab. */
  maxRules: 200,
  /**
   * The stored text's length. Browsers give an origin about 5 M characters of sessionStorage; a
   * workspace bigger than this is not stored at all (an older, smaller one would come back as if
   * it were the latest): the leave warning still guards those edits in web mode.
   */
  maxChars: 4_000_000,
} as const;

/** The profile a tab was opened from or saved as. */
export interface ProfileLink {
  id: string;
  name: string;
  /** The revision the tab's copy came from (null: unknown, a save does not check). */
  revision: number | null;
}

export type SessionView = ResponseView;

export type TabSnapshot =
  | { kind: 'session'; settings: TabSettings; saved: TabSettings | null; profile: ProfileLink | null; view: SessionView; wrap: boolean }
  | { kind: 'listener'; settings: ListenerSettings; saved: ListenerSettings | null; profile: ProfileLink | null }
  | { kind: 'conversation'; yaml: string; savedYaml: string | null; profile: ProfileLink | null; view: 'steps' | 'yaml' };

export interface WorkspaceSnapshot {
  /** Index into `tabs` of the selected tab. */
  active: number;
  tabs: TabSnapshot[];
}

const FORMAT = 'socket-tester-workspace';
const VERSION = 1;

/** The text to store, or null when it would be over {@link WORKSPACE_LIMITS.maxChars}. */
export function workspaceText(w: WorkspaceSnapshot): string | null {
  const text = JSON.stringify({ format: FORMAT, version: VERSION, active: w.active, tabs: w.tabs });
  return text.length <= WORKSPACE_LIMITS.maxChars ? text : null;
}

/** A stored workspace, checked field by field; null when the text is not one (or holds no tab). */
export function readWorkspace(text: string | null): WorkspaceSnapshot | null {
  if (text === null || text.length > WORKSPACE_LIMITS.maxChars) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(value) || value['format'] !== FORMAT || value['version'] !== VERSION || !Array.isArray(value['tabs'])) return null;
  const tabs = value['tabs'].slice(0, WORKSPACE_LIMITS.maxTabs).flatMap((t) => {
    const tab = readTab(t);
    return tab ? [tab] : [];
  });
  if (tabs.length === 0) return null;
  const active = value['active'];
  return { tabs, active: typeof active === 'number' && Number.isInteger(active) && active >= 0 && active < tabs.length ? active : 0 };
}

const SESSION_VIEWS: readonly SessionView[] = ['text', 'hex', 'transcript', 'timeline', 'tls'];

/** The values an enumerated setting may take; any other stored value becomes the default. */
const TAB_CHOICES: { readonly [K in keyof TabSettings]?: readonly TabSettings[K][] } = {
  transport: PROFILE_TRANSPORTS,
  tlsMinVersion: ['', ...TLS_VERSIONS],
  tlsMaxVersion: ['', ...TLS_VERSIONS],
  mode: PAYLOAD_MODES,
  encoding: TEXT_ENCODINGS,
  lineEnding: LINE_ENDINGS,
  newlines: NEWLINE_STYLES,
  udpMode: DATAGRAM_MODES,
};

const LISTENER_CHOICES: { readonly [K in keyof ListenerSettings]?: readonly ListenerSettings[K][] } = {
  transport: ['tcp', 'tls', 'udp'],
  tlsSource: ['self-signed', 'files'],
  responderKind: ['off', 'echo', 'fixed', 'rules'],
  fixedMode: PAYLOAD_MODES,
  fixedWhen: ['connect', 'first-message', 'each-message'],
  framingKind: ['chunk', 'line', 'delimiter', 'length'],
  delimiterMode: PAYLOAD_MODES,
};

const RULE_CHOICES: { readonly [K in keyof RuleDraft]?: readonly RuleDraft[K][] } = {
  matchKind: ['exact', 'prefix', 'contains', 'regex', 'hex'],
  replyMode: PAYLOAD_MODES,
};

/** The tab's profile link as stored. */
export function linkOf(tab: WorkTab): ProfileLink | null {
  return tab.profileId === null ? null : { id: tab.profileId, name: tab.profileName ?? '', revision: tab.profileRevision };
}

/** Gives a restored tab its profile link back (the profile may have changed meanwhile: a save then conflicts, as it should). */
export function applyLink(tab: WorkTab, link: ProfileLink | null): void {
  tab.profileId = link?.id ?? null;
  tab.profileName = link?.name ?? null;
  tab.profileRevision = link?.revision ?? null;
}

function readTab(value: unknown): TabSnapshot | null {
  if (!isRecord(value)) return null;
  const profile = readLink(value['profile']);
  switch (value['kind']) {
    case 'session': {
      const saved = value['saved'] === null ? null : readTabSettings(value['saved']);
      const view = value['view'];
      return {
        kind: 'session',
        settings: readTabSettings(value['settings']),
        saved,
        profile,
        view: SESSION_VIEWS.includes(view as SessionView) ? (view as SessionView) : 'text',
        wrap: typeof value['wrap'] === 'boolean' ? value['wrap'] : true,
      };
    }
    case 'listener':
      return { kind: 'listener', settings: readListenerSettings(value['settings']), saved: value['saved'] === null ? null : readListenerSettings(value['saved']), profile };
    case 'conversation': {
      const yaml = readText(value['yaml']);
      if (yaml === null) return null;
      return { kind: 'conversation', yaml, savedYaml: readText(value['savedYaml']), profile, view: value['view'] === 'yaml' ? 'yaml' : 'steps' };
    }
    default:
      return null;
  }
}

function readLink(value: unknown): ProfileLink | null {
  if (!isRecord(value)) return null;
  const { id, name, revision } = value;
  if (typeof id !== 'string' || id === '' || id.length > 200 || typeof name !== 'string' || name.length > 1000) return null;
  if (revision !== null && (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0)) return null;
  return { id, name, revision };
}

function readTabSettings(value: unknown): TabSettings {
  return fitTo(defaultTabSettings(), value, TAB_CHOICES);
}

function readListenerSettings(value: unknown): ListenerSettings {
  const defaults = defaultListenerSettings();
  const settings = fitTo(defaults, value, LISTENER_CHOICES);
  const rules = isRecord(value) && Array.isArray(value['rules']) ? value['rules'] : null;
  // Each rule gets a fresh key: keys are this page's row identities, never stored ones.
  settings.rules = rules === null ? defaults.rules : rules.slice(0, WORKSPACE_LIMITS.maxRules).map((r) => ({ ...fitTo(newRule(), r, RULE_CHOICES), key: newRule().key }));
  return settings;
}

/**
 * `defaults` with every key taken from `value` where the stored value has the default's type (a
 * finite number, one of `choices` where given). A string of any length is kept: an edit over the
 * editor's limit comes back with the editor saying why it cannot be sent, as before the reload
 * (the whole text is bounded by {@link WORKSPACE_LIMITS.maxChars}). Arrays and objects are the
 * caller's to read; keys `value` has beyond the defaults are dropped.
 */
function fitTo<T extends object>(defaults: T, value: unknown, choices: { readonly [K in keyof T]?: readonly T[K][] }): T {
  if (!isRecord(value)) return defaults;
  const out = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof T & string)[]) {
    const fallback = defaults[key];
    const stored = value[key];
    if (Array.isArray(fallback) || typeof stored !== typeof fallback) continue;
    if (typeof stored === 'number' && !Number.isFinite(stored)) continue;
    const allowed = choices[key];
    if (allowed !== undefined && !allowed.includes(stored as T[typeof key])) continue;
    out[key] = stored as T[typeof key];
  }
  return out;
}

function readText(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
