/**
 * A reader for the INI files Qt's QSettings writes (QSettings::IniFormat), enough to read Packet
 * Sender's packets.ini exactly as Qt 5 reads it back:
 * - section and key names are percent-escaped (`%20`, `%UXXXX` for characters above U+00FF), and
 *   `\` in a key is Qt's `/` group separator, so `[Slash]` + `In%20name\port` is the key
 *   `Slash/In name/port`; the section `[General]` is the top level and `[%General]` a group
 *   literally called "General";
 * - values may be quoted (quotes protect `,` `;` `=` and edge spaces), use C escapes (`\\`, `\"`,
 *   `\t`, `\x2713`, octal `\0`), an unquoted `,` makes a string list and an unquoted `;` starts
 *   a comment;
 * - `@` marks typed values: `@@text` is the string "@text", `@ByteArray(...)` raw bytes,
 *   `@Variant(...)`, `@Rect(...)` etc. binary data we never need (Packet Sender's `repeat`).
 *
 * Invariant: this module only parses text; it never evaluates anything it reads.
 */

/** One value as QSettings would return it. */
export type IniValue =
  | { kind: 'string'; value: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'opaque'; raw: string };

/**
 * Decodes a QSettings key or section name: `%XX`, `%UXXXX`, and `\` → `/`. Plain runs are copied
 * as slices (one character at a time made a rope node per character: seconds and a GiB for a
 * 31 MiB key).
 */
export function unescapeIniKey(raw: string): string {
  const parts: string[] = [];
  let runStart = 0;
  let i = 0;
  const replace = (text: string, skip: number) => {
    if (i > runStart) parts.push(raw.slice(runStart, i));
    parts.push(text);
    i += skip;
    runStart = i;
  };
  while (i < raw.length) {
    const code = raw.charCodeAt(i);
    if (code === 0x5c) {
      replace('/', 1);
    } else if (code === 0x25 && raw[i + 1] === 'U' && isHexRun(raw, i + 2, 4)) {
      replace(String.fromCharCode(Number.parseInt(raw.slice(i + 2, i + 6), 16)), 6);
    } else if (code === 0x25 && isHexRun(raw, i + 1, 2)) {
      replace(String.fromCharCode(Number.parseInt(raw.slice(i + 1, i + 3), 16)), 3);
    } else {
      i += 1;
    }
  }
  if (runStart === 0) return raw;
  if (raw.length > runStart) parts.push(raw.slice(runStart));
  return parts.join('');
}

/** True when `raw` holds `count` hex digits from `start`. */
function isHexRun(raw: string, start: number, count: number): boolean {
  if (start + count > raw.length) return false;
  for (let k = start; k < start + count; k += 1) if (hexDigit(raw.charCodeAt(k)) < 0) return false;
  return true;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '"': '"',
  "'": "'",
  '?': '?',
  '\\': '\\',
  ';': ';',
  ',': ',',
  '=': '=',
};

function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

/**
 * Splits and unescapes a raw value into its list items; `isList` when an unquoted comma split it.
 *
 * Linear in time and memory: runs of plain characters are copied as one slice each and the pieces
 * joined once per item. (Appending one character at a time built a rope of one node per
 * character: a 31 MiB value took 9 s and 1.2 GiB, a quoted one 21 s.) Splitting stops after
 * {@link INI_LIMITS.maxListItems} + 1 items, which the caller then refuses.
 */
