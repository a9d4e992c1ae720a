import { describe, expect, it } from 'vitest';
import { CLOSED_TAB_LIMITS, trimClosed } from '../../../../renderer/lib/state/closed-tabs.ts';

describe('closed tab stack bounds', () => {
  it('keeps at most maxTabs, newest first', () => {
    const sizes = Array.from({ length: CLOSED_TAB_LIMITS.maxTabs + 3 }, () => 0);
    expect(trimClosed(sizes)).toEqual({ keep: CLOSED_TAB_LIMITS.maxTabs, release: [] });
  });

  it('releases the responses of older tabs first once the byte budget is spent; the tabs stay', () => {
    expect(trimClosed([60, 30, 20, 5], { maxTabs: 10, maxBytes: 100 })).toEqual({ keep: 4, release: [2] });
  });

  it('a single response larger than the budget is released, its tab kept', () => {
    expect(trimClosed([500, 10], { maxTabs: 10, maxBytes: 100 })).toEqual({ keep: 2, release: [0] });
  });
});
