/**
 * One stream session: drives any connected `net.Socket` (plain TCP, TLS, a socket a listener
 * accepted, a STARTTLS upgrade) with an explicit state machine (shared/session.ts). The socket is
 * made by an opener (stream-openers.ts, tls-openers.ts); this class never decides how to connect.
 * Plain Node, no Electron, no channel names: the IPC binding, web mode and the CLI all use it.
 *
 * Invariants (each one is tested in test/main/engine/stream-session.test.ts):
 * - Phase changes go through #transition only, which checks canTransition() and emits one 'status'
 *   per change. Byte counters change in place without a 'status' event (they ride on 'data' and
 *   'send-progress'); every status copy carries their current values.
 * - An error is followed by exactly one 'closed': #finish records the error, then the closed phase,
 *   then the 'closed' transcript entry, and does nothing when called again.
 * - After 'closed' no event is emitted: every socket handler returns early and all listeners are
 *   dropped. Late socket events (an error after close, a second destroy) are ignored (F24).
 * - Cleanup is idempotent: timers cleared, the opener aborted, the socket destroyed, sink listeners
 *   removed, any number of times. done() resolves once every socket the session tracked has really
 *   been released by Node (an opener hands its socket over the moment it exists).
 * - send() when not open, after our own half-close, or while closing → NOT_CONNECTED; a second
 *   concurrent send or a send during a TLS upgrade → BUSY; a second connect → BUSY, and there is
 *   only ever one socket.
 * - close() is graceful: our FIN, keep reading until the peer's FIN, and a grace timer that ends in
 *   destroy. cancel() destroys at once (outcome 'cancelled', never 'error': Node emits no error
 *   when a connecting socket is destroyed, F7).
 * - The connect timeout covers every connect step (DNS, TCP, TLS handshake).
 * - Bytes are counted when the socket accepts them (write callback), not when queued; a send waits
 *   for 'drain' whenever write() says the buffer is full (F19).
 * - Received bytes are kept as a list of chunks, joined only when response() is asked for, and never
 *   converted to text. With a sink they are streamed out, not kept, and the socket is paused while
 *   the sink applies backpressure (the idle timer is suspended meanwhile: the silence is ours).
 * - A reset is a reset even when Node reports it as the peer's FIN (hidden-reset.ts): every 'end'
 *   is checked with the kernel first (F10 on a busy machine).
 * - When we have half-closed and the peer FINs, the session is over ('peer-closed'). When the peer
 *   half-closes first, we stay open and writable with remoteEnded (F15). We never linger for a
 *   fixed time waiting for a reply (F12/F13): only the peer's FIN or the idle timeout end it.
 */
import type * as net from 'node:net';
import { createReadStream } from 'node:fs';
import { fail, ok, type AppError, type Result } from '../../shared/errors.ts';
import {
  SESSION_LIMITS,
  canTransition,
  type ConnectStep,
  type SendProgress,
  type SessionOutcome,
  type SessionStatus,
  type StreamConnectOptions,
  type TranscriptEntry,
} from '../../shared/session.ts';
import { STARTTLS_PROTOCOLS, type TlsClientOptions, type TlsSessionInfo } from '../../shared/tls.ts';
import { checkConnectOptions, type CheckedConnectOptions } from './connect-options.ts';
import { formatEndpoint, toAppError, toFileError } from './error-mapping.ts';
import { errorHiddenByEnd } from './hidden-reset.ts';
import type { Session } from './session.ts';
import { KeepSlabs, SinkBufferPool, WRITE_NOW, WriteNowBuffer, releasesOnCallback, writesNow, type WritesNow } from './receive-buffers.ts';
import { connectTcp, type OpenContext, type StreamOpener } from './stream-openers.ts';
import { buildSecureContext, checkTlsOptions, connectTls, startTls } from './tls-openers.ts';
import { connectStartTls } from './starttls-presets.ts';
import { TypedEmitter } from './typed-emitter.ts';
import { lazyFsPromises } from './lazy-builtins.ts';

/** Events a session emits; none after its 'closed' status. */
export type StreamSessionEvents = {
  /** The whole status after each phase or flag change. */
  status: [status: SessionStatus];
  /**
   * A received chunk, at byte `offset` of the response. Do not modify it. With a sink, the chunk
   * may live in a reused read buffer (receive-buffers.ts): it is valid during the event only, so a
   * listener that keeps it must copy it. Without a sink the chunk is kept by the session and stays valid.
   */
  data: [chunk: Uint8Array, offset: number];
  transcript: [entry: TranscriptEntry];
  'send-progress': [progress: SendProgress];
};

/** Construction options. */
export interface StreamSessionOptions {
  /** Replaces DNS lookup (tests use it for slow or dual-stack resolution). */
  lookup?: net.LookupFunction;
  /**
   * Streams the response into this writable (a file, stdout) instead of keeping it: no cap, and
   * response() stays empty. The caller owns the sink and ends it after done().
   */
  sink?: NodeJS.WritableStream;
}

/** Timeouts and the response cap of one session, checked (see connect-options.ts). */
export type StreamLimits = Pick<CheckedConnectOptions, 'connectTimeoutMs' | 'idleTimeoutMs' | 'maxResponseBytes'>;

/** What a send resolves to. */
export interface SendResult {
  sendId: number;
  /** Bytes the socket accepted. */
  bytesSent: number;
}

/** Size of one write; big enough for throughput, small enough for smooth progress and prompt cancel. */
const WRITE_SLICE_BYTES = 256 * 1024;

/**
 * Lifecycle entries (truncated, local-ended, remote-ended, error, closed) are always recorded, so
 * data entries stop this many short of the limit and the transcript never exceeds it.
 */
const TRANSCRIPT_RESERVED_ENTRIES = 5;

/**
 * How long the last 'received' entry of a burst may wait for its event (its timestamp is its own
 * millisecond either way): a tenth of a frame for the UI, and few timer wake-ups in a transfer.
 */
const RECEIVED_FLUSH_MS = 8;

/** Rough memory of one transcript entry, for retainedBytes(). */
const TRANSCRIPT_ENTRY_BYTES = 100;

