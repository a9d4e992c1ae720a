/**
 * The conversation tab's editable model: the YAML file (docs/conversations.md) as plain values,
 * with its steps as a list the form edits, and the way back to YAML text.
 *
 * Why the model is the file's own values and not a typed step union: a form shows the common
 * fields of each kind (a send's payload, an expect's pattern and timeout), but a file may hold more
 * (captures, abort_on, groups, TLS settings, variables). Editing the values in place keeps every
 * key the form does not show exactly as it was, so switching between the form and the YAML view
 * never loses anything. Validation is main's loader (`conversation:check`), the same as the CLI's.
 *
 * {@link yamlFromDoc} writes keys in the canonical order of main/conversation/format-conversation.ts
 * (stable, diff-friendly, no line folding); keys it does not know come after, for the loader to
 * name. Pure code: no runes, no API.
 */
import { parseDocument, LineCounter, stringify } from 'yaml';
import { STEP_KINDS, type StepKind } from '../../shared/conversation.ts';
import { bytesToEscapes } from '../../shared/payload.ts';
import { t } from './i18n/index.ts';

/** One step: its YAML mapping as written (`{ send: "PING\r\n", name: … }`), and a key for lists. */
export interface DocStep {
  id: number;
  value: unknown;
}

/** The file: every top-level key but `steps` as written, and the steps. */
export interface ConversationDoc {
  root: Record<string, unknown>;
  steps: DocStep[];
}

/** A YAML problem in the text, where it is (one-based). */
export interface DocError {
  message: string;
  line: number;
  column: number;
  /** For a YAML syntax error: 'yaml-syntax' and the yaml library's code, as main gives them. */
  reason?: 'yaml-syntax';
  params?: Record<string, string>;
}

let nextStepId = 0;

/** A fresh list key for a step (duplicates and new steps get their own). */
export function stepId(): number {
  return ++nextStepId;
}

/** The model of a new conversation: a target and one step to start from. */
export function newDoc(target: { host: string; port: number | string; transport?: 'tcp' | 'tls' } = { host: '127.0.0.1', port: 6379 }): ConversationDoc {
  const where: Record<string, unknown> = { host: target.host, port: target.port };
  if (target.transport === 'tls') where.transport = 'tls';
  // The name is the user's to change, in the UI's language to start with (the keys stay English).
  return { root: { name: t('conversation.newTitle'), target: where }, steps: [{ id: stepId(), value: { send: 'PING\r\n' } }, { id: stepId(), value: { expect: { contains: '+PONG' } } }] };
}

/**
 * Reads YAML text into the model. Only YAML itself is checked here (with line and column); whether
 * it is a valid conversation is the loader's call.
 */
