/**
 * The whole renderer's state: tabs, the active tab, closed tabs, profiles and overlays. Components
 * read from it and call its methods; it is the only place that talks to the API (itself, or through
 * the tabs it owns).
 */
import type { AppInfo, CallArg, HostKind, ImportPreviewView, ProfileStoreState, SocketTesterApi } from '../../../shared/contract.ts';
import type { AppError, Result } from '../../../shared/errors.ts';
import type { Profile, ProfileConflict } from '../../../shared/profile.ts';
import { SessionTab } from './session-tab.svelte.ts';
import { ListenerTab } from './listener-tab.svelte.ts';
import { ConversationTab } from './conversation-tab.svelte.ts';
import { newDoc, stepId, stepsFromExchanges } from '../conversation-doc.ts';
import { trimClosed } from './closed-tabs.ts';
import { placeProfile } from './tab-placement.ts';
import { adoptSystemLocale } from '../i18n/browser.ts';
import { t } from '../i18n/index.ts';
import { draftFromProfile, type ProfileMeta } from './tab-settings.ts';
import type { WorkTab } from './work-tab.ts';
import type { WorkspaceSnapshot } from './workspace.ts';

/**
 * A deleted profile kept for undo until the next destructive action on profiles (another delete,
 * an import), with the tabs that were linked to it so Undo links them again.
 */
export interface PendingUndo {
  profile: Profile;
  index: number;
  tabKeys: string[];
}

/**
 * A save refused with PROFILE_CONFLICT: the profile changed elsewhere (another window, process or
 * a hand edit) since this tab opened it. The sidebar shows it and offers "keep mine" (save this
 * tab's version over the stored revision) or "take theirs" (load the stored version into the tab).
 */
export interface PendingConflict {
  tab: WorkTab;
  conflict: ProfileConflict;
  /** Labels of the fields that differ between the two versions. */
  changed: ConflictField[];
}

/** The fields a save conflict compares; the sidebar names them (messages: profiles.conflictFields). */
const CONFLICT_FIELDS = ['name', 'folder', 'host', 'port', 'payload', 'connectTimeoutMs', 'idleTimeoutMs', 'closeAfterSend', 'maxResponseBytes', 'notes'] as const;
export type ConflictField = (typeof CONFLICT_FIELDS)[number];

function changedFields(conflict: ProfileConflict): ConflictField[] {
  return CONFLICT_FIELDS.filter((key) => JSON.stringify(conflict.mine[key]) !== JSON.stringify(conflict.theirs[key]));
}

/** A closed tab and where it was, for "reopen closed tab". */
interface ClosedTab {
  tab: WorkTab;
  index: number;
}

/** What an import does with a profile whose folder and name are already taken. */
export type DuplicateChoice = CallArg<'profiles:import'>['onDuplicate'];

export class AppState {
  info = $state.raw<AppInfo | null>(null);
  /** Tabs of every kind, in strip order (see work-tab.ts). */
  tabs = $state.raw<WorkTab[]>([]);
  activeKey = $state<string>('');
  helpOpen = $state(false);
  /** The profile list: a column beside the work area in a wide window, a drawer over it in a narrow one. */
  sidebarShown = $state(true);
  drawerOpen = $state(false);
  /** Newest first; see closed-tabs.ts for the bounds. */
  closedTabs = $state.raw<ClosedTab[]>([]);

  profiles = $state.raw<Profile[]>([]);
  profileStore = $state.raw<ProfileStoreState | null>(null);
  profileSearch = $state('');
  profileError = $state.raw<AppError | null>(null);
  profileConflict = $state.raw<PendingConflict | null>(null);
  undo = $state.raw<PendingUndo | null>(null);

  readonly active = $derived(this.tabs.find((t) => t.key === this.activeKey) ?? this.tabs[0]!);
  /** The active tab when it is an outgoing session (what the session shortcuts act on), else null. */
  readonly activeSession = $derived(this.active instanceof SessionTab ? this.active : null);
  readonly filteredProfiles = $derived(filterProfiles(this.profiles, this.profileSearch));
  /** Every folder in use, sorted: what the folder fields suggest. */
  readonly folders = $derived(
    [...new Set(this.profiles.map((p) => p.folder).filter((f): f is string => f !== null))].sort((a, b) => a.localeCompare(b)),
  );

