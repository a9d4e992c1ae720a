/**
 * A listener's responder: a policy that sits beside a client connection, sees what it receives,
 * and answers through the connection's public API (`send`, `close`). The session class knows
 * nothing about it (docs/listener.md).
 *
 * Invariants:
 * - Everything a client can steer is bounded: a framing buffer holds at most
 *   LISTENER_LIMITS.maxFrameBytes (a longer line is an error for that client, stated, and the client
 *   is closed); regexes are RE2 (linear time) over at most one frame; queued replies are capped.
 * - Replies go out one at a time, in order, each after its rule's delay; a rule with `close`
 *   closes the client once its reply is written.
 * - When the client half-closes, the replies already due are still written, then our side closes.
 */
import { fail, ok, type AppError, type Result } from '../../../shared/errors.ts';
import type { PayloadTemplate } from '../../../shared/conversation.ts';
import { encodePayload } from '../../../shared/payload.ts';
import {
  LISTENER_LIMITS,
  type Framing,
  type ReplySpec,
  type ResponderSpec,
  type RuleMatch,
} from '../../../shared/listener.ts';
import { compileBoundedRegex } from '../match/bounded-regex.ts';
import { checkTemplateText, parseTemplate, renderTemplate } from '../../conversation/template.ts';

/** What the responder may do to one client. */
export interface ResponderPeer {
  /** Writes bytes; resolves false when the client can no longer take them. */
  send(bytes: Uint8Array): Promise<boolean>;
  close(): void;
}

/** What the responder tells its listener. */
export interface ResponderHooks {
  rule(index: number): void;
  /** A client-caused problem (an over-long frame, a full reply queue); the client is closed. */
  error(error: AppError): void;
}

/** The responder attached to one client. */
export interface AttachedResponder {
  connected(): void;
  received(chunk: Uint8Array): void;
  /** The client half-closed: resolves once the replies already due are written. */
  peerEnded(): Promise<void>;
  dispose(): void;
}

type Matcher = (message: Uint8Array) => (Uint8Array | null)[] | null;

interface CompiledRule {
  matcher: Matcher;
  /** Bytes every message this rule matches contains (null for a regex). */
  needle: Buffer | null;
  reply: PayloadTemplate | null;
  delayMs: number;
  close: boolean;
}

/** A responder spec, checked and compiled once per listener. */
export interface CompiledResponder {
  readonly spec: ResponderSpec;
  /** Hits per rule, by index (empty unless rules). */
  readonly ruleHits: number[];
  attach(peer: ResponderPeer, hooks: ResponderHooks): AttachedResponder;
}

const encoder = new TextEncoder();

/** Payload bytes of a reply without macros (a delimiter, a match value). */
function literalBytes(spec: ReplySpec, field: string): Result<Uint8Array> {
  const encoded = encodePayload({ text: spec.value, mode: spec.mode, encoding: 'utf8', lineEnding: 'none' });
  if (!encoded.ok) return fail('INVALID_INPUT', `${field}: ${encoded.error.message}`, { field });
  return encoded;
}

/**
 * A reply template. `${1}`…`${99}` are regex groups; they are renamed to internal names before the
 * conversation template parser (which only knows named references) sees them.
 */
export function compileReply(spec: ReplySpec, field: string): Result<PayloadTemplate> {
  const source = spec.value.replace(/(?<!\$)\$\{([0-9]{1,2})\}/g, '${_g$1}');
  const parts = parseTemplate(source);
  if (!parts.ok) return fail('INVALID_INPUT', `${field}: ${parts.error.message}`, { field });
  const template: PayloadTemplate = {
    mode: spec.mode,
    template: { source, parts: parts.value, at: { line: 1, column: 1 } },
    encoding: 'utf8',
    lineEnding: 'none',
  };
  const checked = checkTemplateText(template);
  if (!checked.ok) return fail('INVALID_INPUT', `${field}: ${checked.error.message}`, { field });
  return ok(template);
}

