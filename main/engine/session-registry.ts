/**
 * Owns every {@link Session} of one process: creates them with unguessable ids, enforces the
 * live-session limits (R5), bounds what closed sessions keep, and destroys them all on quit (F26).
 *
 * Invariants:
 * - At most `maxLive` sessions are live (not closed) at once, and at most `maxLivePerOwner` of them
 *   belong to one owner (a window, a WebSocket client), so one client cannot take every slot;
 *   create() past either returns SESSION_LIMIT and creates nothing.
 * - A closed session stays readable (response, transcript) until remove() or until it is evicted:
 *   at most `maxClosed` closed sessions and `maxClosedBytes` of their retained bytes are kept; the
 *   oldest closed (by time of closing) goes first, and the newest closed session is always kept so
 *   that a single large response is never released the moment it completes. Each eviction is
 *   emitted once as 'session-evicted' and the session's bytes are dropped (release()).
 * - Bookkeeping is O(1) per call: counters per owner and in total, and an insertion-ordered map of
 *   closed sessions; create() never looks at other sessions (tests count status reads to prove it).
 * - 'session-closed' is emitted once per session, after Node released its socket.
 * - remove() cancels a live session first, so forgetting a session never leaks its socket.
 * - Sessions a listener accepted (pool 'listener-clients') are bounded by their listener's own
 *   max clients, not by the live limits above: 200 clients of one listener must not block the
 *   user's next outgoing session, nor be refused for want of a slot outgoing ones hold. Their
 *   closed sessions are kept and evicted in a pool of their own (`maxClosedClients`,
 *   `maxClosedClientBytes`), so a busy listener never evicts an outgoing session's bytes.
 * - closeAll() resolves only when every socket is released.
 */
import { fail, ok, type Result } from '../../shared/errors.ts';
import { SESSION_LIMITS } from '../../shared/session.ts';
import { DatagramSession, type DatagramSessionOptions } from './datagram/datagram-session.ts';
import type { AnySession, AnySessionStatus, Session } from './session.ts';
import { StreamSession, type StreamSessionOptions } from './stream-session.ts';
import { TypedEmitter } from './typed-emitter.ts';
import { lazyCrypto } from './lazy-builtins.ts';

/** Whoever asked for a session: any value compared by identity (a client context, a number). */
export type SessionOwner = unknown;

/** The owner used when a caller names none (the CLI, tests). */
export const LOCAL_OWNER: unique symbol = Symbol('local');

/** Why a closed session was evicted. */
export type EvictionReason = 'too-many-closed' | 'too-many-bytes';

/** Payload of 'session-evicted'. */
export interface Eviction {
  id: string;
  owner: SessionOwner;
  reason: EvictionReason;
  /** Bytes the session had kept and that are now released. */
  bytes: number;
}

/** Events of the registry. */
export type SessionRegistryEvents = {
  /** A session reached 'closed' and its socket is released; carries its final status. */
  'session-closed': [status: AnySessionStatus];
  /** A closed session was dropped to bound memory; calls naming it now get UNKNOWN_SESSION. */
  'session-evicted': [eviction: Eviction];
};

/** The registry's limits; tests lower them, the app uses {@link SESSION_LIMITS}. */
export interface RegistryLimits {
  maxLive: number;
  maxLivePerOwner: number;
  maxClosed: number;
  maxClosedBytes: number;
  /** Closed listener clients kept readable, and their bytes in total. */
  maxClosedClients: number;
  maxClosedClientBytes: number;
}

/** Which limits a session counts against: outgoing sessions, or a listener's accepted clients. */
export type SessionPool = 'sessions' | 'listener-clients';

/** What the registry holds now, for tests, diagnostics and the report figures. */
export interface RegistryStats {
  live: number;
  closed: number;
  /** Retained bytes of the closed sessions still kept. */
  closedBytes: number;
  evicted: number;
  /** The same for listener clients (their own pool). */
  closedClients: number;
  closedClientBytes: number;
}

