/**
 * Splits display text (from shared/byte-view.ts) into plain runs and visible marks, so the views
 * can draw each mark as a small labelled chip. Fonts differ in which Control Pictures (U+2400…)
 * they have; a chip with ASCII letters reads the same everywhere.
 */
import { t } from './i18n/index.ts';
export type TextPiece = { text: string; mark: false } | { text: string; mark: true; label: string; title: string };

const C0_NAMES = [
  'NUL', 'SOH', 'STX', 'ETX', 'EOT', 'ENQ', 'ACK', 'BEL', 'BS', 'HT', 'LF', 'VT', 'FF', 'CR', 'SO', 'SI',
  'DLE', 'DC1', 'DC2', 'DC3', 'DC4', 'NAK', 'SYN', 'ETB', 'CAN', 'EM', 'SUB', 'ESC', 'FS', 'GS', 'RS', 'US',
];

// Control Pictures U+2400–U+241F, U+2421 (DEL), U+FFFD, and ⟨U+XXXX⟩ markers.
const MARKS = /[\u2400-\u241f\u2421\ufffd]|⟨U\+[0-9A-F]{4,6}⟩/g;

/** True when the text has no marks: the caller can render it as one text node. */
export function hasMarks(text: string): boolean {
  MARKS.lastIndex = 0;
  return MARKS.test(text);
}

export function splitMarks(text: string): TextPiece[] {
  const pieces: TextPiece[] = [];
  let last = 0;
  MARKS.lastIndex = 0;
  for (let m = MARKS.exec(text); m; m = MARKS.exec(text)) {
    if (m.index > last) pieces.push({ text: text.slice(last, m.index), mark: false });
    pieces.push({ text: m[0], mark: true, ...describe(m[0]) });
    last = m.index + m[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last), mark: false });
  return pieces;
}

function describe(mark: string): { label: string; title: string } {
  const code = mark.codePointAt(0)!;
  if (code >= 0x2400 && code <= 0x241f) {
    const byte = code - 0x2400;
    return { label: C0_NAMES[byte]!, title: t('marks.control', { hex: byte.toString(16).padStart(2, '0').toUpperCase() }) };
  }
  if (code === 0x2421) return { label: 'DEL', title: t('marks.control', { hex: '7F' }) };
  if (code === 0xfffd) return { label: '�', title: t('marks.invalid') };
  const hex = mark.slice(3, -1);
  return { label: hex, title: t('marks.invisible', { hex }) };
}