function compileMatcher(match: RuleMatch, field: string): Result<{ matcher: Matcher; needle: Buffer | null }> {
  if (match.kind === 'regex') {
    const regex = compileBoundedRegex(match.value);
    if (!regex.ok) return fail('INVALID_INPUT', `${field}: ${regex.error.message}`, { field });
    const re = regex.value;
    const matcher: Matcher = (message) => {
      const found = re.search(message);
      if (!found) return null;
      return [message.slice(found.start, found.end), ...found.groups.map((g) => (g ? message.slice(g.start, g.end) : null))];
    };
    return ok({ matcher, needle: null });
  }
  const bytes = match.kind === 'hex' ? literalBytes({ mode: 'hex', value: match.value }, field) : ok(encoder.encode(match.value));
  if (!bytes.ok) return bytes;
  const needle = Buffer.from(bytes.value);
  // Every message a literal rule matches contains its needle (the framer's shortcut relies on it).
  switch (match.kind) {
    case 'exact':
      return ok({ matcher: (m) => (asBuffer(m).equals(needle) ? [m] : null), needle });
    case 'prefix':
      return ok({ matcher: (m) => (m.length >= needle.length && asBuffer(m.subarray(0, needle.length)).equals(needle) ? [m] : null), needle });
    case 'contains':
    case 'hex':
      return ok({ matcher: (m) => (asBuffer(m).indexOf(needle) >= 0 ? [m] : null), needle });
  }
}

/** Checks and compiles `spec`; errors name the rule (`rules[2].match.regex`). */
export function compileResponder(spec: ResponderSpec): Result<CompiledResponder> {
  const ruleHits: number[] = [];
  let rules: CompiledRule[] = [];
  let fixed: PayloadTemplate | null = null;
  let framing: Framing = { kind: 'chunk' };
  let delimiter: Uint8Array | null = null;
  if (spec.kind === 'fixed') {
    const reply = compileReply(spec.reply, 'reply');
    if (!reply.ok) return reply;
    fixed = reply.value;
  } else if (spec.kind === 'rules') {
    if (spec.rules.length === 0) return fail('INVALID_INPUT', 'Rules: the list is empty.', { field: 'rules' });
    if (spec.rules.length > LISTENER_LIMITS.maxRules) {
      return fail('INVALID_INPUT', `Rules: at most ${LISTENER_LIMITS.maxRules}, this list has ${spec.rules.length}.`, { field: 'rules' });
    }
    framing = spec.framing;
    if (framing.kind === 'delimiter') {
      const d = literalBytes(framing.delimiter, 'framing.delimiter');
      if (!d.ok) return d;
      if (d.value.length === 0) return fail('INVALID_INPUT', 'framing.delimiter: the delimiter is empty.', { field: 'framing.delimiter' });
      delimiter = d.value;
    }
    if (framing.kind === 'length' && (!Number.isInteger(framing.length) || framing.length < 1 || framing.length > LISTENER_LIMITS.maxFrameBytes)) {
      return fail('INVALID_INPUT', `framing.length: a whole number from 1 to ${LISTENER_LIMITS.maxFrameBytes}.`, { field: 'framing.length' });
    }
    for (const [i, rule] of spec.rules.entries()) {
      const matcher = compileMatcher(rule.match, `rules[${i}].match.${rule.match.kind}`);
      if (!matcher.ok) return matcher;
      let reply: PayloadTemplate | null = null;
      if (rule.reply) {
        const r = compileReply(rule.reply, `rules[${i}].reply.${rule.reply.mode}`);
        if (!r.ok) return r;
        reply = r.value;
      }
      if (!Number.isInteger(rule.delayMs) || rule.delayMs < 0 || rule.delayMs > LISTENER_LIMITS.maxDelayMs) {
        return fail('INVALID_INPUT', `rules[${i}].delay_ms: a whole number from 0 to ${LISTENER_LIMITS.maxDelayMs}.`, {
          field: `rules[${i}].delay_ms`,
        });
      }
      rules.push({ matcher: matcher.value.matcher, needle: matcher.value.needle, reply, delayMs: rule.delayMs, close: rule.close });
      ruleHits.push(0);
    }
  }
  rules = rules.slice();
  const needles = rules.every((r) => r.needle !== null) ? rules.map((r) => r.needle!) : null;
  const parts: Compiled = { fixed, rules, framing, delimiter, ruleHits, needles };
  const compiled: CompiledResponder = {
    spec,
    ruleHits,
    attach: (peer, hooks) => attach(spec, parts, peer, hooks),
  };
  compiledParts.set(compiled, parts);
  return ok(compiled);
}

/** The compiled pieces behind each CompiledResponder, for {@link testResponder}. */
const compiledParts = new WeakMap<CompiledResponder, Compiled>();

interface Compiled {
  fixed: PayloadTemplate | null;
  rules: CompiledRule[];
  framing: Framing;
  delimiter: Uint8Array | null;
  ruleHits: number[];
  /** Every rule's needle when no rule is a regex: see {@link Framer.push}. */
  needles: readonly Buffer[] | null;
}

const EMPTY = Buffer.alloc(0);

