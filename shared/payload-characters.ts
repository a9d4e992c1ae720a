/**
 * Naming characters in error messages, shared by the payload codec and the endpoint parsers.
 *
 * Invariant: a description never contains the raw character when that character is invisible,
 * a control, a line break or half of a surrogate pair, so an error message can never hide or
 * reorder text around it (bidi controls) when it is shown.
 */

/**
 * Control, format, separator and unassigned/private characters: shown only by code point. Made on
 * first use: a Unicode-property literal costs ~0.15 ms to create, at every CLI start-up if at load.
 */
let invisibleOrControl: RegExp | undefined;

/** `U+00E9`-style code point label: at least four upper-case hex digits. */
export function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Made on first use: most texts are ASCII, and a segmenter costs time to create. */
let graphemes: Intl.Segmenter | undefined;

/**
 * The 1-based number of the character at UTF-16 index `index`, as a person counts: one per
 * character seen (a grapheme cluster), so an emoji, a flag, a family joined with ZWJ or a letter
 * with a combining accent before it counts once. A position inside a cluster (a combining mark
 * that is itself the fault) is that cluster's number. Positions in errors stay UTF-16 indexes
 * (what a text field's selection takes); sentences say this number.
 */
export function characterNumber(text: string, index: number): number {
  const end = Math.min(Math.max(0, index), text.length);
  // ASCII up to the fault and at it (a combining mark there joins the letter before): one
  // character per unit, except CR LF, which is one cluster.
  let ascii = end >= text.length || text.charCodeAt(end) < 0x80;
  let pairs = 0;
  for (let i = 0; i < end && ascii; i++) {
    const unit = text.charCodeAt(i);
    ascii = unit < 0x80;
    if (unit === 0x0d && text.charCodeAt(i + 1) === 0x0a) pairs++;
  }
  if (ascii) return end + 1 - pairs;
  graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  let n = 0;
  for (const { index: start } of graphemes.segment(text.slice(0, end + 1))) {
    if (start > end) break;
    n++;
  }
  return Math.max(1, n);
}

/**
 * Names the character that starts at UTF-16 index `index` of `text` for an error message:
 * `"g"` for visible ASCII, `"é" (U+00E9)` for other visible characters, `U+0000` for controls and
 * invisible characters, `space (U+0020)`, and `lone surrogate U+D800` for unpaired surrogates.
 */
export function describeCharacter(text: string, index: number): string {
  const codePoint = text.codePointAt(index);
  if (codePoint === undefined) return 'end of text';
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return `lone surrogate ${codePointLabel(codePoint)}`;
  if (codePoint === 0x20) return 'space (U+0020)';
  if (codePoint === 0x22) return `'"'`;
  const character = String.fromCodePoint(codePoint);
  if (codePoint > 0x20 && codePoint < 0x7f) return `"${character}"`;
  if ((invisibleOrControl ??= /^[\p{C}\p{Z}]$/u).test(character)) return codePointLabel(codePoint);
  return `"${character}" (${codePointLabel(codePoint)})`;
}
