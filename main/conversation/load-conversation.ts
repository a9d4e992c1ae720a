/**
 * Reads a conversation file (YAML, docs/conversations.md) into a validated {@link Conversation}.
 *
 * The file is hostile input: it is size-checked before parsing, parsed with the `yaml` package's
 * core schema (no custom tags, duplicate keys refused, aliases capped), and validated by walking
 * the parsed nodes, so every problem carries the line and column of the node at fault. Nothing
 * is half-loaded: a file with any problem yields only its errors (the first
 * {@link MAX_REPORTED_ERRORS}, in document order).
 *
 * Numbers must be written in decimal (`0x1F90`, `1e3` and `0o17` are valid YAML integers, and are
 * refused here: a port that silently became 8080 is the bug R-Bad-input warns about). Text fields
 * accept any scalar, taken as written (`contains: 250` is the text "250").
 */
import { readFile, stat } from 'node:fs/promises';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import {
  CONVERSATION_LIMITS,
  RESERVED_NAMES,
  STEP_KINDS,
  type CaptureSpec,
  type Conversation,
  type ConversationFileError,
  type ConversationProblem,
  type ConversationShape,
  type ConversationStep,
  type ConversationTarget,
  type ExpectMatch,
  type PatternSpec,
  type PayloadTemplate,
  type SourcePosition,
  type StepKind,
  type TlsSettings,
} from '../../shared/conversation.ts';
import { parseEndpoint } from '../../shared/endpoint.ts';
import type { AppError } from '../../shared/errors.ts';
import { LINE_ENDINGS, TEXT_ENCODINGS, type LineEnding, type PayloadMode, type TextEncoding } from '../../shared/payload.ts';
import { SESSION_LIMITS } from '../../shared/session.ts';
import { compileBoundedRegex } from '../engine/match/bounded-regex.ts';
import { checkTemplateText, NAME_PATTERN, parseTemplate, referencedNames } from './template.ts';

/** Errors reported at most per file; the rest would only repeat the same mistake. */
export const MAX_REPORTED_ERRORS = 20;

/** Loading either succeeds whole or returns the file's problems. */
export type LoadResult = { ok: true; value: Conversation } | { ok: false; errors: ConversationFileError[] };

/** Options for {@link loadConversation}. */
export interface LoadOptions {
  /** Names that will be given with `--var` (they may be used without a default in the file). */
  extraVariables?: Iterable<string>;
}

const TOP_KEYS = ['name', 'target', 'variables', 'steps'] as const;
const TARGET_KEYS = ['host', 'port', 'transport', 'connect_timeout_ms', 'tls'] as const;
const STEP_MODIFIERS = ['name', 'continue_on_failure', 'repeat', 'interval_ms'] as const;
const SEND_KEYS = ['text', 'hex', 'escapes', 'encoding', 'line_ending'] as const;
const EXPECT_MATCH_KEYS = ['contains', 'exact', 'regex', 'hex', 'eof'] as const;
const EXPECT_KEYS = [...EXPECT_MATCH_KEYS, 'timeout_ms', 'capture', 'abort_on', 'encoding'] as const;
const TLS_KEYS = ['servername', 'verify'] as const;

/** Thrown inside the walker when the error list is full; caught in loadConversation only. */
class TooManyErrors extends Error {}

/** Reads and loads a file; a missing, unreadable or oversized file is one error at line 1, column 1. */
export async function readConversationFile(path: string, options: LoadOptions = {}): Promise<LoadResult> {
  const at = { line: 1, column: 1, path: null };
  try {
    const info = await stat(path);
    if (!info.isFile()) return { ok: false, errors: [{ ...at, message: `${path} is not a regular file.` }] };
    if (info.size > CONVERSATION_LIMITS.maxFileBytes) {
      return {
        ok: false,
        errors: [{ ...at, message: `${path} is ${info.size} bytes; a conversation file may be at most ${CONVERSATION_LIMITS.maxFileBytes}.` }],
      };
    }
    const bytes = await readFile(path);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return { ok: false, errors: [{ ...at, message: `${path} is not valid UTF-8 text.` }] };
    }
    return loadConversation(text, options);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : ((err as Error).message ?? String(err));
    return { ok: false, errors: [{ ...at, message: `Cannot read ${path}: ${why}.` }] };
  }
}

