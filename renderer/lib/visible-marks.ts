/**
 * Splits display text (from shared/byte-view.ts) into plain runs and visible marks, so the views
 * can draw each mark as a small labelled chip. Fonts differ in which Control Pictures (U+2400…)
 * they have; a chip with ASCII letters reads the same everywhere.
 */
import { locale, t } from './i18n/index.ts';
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

/**
 * How many marks `text` has, counting no further than `limit + 1`: a view that draws chips only up
 * to a limit learns that a line is over it without splitting (and describing) every mark.
 */
export function countMarks(text: string, limit: number): number {
  let n = 0;
  MARKS.lastIndex = 0;
  while (n <= limit && MARKS.exec(text)) n++;
  return n;
}

/**
 * `text` split into runs and marks, or null when it has no marks or more than `maxMarks` of them
 * (the caller draws it as plain text then).
 */
export function splitMarksUpTo(text: string, maxMarks: number): TextPiece[] | null {
  const n = countMarks(text, maxMarks);
  return n === 0 || n > maxMarks ? null : splitMarks(text);
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

/**
 * Each mark's label and title, per language: a large response redraws thousands of chips a second
 * and a translation lookup per chip was most of a frame. `locale()` keeps the caller reactive to a
 * language switch, as t() would. Bounded: marks are control pictures, U+FFFD and ⟨U+XXXX⟩ of the
 * invisible characters byte-view.ts names, a few hundred at most.
 */
const described = new Map<string, { label: string; title: string }>();
const DESCRIBED_MAX = 4096;

function describe(mark: string): { label: string; title: string } {
  const key = `${locale()}\u0000${mark}`;
  let d = described.get(key);
  if (!d) {
    if (described.size >= DESCRIBED_MAX) described.clear();
    described.set(key, (d = describeNow(mark)));
  }
  return d;
}

function describeNow(mark: string): { label: string; title: string } {
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