export function docFromYaml(text: string): { ok: true; doc: ConversationDoc } | { ok: false; error: DocError } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, schema: 'core', uniqueKeys: true, prettyErrors: false });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const pos = lines.linePos(problem.pos[0]);
    const message = `YAML: ${problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
    return { ok: false, error: { message, line: Math.max(1, pos.line), column: Math.max(1, pos.col), reason: 'yaml-syntax', params: { yamlCode: problem.code } } };
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined) return { ok: true, doc: { root: {}, steps: [] } };
  if (!isPlainObject(value)) return { ok: false, error: { message: t('conversation.docNotMapping'), line: 1, column: 1 } };
  const { steps, ...root } = value;
  if (steps !== undefined && steps !== null && !Array.isArray(steps)) {
    return { ok: false, error: { message: t('conversation.docStepsNotList'), line: 1, column: 1 } };
  }
  return { ok: true, doc: { root, steps: (steps ?? []).map((s: unknown) => ({ id: stepId(), value: s })) } };
}

const TOP_ORDER = ['name', 'target', 'variables', 'steps'];
const TARGET_ORDER = ['host', 'port', 'transport', 'connect_timeout_ms', 'tls'];
const TLS_ORDER = ['servername', 'verify'];
const STEP_TAIL_ORDER = ['name', 'continue_on_failure', 'repeat', 'interval_ms'];
const SEND_ORDER = ['text', 'hex', 'escapes', 'encoding', 'line_ending'];
const EXPECT_ORDER = ['contains', 'exact', 'hex', 'regex', 'eof', 'timeout_ms', 'capture', 'abort_on', 'encoding'];

/** The model as YAML in the canonical key order. */
export function yamlFromDoc(doc: ConversationDoc): string {
  const root: Record<string, unknown> = { ...doc.root, steps: doc.steps.map((s) => canonicalStep(s.value)) };
  const ordered = ordering(root, TOP_ORDER);
  if (isPlainObject(ordered.target)) {
    const target = ordering(ordered.target, TARGET_ORDER);
    if (isPlainObject(target.tls)) target.tls = ordering(target.tls, TLS_ORDER);
    ordered.target = target;
  }
  return stringify(ordered, { lineWidth: 0, defaultKeyType: 'PLAIN', defaultStringType: 'PLAIN' });
}

function canonicalStep(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const kind = stepKind(value);
  const out = ordering(value, [...(kind ? [kind] : []), ...STEP_TAIL_ORDER]);
  if (kind === 'send' && isPlainObject(out.send)) out.send = ordering(out.send, SEND_ORDER);
  if (kind === 'expect' && isPlainObject(out.expect)) out.expect = ordering(out.expect, EXPECT_ORDER);
  if (kind === 'starttls' && isPlainObject(out.starttls)) out.starttls = ordering(out.starttls, TLS_ORDER);
  if (kind === 'group' && Array.isArray(out.group)) out.group = out.group.map(canonicalStep);
  return out;
}

/** A copy with `order`'s keys first (those present), then the rest as they were. */
function ordering(obj: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of order) if (k in obj) out[k] = obj[k];
  for (const k of Object.keys(obj)) if (!(k in out)) out[k] = obj[k];
  return out;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** The step's kind (the first kind key it has), or null for something that is no step. */
export function stepKind(value: unknown): StepKind | null {
  if (!isPlainObject(value)) return null;
  return STEP_KINDS.find((k) => k in value) ?? null;
}

/** A new step of `kind` with its usual first values. */
export function newStepValue(kind: StepKind): Record<string, unknown> {
  switch (kind) {
    case 'send':
      return { send: '' };
    case 'expect':
      return { expect: { contains: '' } };
    case 'wait':
      return { wait: 100 };
    case 'close_write':
    case 'close':
    case 'starttls':
      return { [kind]: true };
    case 'group':
      return { group: [{ send: '' }], repeat: 2 };
  }
}

// ── the fields the form shows ────────────────────────────────────────────────────────────────

export type SendMode = 'text' | 'hex' | 'escapes';
export type LineEndingChoice = 'none' | 'lf' | 'cr' | 'crlf';

export interface SendFields {
  mode: SendMode;
  payload: string;
  lineEnding: LineEndingChoice;
}

export function sendFields(value: Record<string, unknown>): SendFields {
  const send = value.send;
  if (!isPlainObject(send)) return { mode: 'text', payload: scalarText(send), lineEnding: 'none' };
  const mode = (['text', 'hex', 'escapes'] as const).find((m) => m in send) ?? 'text';
  const ending = send.line_ending;
  return { mode, payload: scalarText(send[mode]), lineEnding: ending === 'lf' || ending === 'cr' || ending === 'crlf' ? ending : 'none' };
}

/** The step with its send set to `fields`; other keys of the send (encoding) are kept. */
export function withSendFields(value: Record<string, unknown>, fields: SendFields): Record<string, unknown> {
  const old = isPlainObject(value.send) ? value.send : {};
  const { text: _t, hex: _h, escapes: _e, line_ending: _l, ...rest } = old;
  const plain = fields.mode === 'text' && fields.lineEnding === 'none' && Object.keys(rest).length === 0;
  const send = plain ? fields.payload : { [fields.mode]: fields.payload, ...rest, ...(fields.lineEnding !== 'none' ? { line_ending: fields.lineEnding } : {}) };
  return { ...value, send };
}

export type ExpectMatchKind = 'contains' | 'exact' | 'regex' | 'hex' | 'eof';
export const EXPECT_MATCH_KINDS: readonly ExpectMatchKind[] = ['contains', 'exact', 'regex', 'hex', 'eof'];

export interface ExpectFields {
  match: ExpectMatchKind;
  pattern: string;
  /** As typed; '' for the default (5000 ms). */
  timeoutMs: string;
}

export function expectFields(value: Record<string, unknown>): ExpectFields {
  const e = isPlainObject(value.expect) ? value.expect : {};
  const match = EXPECT_MATCH_KINDS.find((k) => k in e) ?? 'contains';
  return { match, pattern: match === 'eof' ? '' : scalarText(e[match]), timeoutMs: e.timeout_ms === undefined ? '' : scalarText(e.timeout_ms) };
}

/** The step with its expect set to `fields`; captures, abort_on and encoding are kept. */
export function withExpectFields(value: Record<string, unknown>, fields: ExpectFields): Record<string, unknown> {
  const old = isPlainObject(value.expect) ? value.expect : {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(old)) if (!(EXPECT_MATCH_KINDS as readonly string[]).includes(k) && k !== 'timeout_ms') rest[k] = v;
  const timeout = numberOrText(fields.timeoutMs);
  const expect = { [fields.match]: fields.match === 'eof' ? true : fields.pattern, ...(timeout !== undefined ? { timeout_ms: timeout } : {}), ...rest };
  return { ...value, expect };
}

/**
 * A text value as a one-line form field shows it: `\` `\r` `\n` `\t` and `\xHH` / `\u{…}` for
 * other controls, so CR and LF survive editing (a text box would turn CRLF into LF) and nothing
 * invisible hides in the field. {@link unescapeField} reads it back.
 */
export function escapeField(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if ((c >= 0x80 && c < 0xa0) || c === 0x2028 || c === 0x2029) out += `\\u{${c.toString(16)}}`;
    else out += ch;
  }
  return out;
}

/** The inverse of {@link escapeField}; an unknown or incomplete escape stays as typed. */
export function unescapeField(field: string): string {
  return field.replace(/\\(\\|r|n|t|x([0-9A-Fa-f]{2})|u\{([0-9A-Fa-f]{1,6})\})/g, (all, what: string, hex?: string, code?: string) => {
    if (what === '\\') return '\\';
    if (what === 'r') return '\r';
    if (what === 'n') return '\n';
    if (what === 't') return '\t';
    const n = parseInt(hex ?? code ?? '', 16);
    return Number.isInteger(n) && n <= 0x10ffff ? String.fromCodePoint(n) : all;
  });
}

/** Whether a pattern or payload field of this mode is shown escaped (text-like) or as written (hex, escapes, regex). */
export function fieldIsEscaped(mode: string): boolean {
  return mode === 'text' || mode === 'contains' || mode === 'exact';
}

/** A number typed in a field: a whole number as a number, '' as absent, anything else as typed (the loader names it). */
export function numberOrText(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return /^[0-9]{1,9}$/.test(t) ? Number(t) : t;
}

/** The step with `key` set to `v`, or removed when `v` is undefined. */
export function withKey(value: Record<string, unknown>, key: string, v: unknown): Record<string, unknown> {
  const out = { ...value };
  if (v === undefined) delete out[key];
  else out[key] = v;
  return out;
}

/** A scalar as the text a field shows (numbers and booleans as written). */
export function scalarText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

/** One line that says what a step does, for the list. */
export function stepSummary(value: unknown): string {
  const kind = stepKind(value);
  if (!kind || !isPlainObject(value)) return t('conversation.sumNotStep');
  switch (kind) {
    case 'send': {
      const f = sendFields(value);
      return `${f.mode === 'text' ? '' : `${f.mode} `}${JSON.stringify(f.payload).slice(1, -1)}${f.lineEnding !== 'none' ? ` + ${f.lineEnding.toUpperCase()}` : ''}${value.repeat !== undefined ? ` ×${scalarText(value.repeat)}` : ''}`;
    }
    case 'expect': {
      const f = expectFields(value);
      return f.match === 'eof' ? t('conversation.sumEof') : `${f.match} ${JSON.stringify(f.pattern).slice(1, -1)}`;
    }
    case 'wait':
      return t('format.milliseconds', { n: scalarText(value.wait) });
    case 'close_write':
      return t('conversation.sumCloseWrite');
    case 'close':
      return t('conversation.sumClose');
    case 'starttls':
      return t('conversation.sumStarttls');
    case 'group': {
      const n = Array.isArray(value.group) ? value.group.length : 0;
      return t('conversation.sumGroup', { count: n, repeat: value.repeat !== undefined ? ` ×${scalarText(value.repeat)}` : '' });
    }
  }
}

// ── recording a session ──────────────────────────────────────────────────────────────────────

/** One exchange of a session: what we sent, and what came back before the next send. */
export interface RecordedExchange {
  sent: Uint8Array;
  reply: Uint8Array;
}

/** Longest first line an expect is made of; longer lines are cut (contains still matches). */
export const RECORD_LINE_BYTES = 200;

/**
 * Steps from a session's exchanges: each send, then an `expect contains` of the reply's first line
 * (up to and including its line break), when there was a reply. Text that is valid UTF-8 without
 * control bytes other than CR, LF and tab stays text (YAML's double quotes write `\r\n`); anything
 * else is written in escapes mode (sends) or hex (expects), so the bytes are exact. A `${` in
 * recorded bytes is written `$${`, so nothing recorded is read as a template.
 */
export function stepsFromExchanges(exchanges: readonly RecordedExchange[]): Record<string, unknown>[] {
  const steps: Record<string, unknown>[] = [];
  for (const { sent, reply } of exchanges) {
    const text = plainText(sent);
    steps.push({ send: text !== null ? literal(text) : { escapes: literal(bytesToEscapes(sent)) } });
    if (reply.byteLength === 0) continue;
    const nl = reply.indexOf(0x0a);
    let line = reply.subarray(0, nl >= 0 ? Math.min(nl + 1, RECORD_LINE_BYTES) : Math.min(reply.byteLength, RECORD_LINE_BYTES));
    // Never cut inside a UTF-8 sequence: back off to a character start.
    while (line.byteLength > 0 && line.byteLength < reply.byteLength && (reply[line.byteLength]! & 0xc0) === 0x80) line = line.subarray(0, line.byteLength - 1);
    const lineText = plainText(line);
    steps.push({ expect: lineText !== null ? { contains: literal(lineText) } : { hex: hexOf(line) } });
  }
  return steps;
}

/** Recorded bytes are never a template: a `${` in them is written `$${`. */
function literal(text: string): string {
  return text.replaceAll('${', () => '$${');
}

function plainText(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  // Controls other than tab, LF and CR (and DEL) would be unreadable in a list and easy to mistype.
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? null : text;
}

function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
