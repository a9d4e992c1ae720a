/**
 * Web mode's bridge worker: the WebSocket to main lives here, off the page's main thread. Chromium
 * copies each WebSocket message on the thread that owns the socket, and decoding and line indexing
 * scale with the bytes; here they cost the page nothing. The page gets each event decoded, with the
 * bytes' buffer transferred (zero-copy) and, for `session:update`, the line starts already found.
 *
 * Flow control: the worker acknowledges nothing by itself. The page says what it stored
 * ({ t: 'ack' }) and only then does main get `session:ack`, so a frozen page stops main too.
 */
import type { EventPayload } from '../../../shared/contract.ts';
import type { SessionStatus } from '../../../shared/session.ts';
import { EVENT_CHANNELS } from '../../../shared/contract.ts';
import { LineIndexer } from '../line-index.ts';
import { createNewlineScanner } from '../newline-scan.ts';
import type { FromWorker, ToWorker } from './bridge-messages.ts';
import { createWebClient, type WebClient } from './web-client.ts';

interface WorkerScope {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

let client: WebClient | null = null;
/** Per session: the indexer and the offset it expects next (a gap stops indexing; the page reports it). */
const indexers = new Map<string, { indexer: LineIndexer; next: number }>();
/** SIMD line-end search for every indexer here (null: the JavaScript one; newline-scan.ts). */
const scanner = createNewlineScanner();

function forwardUpdate(u: EventPayload<'session:update'>): void {
  const data = u.data;
  if (!data || data.byteLength === 0) {
    scope.postMessage({ t: 'event', event: 'session:update', payload: u });
    return;
  }
  let entry = indexers.get(u.id);
  if (!entry && u.dataOffset === 0) indexers.set(u.id, (entry = { indexer: new LineIndexer(scanner), next: 0 }));
  let lineStarts: Float64Array | undefined;
  if (entry && entry.next === u.dataOffset) {
    lineStarts = entry.indexer.index(data);
    entry.next += data.byteLength;
  }
  // The data is a view into the frame's own buffer, which nothing else here holds: hand it over.
  const transfer: Transferable[] = [data.buffer as ArrayBuffer];
  if (lineStarts) transfer.push(lineStarts.buffer as ArrayBuffer);
  scope.postMessage({ t: 'event', event: 'session:update', payload: u, ...(lineStarts ? { lineStarts } : {}) }, transfer);
}

/**
 * Received bytes by a streamed HTTP response (`GET /bytes/<id>`, SessionOpenArg.byteStream):
 * Chromium takes a fetch() stream about ten times faster than WebSocket messages. The worker reads
 * at most {@link STREAM_WINDOW_BYTES} beyond what the page acknowledged (so a frozen page stops the
 * reading, then TCP stops main), joins reads into updates of up to {@link STREAM_UPDATE_BYTES},
 * and hands them to the page as `session:update` carrying the latest status main sent.
 */
const STREAM_WINDOW_BYTES = 32 * 1024 * 1024;
const STREAM_UPDATE_BYTES = 1024 * 1024;
const STREAM_BATCH_MS = 16;
/**
 * A read at least this big goes to the page as it is, not joined with others: Chromium's reads of
 * a fast stream are mostly 0.5–1 MiB, and joining them copied nearly every byte once more.
 */
const STREAM_DIRECT_BYTES = 256 * 1024;

interface ByteStream {
  offset: number;
  acked: number;
  status: SessionStatus | null;
  batch: Uint8Array[];
  batchBytes: number;
  timer: ReturnType<typeof setTimeout> | null;
  wake: (() => void) | null;
}
const streams = new Map<string, ByteStream>();
/** The latest status main sent per session (a stream may start after the first updates, or the last). */
const latestStatus = new Map<string, SessionStatus>();
let httpBase = '';
let token = '';

function emitBatch(id: string, st: ByteStream): void {
  if (st.timer) clearTimeout(st.timer);
  st.timer = null;
  if (st.batchBytes === 0) return;
  if (!st.status) {
    st.timer = setTimeout(() => emitBatch(id, st), STREAM_BATCH_MS);
    return;
  }
  const data = st.batch.length === 1 ? st.batch[0]! : new Uint8Array(st.batchBytes);
  if (st.batch.length > 1) {
    let at = 0;
    for (const b of st.batch) {
      data.set(b, at);
      at += b.byteLength;
    }
  }
  const dataOffset = st.offset - st.batchBytes;
  st.batch = [];
  st.batchBytes = 0;
  forwardUpdate({ id, status: st.status, data, dataOffset, transcript: [], progress: null });
}

async function readStream(id: string): Promise<void> {
  const st: ByteStream = { offset: 0, acked: 0, status: latestStatus.get(id) ?? null, batch: [], batchBytes: 0, timer: null, wake: null };
  streams.set(id, st);
  try {
    const response = await fetch(`${httpBase}/bytes/${encodeURIComponent(id)}`, { headers: { 'X-Socket-Tester-Token': token }, cache: 'no-store' });
    if (!response.ok || !response.body) return;
    const reader = response.body.getReader();
    for (;;) {
      while (st.offset - st.acked >= STREAM_WINDOW_BYTES) await new Promise<void>((r) => (st.wake = r));
      const { done, value } = await reader.read();
      if (done) break;
      // Smaller reads already waiting go first, on their own: the big one is never copied.
      if (value.byteLength >= STREAM_DIRECT_BYTES && st.batchBytes > 0 && st.status) emitBatch(id, st);
      st.batch.push(value);
      st.batchBytes += value.byteLength;
      st.offset += value.byteLength;
      if (st.batchBytes >= STREAM_UPDATE_BYTES || value.byteLength >= STREAM_DIRECT_BYTES) emitBatch(id, st);
      else st.timer ??= setTimeout(() => emitBatch(id, st), STREAM_BATCH_MS);
    }
  } catch {
    // The page sees the count run ahead of the view ("Loading bytes…"), never wrong bytes.
  } finally {
    emitBatch(id, st);
  }
}

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.t === 'open') {
    if (client) return;
    client = createWebClient(m.url, m.token, { autoAck: false });
    httpBase = m.url.replace(/^ws/, 'http').replace(/\/ws$/, '');
    token = m.token;
    client.onConnectionChange((state) => scope.postMessage({ t: 'state', state }));
    for (const event of EVENT_CHANNELS) {
      if (event === 'session:update')
        client.on(event, (u) => {
          latestStatus.set(u.id, u.status);
          const st = streams.get(u.id);
          if (st) st.status = u.status;
          forwardUpdate(u);
        });
      else client.on(event, (payload) => scope.postMessage({ t: 'event', event, payload }));
    }
  } else if (m.t === 'call') {
    if (!client) return;
    if (m.channel === 'session:discard') {
      const id = (m.arg as { id?: string } | null)?.id ?? '';
      indexers.delete(id);
      streams.delete(id);
      latestStatus.delete(id);
    }
    const open = m.channel === 'session:open' && typeof m.arg === 'object' && m.arg !== null;
    const arg = open ? { ...(m.arg as object), byteStream: true } : m.arg;
    void client.call(m.channel as never, arg as never).then((result) => {
      if (open && result.ok) void readStream((result.value as { id: string }).id);
      scope.postMessage({ t: 'result', n: m.n, result });
    });
  } else if (m.t === 'ack') {
    client?.ack(m.id, m.through);
    const st = streams.get(m.id);
    if (st && m.through > st.acked) {
      st.acked = m.through;
      st.wake?.();
      st.wake = null;
    }
  }
};
