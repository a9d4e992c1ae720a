/**
 * The "Sent in this session" list: what each item holds, the one way one is made, and its bounds.
 *
 * The list is bounded by count and by the memory its items hold, with a count of what it dropped
 * so the UI can say so (STYLE.md habit 8: a limit hit is never silent). An item holds its bytes
 * (for "Send again") and its editor payload (to put back in the editor). An item whose bytes alone
 * exceed the byte budget (a big file sent from the browser) is kept in the list without them: it
 * can be seen but not sent again from here.
 */
import { formatCount } from '../format.ts';
import { t } from '../i18n/index.ts';
import type { PayloadSpec } from '../../../shared/payload.ts';

/** One send this session made, kept for the history list. */
export interface SentItem {
  at: number;
  /** The bytes to send again; empty when they were not kept (see {@link bytesKept}). */
  bytes: Uint8Array;
  /** Bytes that were sent; equals `bytes.byteLength` unless the bytes were not kept. */
  size: number;
  /** False when the bytes were too large to keep, or main sent them (a file): no "Send again". */
  bytesKept: boolean;
  /** What to put back in the editor to re-send it; null for bytes that came from a file. */
  payload: PayloadSpec | null;
  halfClose: boolean;
  label: string;
}

/** Where a send's bytes came from: the editor (restorable), or something with only a label. */
export type SentSource = { payload: PayloadSpec } | { label: string };

export const SENT_HISTORY_LIMITS = {
  /** Items kept per session; older ones drop off the end. */
  maxItems: 50,
  /** Bytes and editor text (2 bytes a UTF-16 unit) held by the whole list. */
  maxBytes: 16 * 1024 * 1024,
} as const;
const LABEL_CHARS = 60;

/** Builds a history item, whatever sent the bytes (editor, history, a file). */
export function sentItem(source: SentSource, bytes: Uint8Array, halfClose: boolean, at: number): SentItem {
  const kept = { at, bytes, size: bytes.byteLength, bytesKept: true, halfClose };
  if ('payload' in source) return { ...kept, payload: source.payload, label: source.payload.text.slice(0, LABEL_CHARS) };
  return { ...kept, payload: null, label: source.label };
}

/** An item for a file main streamed: its bytes never came to the renderer. */
export function streamedFileItem(fileName: string, bytesSent: number, halfClose: boolean, at: number): SentItem {
  const label = t('request.fileLabel', { name: fileName, n: formatCount(bytesSent) });
  return { at, bytes: new Uint8Array(0), size: bytesSent, bytesKept: false, payload: null, halfClose, label };
}

/** Memory an item holds. */
export function sentFootprint(item: SentItem): number {
  return item.bytes.byteLength + 2 * (item.payload?.text.length ?? 0);
}

export interface SentPush {
  items: SentItem[];
  /** Older items dropped by this addition. */
  dropped: number;
}

/** The list with `item` first, dropping the oldest items until both limits hold. Pure. */
export function pushSent(
  list: readonly SentItem[],
  item: SentItem,
  limits: { readonly maxItems: number; readonly maxBytes: number } = SENT_HISTORY_LIMITS,
): SentPush {
  const first: SentItem =
    sentFootprint(item) > limits.maxBytes ? { ...item, bytes: new Uint8Array(0), payload: null, bytesKept: false } : item;
  const kept: SentItem[] = [first];
  let total = sentFootprint(first);
  for (const older of list) {
    if (kept.length >= limits.maxItems) break;
    const size = sentFootprint(older);
    if (total + size > limits.maxBytes) break;
    kept.push(older);
    total += size;
  }
  return { items: kept, dropped: list.length + 1 - kept.length };
}
