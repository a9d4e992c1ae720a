/**
 * The whole renderer's state: tabs, the active tab, profiles and overlays. Components read from it
 * and call its methods; it is the only place that talks to the API (through the tabs it owns).
 */
import type { AppInfo, CallArg, HostKind, ImportPreviewView, ProfileStoreState, SocketTesterApi } from '../../../shared/contract.ts';
import type { AppError, Result } from '../../../shared/errors.ts';
import type { Profile, ProfileConflict } from '../../../shared/profile.ts';
import { parseEndpoint } from '../../../shared/endpoint.ts';
import { SessionTab } from './session-tab.svelte.ts';
import { draftFromSettings, settingsFromProfile, type ProfileMeta } from './tab-settings.ts';

/** A deleted profile kept for undo until the next delete or a few seconds pass. */
export interface PendingUndo {
  profile: Profile;
  index: number;
}

/**
 * A save refused with PROFILE_CONFLICT: the profile changed elsewhere (another window, process or
 * a hand edit) since this tab opened it. The sidebar shows it and offers "keep mine" (save this
 * tab's version over the stored revision) or "take theirs" (load the stored version into the tab).
 */
export interface PendingConflict {
  tab: SessionTab;
  conflict: ProfileConflict;
  /** Labels of the fields that differ between the two versions. */
  changed: string[];
}

const CONFLICT_FIELDS: ReadonlyArray<[keyof Profile, string]> = [
  ['name', 'name'],
  ['folder', 'folder'],
  ['host', 'host'],
  ['port', 'port'],
  ['payload', 'payload'],
  ['connectTimeoutMs', 'connect timeout'],
  ['idleTimeoutMs', 'idle timeout'],
  ['closeAfterSend', 'close after send'],
  ['maxResponseBytes', 'response limit'],
  ['notes', 'notes'],
];

function changedFields(conflict: ProfileConflict): string[] {
  return CONFLICT_FIELDS.filter(([key]) => JSON.stringify(conflict.mine[key]) !== JSON.stringify(conflict.theirs[key])).map(([, label]) => label);
}

export class AppState {
  info = $state.raw<AppInfo | null>(null);
  tabs = $state.raw<SessionTab[]>([]);
  activeKey = $state<string>('');
  helpOpen = $state(false);

  profiles = $state.raw<Profile[]>([]);
  profileStore = $state.raw<ProfileStoreState | null>(null);
  profileSearch = $state('');
  profileError = $state.raw<AppError | null>(null);
  profileConflict = $state.raw<PendingConflict | null>(null);
  undo = $state.raw<PendingUndo | null>(null);

  readonly active = $derived(this.tabs.find((t) => t.key === this.activeKey) ?? this.tabs[0]!);
  readonly filteredProfiles = $derived(filterProfiles(this.profiles, this.profileSearch));

  private readonly unsubscribe: Array<() => void> = [];

  /** Which front end this is: decides how files are picked and saved (a dialog in main, or the browser's). */
  readonly platform: HostKind;

  constructor(private readonly api: SocketTesterApi) {
    this.platform = api.host;
    this.newTab();
    this.unsubscribe.push(
      api.on('session:update', (u) => {
        for (const t of this.tabs) if (t.sessionId === u.id) t.applyUpdate(u);
      }),
      api.on('session:evicted', (e) => {
        for (const t of this.tabs) if (t.sessionId === e.id) t.markReleased(e.reason);
      }),
      api.on('profiles:changed', ({ profiles }) => {
        this.profiles = profiles;
      }),
    );
  }

  async load(): Promise<void> {
    const [info, state, list] = await Promise.all([
      this.api.call('app:info', {}),
      this.api.call('profiles:state', {}),
      this.api.call('profiles:list', {}),
    ]);
    if (info.ok) this.info = info.value;
    if (state.ok) this.profileStore = state.value;
    if (list.ok) this.profiles = list.value;
    else this.profileError = list.error;
  }

  dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  newTab(): SessionTab {
    const tab = new SessionTab(this.api);
    this.tabs = [...this.tabs, tab];
    this.activeKey = tab.key;
    return tab;
  }

  closeTab(key: string): void {
    const tab = this.tabs.find((t) => t.key === key);
    if (!tab) return;
    if (tab.sessionId) void this.api.call('session:discard', { id: tab.sessionId });
    const index = this.tabs.indexOf(tab);
    const rest = this.tabs.filter((t) => t !== tab);
    this.tabs = rest.length > 0 ? rest : [new SessionTab(this.api)];
    if (this.activeKey === key) this.activeKey = this.tabs[Math.min(index, this.tabs.length - 1)]!.key;
  }

  selectTab(key: string): void {
    this.activeKey = key;
  }

  /** Opens a profile into the current tab (its settings replace the tab's inputs). */
  openProfile(p: Profile, tab: SessionTab = this.active): void {
    const settings = settingsFromProfile(p);
    tab.applySettings(settings);
    tab.profileId = p.id;
    tab.profileName = p.name;
    tab.profileRevision = p.revision;
    tab.savedSettings = settings;
  }

  /** One action from the list: open, connect, and send once connected. */
  async connectAndSend(p: Profile): Promise<void> {
    const tab = this.active.live ? this.newTab() : this.active;
    this.openProfile(p, tab);
    const r = await tab.connect();
    if (!r.ok) return;
    await waitFor(() => tab.status?.phase === 'open' || tab.status?.phase === 'closed', 15 * 60_000);
    if (tab.status?.phase === 'open') await tab.send();
  }

