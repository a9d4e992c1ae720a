/**
 * How received bytes are shown: hex dump rows and a text view. Peer bytes are hostile input
 * (RELIABILITY.md F23, R1): they are shown, never interpreted.
 *
 * Invariants:
 * - Pure and slice-friendly: functions read only the part of the array they show, through
 *   `subarray` views, so a 100 MiB response is never copied to draw one screen.
 * - The hex view is exact. The text view never hides a byte: invalid UTF-8 becomes U+FFFD (counted
 *   in `replacementCount`), a byte-order mark is kept rather than swallowed, and every control, C1
 *   and bidi character is replaced by a visible mark (counted in `controlCount`), so no escape
 *   sequence, direction override or invisible character can change how the rest reads.
 * - Latin-1 here is ISO-8859-1 (byte n is U+00nn), not windows-1252, which is what
 *   `new TextDecoder('latin1')` would give.
 */

/** Bytes per hex dump row. */
export const HEX_BYTES_PER_ROW = 16;

/** One row of the hex dump. */
export interface HexDumpRow {
  /** Offset of the row's first byte: lower-case hex, at least 8 digits (more past 4 GiB). */
  offset: string;
  /**
   * The bytes as lower-case hex pairs separated by spaces, with a second space after the 8th byte;
   * a short last row is padded with spaces to the full width (48 characters), so columns line up.
   */
  hex: string;
  /** One character per byte: 0x20–0x7E as themselves, every other byte as ".". */
  ascii: string;
}

/** Received bytes as text, with what had to be made visible. */
export interface TextView {
  text: string;
  /** Invalid UTF-8 sequences shown as U+FFFD (a U+FFFD that was validly encoded is not counted). */
  replacementCount: number;
  /** Control, C1, bidi and other invisible characters replaced by visible marks. */
  controlCount: number;
}

/** An incremental UTF-8 decoder for a response that arrives in chunks. */
export interface Utf8StreamDecoder {
  /** Decodes one chunk; a multibyte sequence split across chunks is completed by the next push. */
  push(chunk: Uint8Array): TextView;
  /** Flushes an incomplete final sequence (as U+FFFD) and resets the decoder for reuse. */
  end(): TextView;
}

const HEX_ROW_WIDTH = HEX_BYTES_PER_ROW * 3;
const HEX_PAIRS: readonly string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const ASCII_CHARS: readonly string[] = Array.from({ length: 256 }, (_, byte) =>
  byte >= 0x20 && byte <= 0x7e ? String.fromCharCode(byte) : '.',
);
/** Characters of `String.fromCharCode` for Latin-1 decoding, taken in slices this long. */
const LATIN1_SLICE = 0x2000;

/**
 * The mark for each code below U+00A0 that the text view replaces (C0 except TAB and LF, DEL, C1),
 * or undefined for characters shown as themselves.
 */
const LOW_MARKS: readonly (string | undefined)[] = Array.from({ length: 0xa0 }, (_, code) => {
  if (code === 0x09 || code === 0x0a || (code >= 0x20 && code < 0x7f)) return undefined;
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return codePointMarker(code);
});

/** Invisible characters above U+00A0 shown as markers: bidi controls, line/paragraph separators, BOM. */
const HIGH_MARKED: ReadonlySet<number> = new Set([
  0x061c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
  0xfeff,
]);

/**
 * Formats a byte offset as lower-case hex with at least 8 digits (`00000010`); offsets of 4 GiB
 * and more simply get more digits (`100000000`).
 */
export function formatHexOffset(offset: number): string {
  return offset.toString(16).padStart(8, '0');
}

/**
 * Rows `firstRow` to `firstRow + rowCount - 1` of the hex dump of `bytes`. Rows past the end are
 * left out, so the result may be shorter (or empty); a negative or fractional row or count is
 * rounded down and clamped at 0. `baseOffset` is where `bytes` starts in the whole response, for
 * callers that hold the response in chunks; offsets are printed as `baseOffset` plus the position.
 */
