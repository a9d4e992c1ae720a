/**
 * Coalesces one session's engine events into `session:update` events for its client, at most
 * about {@link IPC_LIMITS.updatesPerSecond} a second (R5: bounded IPC message rate).
 *
 * Invariants:
 * - bytes are delivered in order, contiguously, exactly once: each update's `dataOffset` equals the
 *   previous update's offset plus its length;
 * - one update carries at most {@link MAX_UPDATE_BYTES} of data, and none while the sink reports a
 *   backlog above {@link MAX_SINK_BACKLOG}: a browser's WebSocket copies each message on its main
 *   thread, so big messages would be long tasks, and a slow page must not make main buffer twice;
 * - the status in each update is fresh (`session.status`), so counters are main's truth even
 *   while bytes are still on their way to the page;
 * - a phase change is flushed at once, after the same turn's events (closed comes with its
 *   transcript entry), so the UI never shows a phase before the events that led to it;
 * - after the closed status is sent and every byte delivered, the coalescer detaches itself;
 * - nothing is sent to a client that is gone (`sink.alive` false): the coalescer detaches instead.
 *
 * Flow control, for a sink that acknowledges (`sink.acknowledges`: web mode and Electron pages do,
 * with `session:ack`): at most {@link ACK_WINDOW_BYTES} are sent and not yet acknowledged, and bytes
 * go out as soon as the window has room (not paced at 30 a second: the page says how fast it
 * takes them). Main's bytes waiting for the page (read but not acknowledged: pending plus in flight)
 * stay under {@link HOLD_READING_BYTES} plus one read: above it the session stops reading from its
 * socket (TCP pushes back on the peer) until acknowledgements bring it under
 * {@link RESUME_READING_BYTES}. A frozen page therefore costs main a bounded amount, and nothing is
 * dropped: the bytes wait in the peer and the kernel. A window that is shut sends nothing new, not
 * even status, until the page acknowledges (a frozen page is sent nothing to pile up).
 */
import { IPC_LIMITS, type EventPayload } from '../../shared/contract.ts';
import type { SendProgress, SessionStatus, TranscriptEntry } from '../../shared/session.ts';

/** What the coalescer needs of a session (StreamSession satisfies it). */
export interface SessionEventSource {
  readonly id: string;
  readonly status: SessionStatus;
  on(event: 'status', fn: (s: SessionStatus) => void): unknown;
  on(event: 'data', fn: (chunk: Uint8Array, offset: number) => void): unknown;
  on(event: 'transcript', fn: (e: TranscriptEntry) => void): unknown;
  on(event: 'send-progress', fn: (p: SendProgress) => void): unknown;
  off(event: 'status', fn: (s: SessionStatus) => void): unknown;
  off(event: 'data', fn: (chunk: Uint8Array, offset: number) => void): unknown;
  off(event: 'transcript', fn: (e: TranscriptEntry) => void): unknown;
  off(event: 'send-progress', fn: (p: SendProgress) => void): unknown;
  /** Stop or restart reading from the socket (StreamSession.holdReading); optional for scripted sources. */
  holdReading?(hold: boolean): void;
}

/** Where updates go: a window's webContents or a WebSocket. */
export interface UpdateSink {
  readonly alive: boolean;
  sendUpdate(update: EventPayload<'session:update'>): void;
  /** Bytes sent but not yet taken by the other side (WebSocket bufferedAmount); 0 when unknown. */
  backlog?(): number;
  /** The client acknowledges the bytes it has taken (`session:ack`): flow control applies. */
  readonly acknowledges?: boolean;
  /**
   * The bytes go to a stream given later ({@link SessionForwarder.attachStream}: web mode's
   * `GET /bytes/<id>`), never in updates; they wait (and the socket is held) until it is given.
   */
  readonly byteStream?: boolean;
}

/** Where streamed bytes go (an HTTP response). */
export interface ByteStreamOut {
  write(chunk: Uint8Array): boolean;
  /** Optional: writes between cork() and uncork() go out together (one writev). */
  cork?(): void;
  uncork?(): void;
  end(): void;
  readonly writableLength: number;
  readonly destroyed: boolean;
  once(event: 'drain' | 'close', fn: () => void): unknown;
}