/** `bytes` as a Buffer over the same memory (no copy). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Cuts received bytes into messages; null plus an error when a frame outgrows the bound.
 *
 * Messages are views, valid while push()'s caller runs: into the chunk itself, or into the
 * joined bytes when a message began in an earlier chunk. Only the unfinished tail is copied (the
 * chunk may live in a reused read buffer). Whoever keeps a message copies it (replies, captures).
 * A 100 MiB stream of 64-byte lines used to cost two Buffer objects per line and a copy of every
 * chunk; the listener's main-side time for 50 clients was mostly this.
 */
export class Framer {
  #pending: Buffer = EMPTY;
  readonly #separator: Buffer | null;
  /** Bytes waiting for the end of their message. */
  get pendingBytes(): number {
    return this.#pending.length;
  }
  constructor(
    readonly framing: Framing,
    readonly delimiter: Uint8Array | null,
  ) {
    this.#separator = framing.kind === 'line' ? Buffer.from('\n') : framing.kind === 'delimiter' ? Buffer.from(delimiter!) : null;
  }

  /**
   * The messages completed by `chunk`. `needles`: bytes of which every message a rule can match
   * contains one (literal rules only). When none occurs anywhere in the bytes at hand, no message
   * among them can match, so they are not cut at all: only the unfinished tail is kept (a stream
   * of lines no rule wants, the usual case, then costs a few searches per chunk instead of a
   * message per line). Frame-length errors come out exactly as when cutting.
   */
  push(chunk: Uint8Array, needles: readonly Buffer[] | null = null): { messages: Uint8Array[]; error: AppError | null } {
    const max = LISTENER_LIMITS.maxFrameBytes;
    if (this.framing.kind === 'chunk') {
      // A chunk is a message; only its first maxFrameBytes are matched (stated in docs/listener.md).
      return { messages: [chunk.length > max ? chunk.subarray(0, max) : chunk], error: null };
    }
    const data = this.#pending.length === 0 ? asBuffer(chunk) : Buffer.concat([this.#pending, chunk]);
    const messages: Uint8Array[] = [];
    if (needles !== null) {
      const skipTo = this.#unmatchableUpTo(data, needles);
      if (skipTo >= 0) {
        this.#pending = skipTo >= data.length ? EMPTY : Buffer.from(data.subarray(skipTo));
        return { messages, error: null };
      }
    }
    let pos = 0;
    let error: AppError | null = null;
    if (this.framing.kind === 'length') {
      const n = this.framing.length;
      for (; data.length - pos >= n; pos += n) messages.push(data.subarray(pos, pos + n));
    } else {
      const sep = this.#separator!;
      const line = this.framing.kind === 'line';
      for (let at = data.indexOf(sep, pos); at >= 0; at = data.indexOf(sep, pos)) {
        // A line ends at LF; a CR before it belongs to the line ending, not the line.
        const end = line && at > pos && data[at - 1] === 0x0d ? at - 1 : at;
        if (end - pos > max) {
          error = tooLong(this.framing, end - pos);
          break;
        }
        messages.push(data.subarray(pos, end));
        pos = at + sep.length;
      }
      if (!error && data.length - pos > max) error = tooLong(this.framing, data.length - pos);
    }
    // What is left waits for the next chunk: copied, since the chunk's memory may be reused.
    this.#pending = pos >= data.length ? EMPTY : Buffer.from(data.subarray(pos));
    return { messages, error };
  }

  /**
   * Where the complete messages in `data` end, when none of them can match (no needle in `data`)
   * and none is over the bound; otherwise -1 (cut them one by one).
   */
  #unmatchableUpTo(data: Buffer, needles: readonly Buffer[]): number {
    for (const n of needles) if (data.indexOf(n) >= 0) return -1;
    const max = LISTENER_LIMITS.maxFrameBytes;
    let end: number;
    if (this.framing.kind === 'length') {
      end = data.length - (data.length % this.framing.length);
    } else {
      const sep = this.#separator!;
      const first = data.indexOf(sep);
      const last = first < 0 ? -1 : data.lastIndexOf(sep);
      // Every message lies within [0, first) or between first and last: bounded when these are.
      if (first > max || (first >= 0 && last - first - sep.length > max)) return -1;
      end = last < 0 ? 0 : last + sep.length;
    }
    return data.length - end > max ? -1 : end;
  }
}

function tooLong(framing: Framing, length: number): AppError {
  const what = framing.kind === 'line' ? 'A line' : 'A delimited message';
  return {
    code: 'LIMIT_EXCEEDED',
    message: `${what} from this client is longer than ${LISTENER_LIMITS.maxFrameBytes} bytes (${length} so far, no end in sight); the client was closed.`,
  };
}