  /** Which front end this is: decides how files are picked and saved (a dialog in main, or the browser's). */
  readonly platform: HostKind;

  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly api: SocketTesterApi) {
    this.platform = api.host;
    this.newTab();
    this.unsubscribe.push(
      api.on('session:update', (u) => {
        // A closed tab still hears its session's last updates (a cancel's final status).
        for (const t of this.sessionTabs()) if (t.sessionId === u.id) t.applyUpdate(u);
        // A listener's selected client is a session too (listener:watch).
        for (const t of this.listenerTabs()) t.applySessionUpdate(u);
      }),
      api.on('listener:update', (u) => {
        for (const t of this.listenerTabs()) t.applyUpdate(u);
      }),
      api.on('datagram:update', (u) => {
        for (const t of this.sessionTabs()) if (t.dgram.sessionId === u.id) t.applyDatagramUpdate(u);
      }),
      api.on('session:evicted', (e) => {
        for (const t of this.tabs) if (t instanceof SessionTab && t.sessionId === e.id) t.markReleased(e.reason);
      }),
      api.on('profiles:changed', ({ profiles }) => {
        this.profiles = profiles;
        this.followProfiles(profiles, false);
      }),
      api.on('conversation:update', (u) => {
        for (const t of this.allTabs()) if (t instanceof ConversationTab && t.runId === u.runId) t.applyUpdate(u);
      }),
    );
  }

  async load(): Promise<void> {
    const [info, state, list] = await Promise.all([
      this.api.call('app:info', {}),
      this.api.call('profiles:state', {}),
      this.api.call('profiles:list', {}),
    ]);
    if (info.ok) {
      this.info = info.value;
      adoptSystemLocale(info.value.locale);
    }
    if (state.ok) this.profileStore = state.value;
    if (list.ok) {
      this.profiles = list.value;
      this.followProfiles(list.value, true);
    } else this.profileError = list.error;
  }

  dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  newTab(): SessionTab {
    return this.addTab(new SessionTab(this.api));
  }

  /** A new listener tab (loopback, any free port, a PING rule to start from). */
  newListener(): ListenerTab {
    return this.addTab(new ListenerTab(this.api));
  }

  /** "New conversation": a conversation tab with a starting target and two steps. */
  newConversation(): ConversationTab {
    return this.addTab(new ConversationTab(this.api));
  }

  /**
   * "Record from this session": the session's sends and the first line of each reply as steps of
   * a new conversation tab, aimed at the session's host and port.
   */
  recordConversation(from: SessionTab): ConversationTab {
    const { exchanges } = from.recordedExchanges();
    const port = Number(from.settings.port.trim());
    const doc = newDoc({
      host: from.settings.host.trim() || '127.0.0.1',
      port: Number.isInteger(port) && port > 0 ? port : from.settings.port.trim(),
      transport: from.settings.transport === 'tls' ? 'tls' : 'tcp',
    });
    doc.root.name = t('profiles.recordedFrom', { title: from.title });
    doc.steps = stepsFromExchanges(exchanges).map((value) => ({ id: stepId(), value }));
    return this.addTab(new ConversationTab(this.api, doc));
  }

  /** An imported conversation file: into the active conversation tab when it holds nothing, else a new one. */
  importConversation(text: string): ConversationTab {
    const tab = this.active instanceof ConversationTab && this.active.pristine ? this.active : this.newConversation();
    tab.setYaml(text);
    tab.view = tab.docError ? 'yaml' : 'steps';
    return tab;
  }

  /** The open tabs as plain data, for a reload (workspace.ts). Reading it tracks every tab's settings. */
  workspace(): WorkspaceSnapshot {
    return { tabs: this.tabs.map((t) => t.snapshot()), active: Math.max(0, this.tabs.indexOf(this.active)) };
  }

  /**
   * Replaces the tabs with a reload's copies (before the first draw, while the page holds only its
   * blank first tab). Each comes back idle: its session, listener or run ended with the old page.
   */
  restoreWorkspace(w: WorkspaceSnapshot): void {
    const tabs = w.tabs.map((s): WorkTab => {
      switch (s.kind) {
        case 'session': {
          const tab = new SessionTab(this.api);
          tab.restore(s);
          return tab;
        }
        case 'listener': {
          const tab = new ListenerTab(this.api);
          tab.restore(s);
          return tab;
        }
        case 'conversation': {
          const tab = new ConversationTab(this.api);
          tab.restore(s);
          return tab;
        }
      }
    });
    if (tabs.length === 0) return;
    for (const t of this.tabs) t.releaseSession();
    this.tabs = tabs;
    this.activeKey = tabs[Math.min(w.active, tabs.length - 1)]!.key;
  }

  /**
   * Tabs follow their profiles as stored: a rename elsewhere shows, and a change of only name,
   * folder or notes is no conflict for the next save ({@link WorkTab.followProfile}). At load
   * (`forgetGone`), a tab restored after a reload whose profile was deleted meanwhile forgets it,
   * so Save asks for a name instead of doing nothing; later a deletion elsewhere leaves the link,
   * as a delete here does with its undo.
   */
  private followProfiles(profiles: readonly Profile[], forgetGone: boolean): void {
    for (const t of this.allTabs()) {
      if (t.profileId === null) continue;
      const p = profiles.find((x) => x.id === t.profileId);
      if (p) {
        if (p.revision !== t.profileRevision || p.name !== t.profileName) t.followProfile(p);
      } else if (forgetGone) t.unlinkProfile();
    }
  }

  /** Appends a tab of any kind and selects it. */
  addTab<T extends WorkTab>(tab: T): T {
    this.tabs = [...this.tabs, tab];
    this.activeKey = tab.key;
    return tab;
  }

  /**
   * Closes a tab; it can be reopened (with its settings, profile link and, within the byte budget,
   * its response). A live connection is ended now: a closed tab holds no socket.
   */
  closeTab(key: string): void {
    const tab = this.tabs.find((t) => t.key === key);
    if (!tab) return;
    if (tab.live) void tab.cancel();
    const index = this.tabs.indexOf(tab);
    // A blank tab is not worth a place on the stack (it would push a real one off).
    if (tab.pristine) tab.releaseSession();
    else this.pushClosed({ tab, index });
    const rest = this.tabs.filter((t) => t !== tab);
    this.tabs = rest.length > 0 ? rest : [new SessionTab(this.api)];
    if (this.activeKey === key) this.activeKey = this.tabs[Math.min(index, this.tabs.length - 1)]!.key;
  }

  /** Reopens the most recently closed tab where it was, and selects it. */
  reopenClosedTab(): void {
    const [last, ...rest] = this.closedTabs;
    if (!last) return;
    this.closedTabs = rest;
    // Closing the last tab left a blank one in its place: the reopened tab takes that place.
    const only = this.tabs.length === 1 ? this.tabs[0]! : null;
    const tabs = only?.pristine ? [] : [...this.tabs];
    tabs.splice(Math.min(last.index, tabs.length), 0, last.tab);
    this.tabs = tabs;
    this.activeKey = last.tab.key;
  }

  private pushClosed(entry: ClosedTab): void {
    const stack = [entry, ...this.closedTabs];
    const trim = trimClosed(stack.map((c) => c.tab.keptBytes));
    for (const i of trim.release) stack[i]!.tab.releaseSession();
    for (const c of stack.slice(trim.keep)) c.tab.releaseSession();
    this.closedTabs = stack.slice(0, trim.keep);
  }

  selectTab(key: string): void {
    this.activeKey = key;
  }

  /**
   * Opens a profile without losing anything: a tab that already holds it is focused; the current
   * tab takes it only when it has no session and no edit; otherwise it opens in a new tab.
   */
  openProfile(p: Profile): WorkTab {
    const place = placeProfile(
      this.tabs.map((t) => ({ key: t.key, profileId: t.profileId, pristine: t.pristine })),
      this.active.key,
      p.id,
    );
    // In a narrow window the list covers the tab: it has done its job once a profile is chosen.
    this.drawerOpen = false;
    if (place.kind === 'focus') {
      this.activeKey = place.key;
      return this.active;
    }
    const reuse = place.kind === 'reuse' ? this.active : null;
    const tab = this.tabForProfile(p, reuse);
    tab.loadProfile(p);
    return tab;
  }

  /**
   * The tab a profile opens in: `reuse` (a pristine tab) when it is of the profile's kind, else a
   * new one. Each tab kind adds its case.
   */
  private tabForProfile(p: Profile, reuse: WorkTab | null): WorkTab {
    switch (p.kind ?? 'session') {
      case 'listener':
        return reuse instanceof ListenerTab ? reuse : this.newListener();
      case 'conversation':
        return reuse instanceof ConversationTab ? reuse : this.newConversation();
      default:
        return reuse instanceof SessionTab ? reuse : this.newTab();
    }
  }

  /** One action from the list: open (as {@link openProfile} does), then Send (connecting first if need be). */
  async connectAndSend(p: Profile): Promise<void> {
    const tab = this.openProfile(p);
    if (tab instanceof SessionTab) await tab.sendNow();
    else if (tab instanceof ListenerTab) await tab.start();
    else if (tab instanceof ConversationTab) await tab.run();
  }

  /** Saves the tab into its profile, or creates one when it has none (then `meta` is required). */
  async saveTab(tab: WorkTab, meta: ProfileMeta | null): Promise<boolean> {
    this.profileError = null;
    this.profileConflict = null;
    const existing = tab.profileId ? this.profiles.find((p) => p.id === tab.profileId) : undefined;
    const m = meta ?? (existing ? { name: existing.name, folder: existing.folder, notes: existing.notes } : null);
    if (!m) return false;
    const draft = tab.profileDraft(m);
    if (!draft.ok) {
      this.profileError = draft.error;
      return false;
    }
    // The revision this tab's copy came from, so a newer edit made elsewhere is never overwritten.
    const base = tab.profileRevision === null ? {} : { revision: tab.profileRevision };
    const r =
      existing && !meta
        ? await this.api.call('profiles:update', { id: existing.id, draft: draft.value, ...base })
        : await this.api.call('profiles:create', { draft: draft.value });
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
    // The user chose to drop this tab's edit: the stored version replaces it in the same tab.
    pending.tab.loadProfile(latest);
  }

  private afterSave(tab: WorkTab, r: Result<Profile>): boolean {
    if (!r.ok) {
      if (r.error.code === 'PROFILE_CONFLICT' && r.error.conflict) {
        this.profileConflict = { tab, conflict: r.error.conflict, changed: changedFields(r.error.conflict) };
      } else {
        this.profileError = r.error;
      }
      return false;
    }
    tab.linkProfile(r.value);
    return true;
  }

  /**
   * Renames a profile and, when `folder` differs, moves it (null: to the top level). Only the name
   * and folder change; the tabs that hold it show the new name.
   */
  async renameProfile(id: string, name: string, folder?: string | null): Promise<boolean> {
    this.profileError = null;
    const existing = this.profiles.find((p) => p.id === id);
    const moving = existing !== undefined && folder !== undefined && (folder?.trim() || null) !== existing.folder;
    const r = moving
      ? await this.api.call('profiles:update', { id, draft: { ...draftFromProfile(existing), name, folder: folder?.trim() || null }, revision: existing.revision })
      : await this.api.call('profiles:rename', { id, name });
    if (!r.ok) this.profileError = r.error;
    else for (const t of this.allTabs()) if (t.profileId === id) {
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
    const linked = this.allTabs().filter((t) => t.profileId === id);
    this.undo = { profile: r.value.removed, index: r.value.index, tabKeys: linked.map((t) => t.key) };
    for (const t of linked) t.unlinkProfile();
  }

  /** Puts the deleted profile back where it was and links it again to the tabs that held it. */
  async undoDelete(): Promise<void> {
    const u = this.undo;
    if (!u) return;
    this.undo = null;
    const r = await this.api.call('profiles:restore', { profile: u.profile, index: u.index });
    if (!r.ok) {
      this.profileError = r.error;
      return;
    }
    const keys = new Set(u.tabKeys);
    // A tab that was saved as another profile meanwhile keeps that one.
    for (const t of this.allTabs()) {
      if (!keys.has(t.key) || t.profileId !== null) continue;
      t.linkProfile(r.value);
    }
  }

  dismissUndo(): void {
    this.undo = null;
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
    // An import may replace profiles: an older delete's undo could no longer put things back as they were.
    else this.undo = null;
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

  /** Open and closed tabs: both can hold a profile. */
  private allTabs(): WorkTab[] {
    return [...this.tabs, ...this.closedTabs.map((c) => c.tab)];
  }

  /** Open and closed session tabs: a closed tab still hears its session's last updates. */
  private listenerTabs(): ListenerTab[] {
    return this.allTabs().filter((t): t is ListenerTab => t instanceof ListenerTab);
  }

  private sessionTabs(): SessionTab[] {
    return this.allTabs().filter((t): t is SessionTab => t instanceof SessionTab);
  }
}

function filterProfiles(list: Profile[], search: string): Profile[] {
  const q = search.trim().toLowerCase();
  if (!q) return list;
  return list.filter((p) =>
    [p.name, p.folder ?? '', p.host, String(p.port), p.notes].some((s) => s.toLowerCase().includes(q)),
  );
}
