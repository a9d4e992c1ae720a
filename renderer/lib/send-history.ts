/**
 * The list of sends a tab made ("Sent in this session"), bounded by count and by bytes held, with
 * a count of what it dropped so the UI can say so (STYLE.md habit 8: a limit hit is never silent).
 *
 * An item holds its bytes (for "Send again") and its editor text (to put back in the editor). An
 * item whose bytes alone exceed the byte budget (a big file sent from the browser) is kept in the
 * list without its bytes: it can be seen but not sent again from here.
 */
export const HISTORY_LIMITS = {
  maxItems: 50,
  /** Bytes and editor text (2 bytes a UTF-16 unit) held by the whole list. */
  maxBytes: 16 * 1024 * 1024,
} as const;

/** What the history needs of an item. */
export interface HistoryItem {
  bytes: Uint8Array;
  text: string;
  /** Bytes that were sent; equals `bytes.byteLength` unless the bytes were not kept. */
  size: number;
  /** False when the bytes were too large to keep for "Send again". */
  bytesKept: boolean;
}

export interface HistoryAdd<T> {
  items: T[];
  /** Older items dropped by this addition. */
  dropped: number;
}

/** Memory an item holds. */
export function historyFootprint(item: HistoryItem): number {
  return item.bytes.byteLength + 2 * item.text.length;
}

/** Puts `item` first and drops the oldest items until both limits hold. Pure. */
export function addToHistory<T extends HistoryItem>(
  items: readonly T[],
  item: T,
  limits: { readonly maxItems: number; readonly maxBytes: number } = HISTORY_LIMITS,
): HistoryAdd<T> {
  const first: T = historyFootprint(item) > limits.maxBytes ? { ...item, bytes: new Uint8Array(0), text: '', bytesKept: false } : item;
  const kept: T[] = [first];
  let total = historyFootprint(first);
  for (const older of items) {
    if (kept.length >= limits.maxItems) break;
    const size = historyFootprint(older);
    if (total + size > limits.maxBytes) break;
    kept.push(older);
    total += size;
  }
  return { items: kept, dropped: items.length + 1 - kept.length };
}
