/**
 * Messages between the page and web mode's bridge worker (bridge-worker.ts). The worker owns the
 * WebSocket: frames are decoded and line starts found on its thread; the page receives decoded
 * events with the bytes' buffers transferred (not copied) and stores what it draws.
 */
import type { EventChannel } from '../../../shared/contract.ts';
import type { Result } from '../../../shared/errors.ts';
import type { WebConnectionState } from './web-client.ts';

export type ToWorker =
  | { t: 'open'; url: string; token: string }
  | { t: 'call'; n: number; channel: string; arg: unknown }
  /** The page stored session `id`'s bytes before `through` (flow control). */
  | { t: 'ack'; id: string; through: number };

export type FromWorker =
  | { t: 'state'; state: WebConnectionState }
  | { t: 'result'; n: number; result: Result<unknown> }
  /** `lineStarts`: for a `session:update` with data, the line starts its bytes add (line-index.ts). */
  | { t: 'event'; event: EventChannel; payload: unknown; lineStarts?: Float64Array };
