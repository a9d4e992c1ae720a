/**
 * The `listener:*` handlers: listeners a window (or WebSocket client) runs, their client tables,
 * and the one watched client per listener whose conversation goes out as `session:update`.
 *
 * Ownership is the app service's rule: a listener, and every client session it accepted, belongs
 * to the client that started it; another client naming it gets UNKNOWN_SESSION. Each accepted
 * TCP/TLS client is a stream session registered in the session registry under that owner, in the
 * registry's 'listener-clients' pool: it counts against its listener's maxClients, never against
 * the window's outgoing sessions, and `session:*` calls work on it. When the owner goes away its
 * listeners are stopped (F25).
 */
import { randomUUID } from 'node:crypto';
import { fail, ok, type Result } from '../shared/errors.ts';
import type { CallArg, CallValue, EventChannel, EventPayload } from '../shared/contract.ts';
import { LISTENER_IPC_LIMITS, LISTENER_LIMITS, type ListenerStats } from '../shared/listener.ts';
import { isLoopbackHost, startListener, type Listener } from './engine/listener/listener.ts';
import { testResponder } from './engine/listener/responder.ts';
import type { SessionRegistry } from './engine/session-registry.ts';
import { ListenerTable } from './ipc/listener-updates.ts';
import { forwardSessionUpdates } from './ipc/session-updates.ts';

/** What the service needs of a client context (the app service's ClientContext satisfies it). */
export interface ListenerOwner {
  readonly sink: {
    readonly alive: boolean;
    send<E extends EventChannel>(event: E, payload: EventPayload<E>): void;
    backlog?(): number;
  };
  /** session id → stop function; accepted client sessions are added so `session:*` calls find them. */
  readonly sessions: Map<string, () => void>;
}

interface Hosted {
  readonly id: string;
  readonly owner: ListenerOwner;
  readonly listener: Listener;
  readonly table: ListenerTable;
  watch: { clientId: number; stop: () => void } | null;
  stopping: Promise<ListenerStats> | null;
}

type Handler<C extends keyof ListenerCalls> = (arg: CallArg<C>, owner: ListenerOwner) => Promise<Result<CallValue<C>>> | Result<CallValue<C>>;
type ListenerCalls = {
  [C in
    | 'listener:start'
    | 'listener:stop'
    | 'listener:clients'
    | 'listener:send'
    | 'listener:end-client'
    | 'listener:set-responder'
    | 'listener:test'
    | 'listener:watch']: C;
};

export class ListenerService {
  readonly #byId = new Map<string, Hosted>();
  readonly #byOwner = new Map<ListenerOwner, Set<Hosted>>();

  constructor(private readonly sessions: SessionRegistry) {}