function unescapeValueList(raw: string): { items: string[]; isList: boolean } {
  const items: string[] = [];
  let parts: string[] = [];
  /** Characters in the current item so far. */
  let length = 0;
  // Characters up to this length came from quotes or escapes: never trimmed as trailing spaces.
  let kept = 0;
  let inQuotes = false;
  let isList = false;
  let i = 0;
  /** Start of a run of plain characters not yet copied, or -1. */
  let runStart = -1;
  /** Escaped characters not yet turned into a string: one string per batch, not per escape. */
  let pending: number[] = [];
  const flushPending = () => {
    if (pending.length === 0) return;
    parts.push(String.fromCharCode(...pending));
    pending = [];
  };
  const flushRun = (end: number) => {
    if (runStart >= 0 && end > runStart) {
      flushPending();
      parts.push(raw.slice(runStart, end));
      length += end - runStart;
      // A run never spans a quote (quotes end runs), so it is all quoted or all not.
      if (inQuotes) kept = length;
    }
    runStart = -1;
  };
  const pushEscaped = (code: number) => {
    pending.push(code);
    if (pending.length >= 4096) flushPending();
    length += 1;
    kept = length;
  };
  const skipSpaces = () => {
    while (raw[i] === ' ' || raw[i] === '\t') i += 1;
  };
  const endItem = () => {
    flushPending();
    const current = parts.length === 1 ? (parts[0] ?? '') : parts.join('');
    let end = current.length;
    while (end > kept && (current[end - 1] === ' ' || current[end - 1] === '\t')) end -= 1;
    items.push(current.slice(0, end));
    parts = [];
    length = 0;
    kept = 0;
  };
  skipSpaces();
  while (i < raw.length) {
    const code = raw.charCodeAt(i);
    if (code === 0x22) {
      flushRun(i);
      inQuotes = !inQuotes;
      kept = length;
      i += 1;
      continue;
    }
    if (code === 0x5c && i + 1 < raw.length) {
      flushRun(i);
      const next = raw[i + 1] ?? '';
      if (next === 'x') {
        // Qt reads the whole run of hex digits into one 16-bit character (the last four count).
        let end = i + 2;
        let value = 0;
        for (; end < raw.length; end += 1) {
          const digit = hexDigit(raw.charCodeAt(end));
          if (digit < 0) break;
          value = ((value << 4) | digit) & 0xffff;
        }
        pushEscaped(value);
        i = end;
      } else if (next >= '0' && next <= '7') {
        let end = i + 1;
        let value = 0;
        for (; end < raw.length; end += 1) {
          const c = raw.charCodeAt(end);
          if (c < 0x30 || c > 0x37) break;
          // The last six digits count (18 bits), then cut to a 16-bit character.
          value = ((value << 3) | (c - 0x30)) & 0x3ffff;
        }
        pushEscaped(value & 0xffff);
        i = end;
      } else {
        pushEscaped((SIMPLE_ESCAPES[next] ?? next).charCodeAt(0));
        i += 2;
      }
      continue;
    }
    // Outside quotes `;` starts a comment (so QSettings quotes every value that contains one).
    if (code === 0x3b && !inQuotes) break;
    if (code === 0x2c && !inQuotes) {
      flushRun(i);
      endItem();
      isList = true;
      i += 1;
      if (items.length > INI_LIMITS.maxListItems) return { items, isList };
      skipSpaces();
      continue;
    }
    if (runStart < 0) runStart = i;
    i += 1;
  }
  flushRun(i);
  endItem();
  return { items, isList };
}