  /** Saves the tab into its profile, or creates one when it has none (then `name` is required). */
  async saveTab(tab: SessionTab, meta: ProfileMeta | null): Promise<boolean> {
    this.profileError = null;
    this.profileConflict = null;
    const port = parseEndpoint(tab.settings.host, tab.settings.port);
    if (!port.ok) {
      this.profileError = port.error;
      return false;
    }
    const existing = tab.profileId ? this.profiles.find((p) => p.id === tab.profileId) : undefined;
    const m = meta ?? (existing ? { name: existing.name, folder: existing.folder, notes: existing.notes } : null);
    if (!m) return false;
    const draft = draftFromSettings(tab.settings, m, port.value.port);
    // The revision this tab's copy came from, so a newer edit made elsewhere is never overwritten.
    const base = tab.profileRevision === null ? {} : { revision: tab.profileRevision };
    const r =
      existing && !meta
        ? await this.api.call('profiles:update', { id: existing.id, draft, ...base })
        : await this.api.call('profiles:create', { draft });
    return this.afterSave(tab, r);
  }

  /** "Keep mine": saves the refused version over the stored revision the conflict showed. */
  async keepMine(): Promise<boolean> {
    const pending = this.profileConflict;
    if (!pending) return false;
    const { id, revision: _mine, createdAt: _created, updatedAt: _updated, ...draft } = pending.conflict.mine;
    this.profileConflict = null;
    const r = await this.api.call('profiles:update', { id, draft, revision: pending.conflict.theirs.revision });
    return this.afterSave(pending.tab, r);
  }

  /** "Take theirs": loads the stored version into the tab, dropping the tab's unsaved edit. */
  takeTheirs(): void {
    const pending = this.profileConflict;
    if (!pending) return;
    this.profileConflict = null;
    const latest = this.profiles.find((p) => p.id === pending.conflict.theirs.id) ?? pending.conflict.theirs;
    this.openProfile(latest, pending.tab);
  }

  private afterSave(tab: SessionTab, r: Result<Profile>): boolean {
    if (!r.ok) {
      if (r.error.code === 'PROFILE_CONFLICT' && r.error.conflict) {
        this.profileConflict = { tab, conflict: r.error.conflict, changed: changedFields(r.error.conflict) };
      } else {
        this.profileError = r.error;
      }
      return false;
    }
    tab.profileId = r.value.id;
    tab.profileName = r.value.name;
    tab.profileRevision = r.value.revision;
    tab.savedSettings = settingsFromProfile(r.value);
    return true;
  }

  async renameProfile(id: string, name: string): Promise<boolean> {
    const r = await this.api.call('profiles:rename', { id, name });
    if (!r.ok) this.profileError = r.error;
    else for (const t of this.tabs) if (t.profileId === id) {
      t.profileName = r.value.name;
      // A rename is a new revision; the tab's settings are still the ones it had.
      if (t.profileRevision !== null && t.profileRevision === r.value.revision - 1) t.profileRevision = r.value.revision;
    }
    return r.ok;
  }

  async duplicateProfile(id: string): Promise<void> {
    const r = await this.api.call('profiles:duplicate', { id });
    if (!r.ok) this.profileError = r.error;
  }

  async deleteProfile(id: string): Promise<void> {
    const r = await this.api.call('profiles:delete', { id });
    if (!r.ok) {
      this.profileError = r.error;
      return;
    }
    this.undo = r.value ? { profile: r.value.removed, index: r.value.index } : null;
    for (const t of this.tabs) if (t.profileId === id) {
      t.profileId = null;
      t.profileName = null;
      t.profileRevision = null;
      t.savedSettings = null;
    }
  }

  async undoDelete(): Promise<void> {
    const u = this.undo;
    if (!u) return;
    this.undo = null;
    const r = await this.api.call('profiles:restore', { profile: u.profile, index: u.index });
    if (!r.ok) this.profileError = r.error;
  }

  /** Reads a file's profiles without importing them; the error is the caller's to show beside the file. */
  async previewImport(text: string, fileName: string, choice: { folder?: string } = {}): Promise<Result<ImportPreviewView>> {
    return this.api.call('profiles:import-preview', { text, fileName, ...choice });
  }

  async importProfiles(
    text: string,
    fileName: string,
    onDuplicate: DuplicateChoice,
    choice: { select?: number[]; folder?: string } = {},
  ): Promise<boolean> {
    const r = await this.api.call('profiles:import', { text, fileName, onDuplicate, ...choice });
    if (!r.ok) this.profileError = r.error;
    return r.ok;
  }

  /** Every profile as one JSON text, or null (the error is in `profileError`). */
  async exportProfiles(): Promise<string | null> {
    const r = await this.api.call('profiles:export', { ids: null });
    if (!r.ok) {
      this.profileError = r.error;
      return null;
    }
    return r.value.json;
  }
}

/** What an import does with a profile whose folder and name are already taken. */
export type DuplicateChoice = CallArg<'profiles:import'>['onDuplicate'];

function filterProfiles(list: Profile[], search: string): Profile[] {
  const q = search.trim().toLowerCase();
  if (!q) return list;
  return list.filter((p) =>
    [p.name, p.folder ?? '', p.host, String(p.port), p.notes].some((s) => s.toLowerCase().includes(q)),
  );
}

/** Resolves when `done()` is true (checked each animation frame) or after `timeoutMs`. */
function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const until = performance.now() + timeoutMs;
    const tick = (): void => {
      if (done() || performance.now() > until) resolve();
      else setTimeout(tick, 20);
    };
    tick();
  });
}