function attach(spec: ResponderSpec, c: Compiled, peer: ResponderPeer, hooks: ResponderHooks): AttachedResponder {
  return new ClientResponder(spec, c, peer, hooks);
}

/**
 * The responder of one client. A class, not a bundle of closures, and what only some clients need
 * (the framer, the delay timers, the reply chain) is made on first use: a listener may hold 10,000
 * clients that never send a byte.
 */
class ClientResponder implements AttachedResponder {
  /** The replies queued so far, run one after another; null until the first. */
  #chain: Promise<void> | null = null;
  #queued = 0;
  #disposed = false;
  #closing = false;
  #sentFirst = false;
  #fixedCount = 0;
  /** Pending delays; dispose() ends them at once so the reply chain settles. */
  #timers: Map<NodeJS.Timeout, () => void> | null = null;
  /** Cuts messages for `rules`; made at the first byte. */
  #framer: Framer | null = null;

  constructor(
    readonly spec: ResponderSpec,
    readonly c: Compiled,
    readonly peer: ResponderPeer,
    readonly hooks: ResponderHooks,
  ) {}

  connected(): void {
    const { spec, c } = this;
    if (spec.kind === 'fixed' && c.fixed && spec.when === 'connect') {
      this.#sentFirst = true;
      this.#enqueue(render(c.fixed, [], ++this.#fixedCount), 0, false);
    }
  }