export function hexDumpRows(bytes: Uint8Array, firstRow: number, rowCount: number, baseOffset = 0): HexDumpRow[] {
  const startRow = Math.max(0, Math.floor(firstRow) || 0);
  const lastRow = Math.min(
    Math.ceil(bytes.length / HEX_BYTES_PER_ROW),
    startRow + Math.max(0, Math.floor(rowCount) || 0),
  );
  const rows: HexDumpRow[] = [];
  for (let row = startRow; row < lastRow; row++) {
    const start = row * HEX_BYTES_PER_ROW;
    const end = Math.min(start + HEX_BYTES_PER_ROW, bytes.length);
    let hex = '';
    let ascii = '';
    for (let i = start; i < end; i++) {
      const byte = bytes[i]!;
      const column = i - start;
      if (column > 0) hex += column === HEX_BYTES_PER_ROW / 2 ? '  ' : ' ';
      hex += HEX_PAIRS[byte];
      ascii += ASCII_CHARS[byte];
    }
    rows.push({ offset: formatHexOffset(baseOffset + start), hex: hex.padEnd(HEX_ROW_WIDTH), ascii });
  }
  return rows;
}

/**
 * Decodes `bytes` for display. UTF-8: invalid sequences (including overlong forms, surrogates and
 * truncated sequences) become U+FFFD per the WHATWG decoder; Latin-1: byte n is U+00nn. Then:
 * C0 controls except TAB and LF become Control Pictures (NUL → ␀, CR → ␍, so CR LF shows as
 * "␍" and a line break; ESC → ␛), DEL → ␡, and C1 controls, bidi controls (U+061C, U+200E,
 * U+200F, U+202A–U+202E, U+2066–U+2069), U+2028, U+2029 and U+FEFF become markers like ⟨U+202E⟩.
 */
export function bytesToDisplayText(bytes: Uint8Array, encoding: 'utf8' | 'latin1'): TextView {
  if (encoding === 'latin1') return makeVisible(decodeLatin1(bytes), 0);
  const decoded = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
  return makeVisible(decoded, countEncodedReplacementCharacters(bytes, 0).count);
}

/**
 * How many leading bytes of `bytes` end on a UTF-8 sequence boundary: all of them, unless they end
 * in the first bytes of a sequence that more bytes could still complete (a lead byte, and the
 * continuation bytes the WHATWG decoder accepts after it), which start where this returns.
 * Decoding `bytes` in parts cut here gives the same text and counts as decoding it whole, which is
 * what lets a growing response be decoded a part at a time (renderer/lib/response-buffer.ts).
 */
export function utf8CompletePrefix(bytes: Uint8Array): number {
  const n = bytes.length;
  // An incomplete sequence is at most 3 bytes: its lead is one of the last three.
  for (let lead = n - 1; lead >= Math.max(0, n - 3); lead--) {
    const b = bytes[lead]!;
    if (b >= 0x80 && b <= 0xbf) continue;
    const need = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (need === 0 || n - lead >= need) return n;
    // The decoder's bounds for the byte after the lead (no overlong forms, surrogates or > U+10FFFF).
    const low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const high = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    for (let i = lead + 1; i < n; i++) {
      const c = bytes[i]!;
      if (i === lead + 1 ? c < low || c > high : c < 0x80 || c > 0xbf) return n;
    }
    return lead;
  }
  return n;
}

/**
 * An incremental version of `bytesToDisplayText(…, 'utf8')`: pushing a response in any split
 * gives, concatenated, the same text and the same counts as decoding it whole.
 */
export function createUtf8StreamDecoder(): Utf8StreamDecoder {
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  let matchState: MatchState = 0;
  return {
    push(chunk: Uint8Array): TextView {
      const decoded = decoder.decode(chunk, { stream: true });
      const genuine = countEncodedReplacementCharacters(chunk, matchState);
      matchState = genuine.state;
      return makeVisible(decoded, genuine.count);
    },
    end(): TextView {
      matchState = 0;
      return makeVisible(decoder.decode(), 0);
    },
  };
}

