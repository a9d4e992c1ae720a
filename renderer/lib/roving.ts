/**
 * Roving tabindex (WAI-ARIA APG, "Keyboard Navigation Inside Components"): a list, tab strip or
 * segmented control is ONE Tab stop; the arrow keys, Home and End move inside it. Used as a Svelte
 * action (`use:roving={options}`) on the element that contains the items.
 *
 * Why an action on the container rather than code in each component: the items come and go
 * (profiles are filtered, tabs closed, rows virtualized), so the tabindex bookkeeping has to follow
 * the DOM. One MutationObserver here does that for every list, and each component only names its
 * items with a selector. See docs/keyboard.md.
 *
 * Exactly one item (or row cell) has tabindex="0": the one focused inside the container, else the
 * one last focused (a cell's row item once focus has left), else the one matching `current` (the
 * selected tab, the open profile), else the first. Every other item and cell has tabindex="-1".
 */

export type RovingMove = 'next' | 'prev' | 'first' | 'last';

export interface RovingOptions {
  /** The items, as a selector matched inside the container. Disabled or hidden items are skipped. */
  items: string;
  /** Which arrows move: Left/Right ('horizontal', the default) or Up/Down ('vertical'). */
  orientation?: 'horizontal' | 'vertical';
  /** The item that holds the Tab stop when focus comes from outside, e.g. '[aria-selected="true"]'. */
  current?: string;
  /** Click the item focus moves to (tabs and radio groups whose selection follows focus). */
  activate?: boolean;
  /** Arrows wrap from the last item to the first and back (default true, as APG's tabs do). */
  wrap?: boolean;
  /**
   * Extra controls in each item's row, e.g. a profile's Rename and Delete buttons: `row` finds the
   * row from the item (closest), `cells` the controls in it. With a vertical list, Left/Right move
   * along the row; Up/Down from a cell go to the next row's item. They are not Tab stops either.
   */
  row?: string;
  cells?: string;
  /**
   * For lists whose DOM is not the whole list (a virtualized list renders only what is on screen):
   * called instead of moving focus between DOM items. It changes the selection (and scrolls);
   * the action then focuses the `current` item once the DOM has caught up. Return false to let
   * the key through.
   */
  move?: (move: RovingMove, from: HTMLElement) => boolean;
}

const KEYS: Record<NonNullable<RovingOptions['orientation']>, Record<string, RovingMove>> = {
  horizontal: { ArrowRight: 'next', ArrowLeft: 'prev', Home: 'first', End: 'last' },
  vertical: { ArrowDown: 'next', ArrowUp: 'prev', Home: 'first', End: 'last' },
};

/** The index a move lands on among `count` items (pure: tested on its own). -1 when there are none. */
export function moveIndex(from: number, count: number, move: RovingMove, wrap = true): number {
  if (count <= 0) return -1;
  if (move === 'first') return 0;
  if (move === 'last') return count - 1;
  const step = move === 'next' ? 1 : -1;
  const next = from < 0 ? (step === 1 ? 0 : count - 1) : from + step;
  if (wrap) return (next + count) % count;
  return Math.max(0, Math.min(count - 1, next));
}

/** Disabled and hidden items cannot take focus: moving skips them. */
function usable(el: HTMLElement): boolean {
  return !(el as HTMLButtonElement).disabled && el.getAttribute('aria-disabled') !== 'true' && !el.closest('[hidden], [inert]');
}

