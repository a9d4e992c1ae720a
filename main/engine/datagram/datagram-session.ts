/**
 * One UDP socket talking to one target, driven by an explicit state machine
 * (shared/session-datagram.ts): plain Node (`node:dgram`), no Electron, no channel names. It is a
 * session of its own kind ('datagram'): no byte stream, no FIN; every received datagram is kept
 * whole with its source, size and arrival time.
 *
 * Invariants (each one is tested in test/main/engine/datagram/datagram-session.test.ts):
 * - Phase changes go through #transition only, which checks canDatagramTransition() and emits one
 *   'status' per change. Counters change in place without a 'status' event (they ride on
 *   'datagram' and 'send-progress'); every status copy carries their current values.
 * - An error is followed by exactly one 'closed': #finish records the error, then the closed phase,
 *   then the 'closed' transcript entry, and does nothing when called again. After 'closed' no event
 *   is emitted and every listener is dropped; late socket events and a late DNS answer are ignored.
 * - Cleanup is idempotent: timers cleared, socket closed, any number of times. done() resolves once
 *   Node has released the socket (or at once when none was made).
 * - Every datagram Node delivers while open is counted and kept: `seq` runs 1…datagramsReceived
 *   without gaps. Datagrams the kernel dropped before Node could read them (a full receive buffer)
 *   are counted from /proc/net/udp where Linux offers it (`kernelDrops`, read at the end). Nothing is merged (two datagrams of one millisecond are two records) and nothing
 *   is converted to text. A datagram that arrives before the session is open (the instant between
 *   bind and connect) is not kept but counted in `datagramsIgnored`.
 * - A payload larger than its family allows (MAX_DATAGRAM_PAYLOAD) is refused with
 *   DATAGRAM_TOO_LARGE (field 'payload') before anything reaches the socket; the kernel's own
 *   EMSGSIZE maps to the same code. A failed send fails that send only: the session stays open.
 * - send() when not open → NOT_CONNECTED. Sends may overlap: each is one datagram, accepted whole or
 *   refused, in call order. Bytes are counted in the send callback (accepted by the kernel).
 * - In 'target-only' mode the socket is connected, so the kernel filters sources and an ICMP port
 *   unreachable ends the session with PORT_UNREACHABLE, whether Linux reports it on the next
 *   receive or on the next send. In 'from-anyone' mode it is not connected.
 * - The session ends in exactly one of: close() ('closed-by-us'), cancel() ('cancelled'), the reply
 *   window passing after a send with no datagram ('idle-timeout'), maxDatagrams received
 *   ('count-reached'), maxResponseBytes received ('limit-reached', that datagram kept whole), or a
 *   socket error ('error').
 */
import type dgram from 'node:dgram';
import net from 'node:net';
import { fail, ok, type AppError, type Result } from '../../../shared/errors.ts';
import {
  DATAGRAM_LIMITS,
  MAX_DATAGRAM_PAYLOAD,
  canDatagramTransition,
  type DatagramOpenOptions,
  type DatagramOutcome,
  type DatagramRecord,
  type DatagramSessionStatus,
  type DatagramTranscriptEntry,
} from '../../../shared/session-datagram.ts';
import type { SendProgress } from '../../../shared/session.ts';
import { formatEndpoint, toDatagramError } from '../error-mapping.ts';
import type { Session } from '../session.ts';
import { TypedEmitter } from '../typed-emitter.ts';
import { checkDatagramOptions, checkGroup, type CheckedDatagramOptions } from './datagram-options.ts';
import { readKernelDrops } from './kernel-drops.ts';
import { lazyDgram, lazyDns } from '../lazy-builtins.ts';

/** Events a datagram session emits; none after its 'closed' status. */
export type DatagramSessionEvents = {
  /** The whole status after each phase or group change. */
  status: [status: DatagramSessionStatus];
  /** A received datagram, whole. Do not modify the bytes. */
  datagram: [record: DatagramRecord, bytes: Uint8Array];
  transcript: [entry: DatagramTranscriptEntry];
  /** One event per accepted datagram (`done` is always true: a datagram is sent whole or not at all). */
  'send-progress': [progress: SendProgress];
};

