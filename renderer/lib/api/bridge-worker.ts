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
import { EVENT_CHANNELS } from '../../../shared/contract.ts';
import { LineIndexer } from '../line-index.ts';
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

function forwardUpdate(u: EventPayload<'session:update'>): void {
  const data = u.data;
  if (!data || data.byteLength === 0) {
    scope.postMessage({ t: 'event', event: 'session:update', payload: u });
    return;
  }
  let entry = indexers.get(u.id);
  if (!entry && u.dataOffset === 0) indexers.set(u.id, (entry = { indexer: new LineIndexer(), next: 0 }));
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

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.t === 'open') {
    if (client) return;
    client = createWebClient(m.url, m.token, { autoAck: false });
    client.onConnectionChange((state) => scope.postMessage({ t: 'state', state }));
    for (const event of EVENT_CHANNELS) {
      if (event === 'session:update') client.on(event, forwardUpdate);
      else client.on(event, (payload) => scope.postMessage({ t: 'event', event, payload }));
    }
  } else if (m.t === 'call') {
    if (!client) return;
    if (m.channel === 'session:discard') indexers.delete((m.arg as { id?: string } | null)?.id ?? '');
    void client.call(m.channel as never, m.arg as never).then((result) => scope.postMessage({ t: 'result', n: m.n, result }));
  } else if (m.t === 'ack') {
    client?.ack(m.id, m.through);
  }
};
