/**
 * Coalesces one datagram session's engine events into {@link DatagramUpdate}s for its client, at
 * most about {@link IPC_LIMITS.updatesPerSecond} a second: the datagram counterpart of
 * session-updates.ts (R5: bounded IPC message rate), to be wired into the session registry.
 *
 * Invariants:
 * - datagrams are delivered whole, in arrival order, exactly once: each update's first `seq` is the
 *   previous update's last `seq` + 1;
 * - one update carries at most {@link MAX_UPDATE_DATAGRAMS} datagrams and about
 *   {@link MAX_UPDATE_BYTES} bytes (always at least one datagram when any is waiting, so a
 *   maximum-size datagram is never stuck), and none while the sink reports a backlog above
 *   {@link MAX_SINK_BACKLOG}: a slow page slows the delivery, it never loses a datagram;
 * - the status in each update is fresh (`session.status`), so `datagramsReceived` is main's exact
 *   count even while datagrams are still on their way to the page;
 * - a phase change is flushed at once, after the same turn's events, so the UI never shows a phase
 *   before the events that led to it;
 * - after the closed status is sent and every datagram delivered, the coalescer detaches itself;
 * - nothing is sent to a client that is gone (`sink.alive` false): the coalescer detaches instead.
 */
import { IPC_LIMITS } from '../../shared/contract.ts';
import type { SendProgress } from '../../shared/session.ts';
import type {
  DatagramRecord,
  DatagramSessionStatus,
  DatagramTranscriptEntry,
  DatagramUpdate,
  DatagramWithBytes,
} from '../../shared/session-datagram.ts';

/** What the coalescer needs of a session (DatagramSession satisfies it). */
export interface DatagramEventSource {
  readonly id: string;
  readonly status: DatagramSessionStatus;
  on(event: 'status', fn: (s: DatagramSessionStatus) => void): unknown;
  on(event: 'datagram', fn: (record: DatagramRecord, bytes: Uint8Array) => void): unknown;
  on(event: 'transcript', fn: (e: DatagramTranscriptEntry) => void): unknown;
  on(event: 'send-progress', fn: (p: SendProgress) => void): unknown;
  off(event: 'status', fn: (s: DatagramSessionStatus) => void): unknown;
  off(event: 'datagram', fn: (record: DatagramRecord, bytes: Uint8Array) => void): unknown;
  off(event: 'transcript', fn: (e: DatagramTranscriptEntry) => void): unknown;
  off(event: 'send-progress', fn: (p: SendProgress) => void): unknown;
}

/** Where updates go: a window's webContents or a WebSocket. */
export interface DatagramUpdateSink {
  readonly alive: boolean;
  sendDatagramUpdate(update: DatagramUpdate): void;
  /** Bytes sent but not yet taken by the other side (WebSocket bufferedAmount); 0 when unknown. */
  backlog?(): number;
}

export const MAX_UPDATE_DATAGRAMS = 2_000;
export const MAX_UPDATE_BYTES = 2 * 1024 * 1024;
export const MAX_SINK_BACKLOG = 8 * 1024 * 1024;
const MIN_INTERVAL_MS = 1000 / IPC_LIMITS.updatesPerSecond;

/** Starts forwarding; returns a function that stops it (idempotent). */
export function forwardDatagramUpdates(session: DatagramEventSource, sink: DatagramUpdateSink): () => void {
  /** Datagrams not yet sent, oldest first, read from `head` on (no shifting of a long array). */
  let pending: DatagramWithBytes[] = [];
  let head = 0;
  let transcript: DatagramTranscriptEntry[] = [];
  let progress: SendProgress | null = null;
  let lastPhase = session.status.phase;
  let closedSent = false;
  let lastFlush = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let detached = false;

  function waiting(): number {
    return pending.length - head;
  }

  /** Takes the next datagrams within the per-update limits; at least one when any is waiting. */
  function take(): DatagramWithBytes[] {
    const out: DatagramWithBytes[] = [];
    let bytes = 0;
    while (head < pending.length && out.length < MAX_UPDATE_DATAGRAMS) {
      const next = pending[head]!;
      if (out.length > 0 && bytes + next.bytes.byteLength > MAX_UPDATE_BYTES) break;
      out.push(next);
      bytes += next.bytes.byteLength;
      head += 1;
    }
    // Compact once the consumed prefix dominates, so memory follows what is still waiting.
    if (head > 1024 && head * 2 > pending.length) {
      pending = pending.slice(head);
      head = 0;
    }
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
    const held = (sink.backlog?.() ?? 0) > MAX_SINK_BACKLOG;
    const datagrams = held ? [] : take();
    const status = session.status;
    sink.sendDatagramUpdate({ id: session.id, status, datagrams, transcript, progress });
    transcript = [];
    progress = null;
    lastFlush = performance.now();
    if (status.phase === 'closed') closedSent = true;
    if (closedSent && waiting() === 0) detach();
    else if (waiting() > 0) schedule();
  }

  function schedule(): void {
    if (timer || detached) return;
    const wait = Math.max(0, lastFlush + MIN_INTERVAL_MS - performance.now());
    timer = setTimeout(flush, wait);
  }

  const onStatus = (s: DatagramSessionStatus): void => {
    if (s.phase !== lastPhase) {
      lastPhase = s.phase;
      // Events of the same turn (the engine records 'closed' right after this status) go with it.
      queueMicrotask(flush);
    } else schedule();
  };
  const onDatagram = (record: DatagramRecord, bytes: Uint8Array): void => {
    pending.push({ record, bytes });
    schedule();
  };
  const onTranscript = (e: DatagramTranscriptEntry): void => {
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
    pending = [];
    head = 0;
    session.off('status', onStatus);
    session.off('datagram', onDatagram);
    session.off('transcript', onTranscript);
    session.off('send-progress', onProgress);
  }

  session.on('status', onStatus);
  session.on('datagram', onDatagram);
  session.on('transcript', onTranscript);
  session.on('send-progress', onProgress);
  // The first update tells the client the session exists and where it stands.
  flush();
  return detach;
}