type TranscriptDraft = TranscriptEntry extends infer E ? (E extends TranscriptEntry ? Omit<E, 'at'> : never) : never;

interface SendState {
  sendId: number;
  /** Offset of this send's first byte in everything we sent. */
  startOffset: number;
  sent: number;
  total: number;
}

function initialStatus(id: string): SessionStatus {
  return {
    id,
    kind: 'stream',
    phase: 'idle',
    step: null,
    localEnded: false,
    remoteEnded: false,
    outcome: null,
    error: null,
    host: '',
    port: 0,
    remoteAddress: null,
    remoteFamily: null,
    localAddress: null,
    localPort: null,
    bytesSent: 0,
    bytesReceived: 0,
    startedAt: null,
    connectedAt: null,
    endedAt: null,
    tls: null,
  };
}

/** A fresh deep-enough copy of TLS facts (the arrays and errors are the mutable parts). */
function copyTls(info: TlsSessionInfo | null): TlsSessionInfo | null {
  if (!info) return null;
  return {
    ...info,
    peerChain: info.peerChain.map((c) => ({ ...c, subjectAltNames: [...c.subjectAltNames] })),
    verification: {
      ...info.verification,
      chainError: info.verification.chainError ? { ...info.verification.chainError } : null,
      nameError: info.verification.nameError ? { ...info.verification.nameError } : null,
    },
  };
}

/** The session that tracks each socket, for the socket handlers all sessions share (SOCKET_HANDLERS). */
const trackedBy = new WeakMap<net.Socket, StreamSession>();

/** Set once, in StreamSession's static block (the handlers reach the session's private methods). */
let SOCKET_HANDLERS: {
  data: (this: net.Socket, chunk: Buffer) => void;
  end: (this: net.Socket) => void;
  timeout: (this: net.Socket) => void;
  error: (this: net.Socket, err: Error) => void;
  close: (this: net.Socket) => void;
};

const ignore = (): void => undefined;

/** Set once, in StreamSession's static block: the received-entry flush timer's callback. */
let flushReceivedOf: (session: StreamSession) => void;

/** Below this many entries the transcript array is copied at each entry, to its exact size. */
const SMALL_TRANSCRIPT_ENTRIES = 8;

let lastLimits: Readonly<StreamLimits> | null = null;
/**
 * The limits as one frozen object, shared by consecutive sessions that have the same ones (a
 * listener's clients all do). Never mutated: sessions only read their limits.
 */
function sharedLimits(connectTimeoutMs: number, idleTimeoutMs: number, maxResponseBytes: number): Readonly<StreamLimits> {
  const last = lastLimits;
  if (last && last.connectTimeoutMs === connectTimeoutMs && last.idleTimeoutMs === idleTimeoutMs && last.maxResponseBytes === maxResponseBytes) {
    return last;
  }
  lastLimits = Object.freeze({ connectTimeoutMs, idleTimeoutMs, maxResponseBytes });
  return lastLimits;
}

/** One connected byte stream with an explicit state machine; see the invariants at the top of this file. */
export class StreamSession extends TypedEmitter<StreamSessionEvents> implements Session {
  /** Stable id (the registry uses crypto.randomUUID()). */
  readonly id: string;
  readonly kind = 'stream' as const;

  readonly #lookup: net.LookupFunction | undefined;
  readonly #sink: NodeJS.WritableStream | undefined;
  /** The sink, when it writes each chunk at once (receive-buffers.ts WRITE_NOW); else null. */
  readonly #sinkNow: WritesNow | null;
  #state: SessionStatus;
  #limits: Readonly<StreamLimits> | null = null;
  #socket: net.Socket | null = null;
  /**
   * Sockets handed over by openers and not yet released by Node (a STARTTLS upgrade has two). An
   * array made at the first socket: a Set's table is ~150 bytes for what is nearly always one.
   */
  #unreleased: net.Socket[] = [];
  /**
   * Aborts the opener (or the TLS upgrade) still running when the session ends. Made on first use
   * (#signal): an accepted socket's opener never asks for it, and an AbortSignal costs about half a
   * KiB, which 10,000 listener clients would pay for nothing.
   */
  #abort: AbortController | null = null;
  #upgrading = false;
  #connectTimer: NodeJS.Timeout | null = null;
  #graceTimer: NodeJS.Timeout | null = null;
  /** Woken when the session closes, so a send waiting for 'drain' can give up (made on first wait). */
  #closeWaiters: Set<() => void> | null = null;
  #chunks: Uint8Array[] = [];
  #keptBytes = 0;
  #transcript: TranscriptEntry[] = [];
  #transcriptTruncated = false;
  #sending: SendState | null = null;
  /**
   * Received bytes of the current millisecond not yet written to the transcript. Chunks that arrive
   * in the same millisecond, back to back, make one 'received' entry: the transcript keeps
   * millisecond timestamps, so this loses nothing it could show, and a burst of thousands of reads
   * no longer costs an entry (and an event) each, which was about 15 % of receive throughput.
   * A timer writes the last entry of a burst (the entry keeps its own millisecond; only its event
   * waits); flushing at the end of every event-loop turn instead made one entry per ~5 reads
   * (3,000 per GiB where ~400 milliseconds passed).
   */
  #pendingReceived: { at: number; bytes: number; offset: number } | null = null;
  /**
   * The flush timer, made once and re-armed with refresh(). It waits RECEIVED_FLUSH_MS, not 1 ms:
   * during a transfer it fires and is re-armed once per wait, and at 1 ms that (a fresh
   * setTimeout each time) was ~10 % of the TLS receive path's own CPU (profiled, 256 MiB).
   */
  #receivedFlush: NodeJS.Timeout | null = null;
  #receivedFlushArmed = false;
  #nextSendId = 1;
  #sinkPaused = false;
  /** Reading stopped for a consumer that has not taken what was read (holdReading). */
  #readingHeld = false;
  /** The sink's listeners (made only with a sink: most sessions have none). */
  readonly #onSinkDrain: () => void;
  readonly #onSinkError: (err: unknown) => void;
  /**
   * What done() returns, made at the first done() (a listener asks only once its client has
   * closed: a pending promise and its resolver are ~150 bytes per idle client).
   */
  #released: Promise<SessionStatus> | null = null;
  #resolveReleased: ((status: SessionStatus) => void) | null = null;
  /** The final status, once the session is closed and Node has released its sockets. */
  #releasedStatus: SessionStatus | null = null;
  #dataReleased = false;