  /** Stops every listener of an owner that went away; their client sessions are the registry's to end. */
  detach(owner: ListenerOwner): void {
    for (const hosted of [...(this.#byOwner.get(owner) ?? [])]) {
      this.#forget(hosted);
      void this.#stop(hosted);
    }
  }

  /** Quit: stops every listener and resolves once each has closed its clients. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.#byId.values()].map((h) => this.#stop(h)));
  }

  #owned(owner: ListenerOwner, id: string): Result<Hosted> {
    const hosted = this.#byId.get(id);
    return hosted && hosted.owner === owner ? ok(hosted) : fail('UNKNOWN_SESSION', `No listener ${id} in this window; it was stopped.`);
  }

  /**
   * Stops accepting and ends every client. The stopped listener stays known to its owner (its
   * table, and `listener:watch` of a client whose session the registry still keeps) until the owner
   * goes, or until it is the oldest of more than maxListenersPerClient stopped ones.
   */
  #stop(hosted: Hosted): Promise<ListenerStats> {
    hosted.stopping ??= (async () => {
      await hosted.listener.close();
      hosted.table.stop();
      const stopped = [...(this.#byOwner.get(hosted.owner) ?? [])].filter((h) => h.stopping !== null && h !== hosted);
      if (stopped.length >= LISTENER_IPC_LIMITS.maxListenersPerClient) this.#forget(stopped[0]!);
      return hosted.listener.stats();
    })();
    return hosted.stopping;
  }

  #forget(hosted: Hosted): void {
    hosted.watch?.stop();
    hosted.watch = null;
    hosted.table.dispose();
    this.#byId.delete(hosted.id);
    const mine = this.#byOwner.get(hosted.owner);
    mine?.delete(hosted);
    if (mine?.size === 0) this.#byOwner.delete(hosted.owner);
  }

  readonly handlers: { [C in keyof ListenerCalls]: Handler<C> } = {
    'listener:start': async (arg, owner) => {
      const mine = this.#byOwner.get(owner) ?? new Set<Hosted>();
      const running = [...mine].filter((h) => h.stopping === null).length;
      if (running >= LISTENER_IPC_LIMITS.maxListenersPerClient) {
        return fail('SESSION_LIMIT', `This window already runs ${running} listeners (at most ${LISTENER_IPC_LIMITS.maxListenersPerClient}); stop one first.`);
      }
      const started = await startListener(arg, {
        createSession: () => {
          const session = this.sessions.adoptClient(owner);
          owner.sessions.set(session.id, () => undefined);
          return session;
        },
      });
      if (!started.ok) return started;
      const listener = started.value;
      const id = randomUUID();
      const sink = owner.sink;
      const table = new ListenerTable(id, listener, {
        get alive() {
          return sink.alive;
        },
        sendListenerUpdate: (u) => sink.send('listener:update', u),
        backlog: () => sink.backlog?.() ?? 0,
      });
      const hosted: Hosted = { id, owner, listener, table, watch: null, stopping: null };
      this.#byId.set(id, hosted);
      mine.add(hosted);
      this.#byOwner.set(owner, mine);
      return ok({
        id,
        transport: listener.transport,
        address: listener.address,
        port: listener.port,
        loopback: isLoopbackHost(listener.address),
        maxClients: arg.maxClients ?? LISTENER_LIMITS.defaultMaxClients,
        certificateFingerprint: listener.certificateFingerprint,
      });
    },

    'listener:stop': async (arg, owner) => {
      const h = this.#owned(owner, arg.id);
      if (!h.ok) return h;
      return ok(await this.#stop(h.value));
    },

    'listener:clients': (arg, owner) => {
      const h = this.#owned(owner, arg.id);
      return h.ok ? ok(h.value.table.snapshot()) : h;
    },

    'listener:send': async (arg, owner) => {
      const h = this.#owned(owner, arg.id);
      if (!h.ok) return h;
      const { listener, table } = h.value;
      const targets = arg.clientId === null ? listener.clientIds() : [arg.clientId];
      if (targets.length === 0) return fail('NOT_CONNECTED', 'No client is connected to this listener.');
      const results = await Promise.all(targets.map((c) => listener.sendToClient(c, arg.data)));
      let clients = 0;
      let bytesSent = 0;
      for (const r of results) {
        if (!r.ok) continue;
        clients++;
        bytesSent += r.value;
      }
      // To one client: its error is the answer. To all: the clients that took it, unless none did.
      if (clients === 0) return results.find((r) => !r.ok) as Result<never>;
      return ok({ clients, bytesSent });
    },

    'listener:end-client': async (arg, owner) => {
      const h = this.#owned(owner, arg.id);
      if (!h.ok) return h;
      const r = await h.value.listener.endClient(arg.clientId, arg.how);
      return r.ok ? ok(null) : r;
    },

    'listener:set-responder': (arg, owner) => {
      const h = this.#owned(owner, arg.id);
      if (!h.ok) return h;
      const r = h.value.listener.setResponder(arg.responder);
      return r.ok ? ok(null) : r;
    },

    'listener:test': (arg, owner) => {
      let hits: number[] = [];
      if (arg.id !== undefined) {
        const h = this.#owned(owner, arg.id);
        if (!h.ok) return h;
        hits = h.value.listener.stats().ruleHits;
      }
      return testResponder(arg.responder, arg.sample, hits);
    },

    'listener:watch': (arg, owner) => {
      const h = this.#owned(owner, arg.id);
      if (!h.ok) return h;
      const hosted = h.value;
      hosted.watch?.stop();
      hosted.watch = null;
      if (arg.clientId === null) return ok({ sessionId: null });
      const row = hosted.table.snapshotRow(arg.clientId);
      if (!row) return fail('UNKNOWN_SESSION', `Client ${arg.clientId} is not in this listener's table.`, { field: 'clientId' });
      if (!row.sessionId) {
        // A UDP peer: its kept datagrams now, the rest in listener:update's `watched`.
        const table = hosted.table;
        const datagrams = table.watchDatagrams(arg.clientId);
        hosted.watch = { clientId: arg.clientId, stop: () => table.watchDatagrams(null) };
        return ok({ sessionId: null, tls: null, datagrams });
      }
      const session = this.sessions.get(row.sessionId);
      if (!session || session.kind !== 'stream') {
        return fail('UNKNOWN_SESSION', `Client ${arg.clientId}'s conversation was released to bound memory.`, { field: 'clientId' });
      }
      const sink = owner.sink;
      const clientId = arg.clientId;
      let headsSent = 0;
      const stop = forwardSessionUpdates(
        session,
        {
          get alive() {
            return sink.alive;
          },
          sendUpdate: (u) => {
            const heads = hosted.table.sentHeads(clientId, headsSent);
            headsSent += heads.length;
            sink.send('session:update', heads.length > 0 ? { ...u, sentHeads: heads } : u);
          },
          backlog: () => sink.backlog?.() ?? 0,
        },
        { response: session.response(), transcript: session.transcript() },
      );
      hosted.watch = { clientId: arg.clientId, stop };
      return ok({ sessionId: session.id, tls: hosted.table.tlsOf(clientId) });
    },
  };
}
