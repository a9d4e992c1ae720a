/**
 * The handlers behind every contract call, and the bookkeeping of which client owns which session.
 *
 * This module knows the engine and the profile store but no transport: the Electron binding and
 * the web bridge each attach clients (a window, a WebSocket) and route calls through the guarded
 * dispatcher to these handlers. Each handler is a few lines: look up, delegate, map the result.
 *
 * Ownership rule: a session is visible only to the client that opened it. Another client naming
 * its id gets UNKNOWN_SESSION, exactly as for an id that never existed. When a client goes away
 * (window closed or reloaded, WebSocket dropped) its sessions are cancelled (F25). Each client is
 * the registry's owner of its sessions, so it gets its share of the session limit, and it is told
 * ('session:evicted') when the registry releases one of its closed sessions.
 */
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fail, ok, type Result } from '../shared/errors.ts';
import type { AppInfo, EventChannel, EventPayload, ImportPreviewView, ProfileStoreState } from '../shared/contract.ts';
import { formatEndpoint } from '../shared/endpoint.ts';
import { checkConnectOptions } from './engine/connect-options.ts';
import { checkTlsOptions } from './engine/tls-openers.ts';
import type { TlsFilePurpose } from '../shared/tls.ts';
import { fileErrorFor } from './engine/error-mapping.ts';
import type { Eviction, SessionRegistry } from './engine/session-registry.ts';
import type { StreamSession } from './engine/stream-session.ts';
import type { DatagramSession } from './engine/datagram/datagram-session.ts';
import type { AnySession } from './engine/session.ts';
import { checkDatagramOptions } from './engine/datagram/datagram-options.ts';
import { forwardDatagramUpdates } from './ipc/datagram-updates.ts';
import type { ProfileStore } from './profiles/profile-store.ts';
import { parseImport, selectImportDrafts } from './profiles/import-profiles.ts';
import type { Handlers } from './ipc/dispatcher.ts';
import { startForwarding, type SessionForwarder } from './ipc/session-updates.ts';
import { followPeerEnd } from './engine/follow-peer-end.ts';
import { ListenerService } from './listener-service.ts';
import { checkConversation, ConversationRuns } from './conversation/conversation-runs.ts';
import type { OpenConversationStream } from './conversation/conversation-stream.ts';

/** Where a client's events go. */
export interface ClientSink {
  readonly alive: boolean;
  send<E extends EventChannel>(event: E, payload: EventPayload<E>): void;
  /** Bytes queued towards the client and not yet taken; lets updates wait for a slow page. */
  backlog?(): number;
  /** The page acknowledges what it has taken (`session:ack`), so its sessions get flow control. */
  readonly acknowledges?: boolean;
  /** The transport can stream a session's bytes outside the updates (web mode's `GET /bytes/<id>`). */
  readonly byteStreams?: boolean;
}

/** Native dialogs; only Electron has them. */
export interface NativeDialogs {
  pickFileToSend(): Promise<string | null>;
  pickSavePath(suggestedName: string): Promise<string | null>;
  pickTlsFile(purpose: TlsFilePurpose): Promise<string | null>;
}

/** One attached client and the sessions it owns. */
export interface ClientContext {
  readonly id: number;
  readonly sink: ClientSink;
  /** session id → function that stops forwarding its updates */
  readonly sessions: Map<string, () => void>;
  /** session id → its update forwarder, for `session:ack` */
  readonly forwarders: Map<string, SessionForwarder>;
}

export interface AppServiceOptions {
  info: AppInfo;
  sessions: SessionRegistry;
  profiles: ProfileStore;
  profilesPath: string;
  dialogs?: NativeDialogs;
  /** How conversation runs connect (tests may point it elsewhere); the TCP/TLS engine by default. */
  openConversationStream?: OpenConversationStream;
}

export class AppService {
  readonly handlers: Handlers<ClientContext>;
  private readonly clients = new Set<ClientContext>();
  private nextClientId = 1;
  private readonly listeners: ListenerService;
  /** Each client's conversation runs, created on its first run. */
  private readonly conversationRuns = new WeakMap<ClientContext, ConversationRuns>();

  constructor(private readonly opts: AppServiceOptions) {
    this.listeners = new ListenerService(opts.sessions);
    this.handlers = this.makeHandlers();
    opts.sessions.on('session-evicted', (e) => this.onEvicted(e));
  }

