import { describe, expect, it } from 'vitest';
import { placeProfile, type TabSummary } from '../../../../renderer/lib/state/tab-placement.ts';

const tab = (key: string, profileId: string | null, pristine: boolean): TabSummary => ({ key, profileId, pristine });

describe('where a profile opens', () => {
  it('a blank current tab takes it', () => {
    expect(placeProfile([tab('a', null, true)], 'a', 'p')).toEqual({ kind: 'reuse', key: 'a' });
  });

  it('an edited tab, or one with a session, is never overwritten: a new tab opens', () => {
    expect(placeProfile([tab('a', null, false)], 'a', 'p')).toEqual({ kind: 'new' });
    expect(placeProfile([tab('a', 'q', false)], 'a', 'p')).toEqual({ kind: 'new' });
  });

  it('a saved, unedited tab without a session may take another profile (nothing is lost)', () => {
    expect(placeProfile([tab('a', 'q', true)], 'a', 'p')).toEqual({ kind: 'reuse', key: 'a' });
  });

  it('a tab that already holds the profile is focused, edited or not', () => {
    const tabs = [tab('a', null, true), tab('b', 'p', false), tab('c', 'p', true)];
    expect(placeProfile(tabs, 'a', 'p')).toEqual({ kind: 'focus', key: 'b' });
    expect(placeProfile(tabs, 'c', 'p')).toEqual({ kind: 'focus', key: 'c' });
  });
});
