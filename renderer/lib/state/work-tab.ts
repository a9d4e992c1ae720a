/**
 * What every tab is, whatever it holds: an outgoing session (SessionTab), a listener, a
 * conversation. AppState, the tab strip and the closed-tab stack deal only in this interface; each
 * kind's own view is chosen in App.svelte by `kind`, and code that needs a kind's own members
 * narrows first (`tab instanceof SessionTab`, or {@link isKind}).
 *
 * Why an interface and not one class with optional parts: a listener has many sessions and a
 * conversation run has steps; none of them is "a session tab with extras", and forcing them into
 * one shape would leave every view asking which fields are meaningful.
 */
import type { Result } from '../../../shared/errors.ts';
import type { Profile, ProfileDraft } from '../../../shared/profile.ts';
import type { ProfileMeta } from './tab-settings.ts';
import type { StatusWords } from './status-words.ts';
import type { TabSnapshot } from './workspace.ts';

/** Every tab kind. A new kind adds its name here, its class, and its branch in App.svelte. */
export type TabKind = 'session' | 'listener' | 'conversation';

export interface WorkTab {
  readonly kind: TabKind;
  /** Unique for the page's life; the tab strip and the closed-tab stack key on it. */
  readonly key: string;
  /** The tab's label: the profile name, or what the tab points at. */
  readonly title: string;
  /** The status badge: its words and tone (the tab strip's dot). */
  readonly words: StatusWords;
  /** Its settings differ from the profile it was opened from. */
  readonly unsaved: boolean;
  /** Holds nothing that replacing it could lose (no session, no run, no edit). */
  readonly pristine: boolean;
  /** Holds a socket, a listener or a running conversation now. */
  readonly live: boolean;
  /** The profile this tab was opened from (null: none); the sidebar marks it. */
  profileId: string | null;
  profileName: string | null;
  /** The revision of the profile this tab's copy came from: a save based on it may conflict. */
  profileRevision: number | null;
  /** Bytes this tab keeps in the page, so the closed-tab stack can bound what it holds. */
  readonly keptBytes: number;
  /** Links the tab to a saved profile (after a save, a restore): the tab's edit stays as it is. */
  linkProfile(p: Profile): void;
  /** Replaces the tab's settings with the profile's and links it (only for a tab that may be replaced). */
  loadProfile(p: Profile): void;
  /** The tab's settings as a profile named by `meta`, or why they cannot be saved (field as data). */
  profileDraft(meta: ProfileMeta): Result<ProfileDraft>;
  /**
   * The profile this tab holds changed elsewhere (another window, a rename). When what this tab
   * saved is still what is stored (only the name, folder or notes moved), the tab takes its name
   * and revision, so its next save is not a conflict; when the settings changed, the old revision
   * stays, so saving over them shows the conflict.
   */
  followProfile(p: Profile): void;
  /** The profile is gone: the tab keeps its settings and forgets the link. */
  unlinkProfile(): void;
  /** Ends whatever is live (closing a tab never leaves a socket behind). */
  cancel(): Promise<void>;
  /** Lets main drop this tab's data (its session, listener or run); the tab keeps its own copy. */
  releaseSession(): void;
  /** What a reload gives back (workspace.ts): settings as typed, the saved copy, the profile link. */
  snapshot(): TabSnapshot;
}

/** Narrows a tab to one kind's class: `isKind(tab, ListenerTab)`. */
export function isKind<T extends WorkTab>(tab: WorkTab | null | undefined, cls: abstract new (...args: never[]) => T): tab is T {
  return tab instanceof cls;
}
