/** The "Sent in this session" list: what each item holds, the one way one is made, and its bound. */
import type { PayloadSpec } from '../../../shared/payload.ts';

/** One send this session made, kept for the history list. */
export interface SentItem {
  at: number;
  bytes: Uint8Array;
  /** What to put back in the editor to re-send it; null for bytes that came from a file. */
  payload: PayloadSpec | null;
  halfClose: boolean;
  label: string;
}

/** Where a send's bytes came from: the editor (restorable), or something with only a label. */
export type SentSource = { payload: PayloadSpec } | { label: string };

/** Items kept per session; older ones drop off the end. */
export const MAX_SENT_HISTORY = 50;
const LABEL_CHARS = 60;

/** Builds a history item, whatever sent the bytes (editor, history, a file). */
export function sentItem(source: SentSource, bytes: Uint8Array, halfClose: boolean, at: number): SentItem {
  if ('payload' in source) return { at, bytes, payload: source.payload, halfClose, label: source.payload.text.slice(0, LABEL_CHARS) };
  return { at, bytes, payload: null, halfClose, label: source.label };
}

/** The list with `item` first, at most {@link MAX_SENT_HISTORY} long. */
export function pushSent(list: readonly SentItem[], item: SentItem): SentItem[] {
  return [item, ...list].slice(0, MAX_SENT_HISTORY);
}
