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
}

/** Where updates go: a window's webContents or a WebSocket. */
export interface UpdateSink {
  readonly alive: boolean;
  sendUpdate(update: EventPayload<'session:update'>): void;
  /** Bytes sent but not yet taken by the other side (WebSocket bufferedAmount); 0 when unknown. */
  backlog?(): number;
}

export const MAX_UPDATE_BYTES = 2 * 1024 * 1024;
export const MAX_SINK_BACKLOG = 8 * 1024 * 1024;
const MIN_INTERVAL_MS = 1000 / IPC_LIMITS.updatesPerSecond;

/**
 * What a session already has, for a client that starts watching it late (a listener's client
 * selected in the table): sent first, from offset 0, then the live events.
 */
export interface UpdateReplay {
  response: Uint8Array;
  transcript: TranscriptEntry[];
}

/** Starts forwarding; returns a function that stops it (idempotent). */
export function forwardSessionUpdates(session: SessionEventSource, sink: UpdateSink, replay?: UpdateReplay): () => void {
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
    return out;
  }

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (detached) return;
    if (!sink.alive) {
      detach();
      return;
    }
    const room = (sink.backlog?.() ?? 0) > MAX_SINK_BACKLOG ? 0 : MAX_UPDATE_BYTES;
    const offset = nextOffset;
    const data = takeData(room);
    if (data) nextOffset += data.byteLength;
    const status = session.status;
    sink.sendUpdate({ id: session.id, status, data, dataOffset: offset, transcript, progress });
    transcript = [];
    progress = null;
    lastFlush = performance.now();
    if (status.phase === 'closed') closedSent = true;
    if (closedSent && pendingBytes === 0) detach();
    else if (pendingBytes > 0) schedule();
  }

  function schedule(): void {
    if (timer || detached) return;
    const wait = Math.max(0, lastFlush + MIN_INTERVAL_MS - performance.now());
    timer = setTimeout(flush, wait);
  }

  const onStatus = (s: SessionStatus): void => {
    if (s.phase !== lastPhase) {
      lastPhase = s.phase;
      // Events of the same turn (the engine records 'closed' right after this status) go with it.
      queueMicrotask(flush);
    } else schedule();
  };
  const onData = (chunk: Uint8Array): void => {
    chunks.push(chunk);
    pendingBytes += chunk.byteLength;
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
    chunks = [];
    pendingBytes = 0;
    session.off('status', onStatus);
    session.off('data', onData);
    session.off('transcript', onTranscript);
    session.off('send-progress', onProgress);
  }

  session.on('status', onStatus);
  session.on('data', onData);
  session.on('transcript', onTranscript);
  session.on('send-progress', onProgress);
  // The first update tells the client the session exists and where it stands.
  flush();
  return detach;
}