  received(chunk: Uint8Array): void {
    if (this.#disposed || this.#closing) return;
    const kind = this.spec.kind;
    if (kind === 'echo' || kind === 'fixed') {
      this.#onMessage(chunk);
      return;
    }
    if (kind !== 'rules') return;
    this.#framer ??= new Framer(this.c.framing, this.c.delimiter);
    const { messages, error } = this.#framer.push(chunk, this.c.needles);
    for (const m of messages) {
      if (this.#closing) break;
      this.#onMessage(m);
    }
    if (error && !this.#closing) {
      this.#closing = true;
      this.hooks.error(error);
      this.peer.close();
    }
  }

  peerEnded(): Promise<void> {
    return this.#chain ?? Promise.resolve();
  }

  dispose(): void {
    this.#disposed = true;
    if (!this.#timers) return;
    for (const [t, resolve] of this.#timers) {
      clearTimeout(t);
      resolve();
    }
    this.#timers.clear();
  }

  #sleep(ms: number): Promise<void> {
    const timers = (this.#timers ??= new Map());
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.set(t, resolve);
    });
  }

  /** Queues one reply; `render` runs when its turn comes so ${time} is the time it is sent. */
  #enqueue(render: () => Result<Uint8Array> | null, delayMs: number, closeAfter: boolean): void {
    if (this.#disposed || this.#closing) return;
    const { peer, hooks } = this;
    if (this.#queued >= LISTENER_LIMITS.maxQueuedReplies) {
      this.#closing = true;
      hooks.error({
        code: 'LIMIT_EXCEEDED',
        message: `More than ${LISTENER_LIMITS.maxQueuedReplies} replies are waiting for this client (it does not read, or sends faster than the delays allow); the client was closed.`,
      });
      peer.close();
      return;
    }
    this.#queued++;
    if (closeAfter) this.#closing = true;
    this.#chain = (this.#chain ?? Promise.resolve()).then(async () => {
      try {
        if (this.#disposed) return;
        if (delayMs > 0) await this.#sleep(delayMs);
        if (this.#disposed) return;
        const bytes = render();
        if (bytes && !bytes.ok) {
          hooks.error(bytes.error);
        } else if (bytes && bytes.value.length > 0) {
          if (!(await peer.send(bytes.value))) return;
        }
        if (closeAfter && !this.#disposed) peer.close();
      } finally {
        // The last reply due is written: nothing is left to wait for, so the settled chain goes
        // too (peerEnded() then answers with a resolved promise, as the chain would).
        if (--this.#queued === 0) this.#chain = null;
      }
    });
  }

  #onMessage(message: Uint8Array): void {
    const { spec, c, hooks } = this;
    if (spec.kind === 'echo') {
      const copy = Uint8Array.from(message);
      this.#enqueue(() => ok(copy), 0, false);
    } else if (spec.kind === 'fixed' && c.fixed) {
      if (spec.when === 'each-message' || (spec.when === 'first-message' && !this.#sentFirst)) {
        this.#sentFirst = true;
        this.#enqueue(render(c.fixed, [], ++this.#fixedCount), 0, false);
      }
    } else if (spec.kind === 'rules') {
      for (const [i, rule] of c.rules.entries()) {
        const groups = rule.matcher(message);
        if (!groups) continue;
        c.ruleHits[i] = (c.ruleHits[i] ?? 0) + 1;
        hooks.rule(i);
        const counter = c.ruleHits[i]!;
        this.#enqueue(rule.reply ? render(rule.reply, groups.map((g) => (g ? Uint8Array.from(g) : null)), counter) : () => null, rule.delayMs, rule.close);
        return;
      }
    }
  }
}

/** A reply's bytes as rendered when its turn comes (`${time}` is then). */
function render(template: PayloadTemplate, groups: (Uint8Array | null)[], counter: number): () => Result<Uint8Array> {
  return () =>
    renderTemplate(template, {
      lookup: (name) => {
        const g = /^_g([0-9]{1,2})$/.exec(name);
        if (!g) return undefined;
        return groups[Number(g[1])] ?? new Uint8Array(0);
      },
      counter,
      now: Date.now,
    });
}

/** What one message of a sample would get (see {@link testResponder}). */
export interface MessageVerdict {
  /** The message as framing cut it (its first 64 KiB for `chunk`). */
  message: Uint8Array;
  /** Index of the first rule that fits, or null. */
  rule: number | null;
  /** `${0}` (the match) and `${1}`… (regex groups; null for a group that took no part). */
  captures: (Uint8Array | null)[];
  /** The reply bytes as they would be written now, or null for none; `reply` errors are `error`. */
  reply: Uint8Array | null;
  delayMs: number;
  close: boolean;
  error: AppError | null;
}

/** Messages judged per test, at most; the rest of a sample is counted, not judged. */
export const MAX_TEST_MESSAGES = 100;

/**
 * "Test this rule": which rule would fire for each message in `sample`, with its captures and the
 * bytes it would write (`${counter}` as 1 plus the rule's `hits`). Touches no listener or client.
 * Bounded like a live client: one frame at most 64 KiB, at most {@link MAX_TEST_MESSAGES} judged.
 */
export function testResponder(
  spec: ResponderSpec,
  sample: Uint8Array,
  hits: readonly number[] = [],
): Result<{ verdicts: MessageVerdict[]; unjudged: number; leftover: number; error: AppError | null }> {
  const compiled = compileResponder(spec);
  if (!compiled.ok) return compiled;
  if (spec.kind !== 'rules') {
    let bytes: Uint8Array | null = null;
    let error: AppError | null = null;
    if (spec.kind === 'echo') bytes = Uint8Array.from(sample);
    else if (spec.kind === 'fixed') {
      const fixed = compiledParts.get(compiled.value)!.fixed!;
      const r = renderTemplate(fixed, { lookup: () => undefined, counter: 1, now: Date.now });
      if (r.ok) bytes = r.value;
      else error = r.error;
    }
    return ok({ verdicts: [{ message: sample, rule: null, captures: [], reply: bytes, delayMs: 0, close: false, error }], unjudged: 0, leftover: 0, error: null });
  }
  const c = compiledParts.get(compiled.value)!;
  const framer = new Framer(c.framing, c.delimiter);
  const { messages, error } = framer.push(sample);
  const verdicts: MessageVerdict[] = [];
  for (const message of messages.slice(0, MAX_TEST_MESSAGES)) {
    const verdict: MessageVerdict = { message: Uint8Array.from(message), rule: null, captures: [], reply: null, delayMs: 0, close: false, error: null };
    for (const [i, rule] of c.rules.entries()) {
      const groups = rule.matcher(message);
      if (!groups) continue;
      verdict.rule = i;
      verdict.captures = groups.map((g) => (g ? Uint8Array.from(g) : null));
      verdict.delayMs = rule.delayMs;
      verdict.close = rule.close;
      if (rule.reply) {
        const counter = (hits[i] ?? 0) + 1;
        const r = renderTemplate(rule.reply, {
          lookup: (name) => {
            const g = /^_g([0-9]{1,2})$/.exec(name);
            return g ? (verdict.captures[Number(g[1])] ?? new Uint8Array(0)) : undefined;
          },
          counter,
          now: Date.now,
        });
        if (r.ok) verdict.reply = r.value;
        else verdict.error = r.error;
      }
      break;
    }
    verdicts.push(verdict);
  }
  return ok({ verdicts, unjudged: Math.max(0, messages.length - MAX_TEST_MESSAGES), leftover: framer.pendingBytes, error });
}
