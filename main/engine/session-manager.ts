/**
 * Owns every {@link TcpSession} of one process: creates them with unguessable ids, enforces the
 * live-session limit (R5), and destroys them all on quit (F26).
 *
 * Invariants:
 * - At most SESSION_LIMITS.maxSessions sessions are live (not closed) at once; create() past that
 *   returns SESSION_LIMIT and creates nothing.
 * - A closed session stays listed (its response and transcript remain readable) until remove();
 *   'session-closed' is emitted once per session, after Node released its socket.
 * - remove() cancels a live session first, so forgetting a session never leaks its socket.
 * - closeAll() resolves only when every socket is released.
 */
import { randomUUID } from 'node:crypto';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { SESSION_LIMITS, type SessionStatus } from '../../shared/session.ts';
import { TcpSession, type TcpSessionOptions } from './tcp-session.ts';
import { TypedEmitter } from './typed-emitter.ts';

/** Events of the manager. */
export type SessionManagerEvents = {
  /** A session reached 'closed' and its socket is released; carries its final status. */
  'session-closed': [status: SessionStatus];
};

/** Creates, finds and ends sessions; see the invariants at the top of this file. */
export class SessionManager extends TypedEmitter<SessionManagerEvents> {
  readonly #sessions = new Map<string, TcpSession>();
  readonly #maxSessions: number;

  /** @param maxSessions live-session limit; tests lower it, the app uses the default. */
  constructor(maxSessions: number = SESSION_LIMITS.maxSessions) {
    super();
    this.#maxSessions = maxSessions;
  }

  /** Creates an idle session (connect it next), or SESSION_LIMIT when too many are live. */
  create(options: TcpSessionOptions = {}): Result<TcpSession> {
    const live = [...this.#sessions.values()].filter((s) => s.status.phase !== 'closed').length;
    if (live >= this.#maxSessions) {
      return fail('SESSION_LIMIT', `Too many open sessions (${live}); close one before opening another (limit ${this.#maxSessions}).`);
    }
    const session = new TcpSession(randomUUID(), options);
    this.#sessions.set(session.id, session);
    void session.done().then((final) => this.emit('session-closed', final));
    return ok(session);
  }

  /** The session with this id, if it exists and was not removed. */
  get(id: string): TcpSession | undefined {
    return this.#sessions.get(id);
  }

  /** Forgets a session, cancelling it first when it is still live. Unknown ids are ignored. */
  remove(id: string): void {
    const session = this.#sessions.get(id);
    if (!session) return;
    session.cancel();
    this.#sessions.delete(id);
  }

  /** Status of every known session, in creation order. */
  list(): SessionStatus[] {
    return [...this.#sessions.values()].map((s) => s.status);
  }

  /** Destroys every socket at once (quit, F26) and resolves when all are released. */
  async closeAll(): Promise<void> {
    const all = [...this.#sessions.values()];
    for (const session of all) session.cancel();
    await Promise.all(all.map((s) => s.done()));
  }
}
