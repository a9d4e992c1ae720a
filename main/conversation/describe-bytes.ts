/**
 * Bytes shown to people in step messages: as escapes-mode text (printable ASCII as itself, every
 * other byte escaped, so hostile bytes never reach a terminal raw) and as hex, cut to a bounded
 * excerpt around the point that matters.
 */
import { bytesToEscapes, bytesToHex } from '../../shared/payload.ts';

/** Bytes shown on each side of the point of interest. */
export const EXCERPT_RADIUS = 24;

/** One excerpt: where it starts in the bytes, and the text and hex lines. */
export interface Excerpt {
  from: number;
  to: number;
  text: string;
  hex: string;
}

/** The bytes [around − radius, around + radius), clipped; the whole input when it is short. */
export function excerpt(bytes: Uint8Array, around: number, radius = EXCERPT_RADIUS): Excerpt {
  let from = 0;
  let to = bytes.length;
  if (bytes.length > 2 * radius) {
    from = Math.max(0, Math.min(around - radius, bytes.length - 2 * radius));
    to = Math.min(bytes.length, from + 2 * radius);
  }
  const slice = bytes.subarray(from, to);
  const before = from > 0 ? `…(${from} bytes) ` : '';
  const after = to < bytes.length ? ` …(${bytes.length - to} more)` : '';
  return {
    from,
    to,
    text: `${before}"${bytesToEscapes(slice).replaceAll('"', '\\x22')}"${after}`,
    hex: `${before}${slice.length > 0 ? bytesToHex(slice) : '(none)'}${after}`,
  };
}

/** Two labelled lines, text then hex, indented under a label such as "expected". */
export function showBytes(label: string, bytes: Uint8Array, around: number, note = ''): string {
  const e = excerpt(bytes, around);
  const pad = ' '.repeat(label.length + 2);
  return `  ${label}: ${e.text}${note ? `  ${note}` : ''}\n  ${pad}${e.hex}`;
}

/** One byte for a message: `4b ("K")`. */
export function describeByte(byte: number | undefined): string {
  if (byte === undefined) return 'nothing (the bytes end here)';
  return `${byte.toString(16).padStart(2, '0')} ("${bytesToEscapes(Uint8Array.of(byte))}")`;
}