/** Parses and validates conversation text; see the file comment for the rules. */
export function loadConversation(text: string, options: LoadOptions = {}): LoadResult {
  if (text.length > CONVERSATION_LIMITS.maxFileBytes) {
    return {
      ok: false,
      errors: [
        { line: 1, column: 1, path: null, message: `The conversation is larger than ${CONVERSATION_LIMITS.maxFileBytes} bytes.`, reason: 'too-large', params: { max: CONVERSATION_LIMITS.maxFileBytes } },
      ],
    };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, schema: 'core', uniqueKeys: true, prettyErrors: false });
  const syntax = [...doc.errors, ...doc.warnings];
  if (syntax.length > 0) {
    return {
      ok: false,
      errors: syntax.slice(0, MAX_REPORTED_ERRORS).map((e) => {
        const pos = lines.linePos(e.pos[0]);
        // The yaml library's codes (BAD_INDENT, MISSING_CHAR, …) are stable; its sentences are English.
        return { line: Math.max(1, pos.line), column: Math.max(1, pos.col), path: null, message: `YAML: ${firstLine(e.message)}`, reason: 'yaml-syntax', params: { yamlCode: e.code } };
      }),
    };
  }
  const walker = new Walker(doc, lines);
  let conversation: Conversation | null = null;
  try {
    conversation = walker.conversation(new Set(options.extraVariables ?? []));
  } catch (err) {
    if (!(err instanceof TooManyErrors)) throw err;
  }
  if (walker.errors.length > 0 || !conversation) return { ok: false, errors: walker.errors };
  return { ok: true, value: conversation };
}

/** Validates the document node by node, collecting positioned errors. */
class Walker {
  readonly errors: ConversationFileError[] = [];
  readonly #doc: Document;
  readonly #lines: LineCounter;
  #stepCount = 0;

  constructor(doc: Document, lines: LineCounter) {
    this.#doc = doc;
    this.#lines = lines;
  }

  conversation(extraVariables: Set<string>): Conversation | null {
    const root = this.#resolve(this.#doc.contents);
    if (!isMap(root)) {
      this.#error(root, '', 'The file must be a mapping with "target" and "steps" (see docs/conversations.md).', 'not-a-mapping');
      return null;
    }
    this.#onlyKeys(root, '', TOP_KEYS);
    const name = this.#optionalText(root, 'name', '');
    const targetNode = this.#get(root, 'target');
    const stepsNode = this.#get(root, 'steps');
    if (targetNode === undefined) this.#error(root, '', 'Missing "target" (host and port to connect to).', 'missing-key', { key: 'target' });
    if (stepsNode === undefined) this.#error(root, '', 'Missing "steps" (a list of send, expect, … steps).', 'missing-key', { key: 'steps' });
    const target = targetNode === undefined ? null : this.#target(targetNode, 'target');
    const variables = this.#variables(this.#get(root, 'variables'), 'variables');
    for (const extra of extraVariables) if (!(extra in variables)) variables[extra] = '';
    const defined = new Set(Object.keys(variables));
    const steps = stepsNode === undefined ? [] : this.#stepList(stepsNode, 'steps', defined, 0);
    if (stepsNode !== undefined && steps.length === 0 && this.errors.length === 0) this.#error(stepsNode, 'steps', 'The step list is empty.', 'empty-steps');
    if (this.errors.length > 0 || !target) return null;
    for (const extra of extraVariables) if (variables[extra] === '') delete variables[extra];
    return { name, target, variables, steps };
  }

  // ── sections ──────────────────────────────────────────────────────────────────────────────