export const MAX_UPDATE_BYTES = 2 * 1024 * 1024;
export const MAX_SINK_BACKLOG = 8 * 1024 * 1024;
/** Bytes sent to an acknowledging client and not yet acknowledged, at most. */
export const ACK_WINDOW_BYTES = 32 * 1024 * 1024;
/** Update size for an acknowledging client: small enough that the page takes each in well under a frame. */
export const ACKED_UPDATE_BYTES = 1024 * 1024;
/** Read but not acknowledged above this: the session stops reading its socket. */
export const HOLD_READING_BYTES = 40 * 1024 * 1024;
/** …and reads again once acknowledgements bring it to this. */
export const RESUME_READING_BYTES = 32 * 1024 * 1024;
/** Pending bytes worth an update at once rather than at the next paced turn. */
const BATCH_BYTES = 256 * 1024;
const MIN_INTERVAL_MS = 1000 / IPC_LIMITS.updatesPerSecond;

/**
 * What a session already has, for a client that starts watching it late (a listener's client
 * selected in the table): sent first, from offset 0, then the live events.
 */
export interface UpdateReplay {
  response: Uint8Array;
  transcript: TranscriptEntry[];
}

/** A running forwarder. */
export interface SessionForwarder {
  /** Stops forwarding (idempotent). */
  stop(): void;
  /**
   * The client has taken every byte before offset `through`. False (and nothing changes) when
   * `through` is beyond what was sent: a confused or hostile client cannot open the window.
   */
  ack(through: number): boolean;
  /** Bytes read from the socket that the client has not acknowledged (pending plus in flight). */
  waiting(): number;
  /** For a byteStream sink: where the bytes go from now on. False when one was given already. */
  attachStream(out: ByteStreamOut): boolean;
}

/** Starts forwarding; returns a function that stops it (idempotent). */
export function forwardSessionUpdates(session: SessionEventSource, sink: UpdateSink, replay?: UpdateReplay): () => void {
  return startForwarding(session, sink, replay).stop;
}