/** Construction options. */
export interface DatagramSessionOptions {
  /** Replaces DNS lookup (tests); called with `{ all: true }` like dns.lookup. */
  lookup?: net.LookupFunction;
}

/** What a send resolves to. */
export interface DatagramSendResult {
  sendId: number;
  /** Payload bytes the kernel accepted (the whole datagram). */
  bytesSent: number;
}

/** A received datagram as kept by the session. */
export interface KeptDatagram {
  record: DatagramRecord;
  /** The payload, shared with the session: do not modify. */
  bytes: Uint8Array;
}

/** Rough memory of one kept record or transcript entry, for retainedBytes(). */
const KEPT_RECORD_BYTES = 96;

/** Lifecycle entries (error, closed) are always recorded, so data entries stop this many short of the limit. */
const TRANSCRIPT_RESERVED_ENTRIES = 5;

type TranscriptDraft = DatagramTranscriptEntry extends infer E
  ? E extends DatagramTranscriptEntry
    ? Omit<E, 'at'>
    : never
  : never;

function initialStatus(id: string): DatagramSessionStatus {
  return {
    kind: 'datagram',
    id,
    phase: 'idle',
    outcome: null,
    error: null,
    host: '',
    port: 0,
    mode: 'target-only',
    broadcast: false,
    remoteAddress: null,
    remoteFamily: null,
    localAddress: null,
    localPort: null,
    groups: [],
    datagramsSent: 0,
    bytesSent: 0,
    datagramsReceived: 0,
    datagramsIgnored: 0,
    kernelDrops: null,
    bytesReceived: 0,
    startedAt: null,
    openedAt: null,
    endedAt: null,
  };
}

