import { describe, expect, it } from 'vitest';
import { overflowEdges, pageScrollLeft, revealScrollLeft, STRIP_EDGE_PX } from '../../../renderer/lib/tab-strip.ts';

describe('overflowEdges', () => {
  it('says nothing hides when everything fits', () => {
    expect(overflowEdges(0, 300, 300)).toEqual({ start: false, end: false });
  });
  it('names the side that hides tabs, ignoring a sub-pixel rest', () => {
    expect(overflowEdges(0, 500, 200)).toEqual({ start: false, end: true });
    expect(overflowEdges(300, 500, 200)).toEqual({ start: true, end: false });
    expect(overflowEdges(299.5, 500, 200)).toEqual({ start: true, end: false });
    expect(overflowEdges(0.5, 500, 200)).toEqual({ start: false, end: true });
    expect(overflowEdges(100, 500, 200)).toEqual({ start: true, end: true });
  });
});

describe('revealScrollLeft', () => {
  const view = { scrollLeft: 100, clientWidth: 200, scrollWidth: 600 };
  it('leaves a tab that is already clear of both fades where it is', () => {
    expect(revealScrollLeft(view, 130, 270)).toBe(100);
  });
  it('scrolls a tab cut at the start into view with the fade margin before it', () => {
    expect(revealScrollLeft(view, 90, 200)).toBe(90 - STRIP_EDGE_PX);
  });
  it('scrolls a tab cut at the end into view with the margin after it', () => {
    expect(revealScrollLeft(view, 250, 380)).toBe(380 + STRIP_EDGE_PX - 200);
  });
  it('never scrolls past either end of the strip', () => {
    expect(revealScrollLeft(view, 5, 100)).toBe(0);
    expect(revealScrollLeft(view, 480, 600)).toBe(400);
  });
  it('shows the start of a tab wider than the view', () => {
    expect(revealScrollLeft(view, 300, 560)).toBe(300 - STRIP_EDGE_PX);
  });
});

describe('pageScrollLeft', () => {
  it('moves most of a view each way, within the strip', () => {
    const view = { scrollLeft: 100, clientWidth: 200, scrollWidth: 600 };
    expect(pageScrollLeft(view, 1)).toBe(260);
    expect(pageScrollLeft(view, -1)).toBe(0);
    expect(pageScrollLeft({ ...view, scrollLeft: 350 }, 1)).toBe(400);
  });
});