  constructor(id: string, options: StreamSessionOptions = {}) {
    super();
    this.id = id;
    this.#lookup = options.lookup;
    this.#sink = options.sink;
    this.#sinkNow = options.sink && writesNow(options.sink) ? options.sink : null;
    this.#onSinkDrain = options.sink ? () => this.#sinkDrained() : ignore;
    this.#onSinkError = options.sink ? (err) => this.#sinkFailed(err) : ignore;
    this.#state = initialStatus(id);
  }

  /** A fresh copy of the current status. */
  get status(): SessionStatus {
    return { ...this.#state, error: this.#state.error ? { ...this.#state.error } : null, tls: copyTls(this.#state.tls) };
  }

  /** A copy of the transcript so far (bounded by SESSION_LIMITS.maxTranscriptEntries). */
  transcript(): TranscriptEntry[] {
    this.#flushReceived();
    return [...this.#transcript];
  }

  /**
   * The response bytes kept so far (the first maxResponseBytes; empty when a sink is used or the
   * session was released). The returned view is shared with the session: do not modify it.
   */
  response(): Uint8Array {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks, this.#keptBytes)];
    return this.#chunks[0] ?? new Uint8Array(0);
  }

  /**
   * The kept response as the chunks it arrived in, without joining them (writing 256 MiB out
   * chunk by chunk avoids one 256 MiB copy). The arrays are shared with the session: do not modify.
   */
  responseChunks(): readonly Uint8Array[] {
    return [...this.#chunks];
  }

  /** Resolves with the final status once the session is closed and Node has released its socket. */
  done(): Promise<SessionStatus> {
    this.#released ??= this.#releasedStatus
      ? Promise.resolve(this.#releasedStatus)
      : new Promise((resolve) => {
          this.#resolveReleased = resolve;
        });
    return this.#released;
  }

  /** The session is closed and its sockets released: done() resolves (once, with the first status). */
  #markReleased(status: SessionStatus): void {
    if (this.#releasedStatus) return;
    this.#releasedStatus = status;
    this.#resolveReleased?.(status);
    this.#resolveReleased = null;
  }

  retainedBytes(): number {
    return this.#keptBytes + this.#transcript.length * TRANSCRIPT_ENTRY_BYTES;
  }

  /** True once {@link StreamSession.release} dropped the kept bytes. */
  get dataReleased(): boolean {
    return this.#dataReleased;
  }

  release(): void {
    if (this.#state.phase !== 'closed') return;
    this.#chunks = [];
    this.#keptBytes = 0;
    this.#transcript = [];
    this.#dataReleased = true;
  }

  /**
   * Validates `opts` (before any DNS or file access), then connects over TCP, or TLS when `opts.tls`
   * is given. Resolves ok(status) when open, or when cancelled meanwhile (status.outcome
   * 'cancelled'); fail(error) when the connect failed.
   */
  connect(opts: StreamConnectOptions): Promise<Result<SessionStatus>> {
    const busy = this.#refuseOpen();
    if (busy) return Promise.resolve(busy);
    const checked = checkConnectOptions(opts);
    if (!checked.ok) return Promise.resolve(checked);
    const { host, port, ...limits } = checked.value;
    const lookup = this.#lookup ? { lookup: this.#lookup } : {};
    if (opts.starttls !== undefined && !(STARTTLS_PROTOCOLS as readonly unknown[]).includes(opts.starttls)) {
      return Promise.resolve(
        fail('INVALID_INPUT', `starttls: expected one of ${STARTTLS_PROTOCOLS.join(', ')}, got ${JSON.stringify(opts.starttls)}.`, { field: 'starttls' }),
      );
    }
    if (opts.tls === undefined && opts.starttls === undefined) return this.open(connectTcp(host, port, { ...lookup, onread: this.#onreadOptions() }), limits);
    const tls = checkTlsOptions(opts.tls ?? {});
    if (!tls.ok) return Promise.resolve(tls);
    if (opts.starttls !== undefined) return this.open(connectStartTls(host, port, opts.starttls, tls.value, lookup), limits);
    return this.open(connectTls(host, port, tls.value, lookup), limits);
  }

  /**
   * Drives the socket `opener` produces (TCP, TLS, an accepted socket). Resolves as
   * {@link StreamSession.connect} does. `limits` are trusted: check user input with
   * checkConnectOptions first.
   */
  open(opener: StreamOpener, limits: Partial<StreamLimits> = {}): Promise<Result<SessionStatus>> {
    const busy = this.#refuseOpen();
    if (busy) return Promise.resolve(busy);
    const full = sharedLimits(
      limits.connectTimeoutMs ?? SESSION_LIMITS.defaultConnectTimeoutMs,
      limits.idleTimeoutMs ?? 0,
      limits.maxResponseBytes ?? SESSION_LIMITS.defaultMaxResponseBytes,
    );
    this.#limits = full;
    const { host, port } = opener;
    this.#transition({ phase: 'connecting', host, port, startedAt: Date.now() });
    if (!opener.accepted) this.#record({ kind: 'connecting', host, port });
    if (this.#sink) this.#sink.on('error', this.#onSinkError);
    this.#connectTimer = setTimeout(() => this.#onConnectTimeout(), full.connectTimeoutMs);
    const owner = this;
    const ctx: OpenContext = {
      get signal() {
        return owner.#signal();
      },
      track: (socket, trackOpts) => this.#track(socket, trackOpts),
      reached: (socket) => this.#onReached(socket),
      step: (step) => {
        if (this.#state.phase === 'connecting') this.#transition({ step });
      },
    };
    return opener.open(ctx).then(
      (result) => {
        if (this.#state.phase !== 'connecting') return this.#connectResult();
        if (result.tls) this.#transition({ tls: result.tls });
        if (!result.ok) {
          this.#fail(result.error);
          return this.#connectResult();
        }
        this.#onOpened(result.socket);
        return this.#connectResult();
      },
      (err: unknown) => {
        this.#fail(toAppError(err, { host, port, phase: 'connecting' }));
        return this.#connectResult();
      },
    );
  }

  /**
   * STARTTLS: upgrades the open connection to TLS once the application protocol agreed (e.g. after
   * SMTP's "220 Ready to start TLS"). Sends are refused with BUSY meanwhile. The host the session
   * connected to is the default SNI and verify name. Resolves with the TLS facts; a failed
   * handshake, or a failed verification with verify on, ends the session with its error (the
   * facts stay in status.tls).
   */
  async upgradeToTls(options: TlsClientOptions = {}): Promise<Result<TlsSessionInfo>> {
    const s = this.#state;
    if (s.phase !== 'open') return fail('NOT_CONNECTED', 'Cannot start TLS: the session is not open.');
    if (this.#upgrading) return fail('BUSY', 'Cannot start TLS: an upgrade to TLS is already under way.');
    if (s.tls) return fail('BUSY', 'Cannot start TLS: the session already speaks TLS.');
    if (this.#sending) return fail('BUSY', 'Cannot start TLS while a send is still in progress; wait for it to finish.');
    if (s.localEnded || s.remoteEnded) {
      return fail('NOT_CONNECTED', 'Cannot start TLS: one side has already finished sending (FIN); TLS needs both directions.');
    }
    const checked = checkTlsOptions(options);
    if (!checked.ok) return checked;
    const plain = this.#socket;
    if (!plain) return fail('NOT_CONNECTED', 'Cannot start TLS: the session is not open.');
    this.#upgrading = true;
    // Credentials first: an unreadable CA file refuses the upgrade and leaves the plain session as it was.
    const context = await buildSecureContext(checked.value);
    if (!context.ok || this.#state.phase !== 'open') {
      this.#upgrading = false;
      return context.ok ? fail('NOT_CONNECTED', 'Cannot start TLS: the session ended meanwhile.') : context;
    }
    this.#transition({ step: 'tls-handshake' });
    // The plain socket's events now belong to the TLS layer wrapping it; the session listens to the
    // TLS socket instead. Its idle timer moves with it (re-armed on the TLS socket when open).
    plain.setTimeout(0);
    this.#detachSocketHandlers(plain);
    // The handshake is bounded like a connect: a server that never answers our ClientHello (or
    // swallowed it as plain text) must not leave the session upgrading forever.
    const handshakeTimer = setTimeout(() => this.#onConnectTimeout(), this.#limits?.connectTimeoutMs ?? SESSION_LIMITS.defaultConnectTimeoutMs);
    const result = await startTls(plain, s.host, s.port, checked.value, {
      signal: this.#signal(),
      track: (socket) => this.#track(socket),
      secureContext: context.value,
    });
    clearTimeout(handshakeTimer);
    this.#upgrading = false;
    // Re-read after the await: the session may have ended meanwhile (the compiler keeps the narrowing).
    const now = this.#state as SessionStatus;
    if (now.phase === 'closed') {
      const e = now.error;
      return e ? { ok: false, error: { ...e } } : fail('ABORTED', 'The TLS upgrade stopped: the session was closed.');
    }
    if (result.tls) this.#transition({ tls: result.tls });
    if (!result.ok) {
      this.#fail(result.error);
      return { ok: false, error: { ...result.error } };
    }
    this.#transition({ step: null });
    this.#recordTls();
    this.#armIdleTimer();
    return ok(copyTls(this.#state.tls)!);
  }

  /**
   * Sends `data`, honouring backpressure; with `halfClose` our side is ended (FIN) afterwards.
   * Resolves when the socket has accepted every byte, or with the error that stopped it.
   */
  async send(data: Uint8Array, opts: { halfClose?: boolean } = {}): Promise<Result<SendResult>> {
    const refused = this.#refuseSend();
    if (refused) return refused;
    return this.#pump([data], data.length, opts.halfClose === true);
  }

  /** Streams a file (never read whole) with the same semantics as {@link StreamSession.send}; FILE_ERROR on a bad path. */
  async sendFile(path: string, opts: { halfClose?: boolean } = {}): Promise<Result<SendResult>> {
    const refused = this.#refuseSend();
    if (refused) return refused;
    // Reserve the send slot before the first await so a concurrent send gets BUSY.
    const reservation: SendState = { sendId: 0, startOffset: 0, sent: 0, total: 0 };
    this.#sending = reservation;
    let size: number;
    try {
      const info = await lazyFsPromises().stat(path);
      if (!info.isFile()) {
        return fail('FILE_ERROR', `Could not read "${path}": it is not a regular file.`);
      }
      size = info.size;
    } catch (err) {
      return { ok: false, error: toFileError(err, path, 'read') };
    } finally {
      if (this.#sending === reservation) this.#sending = null;
    }
    const again = this.#refuseSend();
    if (again) return again;
    const stream = createReadStream(path, { highWaterMark: WRITE_SLICE_BYTES });
    try {
      return await this.#pump(stream as AsyncIterable<Buffer>, size, opts.halfClose === true);
    } catch (err) {
      return { ok: false, error: toFileError(err, path, 'read') };
    } finally {
      stream.destroy();
    }
  }

  /**
   * Graceful close: ends our side if not yet ended, keeps reading until the peer's FIN, and destroys
   * after SESSION_LIMITS.closeGraceMs at the latest. Outcome 'closed-by-us'. While connecting it
   * cancels instead.
   */
  close(): void {
    const phase = this.#state.phase;
    if (phase === 'idle') {
      this.#finish('closed-by-us');
    } else if (phase === 'connecting') {
      this.#finish('cancelled');
    } else if (phase === 'open') {
      const wasEnded = this.#state.localEnded;
      this.#transition({ phase: 'closing', localEnded: true });
      if (!wasEnded) {
        this.#socket?.end();
        this.#record({ kind: 'local-ended' });
      }
      if (this.#state.remoteEnded) {
        this.#finish('closed-by-us');
        return;
      }
      this.#graceTimer = setTimeout(() => this.#finish('closed-by-us'), SESSION_LIMITS.closeGraceMs);
    }
  }

  /** Destroys the connection at once (DNS, connect, a large send included); outcome 'cancelled'. */
  cancel(): void {
    this.#finish('cancelled');
  }

  /**
   * Like cancel(), but the peer sees a TCP reset (RST) instead of our FIN: a test of how a client
   * copes with a connection torn down under it. A TLS socket has no TCP handle of its own; the
   * plain socket under it (tracked by the opener) takes the reset. Outcome 'cancelled'.
   */
  reset(): void {
    if (this.#state.phase === 'closed') return;
    for (const socket of [...this.#unreleased]) {
      if (socket.destroyed) continue;
      try {
        socket.resetAndDestroy();
      } catch {
        // ERR_INVALID_HANDLE_TYPE: not a TCP handle (the TLS layer); #finish destroys it.
      }
    }
    this.#finish('cancelled');
  }

  // ── socket handlers ────────────────────────────────────────────────────────────────────────

  /** The reason a connect cannot start, or null when the session is still idle. */
  #refuseOpen(): Result<never> | null {
    if (this.#state.phase === 'idle') return null;
    const message =
      this.#state.phase === 'closed'
        ? 'This session has ended; open a new session to connect again.'
        : `This session is already ${this.#state.phase}; a session holds one connection.`;
    return fail('BUSY', message);
  }

  /** What connect()/open() resolve to once connecting is over, one way or another. */
  #connectResult(): Result<SessionStatus> {
    const s = this.status;
    return s.phase === 'closed' && s.error ? { ok: false, error: s.error } : ok(s);
  }

  /**
   * Stops (true) or restarts (false) reading from the socket, for a consumer of 'data' that has not
   * taken the bytes read so far (the page's flow control, main/ipc/session-updates.ts). Nothing is
   * dropped: unread bytes wait in the kernel and TCP tells the peer to slow down. While held the
   * idle timer is off: the silence is ours, not the peer's.
   */
  holdReading(hold: boolean): void {
    if (this.#readingHeld === hold) return;
    this.#readingHeld = hold;
    if (this.#state.phase === 'closed') return;
    if (hold) {
      this.#socket?.pause();
      this.#socket?.setTimeout(0);
    } else if (!this.#sinkPaused) {
      this.#socket?.resume();
      this.#armIdleTimer();
    }
  }

  /** True while {@link holdReading} holds the socket. */
  get readingHeld(): boolean {
    return this.#readingHeld;
  }

  /** Takes over a socket from the moment it exists (see stream-openers.ts). */
  #track(socket: net.Socket, opts: { streamEvents?: boolean } = {}): void {
    // A TLS socket wrapping the previous one (connectTls, STARTTLS) takes over its stream events.
    const previous = this.#socket;
    if (previous && previous !== socket) this.#detachSocketHandlers(previous);
    this.#socket = socket;
    if (this.#unreleased.length === 0) this.#unreleased = [socket];
    else if (!this.#unreleased.includes(socket)) this.#unreleased.push(socket);
    trackedBy.set(socket, this);
    const on = SOCKET_HANDLERS;
    if (opts.streamEvents !== false) {
      socket.on('data', on.data);
      socket.on('end', on.end);
      socket.on('timeout', on.timeout);
    }
    socket.on('error', on.error);
    // 'close' comes once; `on` spares the wrapper `once` would allocate for every socket.
    socket.on('close', on.close);
    if (this.#readingHeld) socket.pause();
    // A socket handed over after the session ended (a late opener) is destroyed at once.
    if (this.#state.phase === 'closed') socket.destroy();
  }

  /** Stops handling a socket's stream events (a STARTTLS upgrade hands them to the TLS layer). */
  #detachSocketHandlers(socket: net.Socket): void {
    socket.off('data', SOCKET_HANDLERS.data);
    socket.off('end', SOCKET_HANDLERS.end);
    socket.off('timeout', SOCKET_HANDLERS.timeout);
  }

  #onConnectTimeout(): void {
    const step = this.#state.step;
    const where = formatEndpoint(this.#state.host, this.#state.port);
    const ms = this.#limits?.connectTimeoutMs ?? SESSION_LIMITS.defaultConnectTimeoutMs;
    this.#fail({
      code: 'CONNECT_TIMEOUT',
      message:
        step === 'tls-handshake'
          ? `The TLS handshake with ${where} did not finish within ${ms} ms; check that the server speaks TLS on this port (or raise the connect timeout).`
          : step === 'starttls'
            ? `The STARTTLS exchange with ${where} did not finish within ${ms} ms; check that the server speaks that protocol on this port (or raise the connect timeout).`
            : `Connect to ${where} timed out after ${ms} ms.`,
    });
  }

  /** The TCP connection is up: addresses and the 'connected' entry, before any TLS handshake. */
  #onReached(socket: net.Socket): void {
    if (this.#state.phase !== 'connecting' || this.#state.connectedAt !== null) return;
    const family = socket.remoteFamily === 'IPv6' || (socket.remoteFamily as unknown) === 6 ? 6 : 4;
    const remoteAddress = socket.remoteAddress ?? null;
    this.#transition({
      remoteAddress,
      remoteFamily: family,
      localAddress: socket.localAddress ?? null,
      localPort: socket.localPort ?? null,
      connectedAt: Date.now(),
    });
    this.#record({ kind: 'connected', remoteAddress: remoteAddress ?? '', remotePort: socket.remotePort ?? this.#state.port, family });
  }

  #onOpened(socket: net.Socket): void {
    this.#clearConnectTimer();
    this.#onReached(socket);
    this.#transition({ phase: 'open', step: null });
    if (this.#state.tls) this.#recordTls();
    this.#armIdleTimer();
  }

  #recordTls(): void {
    const tls = this.#state.tls;
    if (!tls) return;
    this.#record({
      kind: 'tls',
      protocol: tls.protocol,
      cipher: tls.cipher,
      verified: tls.verification.ok,
      sentOffset: this.#state.bytesSent,
      receivedOffset: this.#state.bytesReceived,
    });
  }

  // A user who already asked to close gets 'closed-by-us' even if the idle timer fires first.
  #onTimeout(): void {
    this.#finish(this.#state.phase === 'closing' ? 'closed-by-us' : 'idle-timeout');
  }

  /**
   * The `onread` option for a plain TCP socket we create, or undefined to keep Node's 'data' path
   * (a sink that may still hold a chunk after its write callback). TLS sockets and accepted
   * sockets always use 'data': Node takes `onread` only when a net.Socket is created, a TLSSocket
   * reads through its own TLS layer, and a listener's sockets are made by Node. A STARTTLS upgrade
   * of an `onread` socket hands reading to the TLS layer, whose socket then emits 'data'.
   */
  #onreadOptions(): net.OnReadOpts | undefined {
    const sink = this.#sink;
    if (this.#sinkNow) {
      const reads = new WriteNowBuffer();
      return {
        buffer: () => reads.buffer,
        callback: (n) => {
          this.#receive(reads.read(n), null);
          return true;
        },
      };
    }
    if (sink && !releasesOnCallback(sink)) return undefined;
    if (sink) {
      const pool = new SinkBufferPool();
      return {
        buffer: () => pool.take(),
        callback: (n, buffer) => {
          const whole = buffer as Buffer;
          this.#receive(whole.subarray(0, n), () => pool.give(whole));
          return true;
        },
      };
    }
    const slabs = new KeepSlabs();
    return {
      buffer: () => slabs.next(),
      callback: (n, buffer) => {
        // The bytes stay in the slab, which is never read into again at this place.
        slabs.commit(n);
        this.#receive((buffer as Buffer).subarray(0, n), null);
        return true;
      },
    };
  }

  /**
   * Socket event handlers shared by every session (`this` is the socket; its session is looked up
   * in trackedBy): five closures per session were ~400 bytes of every idle listener client.
   */
  static {
    SOCKET_HANDLERS = {
      data(this: net.Socket, chunk: Buffer): void {
        const session = trackedBy.get(this);
        if (session) session.#receive(chunk, null);
      },
      end(this: net.Socket): void {
        const session = trackedBy.get(this);
        if (session) session.#onPeerEnd();
      },
      timeout(this: net.Socket): void {
        const session = trackedBy.get(this);
        if (session) session.#onTimeout();
      },
      error(this: net.Socket, err: Error): void {
        const session = trackedBy.get(this);
        if (session) session.#onSocketError(err);
      },
      close(this: net.Socket): void {
        const session = trackedBy.get(this);
        if (session) session.#onSocketClose(this);
      },
    };
  }

  /**
   * One received chunk, from 'data' or `onread`. `release`, for a chunk in a reused buffer, is
   * called once the sink is done with it (its write callback); the buffer is reused only then.
   */
  #receive(chunk: Buffer, release: (() => void) | null): void {
    if (this.#state.phase === 'closed') return;
    const offset = this.#state.bytesReceived;
    if (this.#sink) {
      this.#state.bytesReceived += chunk.length;
      this.emit('data', chunk, offset);
      this.#recordReceived(chunk.length, offset);
      // Written when the call returns; a failure arrives as the sink's 'error' (#sinkFailed).
      if (this.#sinkNow) {
        this.#sinkNow[WRITE_NOW](chunk);
        return;
      }
      const room = release ? this.#sink.write(chunk, release) : this.#sink.write(chunk);
      if (!room && !this.#sinkPaused) {
        this.#sinkPaused = true;
        this.#socket?.pause();
        this.#socket?.setTimeout(0);
        this.#sink.once('drain', this.#onSinkDrain);
      }
      return;
    }
    const limit = this.#limits?.maxResponseBytes ?? SESSION_LIMITS.defaultMaxResponseBytes;
    const room = limit - this.#keptBytes;
    // Bytes past the cap in the final chunk are dropped unread: the first `limit` bytes are kept exactly.
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
    // A first chunk gets an array of its own size (push would reserve 17 slots, for the one-line
    // replies of thousands of listener clients).
    if (this.#chunks.length === 0) this.#chunks = [kept];
    else this.#chunks.push(kept);
    this.#keptBytes += kept.length;
    this.#state.bytesReceived += kept.length;
    this.emit('data', kept, offset);
    this.#recordReceived(kept.length, offset);
    if (this.#keptBytes >= limit) this.#finish('limit-reached');
  }

  #onPeerEnd(): void {
    if (this.#state.phase === 'closed') return;
    // A reset that arrived with the last bytes can reach us as 'end' (hidden-reset.ts): ask the
    // kernel before calling it the peer's FIN.
    const hidden = errorHiddenByEnd(this.#unreleased);
    if (hidden) {
      this.#onSocketError(hidden);
      return;
    }
    this.#transition({ remoteEnded: true });
    this.#record({ kind: 'remote-ended' });
    if (this.#state.phase === 'closing') {
      this.#finish('closed-by-us');
    } else if (this.#state.localEnded) {
      this.#finish('peer-closed');
    }
    // Otherwise the peer only half-closed: we stay open and writable (F15).
  }

  #onSocketError(err: Error): void {
    if (this.#state.phase === 'closed') return;
    const sending = this.#sending;
    this.#fail(
      toAppError(err, {
        host: this.#state.host,
        port: this.#state.port,
        phase: this.#state.phase,
        step: this.#state.step,
        tls: this.#state.tls !== null || this.#state.step === 'tls-handshake',
        remoteAddress: this.#state.remoteAddress,
        ...(sending ? { bytesSent: sending.sent, bytesTotal: sending.total } : {}),
      }),
    );
  }

  #onSocketClose(socket: net.Socket): void {
    const at = this.#unreleased.indexOf(socket);
    if (at >= 0) this.#unreleased.splice(at, 1);
    // During a STARTTLS upgrade the plain socket's end is the TLS layer's business.
    if (this.#state.phase !== 'closed' && this.#unreleased.length === 0) {
      // Node closed the socket without 'end' or 'error' reaching us first (both sides ended).
      this.#finish(this.#state.phase === 'closing' ? 'closed-by-us' : 'peer-closed');
    }
    if (this.#state.phase === 'closed' && this.#unreleased.length === 0) this.#markReleased(this.status);
  }

  #sinkDrained(): void {
    this.#sinkPaused = false;
    if (this.#state.phase === 'closed' || this.#readingHeld) return;
    this.#socket?.resume();
    this.#armIdleTimer();
  }

  #sinkFailed(err: unknown): void {
    if (this.#state.phase === 'closed') return;
    const path = (this.#sink as { path?: unknown } | undefined)?.path;
    this.#fail(toFileError(err, typeof path === 'string' ? path : 'the output stream', 'write'));
  }

  // ── sending ────────────────────────────────────────────────────────────────────────────────

  /** The reason a send cannot start now, or null when it can. */
  #refuseSend(): Result<never> | null {
    const s = this.#state;
    if (s.phase !== 'open') {
      const why = s.phase === 'closed' ? 'the session has ended' : s.phase === 'closing' ? 'the session is closing' : 'the session is not connected yet';
      return fail('NOT_CONNECTED', `Cannot send: ${why}.`);
    }
    if (s.localEnded) {
      return fail('NOT_CONNECTED', 'Cannot send: we already finished sending (half-closed our side); open a new session to send more.');
    }
    if (this.#sending) return fail('BUSY', 'Cannot send: another send on this session is still in progress.');
    if (this.#upgrading) return fail('BUSY', 'Cannot send while the TLS handshake of the upgrade is under way.');
    return null;
  }

  #canWrite(): boolean {
    return this.#state.phase === 'open' && !this.#state.localEnded && !this.#upgrading && this.#socket !== null && !this.#socket.destroyed;
  }

  /**
   * Runs one send. Its final 'send-progress' (done: true) is emitted after the send slot is free,
   * so a listener may start the next send (or a half-close) from it.
   */
  async #pump(source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, total: number, halfClose: boolean): Promise<Result<SendResult>> {
    const socket = this.#socket;
    if (!socket) return fail('NOT_CONNECTED', 'Cannot send: the session is not connected.');
    const send: SendState = { sendId: this.#nextSendId++, startOffset: this.#state.bytesSent, sent: 0, total };
    this.#sending = send;
    let result: Result<SendResult>;
    try {
      result = await this.#writeAll(socket, send, source, halfClose);
    } finally {
      if (this.#sending === send) this.#sending = null;
    }
    if (result.ok) this.emit('send-progress', { sendId: send.sendId, sent: send.sent, total: send.total, done: true });
    return result;
  }

  /** Writes every piece in slices, waiting for 'drain' when the socket's buffer is full. */
  async #writeAll(
    socket: net.Socket,
    send: SendState,
    source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    halfClose: boolean,
  ): Promise<Result<SendResult>> {
    let lastAccepted: Promise<void> = Promise.resolve();
    for await (const piece of source) {
      for (let at = 0; at < piece.length; at += WRITE_SLICE_BYTES) {
        if (!this.#canWrite()) return this.#sendStopped(send);
        const slice = piece.subarray(at, Math.min(at + WRITE_SLICE_BYTES, piece.length));
        let hasRoom = true;
        lastAccepted = new Promise<void>((accepted) => {
          hasRoom = socket.write(slice, (err) => {
            if (!err) this.#onSliceAccepted(send, slice.length);
            accepted();
          });
        });
        if (!hasRoom) await this.#waitForDrain(socket);
      }
    }
    await this.#untilClosedOr(lastAccepted);
    if (this.#state.phase === 'closed' && send.sent < send.total) return this.#sendStopped(send);
    this.#record({ kind: 'sent', bytes: send.sent, offset: send.startOffset });
    if (halfClose) this.#endOurSide();
    return ok({ sendId: send.sendId, bytesSent: send.sent });
  }

  #onSliceAccepted(send: SendState, bytes: number): void {
    if (this.#state.phase === 'closed') return;
    send.sent += bytes;
    this.#state.bytesSent += bytes;
    this.emit('send-progress', { sendId: send.sendId, sent: send.sent, total: send.total, done: false });
  }

  /** The result of a send that could not finish; the session's own error when it failed. */
  #sendStopped(send: SendState): Result<never> {
    if (send.sent > 0) this.#record({ kind: 'sent', bytes: send.sent, offset: send.startOffset });
    const s = this.#state;
    if (s.phase === 'closed' && s.error) return { ok: false, error: { ...s.error } };
    const why =
      s.phase === 'closed' ? `the session was ${s.outcome === 'cancelled' ? 'cancelled' : 'closed'}` : 'the session is closing';
    return fail('ABORTED', `Send stopped: ${why}; sent ${send.sent} of ${send.total} bytes.`);
  }

  /** Ends our write side (FIN) once; finishes the session when the peer has already ended its side. */
  #endOurSide(): void {
    if (this.#state.localEnded || this.#state.phase !== 'open') return;
    this.#socket?.end();
    this.#transition({ localEnded: true });
    this.#record({ kind: 'local-ended' });
    if (this.#state.remoteEnded) this.#finish('peer-closed');
  }

  #waitForDrain(socket: net.Socket): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        this.#forgetCloseWaiter(done);
        resolve();
      };
      socket.on('drain', done);
      (this.#closeWaiters ??= new Set()).add(done);
    });
  }

  #untilClosedOr(promise: Promise<void>): Promise<void> {
    if (this.#state.phase === 'closed') return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.#forgetCloseWaiter(done);
        resolve();
      };
      (this.#closeWaiters ??= new Set()).add(done);
      void promise.then(done);
    });
  }

  // ── state machine ──────────────────────────────────────────────────────────────────────────

  /**
   * The one place the status changes. Refuses (and reports false for) a phase change the state
   * machine does not allow; emits one 'status' when anything actually changed.
   */
  #transition(patch: Partial<SessionStatus>): boolean {
    const from = this.#state.phase;
    if (patch.phase !== undefined && patch.phase !== from && !canTransition(from, patch.phase)) return false;
    let changed = false;
    for (const key of Object.keys(patch) as (keyof SessionStatus)[]) {
      if (this.#state[key] !== patch[key]) changed = true;
    }
    if (!changed) return false;
    this.#state = { ...this.#state, ...patch };
    // The copy is made only for someone to read it (a session nobody watches makes no garbage).
    if (this.listenerCount('status') > 0) this.emit('status', this.status);
    return true;
  }

  #fail(error: AppError): void {
    this.#finish('error', error);
  }

  /** Ends the session once: records the error, cleans up, enters 'closed', settles every waiter. */
  #finish(outcome: SessionOutcome, error: AppError | null = null): void {
    if (this.#state.phase === 'closed') return;
    this.#flushReceived();
    if (error) this.#record({ kind: 'error', error });
    this.#cleanup();
    this.#transition({ phase: 'closed', outcome, error, endedAt: Date.now() });
    this.#record({ kind: 'closed', outcome });
    const final = this.status;
    if (this.#closeWaiters) {
      for (const wake of [...this.#closeWaiters]) wake();
      this.#closeWaiters = null;
    }
    this.removeAllListeners();
    if (this.#unreleased.length === 0) this.#markReleased(final);
  }

  /** Releases timers, the socket and sink listeners; safe to call any number of times. */
  #cleanup(): void {
    this.#clearConnectTimer();
    this.#abort?.abort();
    if (this.#receivedFlush) {
      clearTimeout(this.#receivedFlush);
      this.#receivedFlush = null;
      this.#receivedFlushArmed = false;
    }
    if (this.#graceTimer) {
      clearTimeout(this.#graceTimer);
      this.#graceTimer = null;
    }
    if (this.#sink) {
      this.#sink.off('drain', this.#onSinkDrain);
      this.#sink.off('error', this.#onSinkError);
    }
    for (const socket of [...this.#unreleased]) {
      if (socket.destroyed) continue;
      socket.setTimeout(0);
      socket.destroy();
    }
  }

  /** Drops a settled waiter; the set goes with the last one (most sessions wait only now and then). */
  #forgetCloseWaiter(wake: () => void): void {
    const waiters = this.#closeWaiters;
    if (waiters && waiters.delete(wake) && waiters.size === 0) this.#closeWaiters = null;
  }

  /** The signal openers and the TLS upgrade watch; already aborted when asked for after the end. */
  #signal(): AbortSignal {
    if (!this.#abort) {
      this.#abort = new AbortController();
      if (this.#state.phase === 'closed') this.#abort.abort();
    }
    return this.#abort.signal;
  }

  #clearConnectTimer(): void {
    if (this.#connectTimer) {
      clearTimeout(this.#connectTimer);
      this.#connectTimer = null;
    }
  }

  #armIdleTimer(): void {
    const idle = this.#limits?.idleTimeoutMs ?? 0;
    if (idle > 0 && !this.#readingHeld) this.#socket?.setTimeout(idle);
  }

  /** Appends to the bounded transcript and emits the entry; see TRANSCRIPT_RESERVED_ENTRIES. */
  #record(draft: TranscriptDraft, at: number = Date.now()): void {
    // Entries stay in time order: bytes waiting to be recorded go first.
    if (draft.kind !== 'received') this.#flushReceived();
    if (this.#state.phase === 'closed' && draft.kind !== 'closed') return;
    const isData = draft.kind === 'sent' || draft.kind === 'received';
    const limit = SESSION_LIMITS.maxTranscriptEntries;
    if (isData && this.#transcript.length >= limit - TRANSCRIPT_RESERVED_ENTRIES) {
      if (this.#transcriptTruncated) return;
      this.#transcriptTruncated = true;
      this.#push({ kind: 'truncated', limit }, at);
      return;
    }
    this.#push(draft, at);
  }

  /** Records received bytes, merging back-to-back chunks of the same millisecond (see the field). */
  #recordReceived(bytes: number, offset: number): void {
    const now = Date.now();
    const pending = this.#pendingReceived;
    if (pending && pending.at === now && pending.offset + pending.bytes === offset) {
      pending.bytes += bytes;
      return;
    }
    this.#flushReceived();
    this.#pendingReceived = { at: now, bytes, offset };
    if (this.#receivedFlushArmed) return;
    this.#receivedFlushArmed = true;
    if (this.#receivedFlush) this.#receivedFlush.refresh();
    else this.#receivedFlush = setTimeout(flushReceivedOf, RECEIVED_FLUSH_MS, this);
  }

  /**
   * The flush timer's callback (one function for every session, which the timer passes as its
   * argument: a closure per session is ~100 bytes of every idle listener client). When the
   * session was quiet for the whole wait (a client's one line, not a transfer), the timer goes
   * too, so an idle session keeps none (~120 bytes each); a transfer, whose newest entry is always
   * younger than the wait, keeps re-arming the same one.
   */
  static {
    flushReceivedOf = (session: StreamSession): void => {
      session.#receivedFlushArmed = false;
      const last = session.#pendingReceived?.at;
      session.#flushReceived();
      // Nothing pending (another entry flushed it) or nothing new for a whole wait: quiet.
      if (last === undefined || Date.now() - last >= RECEIVED_FLUSH_MS) session.#receivedFlush = null;
    };
  }

  #flushReceived(): void {
    const pending = this.#pendingReceived;
    if (!pending) return;
    this.#pendingReceived = null;
    this.#record({ kind: 'received', bytes: pending.bytes, offset: pending.offset }, pending.at);
  }

  #push(draft: TranscriptDraft, at: number): void {
    // Not `{ ...draft, at }`: V8 (Node 20) gives every object spread-then-extended that way a hidden
    // class of its own, ~250 bytes per entry. An empty literal has room for four properties in the
    // object itself, so most entries (kind, two fields, at) need no separate property store.
    const entry = Object.assign({}, draft) as TranscriptEntry;
    entry.at = at;
    // A short transcript (a listener client's: connected, received, sent) in an array of its own
    // size: push reserves 17 slots at the first growth. concat makes the exact size.
    if (this.#transcript.length < SMALL_TRANSCRIPT_ENTRIES) this.#transcript = this.#transcript.concat([entry]);
    else this.#transcript.push(entry);
    this.emit('transcript', entry);
  }
}
