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
}

/** Decodes at most {@link WRAP_LIMITS.maxBytes}; reads only `length` for anything larger. */
export function textLayout(bytes: { readonly length: number; all(): Uint8Array }, encoding: TextEncoding): TextLayout {
  if (bytes.length > WRAP_LIMITS.maxBytes) return { whole: null, blocked: 'size' };
  const whole = bytesToDisplayText(bytes.all(), encoding);
  const marks = whole.controlCount + whole.replacementCount;
  return marks > WRAP_LIMITS.maxMarks ? { whole: null, blocked: 'marks' } : { whole, blocked: null };
}

/** The sentence shown beside the disabled Wrap box. */
export function wrapBlockedReason(blocked: Exclude<WrapBlock, null>): string {
  return blocked === 'size'
    ? t('response.wrapOffSize')
    : t('response.wrapOffMarks', { n: formatCount(WRAP_LIMITS.maxMarks) });
}
