/**
 * A small typed wrapper over Node's EventEmitter: event names and payloads are checked by the
 * compiler, and only the owner can emit. `on` returns the function that unsubscribes, so callers
 * cannot forget which listener to remove.
 */
import { EventEmitter } from 'node:events';

/** Maps each event name to the tuple of arguments its listeners receive. */
export type EventMap = Record<string, unknown[]>;

/** Typed event source; subclasses call {@link TypedEmitter.emit}. */
export class TypedEmitter<Events extends EventMap> {
  readonly #emitter = new EventEmitter();

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): () => void {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return () => this.off(event, listener);
  }

  /** Subscribes for one call; returns the unsubscribe function. */
  once<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): () => void {
    const wrapped = listener as (...args: unknown[]) => void;
    this.#emitter.once(event, wrapped);
    return () => this.#emitter.off(event, wrapped);
  }

  /** Removes a listener added with {@link TypedEmitter.on}. */
  off<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): void {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
  }

  /** Number of listeners for one event (tests check for leaks with it). */
  listenerCount<K extends keyof Events & string>(event: K): number {
    return this.#emitter.listenerCount(event);
  }

  /** Calls every listener of `event` synchronously, in subscription order. */
  protected emit<K extends keyof Events & string>(event: K, ...args: Events[K]): void {
    this.#emitter.emit(event, ...args);
  }

  /** Drops every listener; used once an object has emitted its last event. */
  protected removeAllListeners(): void {
    this.#emitter.removeAllListeners();
  }
}
