/**
 * Listen mode for streams (TCP, TLS): bind, accept, and hand every accepted socket to a
 * {@link StreamSession} through the `adopt` opener, so counters, transcript, half-close and the
 * response cap work exactly as for a connection we made. A responder (responder.ts) is attached
 * beside each session as a policy; the session class is unchanged.
 *
 * Invariants:
 * - Loopback unless `allowNonLoopback`: binding to the network is a decision, never a default.
 * - At most `maxClients` clients at once, TLS handshakes in progress included; one more is closed
 *   at once and counted in `refused` (never silently dropped).
 * - A TLS handshake gets TLS_HANDSHAKE_TIMEOUT_MS; a client that never finishes it loses its slot.
 * - close() stops accepting, closes every client gracefully (each session's own grace timer
 *   bounds it) and resolves once every session has ended.
 */
import net from 'node:net';
import type tls from 'node:tls';
import { readFile } from 'node:fs/promises';
import { fail, ok, type AppError, type Result } from '../../../shared/errors.ts';
import {
  isLoopbackBind,
  LISTENER_LIMITS,
  parseBindHost,
  parseBindPort,
  type AcceptedTlsInfo,
  type ListenerOptions,
  type ListenerStats,
  type ResponderSpec,
} from '../../../shared/listener.ts';
import type { SessionOutcome, SessionStatus, TranscriptEntry } from '../../../shared/session.ts';
import { toAppError, toFileError, toListenError } from '../error-mapping.ts';
import { lazyTls } from '../lazy-builtins.ts';
import { describeAcceptedTls } from '../tls-info.ts';
import { StreamSession } from '../stream-session.ts';
import { adopt } from '../stream-openers.ts';
import { TypedEmitter } from '../typed-emitter.ts';
import { compileResponder, type AttachedResponder, type CompiledResponder, type ResponderHooks, type ResponderPeer } from './responder.ts';
import { makeSelfSigned } from './self-signed.ts';

export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** One client, as events report it. */
export interface ClientInfo {
  /** 1, 2, … in order of acceptance. */
  id: number;
  address: string;
  port: number;
  /** TLS only, when a client certificate was requested: what the client presented. */
  clientCert?: { subject: string | null; fingerprint256: string | null } | null;
  /** TLS only: what the handshake agreed. */
  tls?: { protocol: string | null; cipher: string | null };
  /** TLS only: the handshake's facts in full, for the client's TLS view. */
  tlsDetails?: AcceptedTlsInfo;
  /** TCP and TLS: the stream session that carries this client's conversation. */
  session?: StreamSession;
}

/** How {@link Listener.endClient} ends one client. */
export type ClientEnd = 'half-close' | 'close' | 'reset';

/** What a caller may plug into a listener (the app registers each client's session). */
export interface ListenerHooks {
  /**
   * Makes the stream session for an accepted client (default: a fresh, unregistered one). When
   * given, the caller owns the session's memory: the listener never release()s it.
   */
  createSession?: () => StreamSession;
}

export type ListenerEvents = {
  accepted: [client: ClientInfo];
  refused: [peer: { address: string; port: number; reason: string }];
  received: [client: ClientInfo, bytes: Uint8Array];
  /** Bytes written to a client: a responder's reply, or {@link Listener.sendToClient}. */
  sent: [client: ClientInfo, bytes: Uint8Array];
  rule: [client: ClientInfo, index: number];
  'client-error': [client: ClientInfo, error: AppError];
  closed: [client: ClientInfo, outcome: SessionOutcome | 'handshake-failed' | 'forgotten', error: AppError | null];
};

/** What every listener (stream or datagram) offers. */
export interface Listener extends TypedEmitter<ListenerEvents> {
  readonly transport: ListenerOptions['transport'];
  readonly address: string;
  readonly port: number;
  /** TLS with a generated certificate: its SHA-256 fingerprint. */
  readonly certificateFingerprint: string | null;
  stats(): ListenerStats;
  /**
   * Replaces the responder for new and connected clients alike (a connected client's partial
   * frame is dropped); its rule counters start at 0. An invalid spec changes nothing.
   */
  setResponder(spec: ResponderSpec): Result<void>;
  /** Sends bytes to one connected client; resolves with the bytes written. */
  sendToClient(id: number, bytes: Uint8Array): Promise<Result<number>>;
  /** Half-closes (our FIN), closes gracefully, or resets one client. UDP: only 'close' (forget the peer). */
  endClient(id: number, how: ClientEnd): Promise<Result<void>>;
  /** Ids of the clients connected now, in order of acceptance. */
  clientIds(): number[];
  close(): Promise<void>;
}

