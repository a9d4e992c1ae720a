// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { moveIndex, roving } from '../../../renderer/lib/roving.ts';

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

function key(el: Element, k: string, extra: KeyboardEventInit = {}): KeyboardEvent {
  const e = new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...extra });
  el.dispatchEvent(e);
  return e;
}

function strip(html: string): HTMLElement {
  const node = document.createElement('div');
  node.innerHTML = html;
  document.body.append(node);
  return node;
}

const tabIndexes = (node: HTMLElement, sel: string): number[] => [...node.querySelectorAll<HTMLElement>(sel)].map((el) => el.tabIndex);

afterEach(() => {
  document.body.innerHTML = '';
});

describe('moveIndex', () => {
  it('steps, wraps and clamps', () => {
    expect(moveIndex(0, 3, 'next')).toBe(1);
    expect(moveIndex(2, 3, 'next')).toBe(0);
    expect(moveIndex(0, 3, 'prev')).toBe(2);
    expect(moveIndex(2, 3, 'next', false)).toBe(2);
    expect(moveIndex(0, 3, 'prev', false)).toBe(0);
    expect(moveIndex(1, 3, 'first')).toBe(0);
    expect(moveIndex(1, 3, 'last')).toBe(2);
    expect(moveIndex(-1, 3, 'next')).toBe(0);
    expect(moveIndex(-1, 3, 'prev')).toBe(2);
    expect(moveIndex(0, 0, 'next')).toBe(-1);
  });
});

