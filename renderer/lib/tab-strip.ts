/**
 * The geometry of the session tab strip when its tabs do not fit (TabBar.svelte): which edges hide
 * tabs, and where to scroll so that a tab is wholly visible clear of the edge fade. Pure numbers,
 * so the rules are tested without a browser.
 */

/** The strip's fade and the margin a revealed tab keeps from the edge, in CSS px. */
export const STRIP_EDGE_PX = 20;

/** Which sides of a scroller hide content (a sub-pixel rest is not overflow). */
export function overflowEdges(scrollLeft: number, scrollWidth: number, clientWidth: number): { start: boolean; end: boolean } {
  const max = Math.max(0, scrollWidth - clientWidth);
  return { start: scrollLeft > 1, end: scrollLeft < max - 1 };
}

/**
 * The scrollLeft that shows [itemStart, itemEnd) (content coordinates) with `pad` px to spare on
 * each side where the strip can scroll that far; the current one when the item is already clear.
 * An item wider than the view shows its start (a tab's dot and the beginning of its title).
 */
export function revealScrollLeft(
  view: { scrollLeft: number; clientWidth: number; scrollWidth: number },
  itemStart: number,
  itemEnd: number,
  pad = STRIP_EDGE_PX,
): number {
  const max = Math.max(0, view.scrollWidth - view.clientWidth);
  const clamp = (x: number): number => Math.min(max, Math.max(0, x));
  const room = view.clientWidth - 2 * pad;
  if (itemEnd - itemStart > room) return clamp(itemStart - pad);
  if (itemStart - pad < view.scrollLeft) return clamp(itemStart - pad);
  if (itemEnd + pad > view.scrollLeft + view.clientWidth) return clamp(itemEnd + pad - view.clientWidth);
  return view.scrollLeft;
}

/** One press of a strip's scroll button: most of a view, so the tab cut at the edge stays in sight. */
export function pageScrollLeft(view: { scrollLeft: number; clientWidth: number; scrollWidth: number }, direction: -1 | 1): number {
  const max = Math.max(0, view.scrollWidth - view.clientWidth);
  const step = Math.max(40, view.clientWidth * 0.8);
  return Math.min(max, Math.max(0, view.scrollLeft + direction * step));
}