/** Resolves `host` to one address with the given lookup; literals skip DNS. The first address wins. */
function resolveTarget(host: string, lookup: net.LookupFunction): Promise<{ address: string; family: 4 | 6 } | { error: unknown }> {
  const literal = net.isIP(host.split('%')[0] ?? host);
  if (literal !== 0) return Promise.resolve({ address: host, family: literal === 6 ? 6 : 4 });
  return new Promise((resolve) => {
    try {
      lookup(host, { all: true }, (err, address, family) => {
        if (err) return resolve({ error: err });
        const first = Array.isArray(address) ? address[0] : { address, family };
        if (!first || typeof first.address !== 'string') {
          return resolve({ error: Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo' }) });
        }
        const fam = first.family === 6 || (first.family as unknown) === 'IPv6' ? 6 : 4;
        resolve({ address: first.address, family: fam });
      });
    } catch (err) {
      resolve({ error: err });
    }
  });
}

/** One UDP socket and its state machine; see the invariants at the top of this file. */
export class DatagramSession extends TypedEmitter<DatagramSessionEvents> implements Session {
  /** Stable id (the registry uses crypto.randomUUID()). */
  readonly id: string;
  readonly kind = 'datagram' as const;

  readonly #lookup: net.LookupFunction;
  #state: DatagramSessionStatus;
  #options: CheckedDatagramOptions | null = null;
  #socket: dgram.Socket | null = null;
  #socketClosed = false;
  #settleOpen: ((result: Result<DatagramSessionStatus>) => void) | null = null;
  #replyTimer: NodeJS.Timeout | null = null;
  /** The reply window runs only once something was sent. */
  #replyWindowArmed = false;
  #kept: KeptDatagram[] = [];
  #keptBytes = 0;
  #transcript: DatagramTranscriptEntry[] = [];
  #transcriptTruncated = false;
  #nextSendId = 1;
  /** Sends waiting for their callback; woken with ABORTED when the session closes first. */
  readonly #pendingSends = new Set<() => void>();
  readonly #released: Promise<DatagramSessionStatus>;
  #markReleased!: (status: DatagramSessionStatus) => void;

  constructor(id: string, options: DatagramSessionOptions = {}) {
    super();
    this.id = id;
    // Bound late: node:dns is loaded on the first lookup, not when the CLI starts (lazy-builtins.ts).
    this.#lookup = options.lookup ?? (((...args: Parameters<net.LookupFunction>) => (lazyDns().lookup as unknown as net.LookupFunction)(...args)) as net.LookupFunction);
    this.#state = initialStatus(id);
    this.#released = new Promise((resolve) => {
      this.#markReleased = resolve;
    });
  }

  /** A fresh copy of the current status. */
  get status(): DatagramSessionStatus {
    return { ...this.#state, groups: [...this.#state.groups], error: this.#state.error ? { ...this.#state.error } : null };
  }

  /** The datagrams kept so far, in arrival order (bounded by maxDatagrams and maxResponseBytes). */
  datagrams(): readonly KeptDatagram[] {
    return [...this.#kept];
  }

  /** A copy of the transcript so far (bounded by DATAGRAM_LIMITS.maxTranscriptEntries). */
  transcript(): DatagramTranscriptEntry[] {
    return [...this.#transcript];
  }

  /** Resolves with the final status once the session is closed and Node has released its socket. */
  done(): Promise<DatagramSessionStatus> {
    return this.#released;
  }

  /** Payload bytes kept plus a rough size per record and transcript entry (the registry's bound). */
  retainedBytes(): number {
    return this.#keptBytes + this.#kept.length * KEPT_RECORD_BYTES + this.#transcript.length * KEPT_RECORD_BYTES;
  }

  /** Drops the kept datagrams and transcript of a closed session (registry eviction); no effect while live. */
  release(): void {
    if (this.#state.phase !== 'closed') return;
    this.#kept = [];
    this.#keptBytes = 0;
    this.#transcript = [];
  }

  /**
   * Validates `opts` (before any DNS), resolves the target, binds the local port, and in
   * 'target-only' mode connects the socket. Resolves ok(status) when open, or when cancelled
   * meanwhile (outcome 'cancelled'); fail(error) when it could not open.
   */
  open(opts: DatagramOpenOptions): Promise<Result<DatagramSessionStatus>> {
    if (this.#state.phase !== 'idle') {
      const message =
        this.#state.phase === 'closed'
          ? 'This session has ended; open a new session to send again.'
          : `This session is already ${this.#state.phase}; a session holds one socket.`;
      return Promise.resolve(fail('BUSY', message));
    }
    const checked = checkDatagramOptions(opts);
    if (!checked.ok) return Promise.resolve(checked);
    const options = checked.value;
    this.#options = options;
    this.#transition({
      phase: 'binding',
      host: options.host,
      port: options.port,
      mode: options.mode,
      broadcast: options.broadcast,
      startedAt: Date.now(),
    });
    this.#record({ kind: 'binding', host: options.host, port: options.port });
    return new Promise((resolve) => {
      this.#settleOpen = resolve;
      // #bind handles every failure it expects; anything else still ends the session as data.
      this.#bind(options).catch((err: unknown) => {
        this.#fail({ code: 'INTERNAL', message: `Opening the UDP socket failed unexpectedly: ${String((err as Error)?.message ?? err)}.` });
      });
    });
  }

  /** Sends `data` as one datagram to the target; see the invariants for sizes and errors. */
  send(data: Uint8Array): Promise<Result<DatagramSendResult>> {
    const s = this.#state;
    const socket = this.#socket;
    const options = this.#options;
    if (s.phase !== 'open' || !socket || !options || s.remoteAddress === null || s.remoteFamily === null) {
      const why = s.phase === 'closed' ? 'the session has ended' : 'the session is not open yet';
      return Promise.resolve(fail('NOT_CONNECTED', `Cannot send: ${why}.`));
    }
    if (!(data instanceof Uint8Array)) {
      return Promise.resolve(fail('INVALID_INPUT', 'Payload: expected bytes.', { field: 'payload' }));
    }
    const max = MAX_DATAGRAM_PAYLOAD[s.remoteFamily];
    if (data.length > max) {
      return Promise.resolve(
        fail(
          'DATAGRAM_TOO_LARGE',
          `Payload: ${data.length} bytes is more than one IPv${s.remoteFamily} datagram holds (${max} bytes); nothing was sent.`,
          { field: 'payload' },
        ),
      );
    }
    const sendId = this.#nextSendId++;
    const remoteAddress = s.remoteAddress;
    return new Promise((resolve) => {
      let settled = false;
      const abort = (): void => {
        if (settled) return;
        settled = true;
        this.#pendingSends.delete(abort);
        const final = this.#state;
        resolve(final.error ? { ok: false, error: { ...final.error } } : fail('ABORTED', 'Send stopped: the session was closed before the datagram was handed to the network.'));
      };
      this.#pendingSends.add(abort);
      const onSent = (err: Error | null): void => {
        if (settled) return;
        settled = true;
        this.#pendingSends.delete(abort);
        if (this.#state.phase === 'closed') {
          resolve(fail('ABORTED', 'Send stopped: the session was closed before the datagram was handed to the network.'));
          return;
        }
        if (err) {
          const error = toDatagramError(err, { host: options.host, port: options.port, remoteAddress, stage: 'send' });
          // Linux reports an earlier datagram's ICMP error once, to whichever call comes next: on
          // a send it means the same as on a receive, so it ends the session the same way.
          if (error.code === 'PORT_UNREACHABLE') this.#fail(error);
          resolve({ ok: false, error });
          return;
        }
        this.#state.datagramsSent += 1;
        this.#state.bytesSent += data.length;
        this.#record({ kind: 'sent', sendId, bytes: data.length });
        this.#replyWindowArmed = true;
        this.#armReplyWindow();
        resolve(ok({ sendId, bytesSent: data.length }));
        this.emit('send-progress', { sendId, sent: data.length, total: data.length, done: true });
      };
      try {
        if (options.mode === 'target-only') socket.send(data, onSent);
        else socket.send(data, options.port, remoteAddress, onSent);
      } catch (err) {
        onSent(err as Error);
      }
    });
  }

  /**
   * Joins a multicast group (IPv4 or IPv6, of the socket's family) on an optional interface:
   * an IPv4 address, or for IPv6 `::%name` / a bare name. Needs 'from-anyone' mode, since a
   * connected socket only takes datagrams from the target.
   */
  joinGroup(group: string, iface?: string): Result<DatagramSessionStatus> {
    const ready = this.#checkGroupCall(group, iface);
    if (!ready.ok) return ready;
    const { key, socket, checked } = ready.value;
    if (this.#state.groups.includes(key)) return fail('BUSY', `Already a member of ${key}.`, { field: 'group' });
    if (this.#state.groups.length >= DATAGRAM_LIMITS.maxGroups) {
      return fail('INVALID_INPUT', `A session joins at most ${DATAGRAM_LIMITS.maxGroups} groups; leave one first.`, { field: 'group' });
    }
    try {
      if (checked.iface === null) socket.addMembership(checked.group);
      else socket.addMembership(checked.group, checked.iface);
    } catch (err) {
      return { ok: false, error: this.#membershipError(err, 'join', key) };
    }
    this.#transition({ groups: [...this.#state.groups, key] });
    this.#record({ kind: 'joined', group: key });
    return ok(this.status);
  }

  /** Leaves a group joined with {@link DatagramSession.joinGroup} (same group and interface). */
  leaveGroup(group: string, iface?: string): Result<DatagramSessionStatus> {
    const ready = this.#checkGroupCall(group, iface);
    if (!ready.ok) return ready;
    const { key, socket, checked } = ready.value;
    if (!this.#state.groups.includes(key)) return fail('INVALID_INPUT', `Not a member of ${key}.`, { field: 'group' });
    try {
      if (checked.iface === null) socket.dropMembership(checked.group);
      else socket.dropMembership(checked.group, checked.iface);
    } catch (err) {
      return { ok: false, error: this.#membershipError(err, 'leave', key) };
    }
    this.#transition({ groups: this.#state.groups.filter((g) => g !== key) });
    this.#record({ kind: 'left', group: key });
    return ok(this.status);
  }

  /** Turns SO_BROADCAST on or off while open (sending to a broadcast address needs it on). */
  setBroadcast(on: boolean): Result<DatagramSessionStatus> {
    const socket = this.#socket;
    if (this.#state.phase !== 'open' || !socket) return fail('NOT_CONNECTED', 'Cannot change broadcast: the session is not open.');
    if (typeof on !== 'boolean') return fail('INVALID_INPUT', `broadcast must be true or false, got ${JSON.stringify(on)}.`, { field: 'broadcast' });
    try {
      socket.setBroadcast(on);
    } catch (err) {
      return { ok: false, error: toDatagramError(err, this.#context('send')) };
    }
    this.#transition({ broadcast: on });
    return ok(this.status);
  }

  /**
   * Reads how many datagrams the kernel dropped for this socket (a full receive buffer) into
   * `status.kernelDrops`; emits 'status' when it changed. Also done once when the session ends.
   */
  refreshKernelDrops(): number | null {
    const s = this.#state;
    if (s.phase !== 'open' || s.remoteFamily === null || s.localPort === null) return s.kernelDrops;
    const drops = readKernelDrops(s.remoteFamily, s.localPort);
    this.#transition({ kernelDrops: drops });
    return drops;
  }

  /** Ends the session: 'closed-by-us' (while resolving or binding: 'cancelled'). Nothing to wait for. */
  close(): void {
    this.#finish(this.#state.phase === 'binding' ? 'cancelled' : 'closed-by-us');
  }

  /** Ends the session at once, DNS included; outcome 'cancelled'. */
  cancel(): void {
    this.#finish('cancelled');
  }

  // ── opening ────────────────────────────────────────────────────────────────────────────────

  async #bind(options: CheckedDatagramOptions): Promise<void> {
    const target = await resolveTarget(options.host, this.#lookup);
    if (this.#state.phase !== 'binding') return;
    if ('error' in target) {
      this.#fail(toDatagramError(target.error, { host: options.host, port: options.port, stage: 'resolve' }));
      return;
    }
    this.#transition({ remoteAddress: target.address, remoteFamily: target.family });
    let socket: dgram.Socket;
    try {
      socket = lazyDgram().createSocket({ type: target.family === 6 ? 'udp6' : 'udp4' });
    } catch (err) {
      this.#fail(toDatagramError(err, { host: options.host, port: options.port, remoteAddress: target.address, stage: 'bind' }));
      return;
    }
    this.#socket = socket;
    socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo));
    socket.on('error', (err) => this.#onSocketError(err));
    socket.on('close', () => this.#onSocketClose());
    const bound = await new Promise<boolean>((resolve) => {
      socket.once('listening', () => resolve(true));
      socket.once('close', () => resolve(false));
      try {
        socket.bind({ port: options.localPort, exclusive: true });
      } catch (err) {
        this.#fail(toDatagramError(err, this.#context('bind')));
        resolve(false);
      }
    });
    if (!bound || this.#state.phase !== 'binding') return;
    try {
      socket.setRecvBufferSize(DATAGRAM_LIMITS.receiveBufferBytes);
    } catch {
      // The kernel keeps its default size; a smaller buffer only means an earlier drop under a burst.
    }
    if (options.mode === 'target-only') {
      const connectError = await new Promise<Error | null>((resolve) => {
        try {
          socket.connect(options.port, target.address, (err?: Error) => resolve(err ?? null));
        } catch (err) {
          resolve(err as Error);
        }
      });
      if (this.#state.phase !== 'binding') return;
      if (connectError) {
        this.#fail(toDatagramError(connectError, this.#context('send')));
        return;
      }
    }
    try {
      if (options.broadcast) socket.setBroadcast(true);
      if (options.multicastInterface !== null) socket.setMulticastInterface(multicastScope(options.multicastInterface, target.family));
    } catch (err) {
      const e = toDatagramError(err, this.#context('bind'));
      this.#fail({ ...e, code: 'INVALID_INPUT', field: options.broadcast ? 'broadcast' : 'multicastInterface' });
      return;
    }
    const local = socket.address();
    this.#transition({ phase: 'open', localAddress: local.address, localPort: local.port, openedAt: Date.now() });
    this.#record({
      kind: 'bound',
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: target.address,
      remotePort: options.port,
      family: target.family,
    });
    this.#settleOpen?.(ok(this.status));
    this.#settleOpen = null;
  }

  // ── socket handlers ────────────────────────────────────────────────────────────────────────

  #onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const s = this.#state;
    if (s.phase === 'closed') return;
    if (s.phase !== 'open') {
      s.datagramsIgnored += 1;
      return;
    }
    const options = this.#options;
    if (!options) return;
    s.datagramsReceived += 1;
    s.bytesReceived += msg.length;
    const record: DatagramRecord = {
      seq: s.datagramsReceived,
      from: rinfo.address,
      port: rinfo.port,
      family: rinfo.family === 'IPv6' ? 6 : 4,
      size: msg.length,
      at: Date.now(),
    };
    this.#kept.push({ record, bytes: msg });
    this.#keptBytes += msg.length;
    this.emit('datagram', record, msg);
    this.#record({ kind: 'received', seq: record.seq, bytes: record.size, from: record.from, port: record.port }, record.at);
    if (s.datagramsReceived >= options.maxDatagrams) this.#finish('count-reached');
    else if (s.bytesReceived >= options.maxResponseBytes) this.#finish('limit-reached');
    else this.#armReplyWindow();
  }

  #onSocketError(err: Error): void {
    if (this.#state.phase === 'closed') return;
    this.#fail(toDatagramError(err, this.#context(this.#state.phase === 'binding' ? 'bind' : 'receive')));
  }

  #onSocketClose(): void {
    this.#socketClosed = true;
    if (this.#state.phase !== 'closed') {
      this.#fail({ code: 'INTERNAL', message: 'The UDP socket was closed unexpectedly.' });
    }
    this.#markReleased(this.status);
  }

  // ── helpers ────────────────────────────────────────────────────────────────────────────────

  #context(stage: 'bind' | 'send' | 'receive'): Parameters<typeof toDatagramError>[1] {
    const options = this.#options;
    return {
      host: options?.host ?? this.#state.host,
      port: options?.port ?? this.#state.port,
      remoteAddress: this.#state.remoteAddress,
      stage,
      localPort: options?.localPort ?? 0,
    };
  }

  #checkGroupCall(
    group: string,
    iface: string | undefined,
  ): Result<{ key: string; socket: dgram.Socket; checked: { group: string; iface: string | null } }> {
    const s = this.#state;
    const socket = this.#socket;
    if (s.phase !== 'open' || !socket || s.remoteFamily === null) {
      return fail('NOT_CONNECTED', 'Cannot change multicast groups: the session is not open.');
    }
    if (s.mode !== 'from-anyone') {
      return fail('INVALID_INPUT', 'Multicast needs "from anyone" mode: a socket that takes replies from the target only never sees a group\'s datagrams.', {
        field: 'mode',
      });
    }
    const checked = checkGroup(group, iface, s.remoteFamily);
    if (!checked.ok) return checked;
    const key = checked.value.iface === null ? checked.value.group : `${checked.value.group}@${checked.value.iface}`;
    return ok({ key, socket, checked: checked.value });
  }

  #membershipError(err: unknown, action: 'join' | 'leave', key: string): AppError {
    const errno = typeof (err as { code?: unknown })?.code === 'string' ? String((err as { code: string }).code) : 'UNKNOWN';
    const message = `Could not ${action} multicast group ${key} (${errno}); check the interface address.`;
    return errno === 'EINVAL' || errno === 'ENODEV' || errno === 'EADDRNOTAVAIL'
      ? { code: 'INVALID_INPUT', message, field: 'interface', errno }
      : { code: 'INTERNAL', message, ...(errno === 'UNKNOWN' ? {} : { errno }) };
  }

  #armReplyWindow(): void {
    const window = this.#options?.replyWindowMs ?? 0;
    if (window <= 0 || !this.#replyWindowArmed || this.#state.phase !== 'open') return;
    if (this.#replyTimer) this.#replyTimer.refresh();
    else this.#replyTimer = setTimeout(() => this.#finish('idle-timeout'), window);
  }

  // ── state machine ──────────────────────────────────────────────────────────────────────────

  /**
   * The one place the status changes. Refuses (and reports false for) a phase change the state
   * machine does not allow; emits one 'status' when anything actually changed.
   */
  #transition(patch: Partial<DatagramSessionStatus>): boolean {
    const from = this.#state.phase;
    if (patch.phase !== undefined && patch.phase !== from && !canDatagramTransition(from, patch.phase)) return false;
    let changed = false;
    for (const key of Object.keys(patch) as (keyof DatagramSessionStatus)[]) {
      if (this.#state[key] !== patch[key]) changed = true;
    }
    if (!changed) return false;
    this.#state = { ...this.#state, ...patch };
    this.emit('status', this.status);
    return true;
  }

  #fail(error: AppError): void {
    this.#finish('error', error);
  }

  /** Ends the session once: records the error, cleans up, enters 'closed', settles every waiter. */
  #finish(outcome: DatagramOutcome, error: AppError | null = null): void {
    if (this.#state.phase === 'closed') return;
    if (error) this.#record({ kind: 'error', error });
    // Read while the socket still exists: its row leaves the kernel's table when it closes.
    const s = this.#state;
    const kernelDrops = s.phase === 'open' && s.remoteFamily !== null && s.localPort !== null ? readKernelDrops(s.remoteFamily, s.localPort) : s.kernelDrops;
    this.#cleanup();
    this.#transition({ phase: 'closed', outcome, error, groups: [], kernelDrops, endedAt: Date.now() });
    this.#record({ kind: 'closed', outcome });
    const final = this.status;
    this.#settleOpen?.(error ? { ok: false, error: { ...error } } : ok(final));
    this.#settleOpen = null;
    for (const abort of [...this.#pendingSends]) abort();
    this.#pendingSends.clear();
    this.removeAllListeners();
    if (!this.#socket || this.#socketClosed) this.#markReleased(final);
  }

  /** Releases the timer and the socket; safe to call any number of times. */
  #cleanup(): void {
    if (this.#replyTimer) {
      clearTimeout(this.#replyTimer);
      this.#replyTimer = null;
    }
    const socket = this.#socket;
    if (socket && !this.#socketClosed) {
      try {
        socket.close();
      } catch {
        // Already closed (ERR_SOCKET_DGRAM_NOT_RUNNING): 'close' has fired or will not be needed.
        this.#socketClosed = true;
      }
    }
  }

  /** Appends to the bounded transcript and emits the entry; see TRANSCRIPT_RESERVED_ENTRIES. */
  #record(draft: TranscriptDraft, at: number = Date.now()): void {
    if (this.#state.phase === 'closed' && draft.kind !== 'closed') return;
    const isData = draft.kind === 'sent' || draft.kind === 'received';
    const limit = DATAGRAM_LIMITS.maxTranscriptEntries;
    if (isData && this.#transcript.length >= limit - TRANSCRIPT_RESERVED_ENTRIES) {
      if (this.#transcriptTruncated) return;
      this.#transcriptTruncated = true;
      this.#push({ kind: 'truncated', limit }, at);
      return;
    }
    this.#push(draft, at);
  }

  #push(draft: TranscriptDraft, at: number): void {
    const entry = { ...draft, at } as DatagramTranscriptEntry;
    this.#transcript.push(entry);
    this.emit('transcript', entry);
  }
}

/** The interface text Node expects for outgoing multicast: a bare IPv6 interface name becomes `::%name`. */
function multicastScope(iface: string, family: 4 | 6): string {
  if (family === 6 && !iface.includes(':')) return iface.startsWith('%') ? `::${iface}` : `::%${iface}`;
  return iface;
}

/** `address:port` of a datagram's source, brackets around IPv6. */
export function formatSource(record: DatagramRecord): string {
  return formatEndpoint(record.from, record.port);
}