interface Entry {
  readonly session: AnySession;
  readonly owner: SessionOwner;
  readonly pool: SessionPool;
  live: boolean;
  /** Retained bytes counted at close. */
  bytes: number;
  stopWatching: () => void;
}

const DEFAULT_LIMITS: RegistryLimits = {
  maxLive: SESSION_LIMITS.maxSessions,
  maxLivePerOwner: SESSION_LIMITS.maxSessionsPerClient,
  maxClosed: SESSION_LIMITS.maxClosedSessions,
  maxClosedBytes: SESSION_LIMITS.maxClosedBytes,
  maxClosedClients: 200,
  maxClosedClientBytes: SESSION_LIMITS.maxClosedBytes,
};

/** Closed entries of one pool, oldest closed first (Map keeps insertion order), and their bytes. */
interface ClosedPool {
  readonly entries: Map<string, Entry>;
  bytes: number;
}

/** Creates, finds, bounds and ends sessions; see the invariants at the top of this file. */
export class SessionRegistry extends TypedEmitter<SessionRegistryEvents> {
  readonly #entries = new Map<string, Entry>();
  readonly #closed: Record<SessionPool, ClosedPool> = {
    sessions: { entries: new Map(), bytes: 0 },
    'listener-clients': { entries: new Map(), bytes: 0 },
  };
  readonly #liveByOwner = new Map<SessionOwner, number>();
  readonly #limits: RegistryLimits;
  #live = 0;
  #evicted = 0;

  /**
   * @param limits a number is the live limit alone (no separate per-owner share); an object
   *   overrides any of the defaults.
   */
  constructor(limits: number | Partial<RegistryLimits> = {}) {
    super();
    this.#limits =
      typeof limits === 'number'
        ? { ...DEFAULT_LIMITS, maxLive: limits, maxLivePerOwner: limits }
        : { ...DEFAULT_LIMITS, ...limits };
  }

  /**
   * Registers a new session made by `make` (given its id), or SESSION_LIMIT when too many are
   * live, in total or for `owner`.
   */
  create<S extends AnySession>(make: (id: string) => S, owner: SessionOwner = LOCAL_OWNER, pool: SessionPool = 'sessions'): Result<S> {
    if (pool === 'listener-clients') return ok(this.#register(make, owner, pool));
    const { maxLive, maxLivePerOwner } = this.#limits;
    if (this.#live >= maxLive) {
      return fail('SESSION_LIMIT', `Too many open sessions (${this.#live}); close one before opening another (limit ${maxLive}).`);
    }
    const mine = this.#liveByOwner.get(owner) ?? 0;
    if (mine >= maxLivePerOwner) {
      return fail(
        'SESSION_LIMIT',
        `This window already has ${mine} open sessions, its share of the ${maxLive} allowed; close one before opening another.`,
      );
    }
    this.#live += 1;
    this.#liveByOwner.set(owner, mine + 1);
    return ok(this.#register(make, owner, pool));
  }

  /**
   * A session for a client a listener accepted: never refused here (its listener bounds how many
   * it accepts), kept and evicted in the 'listener-clients' pool once closed.
   */
  adoptClient(owner: SessionOwner = LOCAL_OWNER): StreamSession {
    return this.#register((id) => new StreamSession(id), owner, 'listener-clients');
  }

  #register<S extends AnySession>(make: (id: string) => S, owner: SessionOwner, pool: SessionPool): S {
    const session = make(lazyCrypto().randomUUID());
    const entry: Entry = { session, owner, pool, live: true, bytes: 0, stopWatching: () => undefined };
    this.#entries.set(session.id, entry);
    // Through the common interface: the union of two emitters has no callable `on`.
    entry.stopWatching = (session as Session).on('status', (s) => {
      if (s.phase === 'closed') this.#onClosed(entry);
    });
    if (session.status.phase === 'closed') this.#onClosed(entry);
    void session.done().then((final) => this.emit('session-closed', final));
    return session;
  }

  /** Creates an idle stream session (connect it next); see {@link SessionRegistry.create}. */
  createStream(options: StreamSessionOptions = {}, owner: SessionOwner = LOCAL_OWNER): Result<StreamSession> {
    return this.create((id) => new StreamSession(id, options), owner);
  }

  /**
   * Creates an idle datagram (UDP) session (open it next): it shares the live limits, the
   * per-owner share and the eviction of closed sessions with stream sessions.
   */
  createDatagram(options: DatagramSessionOptions = {}, owner: SessionOwner = LOCAL_OWNER): Result<DatagramSession> {
    return this.create((id) => new DatagramSession(id, options), owner);
  }

  /** The session with this id, if it exists and was neither removed nor evicted. */
  get(id: string): AnySession | undefined {
    return this.#entries.get(id)?.session;
  }

  /** Forgets a session, cancelling it first when it is still live. Unknown ids are ignored. */
  remove(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#entries.delete(id);
    const closed = this.#closed[entry.pool];
    if (closed.entries.delete(id)) closed.bytes -= entry.bytes;
    // Cancelling a live session emits its closed status, which settles the live counters.
    entry.session.cancel();
  }

  /** Status of every known session, in creation order. */
  list(): AnySessionStatus[] {
    return [...this.#entries.values()].map((e) => e.session.status);
  }

  /** Counters, read in O(1). */
  stats(): RegistryStats {
    const { sessions, 'listener-clients': clients } = this.#closed;
    return {
      live: this.#live,
      closed: sessions.entries.size,
      closedBytes: sessions.bytes,
      evicted: this.#evicted,
      closedClients: clients.entries.size,
      closedClientBytes: clients.bytes,
    };
  }

  /** Destroys every socket at once (quit, F26) and resolves when all are released. */
  async closeAll(): Promise<void> {
    const all = [...this.#entries.values()].map((e) => e.session);
    for (const session of all) session.cancel();
    await Promise.all(all.map((s) => s.done()));
  }

  #onClosed(entry: Entry): void {
    if (!entry.live) return;
    entry.live = false;
    entry.stopWatching();
    if (entry.pool === 'sessions') {
      this.#live -= 1;
      const mine = (this.#liveByOwner.get(entry.owner) ?? 1) - 1;
      if (mine > 0) this.#liveByOwner.set(entry.owner, mine);
      else this.#liveByOwner.delete(entry.owner);
    }
    const id = entry.session.id;
    if (this.#entries.get(id) !== entry) return;
    entry.bytes = entry.session.retainedBytes();
    const closed = this.#closed[entry.pool];
    closed.entries.set(id, entry);
    closed.bytes += entry.bytes;
    this.#evictOldest(entry.pool);
  }

  /** Drops the oldest closed sessions while over a limit, always keeping the newest one. */
  #evictOldest(pool: SessionPool): void {
    const l = this.#limits;
    const [maxClosed, maxClosedBytes] = pool === 'sessions' ? [l.maxClosed, l.maxClosedBytes] : [l.maxClosedClients, l.maxClosedClientBytes];
    const closed = this.#closed[pool];
    while (closed.entries.size > 1 && (closed.entries.size > maxClosed || closed.bytes > maxClosedBytes)) {
      const reason: EvictionReason = closed.entries.size > maxClosed ? 'too-many-closed' : 'too-many-bytes';
      const [id, oldest] = closed.entries.entries().next().value as [string, Entry];
      closed.entries.delete(id);
      this.#entries.delete(id);
      closed.bytes -= oldest.bytes;
      this.#evicted += 1;
      oldest.session.release();
      this.emit('session-evicted', { id, owner: oldest.owner, reason, bytes: oldest.bytes });
    }
  }
}
