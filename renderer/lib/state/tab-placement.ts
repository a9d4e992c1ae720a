/**
 * Where a profile opens. Opening must never lose an edit or put one endpoint's fields over another
 * session's status, response and history: a tab that already holds the profile is focused; the
 * current tab is reused only when it holds nothing to lose; otherwise a new tab opens.
 */

/** What the decision needs to know about a tab. */
export interface TabSummary {
  key: string;
  profileId: string | null;
  /** No session and no unsaved edit (see `SessionTab.pristine`). */
  pristine: boolean;
}

export type ProfilePlacement = { kind: 'focus'; key: string } | { kind: 'reuse'; key: string } | { kind: 'new' };

export function placeProfile(tabs: readonly TabSummary[], activeKey: string, profileId: string): ProfilePlacement {
  const active = tabs.find((t) => t.key === activeKey);
  if (active?.profileId === profileId) return { kind: 'focus', key: active.key };
  const holder = tabs.find((t) => t.profileId === profileId);
  if (holder) return { kind: 'focus', key: holder.key };
  if (active?.pristine) return { kind: 'reuse', key: active.key };
  return { kind: 'new' };
}