/** The error for a client id that is not connected (never was, or has gone). */
export function unknownClient(id: number): Result<never> {
  return fail('UNKNOWN_SESSION', `Client ${id} is not connected to this listener (it has gone, or never was).`, { field: 'clientId' });
}

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and the name localhost: shared/listener.ts's rule, one for UI and main. */
export const isLoopbackHost = isLoopbackBind;

/** Checks what every transport shares. */
export function checkListenerOptions(opts: ListenerOptions): Result<{ host: string; maxClients: number; maxBytesPerClient: number }> {
  const bound = parseBindHost(opts.host);
  if (!bound.ok) return bound;
  const host = bound.value;
  if (!isLoopbackHost(host) && !opts.allowNonLoopback) {
    // The consent is the front end's: --allow-remote in the CLI, a tick box in the app.
    return fail('INVALID_INPUT', `${host} is not a loopback address: binding it lets other machines connect, which needs your explicit consent.`, {
      field: 'bindHost',
      reason: 'bind-not-loopback',
      params: { text: host },
    });
  }
  const port = parseBindPort(opts.port);
  if (!port.ok) return port;
  const maxClients = opts.maxClients ?? LISTENER_LIMITS.defaultMaxClients;
  if (!Number.isInteger(maxClients) || maxClients < 1 || maxClients > LISTENER_LIMITS.maxClients) {
    return fail('INVALID_INPUT', `a whole number from 1 to ${LISTENER_LIMITS.maxClients}.`, { field: 'maxClients' });
  }
  const maxBytesPerClient = opts.maxBytesPerClient ?? LISTENER_LIMITS.defaultMaxBytesPerClient;
  if (!Number.isInteger(maxBytesPerClient) || maxBytesPerClient < 1 || maxBytesPerClient > LISTENER_LIMITS.maxBytesPerClient) {
    return fail('INVALID_INPUT', `a whole number from 1 to ${LISTENER_LIMITS.maxBytesPerClient}.`, {
      field: 'maxBytesPerClient',
    });
  }
  return ok({ host: host === 'localhost' ? '127.0.0.1' : host, maxClients, maxBytesPerClient });
}

/** Starts a TCP, TLS or UDP listener; resolves once it is bound (port 0 reports the chosen port). */
export async function startListener(opts: ListenerOptions, hooks: ListenerHooks = {}): Promise<Result<Listener>> {
  const checked = checkListenerOptions(opts);
  if (!checked.ok) return checked;
  const responder = compileResponder(opts.responder ?? { kind: 'off' });
  if (!responder.ok) return responder;
  if (opts.transport === 'udp') {
    const { startUdpListener } = await import('./udp-listener.ts');
    return startUdpListener(checked.value.host, opts.port, checked.value.maxClients, responder.value);
  }
  let secure: { context: tls.SecureContext; requestCert: boolean; fingerprint: string | null } | null = null;
  if (opts.transport === 'tls') {
    const made = await tlsContext(opts);
    if (!made.ok) return made;
    secure = made.value;
  }
  const listener = new StreamListener(checked.value.maxClients, checked.value.maxBytesPerClient, responder.value, secure, hooks);
  const bound = await listener.bind(checked.value.host, opts.port);
  if (!bound.ok) return bound;
  return ok(listener);
}

async function tlsContext(opts: ListenerOptions): Promise<Result<{ context: tls.SecureContext; requestCert: boolean; fingerprint: string | null }>> {
  const spec = opts.tls;
  if (!spec) return fail('INVALID_INPUT', 'TLS: give a certificate and key, or ask for a self-signed one.', { field: 'tls' });
  let cert: Buffer;
  let key: Buffer;
  let fingerprint: string | null = null;
  if (spec.kind === 'self-signed') {
    const made = await makeSelfSigned();
    if (!made.ok) return made;
    ({ cert, key } = made.value);
    fingerprint = made.value.fingerprint256;
  } else {
    try {
      cert = await readFile(spec.certFile);
    } catch (err) {
      return { ok: false, error: { ...toFileError(err, spec.certFile, 'read'), field: 'cert' } };
    }
    try {
      key = await readFile(spec.keyFile);
    } catch (err) {
      return { ok: false, error: { ...toFileError(err, spec.keyFile, 'read'), field: 'key' } };
    }
  }
  try {
    return ok({ context: lazyTls().createSecureContext({ cert, key }), requestCert: spec.requestClientCert === true, fingerprint });
  } catch (err) {
    return fail('TLS_CREDENTIALS_INVALID', `The certificate and key could not be used: ${(err as Error).message}.`, { field: 'cert' });
  }
}