describe('roving', () => {
  it('leaves one Tab stop: the current item, else the first', () => {
    const node = strip('<button>a</button><button aria-selected="true">b</button><button>c</button>');
    const r = roving(node, { items: 'button', current: '[aria-selected="true"]' });
    expect(tabIndexes(node, 'button')).toEqual([-1, 0, -1]);
    r.destroy();
    const plain = strip('<button>a</button><button>b</button>');
    roving(plain, { items: 'button' }).destroy();
    expect(tabIndexes(plain, 'button')).toEqual([0, -1]);
  });

  it('arrows, Home and End move focus and the Tab stop; wrap at the ends; skip disabled items', () => {
    const node = strip('<button>a</button><button disabled>x</button><button>b</button><button>c</button>');
    const r = roving(node, { items: 'button' });
    const [a, , b, c] = node.querySelectorAll('button');
    a!.focus();
    expect(key(a!, 'ArrowRight').defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(b);
    expect(tabIndexes(node, 'button')).toEqual([-1, -1, 0, -1]);
    key(b!, 'End');
    expect(document.activeElement).toBe(c);
    key(c!, 'ArrowRight');
    expect(document.activeElement).toBe(a);
    key(a!, 'ArrowLeft');
    expect(document.activeElement).toBe(c);
    key(c!, 'Home');
    expect(document.activeElement).toBe(a);
    // Up/Down are not this strip's keys, and modified arrows belong to shortcuts.
    expect(key(a!, 'ArrowDown').defaultPrevented).toBe(false);
    expect(key(a!, 'ArrowRight', { ctrlKey: true }).defaultPrevented).toBe(false);
    expect(document.activeElement).toBe(a);
    r.destroy();
    key(a!, 'ArrowRight');
    expect(document.activeElement).toBe(a);
  });

  it('vertical lists use Up/Down; no wrap when asked', () => {
    const node = strip('<button>a</button><button>b</button>');
    roving(node, { items: 'button', orientation: 'vertical', wrap: false });
    const [a, b] = node.querySelectorAll('button');
    a!.focus();
    key(a!, 'ArrowDown');
    expect(document.activeElement).toBe(b);
    key(b!, 'ArrowDown');
    expect(document.activeElement).toBe(b);
    expect(key(b!, 'ArrowRight').defaultPrevented).toBe(false);
  });

  it('activate clicks the item focus moves to (selection follows focus)', () => {
    const node = strip('<button aria-selected="true">a</button><button aria-selected="false">b</button>');
    const clicked: string[] = [];
    for (const el of node.querySelectorAll('button')) el.addEventListener('click', () => clicked.push(el.textContent!));
    roving(node, { items: 'button', current: '[aria-selected="true"]', activate: true });
    const [a] = node.querySelectorAll('button');
    a!.focus();
    key(a!, 'ArrowRight');
    expect(clicked).toEqual(['b']);
  });

  it('follows the DOM: added and removed items, and the remembered stop', async () => {
    const node = strip('<button>a</button><button>b</button>');
    roving(node, { items: 'button' });
    const [, b] = node.querySelectorAll('button');
    b!.focus();
    b!.blur();
    const added = document.createElement('button');
    added.textContent = 'c';
    node.append(added);
    await flush();
    // The last focused item keeps the stop; the new one is reachable by arrow only.
    expect(tabIndexes(node, 'button')).toEqual([-1, 0, -1]);
    b!.remove();
    await flush();
    expect(tabIndexes(node, 'button')).toEqual([0, -1]);
  });

  it('rows with cells: Left/Right along the row, Up/Down between rows, one stop in all', () => {
    const node = strip(
      '<ul><li><button class="open">p1</button><button class="act">r1</button><button class="act" disabled>d1</button><button class="act">x1</button></li>' +
        '<li><button class="open">p2</button><button class="act">r2</button></li></ul>',
    );
    roving(node, { items: '.open', orientation: 'vertical', row: 'li', cells: '.act' });
    const [p1, p2] = node.querySelectorAll<HTMLElement>('.open');
    const [r1, , x1] = node.querySelectorAll<HTMLElement>('.act');
    expect(tabIndexes(node, 'button')).toEqual([0, -1, -1, -1, -1, -1]);
    p1!.focus();
    key(p1!, 'ArrowRight');
    expect(document.activeElement).toBe(r1);
    key(r1!, 'ArrowRight');
    expect(document.activeElement).toBe(x1);
    key(x1!, 'ArrowRight');
    expect(document.activeElement).toBe(x1);
    expect(tabIndexes(node, 'button')).toEqual([-1, -1, -1, 0, -1, -1]);
    key(x1!, 'ArrowLeft');
    key(r1!, 'ArrowLeft');
    expect(document.activeElement).toBe(p1);
    key(r1!, 'ArrowDown');
    expect(document.activeElement).toBe(p2);
  });

  it('focus leaving from a cell gives the stop back to its row item (cells may hide)', async () => {
    const node = strip('<ul><li><button class="open">p1</button><button class="act">r1</button></li></ul>');
    const outside = document.createElement('button');
    document.body.append(outside);
    roving(node, { items: '.open', orientation: 'vertical', row: 'li', cells: '.act' });
    const r1 = node.querySelector<HTMLElement>('.act')!;
    r1.focus();
    expect(tabIndexes(node, 'button')).toEqual([-1, 0]);
    outside.focus();
    await flush();
    expect(tabIndexes(node, 'button')).toEqual([0, -1]);
  });

  it('a move callback changes the selection; focus then goes to the new current item', async () => {
    const node = strip('<button aria-pressed="true">0</button><button aria-pressed="false">1</button>');
    const moves: string[] = [];
    roving(node, {
      items: 'button',
      orientation: 'vertical',
      current: '[aria-pressed="true"]',
      move: (m) => {
        moves.push(m);
        // The owner re-renders: row 1 becomes the selected one.
        const [x, y] = node.querySelectorAll('button');
        x!.setAttribute('aria-pressed', 'false');
        y!.setAttribute('aria-pressed', 'true');
        return true;
      },
    });
    const [x, y] = node.querySelectorAll('button');
    x!.focus();
    key(x!, 'ArrowDown');
    await flush();
    expect(moves).toEqual(['next']);
    expect(document.activeElement).toBe(y);
    expect(tabIndexes(node, 'button')).toEqual([-1, 0]);
  });

  it('leaves keys typed into fields alone', () => {
    const node = strip('<input><button>a</button><button>b</button>');
    roving(node, { items: 'button, input' });
    const input = node.querySelector('input')!;
    input.focus();
    expect(key(input, 'ArrowRight').defaultPrevented).toBe(false);
    expect(document.activeElement).toBe(input);
  });
});
