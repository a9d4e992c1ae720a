/**
 * TypedEmitter without Node's EventEmitter underneath (issue 16, scale): the semantics callers
 * relied on stay EventEmitter's.
 */
import { describe, expect, it } from 'vitest';
import { TypedEmitter } from '../../../main/engine/typed-emitter.ts';

type Events = { tick: [n: number]; other: []; constructor: []; toString: [] };

class Source extends TypedEmitter<Events> {
  fire<K extends keyof Events & string>(event: K, ...args: Events[K]): void {
    this.emit(event, ...args);
  }
  clear(): void {
    this.removeAllListeners();
  }
}

describe('TypedEmitter', () => {
  it('calls listeners synchronously, in subscription order, with the arguments', () => {
    const s = new Source();
    const seen: string[] = [];
    s.on('tick', (n) => seen.push(`a${n}`));
    s.on('tick', (n) => seen.push(`b${n}`));
    s.fire('tick', 1);
    seen.push('after');
    expect(seen).toEqual(['a1', 'b1', 'after']);
    expect(s.listenerCount('tick')).toBe(2);
    expect(s.listenerCount('other')).toBe(0);
  });

  it('an emit calls the listeners it started with, whatever they add or remove meanwhile', () => {
    const s = new Source();
    const seen: string[] = [];
    const b = (): number => seen.push('b');
    s.on('tick', () => {
      seen.push('a');
      s.off('tick', b);
      s.on('tick', () => seen.push('c'));
    });
    s.on('tick', b);
    s.fire('tick', 0);
    expect(seen).toEqual(['a', 'b']);
    seen.length = 0;
    s.fire('tick', 0);
    expect(seen).toEqual(['a', 'c']);
  });

  it('once runs once, is gone before it runs, and its unsubscribe (or off with the listener) removes it unrun', () => {
    const s = new Source();
    let count = 0;
    s.once('tick', () => {
      count++;
      expect(s.listenerCount('tick')).toBe(0);
      s.fire('tick', 2);
    });
    s.fire('tick', 1);
    s.fire('tick', 1);
    expect(count).toBe(1);

    const never = (): void => {
      throw new Error('must not run');
    };
    const unsubscribe = s.once('tick', never);
    unsubscribe();
    s.once('tick', never);
    s.off('tick', never);
    expect(s.listenerCount('tick')).toBe(0);
    s.fire('tick', 3);
  });

  it('on returns its unsubscribe; off removes the most recent of a listener added twice', () => {
    const s = new Source();
    const seen: number[] = [];
    const f = (n: number): number => seen.push(n);
    const g = (): number => seen.push(-1);
    s.on('tick', f);
    s.on('tick', g);
    s.on('tick', f);
    s.off('tick', f);
    s.fire('tick', 7);
    expect(seen).toEqual([7, -1]);
    const off = s.on('other', () => seen.push(0));
    off();
    off();
    s.fire('other');
    expect(seen).toEqual([7, -1]);
  });

  it('a throwing listener stops that emit (later ones are not called); the emitter stays usable', () => {
    const s = new Source();
    const seen: string[] = [];
    const boom = (): void => {
      throw new Error('boom');
    };
    s.on('tick', boom);
    s.on('tick', () => seen.push('later'));
    expect(() => s.fire('tick', 0)).toThrow('boom');
    expect(seen).toEqual([]);
    s.off('tick', boom);
    s.fire('tick', 0);
    expect(seen).toEqual(['later']);
  });

  it('event names that Object.prototype also has are ordinary events', () => {
    const s = new Source();
    expect(s.listenerCount('constructor')).toBe(0);
    expect(() => s.fire('toString')).not.toThrow();
    let n = 0;
    s.on('constructor', () => n++);
    s.fire('constructor');
    expect(n).toBe(1);
    expect(s.listenerCount('toString')).toBe(0);
  });

  it('removeAllListeners drops everything; subscribing again works', () => {
    const s = new Source();
    let n = 0;
    s.on('tick', () => n++);
    s.on('other', () => n++);
    s.clear();
    s.fire('tick', 0);
    s.fire('other');
    expect(n).toBe(0);
    expect(s.listenerCount('tick')).toBe(0);
    s.on('tick', () => n++);
    s.fire('tick', 0);
    expect(n).toBe(1);
  });
});