/** Turns a raw value (after `=`) into what QSettings::value() would give. */
export function parseIniValue(raw: string): IniValue {
  const { items, isList } = unescapeValueList(raw);
  if (isList) return { kind: 'list', items };
  const text = items[0] ?? '';
  if (text.startsWith('@@')) return { kind: 'string', value: text.slice(1) };
  if (text.startsWith('@ByteArray(') && text.endsWith(')')) return { kind: 'string', value: text.slice('@ByteArray('.length, -1) };
  if (/^@[A-Za-z]+\(/.test(text)) return { kind: 'opaque', raw: text };
  return { kind: 'string', value: text };
}

/** A parsed QSettings INI file: full keys (`group/sub/key`) to values, in file order. */
export interface IniDocument {
  values: Map<string, IniValue>;
  sections: string[];
  /**
   * Characters the parser touched (split, joined, unescaped), for the linear-time tests: it stays
   * a small multiple of the text's length whatever its shape.
   */
  work: number;
}

/** Bounds on what one INI file may hold; each is far above what Packet Sender ever writes. */
export const INI_LIMITS = {
  /** Settings (key=value lines) in one file: Packet Sender writes about 20 per packet. */
  maxValues: 200_000,
  /** Comma-separated items in one value. */
  maxListItems: 10_000,
} as const;

/**
 * A value continued over many lines, joined in linear time and space: pieces are joined in groups
 * of {@link ContinuedLine.GROUP}, and the groups once at the end. (Joining with repeated
 * `line.slice(0, -1) + next` copied the whole value for every line: a 0.92 MiB packets.ini of
 * continuations took 35 s and blocked main, issue 11.)
 */
class ContinuedLine {
  static readonly GROUP = 4096;
  private readonly groups: string[] = [];
  private pieces: string[] = [];
  /** The last two characters of the joined text so far (enough to see a continuation). */
  private tail = '';

  constructor(first: string) {
    this.add(first);
  }

  /** True when the text so far ends in one backslash (`\\` at the end is an escaped backslash). */
  get continues(): boolean {
    return this.tail.endsWith('\\') && !this.tail.endsWith('\\\\');
  }

  /** Drops the trailing continuation backslash and appends the next line. */
  continueWith(next: string): void {
    const last = this.pieces.pop() ?? '';
    // The tail's first character is the one before the backslash, wherever it came from.
    const before = this.tail.length >= 2 ? this.tail.slice(0, 1) : '';
    const cut = last.slice(0, -1);
    if (cut !== '') this.pieces.push(cut);
    this.tail = before;
    this.add(next);
  }

  private add(piece: string): void {
    if (piece === '') return;
    this.pieces.push(piece);
    this.tail = (this.tail + piece.slice(-2)).slice(-2);
    if (this.pieces.length >= ContinuedLine.GROUP) {
      // The last piece stays loose: the next continuation cuts its backslash.
      const last = this.pieces.pop() ?? '';
      this.groups.push(this.pieces.join(''));
      this.pieces = [last];
    }
  }

  text(): string {
    if (this.groups.length === 0 && this.pieces.length <= 1) return this.pieces[0] ?? '';
    return this.groups.join('') + this.pieces.join('');
  }
}

/**
 * Parses QSettings INI text. Returns an error message with the line number for a line that is
 * neither a section, a `key=value` pair, a comment nor blank, or for a file over {@link INI_LIMITS}.
 *
 * Linear in time and memory whatever the text's shape: lines are read with one cursor (no array of
 * every line), and continued values are joined by {@link ContinuedLine}.
 */
export function parseQSettingsIni(text: string): { ok: true; document: IniDocument } | { ok: false; message: string; line: number } {
  const values = new Map<string, IniValue>();
  const sections: string[] = [];
  let section = '';
  let work = 0;
  let cursor = 0;
  let lineCount = 0;
  /** The next line without its CR, LF or CR LF; null after the last one (as String#split counts). */
  const nextLine = (): string | null => {
    if (cursor > text.length) return null;
    let end = cursor;
    for (; end < text.length; end += 1) {
      const code = text.charCodeAt(end);
      if (code === 0x0a || code === 0x0d) break;
    }
    const line = text.slice(cursor, end);
    work += end - cursor + 1;
    cursor = text.charCodeAt(end) === 0x0d && text.charCodeAt(end + 1) === 0x0a ? end + 2 : end + 1;
    lineCount += 1;
    return line;
  };
  for (let raw = nextLine(); raw !== null; raw = nextLine()) {
    const lineNumber = lineCount;
    const continued = new ContinuedLine(raw);
    // A backslash at the very end continues the value on the next line.
    while (continued.continues && cursor <= text.length) {
      const next = nextLine();
      if (next === null) break;
      continued.continueWith(next);
    }
    const line = continued.text();
    work += line.length;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith(';') || trimmed.startsWith('#')) continue;
    if (trimmed.startsWith('[')) {
      const close = trimmed.indexOf(']');
      if (close < 0) return { ok: false, message: 'a section header has no closing "]"', line: lineNumber };
      const name = trimmed.slice(1, close);
      // `[General]` is the top level; `[%General]` unescapes to a group literally called General.
      const lower = name.toLowerCase();
      section = lower === 'general' ? '' : lower === '%general' ? 'General' : unescapeIniKey(name);
      sections.push(section);
      continue;
    }
    const equals = line.indexOf('=');
    if (equals < 0) return { ok: false, message: 'a line is neither a [section] nor key=value', line: lineNumber };
    const key = unescapeIniKey(line.slice(0, equals).trim());
    if (key === '') return { ok: false, message: 'a line has an empty key', line: lineNumber };
    if (values.size >= INI_LIMITS.maxValues) {
      return { ok: false, message: `the file holds more than ${INI_LIMITS.maxValues} settings`, line: lineNumber };
    }
    const value = parseIniValue(line.slice(equals + 1));
    if (value.kind === 'list' && value.items.length > INI_LIMITS.maxListItems) {
      return { ok: false, message: `a value holds more than ${INI_LIMITS.maxListItems} comma-separated items`, line: lineNumber };
    }
    values.set(section === '' ? key : `${section}/${key}`, value);
  }
  return { ok: true, document: { values, sections, work } };
}