/**
 * Replaces the characters listed on {@link bytesToDisplayText} and counts them, plus the U+FFFD;
 * `encodedReplacements` of those U+FFFD came from validly encoded bytes and are not replacements.
 * A plain loop rather than a regex callback: binary responses match on most characters, and a
 * callback per match was ~7× slower (measured on 1 MiB of random bytes: 103 ms against 14 ms).
 */
/**
 * Text from a file or a peer made safe to show inside our own sentences: the same marks as
 * {@link bytesToDisplayText}, so a bidi override in a YAML key cannot reverse the rest of the line.
 */
export function visibleText(text: string): string {
  return makeVisible(text, 0).text;
}

function makeVisible(decoded: string, encodedReplacements: number): TextView {
  let text = '';
  let runStart = 0;
  let replacements = 0;
  let controls = 0;
  for (let i = 0; i < decoded.length; i++) {
    const code = decoded.charCodeAt(i);
    let mark: string | undefined;
    if (code < 0xa0) {
      mark = LOW_MARKS[code];
    } else if (code === 0xfffd) {
      replacements++;
    } else if (code >= 0x061c && HIGH_MARKED.has(code)) {
      mark = codePointMarker(code);
    }
    if (mark === undefined) continue;
    controls++;
    text += decoded.slice(runStart, i) + mark;
    runStart = i + 1;
  }
  text = runStart === 0 ? decoded : text + decoded.slice(runStart);
  return { text, replacementCount: replacements - encodedReplacements, controlCount: controls };
}

/** `⟨U+202E⟩`: a visible stand-in for an invisible or control character. */
function codePointMarker(code: number): string {
  return `⟨U+${code.toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

function decodeLatin1(bytes: Uint8Array): string {
  let text = '';
  for (let start = 0; start < bytes.length; start += LATIN1_SLICE) {
    text += String.fromCharCode.apply(null, bytes.subarray(start, start + LATIN1_SLICE) as unknown as number[]);
  }
  return text;
}

/** How much of EF BF BD (U+FFFD in UTF-8) the bytes so far end with: 0, EF, or EF BF. */
type MatchState = 0 | 1 | 2;

/**
 * Counts EF BF BD sequences: each is one validly encoded U+FFFD, so the decoder's other U+FFFD are
 * replacements. This holds because 0xEF is never a continuation byte: the WHATWG decoder always
 * starts a new sequence at it, so every EF BF BD decodes to exactly one U+FFFD. `state` carries a
 * partial match across stream chunks; the count goes to the chunk whose BD completes the match,
 * which is also the push in which the decoder emits that character.
 */
function countEncodedReplacementCharacters(bytes: Uint8Array, state: MatchState): { count: number; state: MatchState } {
  let count = 0;
  let index = 0;
  if (state === 1 && bytes.length > 0 && bytes[0] === 0xbf) {
    if (bytes.length === 1) return { count: 0, state: 2 };
    if (bytes[1] === 0xbd) {
      count++;
      index = 2;
    }
  } else if (state === 2 && bytes[0] === 0xbd) {
    count++;
    index = 1;
  } else if (bytes.length === 0) {
    return { count: 0, state };
  }
  for (index = bytes.indexOf(0xef, index); index >= 0; index = bytes.indexOf(0xef, index + 1)) {
    if (bytes[index + 1] === 0xbf && bytes[index + 2] === 0xbd) count++;
  }
  return { count, state: trailingMatchState(bytes, state) };
}

/** The partial match at the end of `bytes` (or of `bytes` after `previous` when it is short). */
function trailingMatchState(bytes: Uint8Array, previous: MatchState): MatchState {
  const length = bytes.length;
  const last = bytes[length - 1];
  if (last === 0xef) return 1;
  if (last === 0xbf && (length >= 2 ? bytes[length - 2] === 0xef : previous === 1)) return 2;
  return 0;
}