class StreamListener extends TypedEmitter<ListenerEvents> implements Listener {
  readonly transport: 'tcp' | 'tls';
  address = '';
  port = 0;
  readonly certificateFingerprint: string | null;
  readonly #server: net.Server;
  readonly #maxClients: number;
  readonly #maxBytesPerClient: number;
  #responder: CompiledResponder;
  readonly #secure: { context: tls.SecureContext; requestCert: boolean } | null;
  readonly #hooks: ListenerHooks;
  /** Connected clients by id (in order of acceptance), for the calls that name one. */
  readonly #clients = new Map<number, ClientEntry>();
  /** TLS sockets still handshaking; they hold a slot as much as a session does. */
  readonly #handshaking = new Map<tls.TLSSocket, (reason: string) => void>();
  /** What every client's entry reaches the listener by (one object, not closures per client). */
  readonly #side: ListenerSide = {
    relay: (event, ...args) => this.emit(event, ...args),
    forget: (entry, status) => this.#forget(entry, status),
  };
  #accepted = 0;
  #refused = 0;
  #closing = false;

  constructor(
    maxClients: number,
    maxBytesPerClient: number,
    responder: CompiledResponder,
    secure: { context: tls.SecureContext; requestCert: boolean; fingerprint: string | null } | null,
    hooks: ListenerHooks,
  ) {
    super();
    this.#hooks = hooks;
    this.transport = secure ? 'tls' : 'tcp';
    this.#maxClients = maxClients;
    this.#maxBytesPerClient = maxBytesPerClient;
    this.#responder = responder;
    this.#secure = secure;
    this.certificateFingerprint = secure?.fingerprint ?? null;
    // allowHalfOpen: the client's FIN must not end our side for us (F15); the session decides.
    this.#server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.#onConnection(socket));
  }

  bind(host: string, port: number): Promise<Result<void>> {
    return new Promise((resolve) => {
      const onError = (err: Error): void => resolve({ ok: false, error: toListenError(err, host, port) });
      this.#server.once('error', onError);
      this.#server.listen({ host, port, exclusive: true }, () => {
        this.#server.off('error', onError);
        // A later server error (EMFILE on accept) must not crash main; it is Node's to retry.
        this.#server.on('error', () => {});
        const a = this.#server.address() as net.AddressInfo;
        this.address = a.address;
        this.port = a.port;
        resolve(ok(undefined));
      });
    });
  }

  stats(): ListenerStats {
    return { accepted: this.#accepted, refused: this.#refused, active: this.#active(), ruleHits: [...this.#responder.ruleHits] };
  }

  setResponder(spec: ResponderSpec): Result<void> {
    const compiled = compileResponder(spec);
    if (!compiled.ok) return compiled;
    this.#responder = compiled.value;
    for (const entry of this.#clients.values()) {
      entry.attached.dispose();
      entry.attached = compiled.value.attach(entry, entry);
    }
    return ok(undefined);
  }

  async sendToClient(id: number, bytes: Uint8Array): Promise<Result<number>> {
    const found = this.#clients.get(id);
    if (!found) return unknownClient(id);
    const sent = await found.session.send(bytes);
    if (!sent.ok) return sent;
    this.emit('sent', found.client, bytes);
    return ok(sent.value.bytesSent);
  }

  async endClient(id: number, how: ClientEnd): Promise<Result<void>> {
    const found = this.#clients.get(id);
    if (!found) return unknownClient(id);
    const { session } = found;
    if (how === 'reset') session.reset();
    else if (how === 'close') session.close();
    else {
      // An empty send with halfClose is the session's one way to send our FIN and stay readable.
      const r = await session.send(new Uint8Array(0), { halfClose: true });
      if (!r.ok) return r;
    }
    return ok(undefined);
  }

  clientIds(): number[] {
    return [...this.#clients.keys()];
  }

  async close(): Promise<void> {
    this.#closing = true;
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const fail of [...this.#handshaking.values()]) fail('the listener was stopped during the TLS handshake.');
    const ended: Promise<void>[] = [];
    for (const entry of this.#clients.values()) {
      entry.session.close();
      ended.push(entry.ended());
    }
    await Promise.all([stopped, ...ended]);
  }

  #active(): number {
    return this.#handshaking.size + this.#clients.size;
  }

  #onConnection(raw: net.Socket): void {
    const address = raw.remoteAddress ?? '';
    const port = raw.remotePort ?? 0;
    if (this.#closing || this.#active() >= this.#maxClients) {
      this.#refused++;
      raw.on('error', () => {});
      raw.destroy();
      this.emit('refused', { address, port, reason: this.#closing ? 'closing' : `max clients (${this.#maxClients}) reached` });
      return;
    }
    const client: ClientInfo = { id: ++this.#accepted, address, port };
    if (!this.#secure) {
      this.#adopt(raw, client);
      return;
    }
    const secure = new (lazyTls().TLSSocket)(raw, {
      isServer: true,
      secureContext: this.#secure.context,
      requestCert: this.#secure.requestCert,
      // A requested client certificate is shown, not judged: this is a test tool.
      rejectUnauthorized: false,
    });
    // Our own words: the client-side mapping would blame "the server".
    const onFail = (reason: string): void => {
      if (!this.#handshaking.delete(secure)) return;
      clearTimeout(timer);
      secure.destroy();
      raw.destroy();
      this.emit('closed', client, 'handshake-failed', { code: 'TLS_HANDSHAKE_FAILED', message: `TLS handshake with ${address}:${port} failed: ${reason}` });
    };
    this.#handshaking.set(secure, onFail);
    const timer = setTimeout(() => onFail(`the client did not finish it within ${TLS_HANDSHAKE_TIMEOUT_MS} ms.`), TLS_HANDSHAKE_TIMEOUT_MS);
    const onError = (err: NodeJS.ErrnoException): void => {
      const wrongProtocol = /WRONG_VERSION_NUMBER|HTTP_REQUEST|UNKNOWN_PROTOCOL|PACKET_LENGTH/i.test(`${err.code ?? ''} ${err.message}`);
      onFail(wrongProtocol ? `the client did not speak TLS (${err.code ?? err.message}).` : `${err.message.replace(/\.$/, '')}${err.code ? ` (${err.code})` : ''}.`);
    };
    secure.on('error', onError);
    // allowHalfOpen keeps a socket whose client sent FIN mid-handshake open; that is a failure too.
    const onGone = (): void => onFail('the client closed the connection before it was done.');
    secure.once('close', onGone);
    secure.once('end', onGone);
    raw.once('end', onGone);
    secure.once('secure', () => {
      if (!this.#handshaking.delete(secure)) return;
      clearTimeout(timer);
      secure.off('error', onError);
      secure.off('close', onGone);
      secure.off('end', onGone);
      raw.off('end', onGone);
      const cipher = secure.getCipher() as { name?: string } | undefined;
      client.tls = { protocol: secure.getProtocol() ?? null, cipher: cipher?.name ?? null };
      const requested = this.#secure!.requestCert;
      // First: describeAcceptedTls reads the peer certificate with getPeerCertificate(true), which
      // must come before any other read of it (tls-info.ts).
      try {
        client.tlsDetails = describeAcceptedTls(secure, requested);
      } catch {
        // Never seen; the row's protocol and cipher still say it is TLS, the view says no details.
      }
      if (requested) {
        const c = secure.getPeerCertificate();
        const present = c && Object.keys(c).length > 0;
        client.clientCert = present ? { subject: c.subject?.CN ?? null, fingerprint256: c.fingerprint256 ?? null } : null;
      }
      this.#adopt(secure, client, raw);
    });
  }

  #adopt(socket: net.Socket, client: ClientInfo, underlying?: net.Socket): void {
    const session = this.#hooks.createSession?.() ?? new StreamSession(nextSessionId());
    client.session = session;
    const entry = new ClientEntry(session, client, this.#side);
    entry.attached = this.#responder.attach(entry, entry);
    this.#clients.set(client.id, entry);
    entry.watch();
    this.emit('accepted', client);
    void session.open(adopt(socket, underlying), { maxResponseBytes: this.#maxBytesPerClient }).then((opened) => {
      if (opened.ok) entry.attached.connected();
    });
    if (this.#closing) session.close();
  }

  /** The client's session has ended and released its socket (ClientEntry.ended). */
  #forget(entry: ClientEntry, status: SessionStatus): void {
    entry.attached.dispose();
    this.#clients.delete(entry.client.id);
    this.emit('closed', entry.client, status.outcome ?? 'cancelled', status.error);
    // A session made by createSession is the caller's to release.
    if (this.#hooks.createSession === undefined) entry.session.release();
  }
}

interface ListenerSide {
  relay: Relay;
  forget(entry: ClientEntry, status: SessionStatus): void;
}

type Relay = <K extends keyof ListenerEvents & string>(event: K, ...args: ListenerEvents[K]) => void;

/** A responder that does nothing, until #adopt attaches the real one (it needs the entry first). */
const DETACHED: AttachedResponder = {
  connected: () => undefined,
  received: () => undefined,
  peerEnded: () => Promise.resolve(),
  dispose: () => undefined,
};

/**
 * One connected client: its session, what events report about it, and its responder. It is the
 * responder's peer and hooks itself (methods, not closures), so 10,000 idle clients cost little
 * more than their sockets and sessions.
 */
class ClientEntry implements ResponderPeer, ResponderHooks {
  attached: AttachedResponder = DETACHED;
  #ended: Promise<void> | null = null;
  #peerEndSeen = false;

  constructor(
    readonly session: StreamSession,
    readonly client: ClientInfo,
    readonly side: ListenerSide,
  ) {}

  /**
   * Follows the session. The transcript, not 'status': its entries exist anyway, while every
   * 'status' is a fresh copy of the whole status, five or so per client that nobody here reads.
   * (In a method, so the two closures hold only this entry.)
   */
  watch(): void {
    this.session.on('data', (chunk) => this.#onData(chunk));
    this.session.on('transcript', (recorded) => this.#onTranscript(recorded));
  }

  /**
   * Settles once the session has ended, released its socket and the listener forgot the client.
   * Asked for when the session records 'closed' (or the listener closes), not at accept: a pending
   * promise chain per idle client is ~300 bytes.
   */
  ended(): Promise<void> {
    this.#ended ??= this.session.done().then((status) => this.side.forget(this, status));
    return this.#ended;
  }

  #onData(chunk: Uint8Array): void {
    this.side.relay('received', this.client, chunk);
    this.attached.received(chunk);
  }

  #onTranscript(recorded: TranscriptEntry): void {
    // 'closed' is the session's last event: from here on only done() says more.
    if (recorded.kind === 'closed') void this.ended();
    else if (recorded.kind === 'remote-ended' && !this.#peerEndSeen && this.session.status.phase === 'open') {
      this.#peerEndSeen = true;
      // The client is done sending: finish the replies it is owed, then end our side. Our FIN
      // after theirs is a close the client started ('peer-closed'), not one we chose.
      void this.attached.peerEnded().then(() => finishAfterPeer(this.session));
    }
  }

  // ResponderPeer: the responder answers through the session's public API.
  async send(bytes: Uint8Array): Promise<boolean> {
    const sent = await this.session.send(bytes);
    if (!sent.ok) return false;
    this.side.relay('sent', this.client, bytes);
    return true;
  }

  close(): void {
    this.session.close();
  }

  // ResponderHooks
  rule(index: number): void {
    this.side.relay('rule', this.client, index);
  }

  error(error: AppError): void {
    this.side.relay('client-error', this.client, error);
  }
}

let sessionsMade = 0;
/**
 * The id of a session the listener makes itself (no createSession hook): unique in this process,
 * which is all such an id is for (the app's sessions get the registry's UUIDs). Not randomUUID():
 * its string is a tree of ~14 concatenated pieces (~450 bytes per client), and node:crypto is
 * ~1 MiB a plain listener would load for it.
 */
function nextSessionId(): string {
  return `listener-client-${++sessionsMade}`;
}

/**
 * Sends our FIN after the client's: the session then ends as 'peer-closed'. A send still under
 * way (the user's, to this client) answers BUSY; its completion is awaited, boundedly, by the
 * session's own progress events, and close() is the fallback when nothing else can.
 */
function finishAfterPeer(session: StreamSession): void {
  const attempt = (): void => {
    const s = session.status;
    if (s.phase !== 'open') return;
    if (s.localEnded) {
      session.close();
      return;
    }
    void session.send(new Uint8Array(0), { halfClose: true }).then((r) => {
      if (r.ok || session.status.phase !== 'open') return;
      if (r.error.code === 'BUSY') {
        const onProgress = (p: { done: boolean }): void => {
          if (!p.done) return;
          session.off('send-progress', onProgress);
          attempt();
        };
        session.on('send-progress', onProgress);
      } else session.close();
    });
  };
  attempt();
}