  /**
   * Forgets an evicted session for its client and tells it. The update forwarder is left to finish
   * on its own: it still holds the bytes it has not delivered, and detaches once they are out.
   */
  private onEvicted(e: Eviction): void {
    const ctx = e.owner as ClientContext;
    if (!this.clients.has(ctx) || !ctx.sessions.delete(e.id)) return;
    // Its forwarder may still owe the page bytes (and take acks for them); forget it once it does not.
    if ((ctx.forwarders.get(e.id)?.waiting() ?? 0) === 0) ctx.forwarders.delete(e.id);
    if (ctx.sink.alive) ctx.sink.send('session:evicted', { id: e.id, reason: e.reason });
  }

  /** Registers a client; pair with {@link detachClient}. */
  attachClient(sink: ClientSink): ClientContext {
    const ctx: ClientContext = { id: this.nextClientId++, sink, sessions: new Map(), forwarders: new Map() };
    this.clients.add(ctx);
    return ctx;
  }

  /** Ends every session the client owns and forgets it. Safe to call twice. */
  detachClient(ctx: ClientContext): void {
    if (!this.clients.delete(ctx)) return;
    // Listeners first, so none accepts a new client while its sessions are ended below.
    this.listeners.detach(ctx);
    void this.conversationRuns.get(ctx)?.cancelAll();
    for (const [id, stop] of ctx.sessions) {
      stop();
      this.opts.sessions.remove(id);
    }
    ctx.sessions.clear();
    ctx.forwarders.clear();
  }

  /** Quit: destroy every socket and flush pending profile writes (F26). */
  async shutdown(): Promise<void> {
    const runs = [...this.clients].map((c) => this.conversationRuns.get(c)?.cancelAll());
    for (const c of [...this.clients]) this.detachClient(c);
    await Promise.all(runs);
    await Promise.all([this.listeners.shutdown(), this.opts.sessions.closeAll(), this.opts.profiles.flush()]);
  }

  private owned(ctx: ClientContext, id: string): Result<StreamSession> {
    const session = ctx.sessions.has(id) ? this.opts.sessions.get(id) : undefined;
    return session?.kind === 'stream'
      ? ok(session)
      : fail('UNKNOWN_SESSION', `No session ${id} in this window; it was closed, or its data was released to bound memory.`);
  }

  /** A datagram session of this client; any other (a stream session included) is UNKNOWN_SESSION. */
  private ownedDatagram(ctx: ClientContext, id: string): Result<DatagramSession> {
    const session = ctx.sessions.has(id) ? this.opts.sessions.get(id) : undefined;
    return session?.kind === 'datagram'
      ? ok(session)
      : fail('UNKNOWN_SESSION', `No UDP session ${id} in this window; it was closed, or its data was released to bound memory.`);
  }

  /** Any session of this client, whatever its kind (close and cancel work for every kind). */
  private ownedAny(ctx: ClientContext, id: string): Result<AnySession> {
    const session = ctx.sessions.has(id) ? this.opts.sessions.get(id) : undefined;
    return session
      ? ok(session)
      : fail('UNKNOWN_SESSION', `No session ${id} in this window; it was closed, or its data was released to bound memory.`);
  }

  private broadcastProfiles(): void {
    const profiles = this.opts.profiles.list();
    for (const c of this.clients) if (c.sink.alive) c.sink.send('profiles:changed', { profiles });
  }

  private storeState(): ProfileStoreState {
    const { loadReport, readOnly } = this.opts.profiles;
    return {
      status: loadReport.status,
      readOnly,
      message: loadReport.message ?? null,
      filePath: this.opts.profilesPath,
    };
  }

