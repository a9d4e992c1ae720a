/**
 * Coalesces one session's engine events into `session:update` events for its client, at most
 * about {@link IPC_LIMITS.updatesPerSecond} a second (R5: bounded IPC message rate).
 *
 * Invariants:
 * - bytes are delivered in order, contiguously, exactly once: each update's `dataOffset` equals the
 *   previous update's offset plus its length;
 * - a phase change is flushed at once (with any bytes pending before it), so the UI never shows
 *   "closed" before the bytes that came before the close;
 * - after the closed status is flushed the coalescer detaches itself and sends nothing more;
 * - nothing is sent to a client that is gone (`sink.alive` false): the coalescer detaches instead.
 */
import { IPC_LIMITS, type EventPayload } from '../../shared/contract.ts';
import type { SendProgress, SessionStatus, TranscriptEntry } from '../../shared/session.ts';

/** What the coalescer needs of a session (TcpSession satisfies it). */
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
}

const MIN_INTERVAL_MS = 1000 / IPC_LIMITS.updatesPerSecond;

/** Starts forwarding; returns a function that stops it (idempotent). */
export function forwardSessionUpdates(session: SessionEventSource, sink: UpdateSink): () => void {
  let chunks: Uint8Array[] = [];
  let pendingBytes = 0;
  let dataOffset = -1;
  let transcript: TranscriptEntry[] = [];
  let progress: SendProgress | null = null;
  let status = session.status;
  let lastPhase = status.phase;
  let lastFlush = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let detached = false;

  function takeData(): Uint8Array | null {
    if (chunks.length === 0) return null;
    const out = chunks.length === 1 ? chunks[0]! : concat(chunks, pendingBytes);
    chunks = [];
    pendingBytes = 0;
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
    const offset = dataOffset;
    const data = takeData();
    // The engine emits 'status' on phase and flag changes only; counters move with every chunk,
    // so each update carries a fresh copy.
    status = session.status;
    sink.sendUpdate({
      id: session.id,
      status,
      data,
      dataOffset: data ? offset : status.bytesReceived,
      transcript,
      progress,
    });
    dataOffset = -1;
    transcript = [];
    progress = null;
    lastFlush = performance.now();
    if (status.phase === 'closed') detach();
  }

  function schedule(): void {
    if (timer || detached) return;
    const wait = Math.max(0, lastFlush + MIN_INTERVAL_MS - performance.now());
    timer = setTimeout(flush, wait);
  }

  const onStatus = (s: SessionStatus): void => {
    status = s;
    if (s.phase === 'closed' && lastPhase !== 'closed') {
      lastPhase = s.phase;
      // The engine records the 'closed' transcript entry right after this status, in the same
      // turn: flush once that has run, or the last update would miss it.
      queueMicrotask(flush);
    } else if (s.phase !== lastPhase) {
      lastPhase = s.phase;
      flush();
    } else schedule();
  };
  const onData = (chunk: Uint8Array, offset: number): void => {
    if (dataOffset < 0) dataOffset = offset;
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

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