export function roving(node: HTMLElement, initial: RovingOptions): { update(o: RovingOptions): void; destroy(): void } {
  let opts = initial;
  let last: HTMLElement | null = null;
  let pendingFocus = false;

  const items = (): HTMLElement[] => [...node.querySelectorAll<HTMLElement>(opts.items)].filter(usable);
  const allCells = (): HTMLElement[] => (opts.cells ? [...node.querySelectorAll<HTMLElement>(opts.cells)] : []);
  const rowOf = (el: HTMLElement): Element | null => (opts.row ? el.closest(opts.row) : null);
  const cellsOf = (item: HTMLElement): HTMLElement[] => {
    const row = rowOf(item);
    return row && opts.cells ? [...row.querySelectorAll<HTMLElement>(opts.cells)].filter((c) => !(c as HTMLButtonElement).disabled) : [];
  };
  /** The item an element belongs to: itself, or the item of the row a cell is in. */
  const itemOf = (el: HTMLElement, list: HTMLElement[]): HTMLElement | null => {
    if (list.includes(el)) return el;
    const row = rowOf(el);
    return row ? (list.find((i) => row.contains(i)) ?? null) : null;
  };

  function sync(): void {
    const list = items();
    const active = document.activeElement as HTMLElement | null;
    const focusedInside = active && node.contains(active) && (list.includes(active) || allCells().includes(active)) ? active : null;
    let stop: HTMLElement | null = focusedInside;
    if (!stop && last && last.isConnected && list.includes(last)) stop = last;
    if (!stop && opts.current) stop = list.find((el) => el.matches(opts.current!)) ?? null;
    if (!stop) stop = list[0] ?? null;
    for (const el of node.querySelectorAll<HTMLElement>(opts.items)) el.tabIndex = el === stop ? 0 : -1;
    for (const el of allCells()) el.tabIndex = el === stop ? 0 : -1;
    if (pendingFocus && opts.current) {
      const cur = list.find((el) => el.matches(opts.current!));
      if (cur) {
        pendingFocus = false;
        cur.tabIndex = 0;
        for (const el of list) if (el !== cur) el.tabIndex = -1;
        last = cur;
        cur.focus();
      }
    }
  }

  function focusItem(el: HTMLElement): void {
    last = el;
    el.focus();
    if (opts.activate) el.click();
    sync();
  }

  function onKeydown(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    const target = e.target as HTMLElement;
    if (target.matches('input, textarea, select, [contenteditable="true"]')) return;
    const list = items();
    const item = itemOf(target, list);
    if (!item) return;
    const orientation = opts.orientation ?? 'horizontal';
    // Along a row: the item, then its cells (vertical lists only; horizontal ones use Left/Right).
    if (orientation === 'vertical' && opts.cells && (e.key === 'ArrowRight' || e.key === 'ArrowLeft')) {
      const row = [item, ...cellsOf(item)];
      const at = row.indexOf(target);
      const next = row[moveIndex(at, row.length, e.key === 'ArrowRight' ? 'next' : 'prev', false)];
      if (next && next !== target) {
        e.preventDefault();
        next.focus();
        sync();
      }
      return;
    }
    const move = KEYS[orientation][e.key];
    if (!move) return;
    e.preventDefault();
    if (opts.move) {
      if (!opts.move(move, item)) return;
      pendingFocus = true;
      // The owner's state changes first; the DOM follows on the next frame (or sooner, through
      // the observer). Either way the current item gets focus once it exists.
      queueMicrotask(sync);
      requestAnimationFrame(() => sync());
      return;
    }
    const next = list[moveIndex(list.indexOf(item), list.length, move, opts.wrap ?? true)];
    if (next && next !== target) focusItem(next);
  }

  function onFocusin(e: FocusEvent): void {
    const list = items();
    const item = itemOf(e.target as HTMLElement, list);
    if (item) last = item;
    sync();
  }

  /** Leaving the container from a row cell: the stop goes back to the row's item (cells hide). */
  function onFocusout(e: FocusEvent): void {
    if (!(e.relatedTarget instanceof Node && node.contains(e.relatedTarget))) queueMicrotask(sync);
  }

  const observer = new MutationObserver(() => sync());
  observer.observe(node, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-selected', 'aria-pressed', 'aria-checked', 'disabled', 'hidden', 'class'] });
  node.addEventListener('keydown', onKeydown);
  node.addEventListener('focusin', onFocusin);
  node.addEventListener('focusout', onFocusout);
  sync();

  return {
    update(o: RovingOptions): void {
      opts = o;
      sync();
    },
    destroy(): void {
      observer.disconnect();
      node.removeEventListener('keydown', onKeydown);
      node.removeEventListener('focusin', onFocusin);
      node.removeEventListener('focusout', onFocusout);
    },
  };
}
