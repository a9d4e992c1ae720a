/**
 * Whether the Text view can wrap a response, and why not. One decision, read by the Wrap control
 * (which must show what is in effect) and by the Text view (which renders it).
 *
 * Wrapped text is rendered whole, which is smooth only for small, mostly textual responses; larger
 * ones, or ones with many control or invalid bytes (each a separate mark element), render line by
 * line, virtualized, unwrapped.
 */
import { bytesToDisplayText, type TextView } from '../../shared/byte-view.ts';
import type { TextEncoding } from '../../shared/payload.ts';
import { formatCount } from './format.ts';
import { t } from './i18n/index.ts';

export const WRAP_LIMITS = {
  maxBytes: 256 * 1024,
  /** Control characters plus invalid sequences, each rendered as a mark. */
  maxMarks: 4000,
} as const;

/** Why wrapping is off whatever the Wrap box says; null when it can wrap. */
export type WrapBlock = 'size' | 'marks' | null;

export interface TextLayout {
  /** The decoded text when small enough to render whole, else null. */
  whole: TextView | null;
  blocked: WrapBlock;
  /**
   * Invalid sequences shown as U+FFFD, where known: with the text, or with too many marks to wrap
   * (decoded all the same, so the badge still says how many). Unknown over the size limit.
   */
  replacementCount: number | null;
}

/** What textLayout reads: a ResponseBuffer decodes only what arrived since it was last asked. */
export interface LaidOutBytes {
  readonly length: number;
  all(): Uint8Array;
  displayText?(encoding: TextEncoding, maxBytes: number): TextView | null;
}

/** Decodes at most {@link WRAP_LIMITS.maxBytes}; reads only `length` for anything larger. */
export function textLayout(bytes: LaidOutBytes, encoding: TextEncoding): TextLayout {
  if (bytes.length > WRAP_LIMITS.maxBytes) {
    // Asked over its limit, a buffer lets go of the text it decoded while it was smaller.
    bytes.displayText?.(encoding, WRAP_LIMITS.maxBytes);
    return { whole: null, blocked: 'size', replacementCount: null };
  }
  const whole = bytes.displayText?.(encoding, WRAP_LIMITS.maxBytes) ?? bytesToDisplayText(bytes.all(), encoding);
  const marks = whole.controlCount + whole.replacementCount;
  return marks > WRAP_LIMITS.maxMarks
    ? { whole: null, blocked: 'marks', replacementCount: whole.replacementCount }
    : { whole, blocked: null, replacementCount: whole.replacementCount };
}

/** The sentence shown beside the disabled Wrap box. */
export function wrapBlockedReason(blocked: Exclude<WrapBlock, null>): string {
  return blocked === 'size'
    ? t('response.wrapOffSize')
    : t('response.wrapOffMarks', { n: formatCount(WRAP_LIMITS.maxMarks) });
}

/** A wrapped piece ends at the first line break after this many characters… */
export const PIECE_CHARS = 8 * 1024;
/** …or here, when a line is longer (a line break of our own there, the one visible trace of the split). */
export const MAX_PIECE_CHARS = 64 * 1024;

/**
 * The wrapped text in pieces, each drawn as a block of its own. Why: while a response grows, the
 * whole text is drawn again at every redraw, and one block of 200 KiB of wrapped text took one
 * layout of 140 ms (a listener client's view, measured by the Long Animation Frames API). Split
 * from the start the same way every time, so the pieces before the last stay identical strings:
 * Svelte leaves their DOM alone and Blink keeps their layout; only the growing end is laid out again.
 * Cuts fall right after a "\n" (no visible change), never inside a surrogate pair.
 */
export function layoutPieces(text: string): string[] {
  const pieces: string[] = [];
  let at = 0;
  while (text.length - at > PIECE_CHARS) {
    const nl = text.indexOf('\n', at + PIECE_CHARS);
    let end = nl === -1 || nl + 1 - at > MAX_PIECE_CHARS ? at + MAX_PIECE_CHARS : nl + 1;
    if (end >= text.length) break;
    const c = text.charCodeAt(end - 1);
    if (c >= 0xd800 && c <= 0xdbff) end++;
    pieces.push(text.slice(at, end));
    at = end;
  }
  pieces.push(text.slice(at));
  return pieces;
}

/** Line height of the response text (ResponsePanel.svelte), for the size a skipped piece is drawn as. */
export const TEXT_LINE_PX = 20;

/**
 * The height a piece is taken to have while the browser skips it (`content-visibility: auto`):
 * one line per line break in it, unwrapped. Why pieces are skipped at all: a listener client's
 * first redraw put 200 KiB of wrapped text into the view at once, one layout of 60–76 ms (a long
 * task); with off-screen pieces skipped, only the few in view are laid out. The estimate only
 * steers the scrollbar until a piece is first drawn (`auto` then keeps its real size).
 */
export function pieceHeightEstimate(piece: string): number {
  let lines = 1;
  for (let at = piece.indexOf('\n'); at !== -1 && at < piece.length - 1; at = piece.indexOf('\n', at + 1)) lines++;
  return lines * TEXT_LINE_PX;
}