  #target(node: Node, path: string): ConversationTarget | null {
    const map = this.#map(node, path, 'the target: host, port and optionally transport', 'target');
    if (!map) return null;
    this.#onlyKeys(map, path, TARGET_KEYS);
    const hostNode = this.#get(map, 'host');
    const portNode = this.#get(map, 'port');
    if (hostNode === undefined) this.#error(map, path, 'Missing "host".', 'missing-key', { key: 'host' });
    if (portNode === undefined) this.#error(map, path, 'Missing "port".', 'missing-key', { key: 'port' });
    const hostText = hostNode === undefined ? null : this.#text(hostNode, `${path}.host`);
    const port = portNode === undefined ? null : this.#integer(portNode, `${path}.port`, 1, 65535);
    let host: string | null = null;
    if (hostText !== null && port !== null) {
      const endpoint = parseEndpoint(hostText, String(port));
      if (endpoint.ok) host = endpoint.value.host.host;
      else this.#error(hostNode!, `${path}.host`, endpoint.error.message, 'value', {}, endpoint.error);
    }
    const transportText = this.#optionalText(map, 'transport', path) ?? 'tcp';
    let transport: 'tcp' | 'tls' = 'tcp';
    if (transportText === 'tcp' || transportText === 'tls') transport = transportText;
    else this.#error(this.#get(map, 'transport')!, `${path}.transport`, `Unknown transport "${transportText}"; use tcp or tls.`, 'unknown-transport', { text: transportText });
    const connectTimeoutMs = this.#optionalInteger(map, 'connect_timeout_ms', path, 1, SESSION_LIMITS.maxConnectTimeoutMs) ?? SESSION_LIMITS.defaultConnectTimeoutMs;
    const tlsNode = this.#get(map, 'tls');
    let tls: TlsSettings | null = null;
    if (tlsNode !== undefined) {
      if (transport !== 'tls') this.#error(tlsNode, `${path}.tls`, '"tls" settings need transport: tls.', 'tls-needs-transport');
      tls = this.#tls(tlsNode, `${path}.tls`);
    } else if (transport === 'tls') {
      tls = { servername: null, verify: true };
    }
    if (host === null || port === null) return null;
    return { host, port, transport, connectTimeoutMs, tls };
  }

  #tls(node: Node, path: string): TlsSettings {
    const settings: TlsSettings = { servername: null, verify: true };
    if (isScalar(node) && (node.value === null || node.value === true)) return settings;
    const map = this.#map(node, path, 'TLS settings (servername, verify)', 'tls');
    if (!map) return settings;
    this.#onlyKeys(map, path, TLS_KEYS);
    settings.servername = this.#optionalText(map, 'servername', path);
    settings.verify = this.#optionalBoolean(map, 'verify', path) ?? true;
    return settings;
  }

  #variables(node: Node | undefined, path: string): Record<string, string> {
    // A prototype-free record: variable names are user text (D8's lesson about object keys).
    const variables: Record<string, string> = Object.create(null) as Record<string, string>;
    if (node === undefined || (isScalar(node) && node.value === null)) return variables;
    const map = this.#map(node, path, 'variables: name → text', 'variables');
    if (!map) return variables;
    if (map.items.length > CONVERSATION_LIMITS.maxVariables) this.#error(map, path, `At most ${CONVERSATION_LIMITS.maxVariables} variables.`, 'too-many-variables', { max: CONVERSATION_LIMITS.maxVariables });
    for (const pair of map.items) {
      const name = this.#keyName(pair, path);
      if (name === null) continue;
      const valuePath = `${path}.${name}`;
      if (!this.#checkName(pair.key as Node, valuePath, name, 'variable')) continue;
      const value = this.#text(this.#resolve(pair.value as Node | null), valuePath);
      if (value === null) continue;
      if (Buffer.byteLength(value) > CONVERSATION_LIMITS.maxVariableBytes) {
        this.#error(pair.value as Node, valuePath, `A variable may hold at most ${CONVERSATION_LIMITS.maxVariableBytes} bytes.`, 'variable-too-long', {
          max: CONVERSATION_LIMITS.maxVariableBytes,
        });
        continue;
      }
      variables[name] = value;
    }
    return variables;
  }

  // ── steps ─────────────────────────────────────────────────────────────────────────────────

  #stepList(node: Node, path: string, defined: Set<string>, depth: number): ConversationStep[] {
    const seq = this.#resolve(node);
    if (!isSeq(seq)) {
      this.#error(seq, path, 'Expected a list of steps (each item starts with "- ").', 'expected-step-list');
      return [];
    }
    const steps: ConversationStep[] = [];
    seq.items.forEach((item, i) => {
      const step = this.#step(this.#resolve(item as Node), `${path}[${i}]`, defined, depth);
      if (step) steps.push(step);
    });
    return steps;
  }

  #step(node: Node | null, path: string, defined: Set<string>, depth: number): ConversationStep | null {
    this.#stepCount++;
    if (this.#stepCount > CONVERSATION_LIMITS.maxSteps) {
      this.#error(node, path, `A conversation may have at most ${CONVERSATION_LIMITS.maxSteps} steps.`, 'too-many-steps', { max: CONVERSATION_LIMITS.maxSteps });
      throw new TooManyErrors();
    }
    const map = this.#map(node, path, `a step: one of ${STEP_KINDS.join(', ')}`, 'step');
    if (!map) return null;
    const kinds: { kind: StepKind; pair: Pair }[] = [];
    let unknownKeys = 0;
    for (const pair of map.items) {
      const key = this.#keyName(pair, path);
      if (key === null) continue;
      if ((STEP_KINDS as readonly string[]).includes(key)) kinds.push({ kind: key as StepKind, pair });
      else if (!(STEP_MODIFIERS as readonly string[]).includes(key)) {
        unknownKeys++;
        this.#error(
          pair.key as Node,
          `${path}.${key}`,
          `Unknown step kind or option "${key}"; a step is one of ${STEP_KINDS.join(', ')}, with optional ${STEP_MODIFIERS.join(', ')}.`,
          'unknown-step-key',
          { key, kinds: STEP_KINDS.join(', '), options: STEP_MODIFIERS.join(', ') },
        );
      }
    }
    if (kinds.length !== 1) {
      if (kinds.length === 0) {
        if (unknownKeys === 0) this.#error(map, path, `The step has no kind; use one of ${STEP_KINDS.join(', ')}.`, 'step-without-kind', { kinds: STEP_KINDS.join(', ') });
      } else {
        const found = kinds.map((k) => k.kind);
        this.#error(kinds[1]!.pair.key as Node, path, `A step has one kind; this one has ${found.join(' and ')}. Make them separate steps.`, 'step-kinds', { found: found.join(', ') });
      }
      return null;
    }
    const { kind, pair } = kinds[0]!;
    const value = this.#resolve(pair.value as Node | null);
    const kindPath = `${path}.${kind}`;
    const base = {
      name: this.#optionalText(map, 'name', path),
      continueOnFailure: this.#optionalBoolean(map, 'continue_on_failure', path) ?? false,
      at: this.#position(map),
    };
    const repeatable = kind === 'send' || kind === 'group';
    for (const modifier of ['repeat', 'interval_ms'] as const) {
      const modifierNode = this.#get(map, modifier);
      if (!repeatable && modifierNode !== undefined) {
        this.#error(modifierNode, `${path}.${modifier}`, `"${modifier}" applies to send and group steps only.`, 'repeat-not-here', { key: modifier });
      }
    }
    const repeat = repeatable ? (this.#optionalInteger(map, 'repeat', path, 1, CONVERSATION_LIMITS.maxRepeat) ?? 1) : 1;
    const intervalMs = repeatable ? (this.#optionalInteger(map, 'interval_ms', path, 0, CONVERSATION_LIMITS.maxDurationMs) ?? 0) : 0;
    switch (kind) {
      case 'send': {
        const payload = this.#sendPayload(value, kindPath, defined);
        return payload ? { ...base, kind, payload, repeat, intervalMs } : null;
      }
      case 'expect':
        return this.#expect(value, kindPath, defined, base);
      case 'wait': {
        const ms = this.#integer(value, kindPath, 0, CONVERSATION_LIMITS.maxDurationMs);
        return ms === null ? null : { ...base, kind, ms };
      }
      case 'close_write':
      case 'close':
        if (!(isScalar(value) && (value.value === true || value.value === null))) {
          this.#error(value, kindPath, `Write "${kind}: true"; the step takes no settings.`, 'takes-no-settings', { kind });
          return null;
        }
        return { ...base, kind };
      case 'starttls':
        return { ...base, kind, tls: this.#tls(value ?? this.#doc.createNode(null), kindPath) };
      case 'group': {
        if (depth + 1 > CONVERSATION_LIMITS.maxGroupDepth) {
          this.#error(value, kindPath, `Groups nest at most ${CONVERSATION_LIMITS.maxGroupDepth} deep.`, 'group-too-deep', { max: CONVERSATION_LIMITS.maxGroupDepth });
          return null;
        }
        const steps = this.#stepList(value ?? this.#doc.createNode(null), kindPath, defined, depth + 1);
        if (steps.length === 0) {
          if (isSeq(value) && value.items.length === 0) this.#error(value, kindPath, 'The group has no steps.', 'group-empty');
          return null;
        }
        return { ...base, kind, steps, repeat, intervalMs };
      }
    }
  }

  #sendPayload(node: Node | null, path: string, defined: Set<string>): PayloadTemplate | null {
    if (isScalar(node) && node.value !== null) return this.#payload(node, path, 'text', 'utf8', 'none', defined);
    const map = this.#map(node, path, 'a payload: text, hex or escapes (and optionally encoding, line_ending)', 'payload');
    if (!map) return null;
    this.#onlyKeys(map, path, SEND_KEYS);
    const modes = (['text', 'hex', 'escapes'] as const).filter((m) => this.#get(map, m) !== undefined);
    if (modes.length !== 1) {
      if (modes.length === 0) this.#error(map, path, 'A send needs one of text, hex or escapes.', 'send-needs-payload');
      else this.#error(map, path, `A send has one payload; this one has ${modes.join(' and ')}.`, 'send-payloads', { found: modes.join(', ') });
      return null;
    }
    const mode = modes[0]!;
    const encoding = this.#encoding(map, path);
    const lineEnding = this.#choice(map, 'line_ending', path, LINE_ENDINGS) ?? 'none';
    return this.#payload(this.#get(map, mode)!, `${path}.${mode}`, mode, encoding, lineEnding, defined);
  }

  #expect(node: Node | null, path: string, defined: Set<string>, base: Omit<ConversationStep, 'kind'>): ConversationStep | null {
    const map = this.#map(node, path, `an expectation: one of ${EXPECT_MATCH_KEYS.join(', ')}`, 'expectation');
    if (!map) return null;
    this.#onlyKeys(map, path, EXPECT_KEYS);
    const present = EXPECT_MATCH_KEYS.filter((k) => this.#get(map, k) !== undefined);
    if (present.length !== 1) {
      if (present.length === 0) this.#error(map, path, `An expect needs one of ${EXPECT_MATCH_KEYS.join(', ')}.`, 'expect-needs-match', { choices: EXPECT_MATCH_KEYS.join(', ') });
      else this.#error(map, path, `An expect has one match; this one has ${present.join(' and ')}.`, 'expect-matches', { found: present.join(', ') });
      return null;
    }
    const matchKey = present[0]!;
    const matchNode = this.#get(map, matchKey)!;
    const encoding = this.#encoding(map, path);
    let match: ExpectMatch | null = null;
    if (matchKey === 'eof') {
      if (isScalar(matchNode) && matchNode.value === true) match = { kind: 'eof' };
      else this.#error(matchNode, `${path}.eof`, 'Write "eof: true" to expect the peer to finish sending.', 'eof-true');
    } else if (matchKey === 'regex') {
      match = this.#regexPattern(matchNode, `${path}.regex`);
    } else {
      const mode: PayloadMode = matchKey === 'hex' ? 'hex' : 'text';
      const payload = this.#payload(matchNode, `${path}.${matchKey}`, mode, encoding, 'none', defined);
      if (payload) match = { kind: matchKey, payload };
    }
    const timeoutMs = this.#optionalInteger(map, 'timeout_ms', path, 1, CONVERSATION_LIMITS.maxDurationMs) ?? CONVERSATION_LIMITS.defaultExpectTimeoutMs;
    const abortOn = this.#abortOn(this.#get(map, 'abort_on'), `${path}.abort_on`, encoding, defined);
    const captures = this.#captures(this.#get(map, 'capture'), `${path}.capture`);
    if (captures.length > 0 && match?.kind === 'eof') this.#error(this.#get(map, 'capture')!, `${path}.capture`, 'Captures need a match to search up to; eof has none.', 'capture-with-eof');
    if (!match) return null;
    for (const capture of captures) defined.add(capture.name);
    return { ...base, kind: 'expect', match, timeoutMs, captures, abortOn } as ConversationStep;
  }

  #abortOn(node: Node | undefined, path: string, encoding: TextEncoding, defined: Set<string>): PatternSpec[] {
    if (node === undefined) return [];
    const seq = this.#resolve(node);
    const items = isSeq(seq) ? seq.items : [seq];
    if (items.length > CONVERSATION_LIMITS.maxAbortPatterns) this.#error(seq, path, `At most ${CONVERSATION_LIMITS.maxAbortPatterns} abort_on patterns.`, 'too-many-abort-patterns', { max: CONVERSATION_LIMITS.maxAbortPatterns });
    const patterns: PatternSpec[] = [];
    items.forEach((raw, i) => {
      const item = this.#resolve(raw as Node);
      const itemPath = isSeq(seq) ? `${path}[${i}]` : path;
      if (isScalar(item)) {
        const payload = this.#payload(item, itemPath, 'text', encoding, 'none', defined);
        if (payload) patterns.push({ kind: 'contains', payload });
        return;
      }
      const map = this.#map(item, itemPath, 'a pattern: contains, regex or hex', 'pattern');
      if (!map) return;
      if (map.items.length !== 1) {
        this.#error(map, itemPath, 'Each abort_on entry is one of contains, regex or hex.', 'abort-on-entry');
        return;
      }
      const key = this.#keyName(map.items[0]!, itemPath);
      const valueNode = this.#resolve(map.items[0]!.value as Node | null);
      if (key === 'regex') {
        const pattern = this.#regexPattern(valueNode, `${itemPath}.regex`);
        if (pattern) patterns.push(pattern);
      } else if (key === 'contains' || key === 'hex') {
        const payload = this.#payload(valueNode, `${itemPath}.${key}`, key === 'hex' ? 'hex' : 'text', encoding, 'none', defined);
        if (payload) patterns.push({ kind: key, payload });
      } else if (key !== null) {
        this.#error(map.items[0]!.key as Node, `${itemPath}.${key}`, `Unknown abort_on pattern "${key}"; use contains, regex or hex.`, 'unknown-abort-pattern', { key });
      }
    });
    return patterns;
  }

  #captures(node: Node | undefined, path: string): CaptureSpec[] {
    if (node === undefined) return [];
    const map = this.#map(this.#resolve(node), path, 'captures: name → regex with one group', 'captures');
    if (!map) return [];
    if (map.items.length > CONVERSATION_LIMITS.maxCapturesPerExpect) this.#error(map, path, `At most ${CONVERSATION_LIMITS.maxCapturesPerExpect} captures per expect.`, 'too-many-captures', {
        max: CONVERSATION_LIMITS.maxCapturesPerExpect,
      });
    const captures: CaptureSpec[] = [];
    for (const pair of map.items) {
      const name = this.#keyName(pair, path);
      if (name === null || !this.#checkName(pair.key as Node, `${path}.${name}`, name, 'capture')) continue;
      const valueNode = this.#resolve(pair.value as Node | null);
      const pattern = this.#text(valueNode, `${path}.${name}`);
      if (pattern === null) continue;
      const compiled = compileBoundedRegex(pattern);
      if (!compiled.ok) {
        this.#error(valueNode, `${path}.${name}`, compiled.error.message, 'value', {}, compiled.error);
        continue;
      }
      if (compiled.value.groupCount !== 1) {
        this.#error(
          valueNode,
          `${path}.${name}`,
          `A capture regex needs exactly one group (…) around the value; this one has ${compiled.value.groupCount}. Use (?:…) for grouping without capturing.`,
          'capture-groups',
          { groups: compiled.value.groupCount },
        );
        continue;
      }
      captures.push({ name, pattern, at: this.#position(valueNode) });
    }
    return captures;
  }

  #regexPattern(node: Node | null, path: string): PatternSpec | null {
    const pattern = this.#text(node, path);
    if (pattern === null) return null;
    const compiled = compileBoundedRegex(pattern);
    if (!compiled.ok) {
      this.#error(node, path, compiled.error.message, 'value', {}, compiled.error);
      return null;
    }
    return { kind: 'regex', pattern, at: this.#position(node) };
  }

  /** A template: parsed, its names checked against `defined`, its literal text checked with the codec. */
  #payload(node: Node | null, path: string, mode: PayloadMode, encoding: TextEncoding, lineEnding: LineEnding, defined: Set<string>): PayloadTemplate | null {
    const source = this.#text(node, path);
    if (source === null) return null;
    const parts = parseTemplate(source);
    if (!parts.ok) {
      this.#error(node, path, parts.error.message, 'value', {}, parts.error);
      return null;
    }
    for (const name of referencedNames(parts.value)) {
      if (!defined.has(name)) {
        const known = [...defined];
        this.#error(
          node,
          path,
          `\${${name}} is not defined: define it under "variables", pass --var ${name}=VALUE, or capture it in an earlier expect` +
            (known.length > 0 ? ` (defined so far: ${known.slice(0, 10).join(', ')}).` : '.'),
          'undefined-variable',
          { name, defined: known.slice(0, 10).join(', ') },
        );
        return null;
      }
    }
    const payload: PayloadTemplate = { mode, template: { source, parts: parts.value, at: this.#position(node) }, encoding, lineEnding };
    const checked = checkTemplateText(payload);
    if (!checked.ok) {
      this.#error(node, path, checked.error.message.replace(/^Payload: /, ''), 'value', {}, checked.error);
      return null;
    }
    return payload;
  }

  // ── typed reads ───────────────────────────────────────────────────────────────────────────

  #encoding(map: YAMLMap, path: string): TextEncoding {
    return this.#choice(map, 'encoding', path, TEXT_ENCODINGS) ?? 'utf8';
  }

  #choice<T extends string>(map: YAMLMap, key: string, path: string, choices: readonly T[]): T | null {
    const text = this.#optionalText(map, key, path);
    if (text === null) return null;
    if ((choices as readonly string[]).includes(text)) return text as T;
    this.#error(this.#get(map, key)!, `${path}.${key}`, `Unknown ${key} "${text}"; use ${choices.join(', ')}.`, 'unknown-choice', { key, text, choices: choices.join(', ') });
    return null;
  }

  #text(node: Node | null, path: string): string | null {
    if (!isScalar(node) || node.value === null || node.value === undefined) {
      this.#error(node, path, 'Expected text here.', 'expected-text');
      return null;
    }
    if (typeof node.value === 'string') return node.value;
    // A plain number or boolean is taken as written: `contains: 250` means the text "250".
    return typeof node.source === 'string' ? node.source : String(node.value);
  }

  #integer(node: Node | null, path: string, min: number, max: number): number | null {
    const written = isScalar(node) && typeof node.source === 'string' ? node.source : null;
    if (!isScalar(node) || typeof node.value !== 'number' || written === null || !/^[0-9]{1,10}$/.test(written) || node.value < min || node.value > max) {
      // What was found: the scalar as written (params.text), or the kind of node (params.found).
      const text = isScalar(node) ? (written ?? String(node.value)) : null;
      const kind = isSeq(node) ? 'list' : isMap(node) ? 'mapping' : 'nothing';
      const found: Record<string, string> = text !== null ? { text } : { found: kind };
      const shown = text !== null ? JSON.stringify(text) : `a ${kind}`;
      this.#error(node, path, `Expected a whole number from ${min} to ${max} written in decimal, got ${shown}.`, 'expected-integer', { min, max, ...found });
      return null;
    }
    return node.value;
  }

  #optionalText(map: YAMLMap, key: string, path: string): string | null {
    const node = this.#get(map, key);
    return node === undefined ? null : this.#text(node, `${path ? `${path}.` : ''}${key}`);
  }

  #optionalInteger(map: YAMLMap, key: string, path: string, min: number, max: number): number | null {
    const node = this.#get(map, key);
    return node === undefined ? null : this.#integer(node, `${path}.${key}`, min, max);
  }

  #optionalBoolean(map: YAMLMap, key: string, path: string): boolean | null {
    const node = this.#get(map, key);
    if (node === undefined) return null;
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    this.#error(node, `${path}.${key}`, `Expected true or false for "${key}".`, 'expected-boolean', { key });
    return null;
  }

  #map(node: Node | null, path: string, what: string, shape: ConversationShape): YAMLMap | null {
    const resolved = this.#resolve(node);
    if (isMap(resolved)) return resolved;
    const choices = shape === 'step' ? STEP_KINDS : shape === 'expectation' ? EXPECT_MATCH_KEYS : null;
    this.#error(resolved, path, `Expected ${what}.`, 'expected-shape', choices ? { shape, choices: choices.join(', ') } : { shape });
    return null;
  }

  #get(map: YAMLMap, key: string): Node | undefined {
    for (const pair of map.items) {
      if (isScalar(pair.key) && pair.key.value === key) return this.#resolve(pair.value as Node | null) ?? this.#doc.createNode(null);
    }
    return undefined;
  }

  #keyName(pair: Pair, path: string): string | null {
    if (isScalar(pair.key) && typeof pair.key.value === 'string') return pair.key.value;
    this.#error(pair.key as Node, path, 'Keys must be plain names.', 'plain-keys');
    return null;
  }

  #checkName(node: Node, path: string, name: string, what: string): boolean {
    if (!NAME_PATTERN.test(name)) {
      this.#error(node, path, `"${name}" is not a valid ${what} name: use letters, digits and _, starting with a letter or _.`, 'invalid-name', { name, what });
      return false;
    }
    if (RESERVED_NAMES.includes(name)) {
      this.#error(node, path, `"${name}" is a macro (${RESERVED_NAMES.join(', ')}) and cannot be a ${what} name.`, 'reserved-name', {
        name,
        what,
        macros: RESERVED_NAMES.join(', '),
      });
      return false;
    }
    return true;
  }

  #onlyKeys(map: YAMLMap, path: string, allowed: readonly string[]): void {
    for (const pair of map.items) {
      const key = this.#keyName(pair, path);
      if (key !== null && !allowed.includes(key)) {
        this.#error(pair.key as Node, path ? `${path}.${key}` : key, `Unknown key "${key}"${path ? ` in ${path}` : ''}; expected ${allowed.join(', ')}.`, 'unknown-key', {
          key,
          allowed: allowed.join(', '),
        });
      }
    }
  }

  #resolve(node: Node | null | undefined): Node | null {
    if (isAlias(node)) return (node.resolve(this.#doc) as Node | undefined) ?? null;
    return node ?? null;
  }

  #position(node: Node | null): SourcePosition {
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: 1, column: 1 };
    const pos = this.#lines.linePos(offset);
    return { line: Math.max(1, pos.line), column: Math.max(1, pos.col) };
  }

  #error(
    node: Node | null,
    path: string,
    message: string,
    reason: ConversationProblem,
    params: Record<string, string | number> = {},
    cause?: AppError,
  ): void {
    const { line, column } = this.#position(node);
    this.errors.push({ line, column, path: path || null, message, reason, params, ...(cause ? { cause: causeOf(cause) } : {}) });
    if (this.errors.length >= MAX_REPORTED_ERRORS) throw new TooManyErrors();
  }
}

/** What a problem keeps of a value's own error: its code, reason and data, never a stack. */
function causeOf(error: AppError): NonNullable<ConversationFileError['cause']> {
  const { code, message, field, position, reason, params } = error;
  return { code, message, ...(field !== undefined ? { field } : {}), ...(position !== undefined ? { position } : {}), ...(reason !== undefined ? { reason } : {}), ...(params !== undefined ? { params } : {}) };
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** "file.yaml:3:7: message" lines, as compilers print them. */
export function formatFileErrors(file: string, errors: readonly ConversationFileError[]): string {
  return errors.map((e) => `${file}:${e.line}:${e.column}: ${e.message}`).join('\n');
}