  private makeHandlers(): Handlers<ClientContext> {
    const { sessions, profiles, dialogs } = this.opts;
    /** Runs a profile mutation and tells every window when it succeeded. */
    const mutate = async <T>(r: Promise<Result<T>>): Promise<Result<T>> => {
      const result = await r;
      if (result.ok) this.broadcastProfiles();
      return result;
    };
    return {
      'app:info': () => ok(this.opts.info),

      'session:open': (arg, ctx) => {
        // Checked once, here, before creating anything, so the field is named and no socket or DNS
        // is touched; the session accepts the checked value without checking it again.
        const { finishWhenPeerFinishes = true, tls, byteStream = false, ...connect } = arg;
        if (byteStream && ctx.sink.byteStreams !== true) {
          return fail('UNSUPPORTED', 'Streaming the received bytes outside the updates needs web mode.', { field: 'byteStream' });
        }
        const checked = checkConnectOptions(connect);
        if (!checked.ok) return checked;
        // TLS options too, so a bad one is this call's error naming its field, not a session that
        // never leaves idle.
        if (tls !== undefined) {
          const tlsChecked = checkTlsOptions(tls);
          if (!tlsChecked.ok) return tlsChecked;
        }
        const created = sessions.createStream({}, ctx);
        if (!created.ok) return created;
        const session = created.value;
        const sink = ctx.sink;
        const forwarder = startForwarding(session, {
          get alive() {
            return sink.alive;
          },
          sendUpdate: (u) => sink.send('session:update', u),
          backlog: () => sink.backlog?.() ?? 0,
          acknowledges: sink.acknowledges === true,
          byteStream,
        });
        const unfollow = finishWhenPeerFinishes ? followPeerEnd(session) : () => undefined;
        ctx.forwarders.set(session.id, forwarder);
        ctx.sessions.set(session.id, () => {
          forwarder.stop();
          ctx.forwarders.delete(session.id);
          unfollow();
        });
        void session.connect(tls === undefined ? checked.value : { ...checked.value, tls });
        return ok({ id: session.id });
      },

      'session:starttls': async (arg, ctx) => {
        const s = this.owned(ctx, arg.id);
        if (!s.ok) return s;
        return s.value.upgradeToTls(arg.tls);
      },

      'session:send': async (arg, ctx) => {
        const s = this.owned(ctx, arg.id);
        if (!s.ok) return s;
        return s.value.send(arg.data, { halfClose: arg.halfClose });
      },

      'session:send-file': async (arg, ctx) => {
        const s = this.owned(ctx, arg.id);
        if (!s.ok) return s;
        if (!dialogs) return fail('UNSUPPORTED', 'Sending a file through main needs the desktop app; the browser sends the file itself.');
        const path = await dialogs.pickFileToSend();
        if (!path) return ok(null);
        const sent = await s.value.sendFile(path, { halfClose: arg.halfClose });
        return sent.ok ? ok({ ...sent.value, fileName: basename(path) }) : sent;
      },

      'session:half-close': async (arg, ctx) => {
        const s = this.owned(ctx, arg.id);
        if (!s.ok) return s;
        const r = await s.value.send(new Uint8Array(0), { halfClose: true });
        return r.ok ? ok(null) : r;
      },

      'session:close': (arg, ctx) => {
        const s = this.ownedAny(ctx, arg.id);
        if (!s.ok) return s;
        s.value.close();
        return ok(null);
      },

      'session:cancel': (arg, ctx) => {
        const s = this.ownedAny(ctx, arg.id);
        if (!s.ok) return s;
        s.value.cancel();
        return ok(null);
      },

      'session:ack': (arg, ctx) => {
        for (const [i, { id, through }] of arg.acks.entries()) {
          // An id this client no longer has (discarded, or its forwarder finished) is a race, not an error.
          const forwarder = ctx.forwarders.get(id);
          if (forwarder && !forwarder.ack(through)) {
            return fail('INVALID_INPUT', `Acknowledged bytes of session ${id} that were never sent (through ${through}).`, { field: `acks.${i}.through` });
          }
        }
        return ok(null);
      },

      'session:discard': (arg, ctx) => {
        const stop = ctx.sessions.get(arg.id);
        if (!stop) return fail('UNKNOWN_SESSION', `No session ${arg.id} in this window.`);
        stop();
        ctx.sessions.delete(arg.id);
        sessions.remove(arg.id);
        return ok(null);
      },

      'dialog:pick-tls-file': async (arg) => {
        if (!dialogs) return fail('UNSUPPORTED', 'Choosing a file by its path needs the desktop app; the browser reads the file itself.');
        const path = await dialogs.pickTlsFile(arg.purpose);
        return ok(path === null ? null : { path });
      },

      'session:save-response': async (arg, ctx) => {
        const s = this.owned(ctx, arg.id);
        if (!s.ok) return s;
        if (!dialogs) return fail('UNSUPPORTED', 'Saving through main needs the desktop app; the browser downloads the response itself.');
        const path = await dialogs.pickSavePath(arg.suggestedName);
        if (!path) return ok(null);
        try {
          await writeFile(path, s.value.response());
        } catch (err) {
          return { ok: false, error: fileErrorFor(err, `Could not save the response to ${path}`) };
        }
        return ok({ path });
      },

      'datagram:open': (arg, ctx) => {
        // Validate before creating anything, so the field is named and no socket or DNS is touched.
        const checked = checkDatagramOptions(arg);
        if (!checked.ok) return checked;
        const created = sessions.createDatagram({}, ctx);
        if (!created.ok) return created;
        const session = created.value;
        const sink = ctx.sink;
        const stop = forwardDatagramUpdates(session, {
          get alive() {
            return sink.alive;
          },
          sendDatagramUpdate: (u) => sink.send('datagram:update', u),
          backlog: () => sink.backlog?.() ?? 0,
        });
        ctx.sessions.set(session.id, stop);
        // A failure to open ends the session as data (status with the error), like a failed connect.
        void session.open(arg);
        return ok({ id: session.id });
      },

      'datagram:send': async (arg, ctx) => {
        const s = this.ownedDatagram(ctx, arg.id);
        if (!s.ok) return s;
        return s.value.send(arg.data);
      },

      'datagram:join': (arg, ctx) => {
        const s = this.ownedDatagram(ctx, arg.id);
        if (!s.ok) return s;
        const r = s.value.joinGroup(arg.group, arg.interface);
        return r.ok ? ok(null) : r;
      },

      'datagram:leave': (arg, ctx) => {
        const s = this.ownedDatagram(ctx, arg.id);
        if (!s.ok) return s;
        const r = s.value.leaveGroup(arg.group, arg.interface);
        return r.ok ? ok(null) : r;
      },

      'datagram:set-broadcast': (arg, ctx) => {
        const s = this.ownedDatagram(ctx, arg.id);
        if (!s.ok) return s;
        const r = s.value.setBroadcast(arg.on);
        return r.ok ? ok(null) : r;
      },

      ...this.listeners.handlers,

      'profiles:state': () => ok(this.storeState()),
      'profiles:list': async () => {
        // Another process or a hand edit may have changed the file: show what it holds now.
        if (await profiles.refresh()) this.broadcastProfiles();
        return ok(profiles.list());
      },
      'profiles:create': (arg) => mutate(profiles.create(arg.draft)),
      'profiles:update': (arg) => mutate(profiles.update(arg.id, arg.draft, arg.revision)),
      'profiles:rename': (arg) => mutate(profiles.rename(arg.id, arg.name, arg.revision)),
      'profiles:duplicate': (arg) => mutate(profiles.duplicate(arg.id)),
      'profiles:delete': (arg) => mutate(profiles.remove(arg.id)),
      'profiles:restore': (arg) => mutate(profiles.restore(arg.profile, arg.index)),
      'profiles:import-preview': (arg) => {
        const preview = parseImport(arg.text, arg.fileName, profiles.list(), folderOption(arg.folder));
        if (!preview.ok) return preview;
        const view: ImportPreviewView = {
          source: preview.value.source,
          items: preview.value.items.map((item) => ({
            sourceName: item.sourceName,
            status: item.status,
            reason: item.reason ?? null,
            name: item.draft?.name ?? null,
            endpoint: item.draft ? formatEndpoint(item.draft.host, item.draft.port) : null,
          })),
        };
        return ok(view);
      },
      'profiles:import': (arg) => {
        const preview = parseImport(arg.text, arg.fileName, profiles.list(), folderOption(arg.folder));
        if (!preview.ok) return preview;
        const drafts = selectImportDrafts(preview.value, arg.select);
        if (!drafts.ok) return drafts;
        return mutate(profiles.importProfiles(drafts.value, { onDuplicate: arg.onDuplicate, ...folderOption(arg.folder) }));
      },
      'profiles:export': (arg) => ok({ json: profiles.exportJson(arg.ids ?? undefined) }),

      'conversation:check': (arg) => ok(checkConversation(arg.yaml, arg.variables ?? {})),
      'conversation:run': (arg, ctx) => {
        let runs = this.conversationRuns.get(ctx);
        if (!runs) {
          runs = new ConversationRuns(this.opts.openConversationStream);
          this.conversationRuns.set(ctx, runs);
        }
        const sink = ctx.sink;
        return runs.start(arg.yaml, arg.variables ?? {}, {
          get alive() {
            return sink.alive;
          },
          sendUpdate: (u) => sink.send('conversation:update', u),
        });
      },
      'conversation:cancel': (arg, ctx) => {
        const runs = this.conversationRuns.get(ctx);
        if (!runs) return fail('UNKNOWN_SESSION', `No conversation run ${arg.runId} in this window; it has finished or never existed.`);
        return runs.cancel(arg.runId);
      },
    };
  }
}

/** `{ folder }` when the call names one (null included), `{}` when it leaves folders as they are. */
function folderOption(folder: string | null | undefined): { folder?: string | null } {
  return folder === undefined ? {} : { folder };
}
