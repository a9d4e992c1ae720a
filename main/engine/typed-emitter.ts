/**
 * A small typed event source: event names and payloads are checked by the compiler, and only the
 * owner can emit. `on` returns the function that unsubscribes, so callers cannot forget which
 * listener to remove.
 *
 * Not Node's EventEmitter underneath: every session and listener client is one of these, and an
 * EventEmitter with its null-prototype listener table costs about 290 bytes before the first
 * listener (the table is a dictionary-mode object); 10,000 listener clients paid ~2.8 MiB for it.
 * This one keeps nothing until the first subscription, then one plain object whose keys are the
 * event names (a single listener is stored as itself, several as an array, as EventEmitter does).
 *
 * Semantics kept from EventEmitter, which callers rely on:
 * - listeners run synchronously in subscription order; one added or removed during an emit does
 *   not change who that emit calls (the list is copied when there are several);
 * - `off` removes the most recently added matching subscription, `once` ones included;
 * - a `once` listener is removed before it runs;
 * - an exception thrown by a listener propagates out of emit (later listeners are not called).
 * Not kept: the "possible leak" warning after 10 listeners (no caller here adds that many).
 */

/** Maps each event name to the tuple of arguments its listeners receive. */
export type EventMap = Record<string, unknown[]>;

type Listener = (...args: unknown[]) => void;
/** A `once` subscription: the function stored in the table, and the caller's listener. */
type OnceWrapper = Listener & { listener: Listener };
type Entry = Listener | Listener[];

/** Typed event source; subclasses call {@link TypedEmitter.emit}. */
export class TypedEmitter<Events extends EventMap> {
  /** Event name → listener or listeners; null until the first subscription. */
  #listeners: Record<string, Entry | undefined> | null = null;

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): () => void {
    this.#add(event, listener as Listener);
    return () => this.off(event, listener);
  }

  /** Subscribes for one call; returns the unsubscribe function. */
  once<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): () => void {
    const inner = listener as Listener;
    let fired = false;
    const wrapper = ((...args: unknown[]): void => {
      if (fired) return;
      fired = true;
      this.#remove(event, wrapper);
      inner(...args);
    }) as OnceWrapper;
    wrapper.listener = inner;
    this.#add(event, wrapper);
    return () => this.off(event, listener);
  }

  /** Removes a listener added with {@link TypedEmitter.on} or {@link TypedEmitter.once}. */
  off<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): void {
    this.#remove(event, listener as Listener);
  }

  /** Number of listeners for one event (tests check for leaks with it). */
  listenerCount<K extends keyof Events & string>(event: K): number {
    const entry = this.#entry(event);
    return entry === undefined ? 0 : typeof entry === 'function' ? 1 : entry.length;
  }

  /** Calls every listener of `event` synchronously, in subscription order. */
  protected emit<K extends keyof Events & string>(event: K, ...args: Events[K]): void {
    const entry = this.#entry(event);
    if (entry === undefined) return;
    if (typeof entry === 'function') {
      entry(...args);
      return;
    }
    for (const listener of entry.slice()) listener(...args);
  }

  /** Drops every listener; used once an object has emitted its last event. */
  protected removeAllListeners(): void {
    this.#listeners = null;
  }

  #entry(event: string): Entry | undefined {
    const table = this.#listeners;
    // Own keys only: a plain object also "has" constructor, toString, … through its prototype.
    return table !== null && Object.hasOwn(table, event) ? table[event] : undefined;
  }

  #add(event: string, listener: Listener): void {
    const table = (this.#listeners ??= {});
    const entry = this.#entry(event);
    if (entry === undefined) table[event] = listener;
    else if (typeof entry === 'function') table[event] = [entry, listener];
    else entry.push(listener);
  }

  #remove(event: string, listener: Listener): void {
    const entry = this.#entry(event);
    if (entry === undefined) return;
    const table = this.#listeners!;
    const matches = (l: Listener): boolean => l === listener || (l as Partial<OnceWrapper>).listener === listener;
    if (typeof entry === 'function') {
      // Set to undefined, not deleted: a deleted key would turn the table into a slow dictionary.
      if (matches(entry)) table[event] = undefined;
      return;
    }
    for (let i = entry.length - 1; i >= 0; i--) {
      if (!matches(entry[i]!)) continue;
      // A fresh array, as EventEmitter makes: an emit in progress iterates its own copy anyway.
      const rest = entry.filter((_, j) => j !== i);
      table[event] = rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : rest;
      return;
    }
  }
}