/** As {@link forwardSessionUpdates}, with acknowledgements and the byte count for flow control. */
export function startForwarding(session: SessionEventSource, sink: UpdateSink, replay?: UpdateReplay): SessionForwarder {
  const acked = sink.acknowledges === true;
  /** Received chunks not yet sent, oldest first; the first may be partly sent already. */
  let chunks: Uint8Array[] = replay && replay.response.byteLength > 0 ? [replay.response] : [];
  let pendingBytes = replay?.response.byteLength ?? 0;
  /** Offset in the response of the first pending byte. */
  let nextOffset = session.status.bytesReceived - pendingBytes;
  let transcript: TranscriptEntry[] = replay ? replay.transcript.slice() : [];
  let progress: SendProgress | null = null;
  let lastPhase = session.status.phase;
  let closedSent = false;
  let lastFlush = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let detached = false;
  /** Offset through which the client has acknowledged (acked sinks only). */
  let ackedOffset = nextOffset;
  let held = false;
  const streamed = sink.byteStream === true;
  let stream: ByteStreamOut | null = null;
  let streamGiven = false;
  /** A 'drain' listener is on the stream already (one, however many flushes found it full). */
  let awaitingDrain = false;
  /** Streamed sinks: when status was last sent, and whether a newer one waits for its turn. */
  let lastStatusAt = -Infinity;
  let statusOwed = false;
  let statusTimer: ReturnType<typeof setTimeout> | null = null;

  /** Takes up to `limit` pending bytes as one array (copying only when chunks are joined). */
  function takeData(limit: number): Uint8Array | null {
    if (pendingBytes === 0 || limit <= 0) return null;
    const want = Math.min(limit, pendingBytes);
    const first = chunks[0]!;
    let out: Uint8Array;
    if (first.byteLength >= want) {
      out = first.subarray(0, want);
      if (first.byteLength === want) chunks.shift();
      else chunks[0] = first.subarray(want);
    } else {
      out = new Uint8Array(want);
      let at = 0;
      while (at < want) {
        const c = chunks[0]!;
        const n = Math.min(c.byteLength, want - at);
        out.set(n === c.byteLength ? c : c.subarray(0, n), at);
        at += n;
        if (n === c.byteLength) chunks.shift();
        else chunks[0] = c.subarray(n);
      }
    }
    pendingBytes -= want;
    // A plain view, not a Buffer: JSON.stringify would call Buffer's toJSON (an array of every byte)
    // before the wire encoder's replacer sees it.
    return Buffer.isBuffer(out) ? new Uint8Array(out.buffer, out.byteOffset, out.byteLength) : out;
  }

  /** Takes up to `limit` pending bytes as views of the chunks they are in (no copy). */
  function takeChunks(limit: number): Uint8Array[] {
    const parts: Uint8Array[] = [];
    let left = Math.min(limit, pendingBytes);
    while (left > 0) {
      const c = chunks[0]!;
      if (c.byteLength <= left) {
        parts.push(c);
        chunks.shift();
        left -= c.byteLength;
        pendingBytes -= c.byteLength;
      } else {
        parts.push(c.subarray(0, left));
        chunks[0] = c.subarray(left);
        pendingBytes -= left;
        left = 0;
      }
    }
    return parts;
  }

  /** Bytes the next update may carry. */
  function room(): number {
    if (streamed && (!stream || stream.destroyed || stream.writableLength > MAX_SINK_BACKLOG)) return 0;
    if ((sink.backlog?.() ?? 0) > MAX_SINK_BACKLOG) return 0;
    if (!acked) return MAX_UPDATE_BYTES;
    return Math.max(0, Math.min(ACKED_UPDATE_BYTES, ACK_WINDOW_BYTES - (nextOffset - ackedOffset)));
  }

  function waiting(): number {
    return pendingBytes + (acked ? nextOffset - ackedOffset : 0);
  }

  /** Holds or releases the socket by what waits for the client (acked sinks only). */
  function regulate(): void {
    if (!acked || !session.holdReading) return;
    const w = waiting();
    if (!held && w > HOLD_READING_BYTES) {
      held = true;
      session.holdReading(true);
    } else if (held && w <= RESUME_READING_BYTES) {
      held = false;
      session.holdReading(false);
    }
  }

  function flush(force = false): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (detached) return;
    if (!sink.alive) {
      detach();
      return;
    }
    const space = room();
    // A shut window sends nothing new (not even status) unless something must be said now: a
    // frozen page is not sent updates to pile up. The ack that opens the window flushes.
    if (acked && space === 0 && !force && transcript.length === 0 && progress === null) {
      // Shut by the socket's backlog rather than the window: no ack will come to reopen it, so look again.
      if (nextOffset - ackedOffset < ACK_WINDOW_BYTES && pendingBytes > 0) timer = setTimeout(() => flush(), MIN_INTERVAL_MS);
      return;
    }
    const offset = nextOffset;
    const status = session.status;
    if (streamed && stream) {
      // Streamed bytes are written as the chunks they were read in (views, never joined: joining
      // copied nearly every byte once more, and the garbage cost web mode more GC than the copy).
      const out = stream;
      const parts = takeChunks(space);
      let room = true;
      if (parts.length > 1) out.cork?.();
      for (const part of parts) {
        nextOffset += part.byteLength;
        room = out.write(part) && room;
      }
      if (parts.length > 1) out.uncork?.();
      if (!room && !awaitingDrain) {
        awaitingDrain = true;
        out.once('drain', () => {
          awaitingDrain = false;
          schedule();
        });
      }
      // The bytes went into the stream; the status (counters, transcript) that goes with them is
      // paced like any other client's: at full speed a flush comes every 256 KiB, and a status
      // message each time was ~400 messages per 100 MiB for main to encode and the page to apply.
      const now = performance.now();
      if (!force && !closedSent && progress === null && now - lastStatusAt < MIN_INTERVAL_MS) {
        statusOwed = true;
        if (!statusTimer) statusTimer = setTimeout(() => {
          statusTimer = null;
          if (statusOwed) flush();
        }, lastStatusAt + MIN_INTERVAL_MS - now);
        if (pendingBytes > 0) schedule();
        return;
      }
      statusOwed = false;
      lastStatusAt = now;
      sink.sendUpdate({ id: session.id, status, data: null, dataOffset: nextOffset, transcript, progress });
    } else {
      const data = takeData(space);
      if (data) nextOffset += data.byteLength;
      sink.sendUpdate({ id: session.id, status, data, dataOffset: offset, transcript, progress });
    }
    transcript = [];
    progress = null;
    lastFlush = performance.now();
    if (status.phase === 'closed') closedSent = true;
    if (closedSent && pendingBytes === 0) {
      // Streamed bytes are all written: the response ends once they are out.
      stream?.end();
      detach();
    }
    else if (pendingBytes > 0) schedule();
  }

  /** True when an acked sink should get pending bytes now rather than at the next paced turn. */
  function urgent(): boolean {
    return acked && (pendingBytes >= BATCH_BYTES || closedSent) && room() > 0;
  }

  /**
   * Urgent bytes go out from a microtask, not a timer: at full loopback speed one turn of the
   * event loop reads up to 32 reads of 1 MiB before any timer runs, so a timer-driven flush left
   * the page waiting ~45 ms for its first byte while main piled up 32 MiB. A microtask runs after
   * each read's callback, so reading and forwarding interleave.
   */
  let flushQueued = false;
  function schedule(): void {
    if (detached) return;
    if (urgent()) {
      if (timer) clearTimeout(timer);
      timer = null;
      if (!flushQueued) {
        flushQueued = true;
        queueMicrotask(() => {
          flushQueued = false;
          if (urgent()) flush();
          else if (pendingBytes > 0) schedule();
        });
      }
      return;
    }
    if (timer || flushQueued) return;
    timer = setTimeout(() => flush(), Math.max(0, lastFlush + MIN_INTERVAL_MS - performance.now()));
  }

  const onStatus = (s: SessionStatus): void => {
    if (s.phase !== lastPhase) {
      lastPhase = s.phase;
      // Events of the same turn (the engine records 'closed' right after this status) go with it.
      queueMicrotask(() => flush(true));
    } else schedule();
  };
  const onData = (chunk: Uint8Array): void => {
    chunks.push(chunk);
    pendingBytes += chunk.byteLength;
    regulate();
    schedule();
  };
  const onTranscript = (e: TranscriptEntry): void => {
    transcript.push(e);
    schedule();
  };
  const onProgress = (p: SendProgress): void => {
    progress = p;
    schedule();
  };

  function detach(): void {
    if (detached) return;
    detached = true;
    if (timer) clearTimeout(timer);
    timer = null;
    if (statusTimer) clearTimeout(statusTimer);
    statusTimer = null;
    chunks = [];
    pendingBytes = 0;
    session.off('status', onStatus);
    session.off('data', onData);
    session.off('transcript', onTranscript);
    session.off('send-progress', onProgress);
    if (held) {
      held = false;
      session.holdReading?.(false);
    }
    if (stream && !stream.destroyed) stream.end();
    stream = null;
  }

  function attachStream(out: ByteStreamOut): boolean {
    if (!streamed || streamGiven) return false;
    streamGiven = true;
    if (detached) {
      out.end();
      return true;
    }
    stream = out;
    // The page went away mid-stream: its bytes wait like a frozen page's (the client's detach ends all).
    out.once('close', () => {
      if (stream === out) stream = null;
    });
    if (pendingBytes > 0) schedule();
    return true;
  }

  function ack(through: number): boolean {
    if (!Number.isSafeInteger(through) || through > nextOffset) return false;
    if (detached || through <= ackedOffset) return true;
    ackedOffset = through;
    regulate();
    if (pendingBytes > 0) schedule();
    return true;
  }

  session.on('status', onStatus);
  session.on('data', onData);
  session.on('transcript', onTranscript);
  session.on('send-progress', onProgress);
  // The first update tells the client the session exists and where it stands.
  flush(true);
  return { stop: detach, ack, waiting, attachStream };
}
