/**
 * Runs a validated conversation on one stream, step by step, and reports each step's outcome and
 * timing. Plain Node, no Electron: the CLI runs it today, the app's conversation tab later.
 *
 * Invariants:
 * - Received bytes are collected from the moment the stream is opened, whatever step is running,
 *   into one bounded {@link RollingWindow}. So an expect is "armed before the preceding send goes
 *   out" by construction: a reply that arrives while a send is still being written (or before an
 *   expect starts waiting) is already in the window when the expect looks.
 * - An expect matches against the bytes received since the previous expect matched (at most
 *   CONVERSATION_LIMITS.windowBytes; older bytes are dropped, counted and reported). A match
 *   consumes the window up to its end; the transcript gets a 'matched' entry with its offsets.
 * - When the expected pattern and an abort_on pattern both occur, the one that ends first wins,
 *   so the verdict does not depend on how the peer's bytes were split into reads.
 * - Regex scans are linear-time (RE2) and throttled: after a scan of d ms the next waits at least
 *   4·d ms, so matching can take at most about a fifth of main's time whatever the peer sends;
 *   a last scan always runs before an expect fails on its timeout or on the peer's end.
 * - The run stops at the first failed step unless that step has continue_on_failure; steps not
 *   reached are 'skipped'. Cancel (signal) and the whole-run timeout stop at any point: the
 *   stream is destroyed, the running step fails, the rest are skipped.
 * - Every timer is cleared and the stream is closed (or destroyed) before the report is returned.
 */
import {
  CONVERSATION_LIMITS,
  type CaptureSpec,
  type Conversation,
  type ConversationReport,
  type ConversationStep,
  type ConversationTranscriptEntry,
  type PatternSpec,
  type PayloadTemplate,
  type StepFailureReason,
  type StepResult,
} from '../../shared/conversation.ts';
import type { AppError } from '../../shared/errors.ts';
import { compileBoundedRegex, type BoundedRegex } from '../engine/match/bounded-regex.ts';
import { closestPrefix, compileRegexPattern, firstDifference, literalPattern, type BytePattern } from '../engine/match/byte-pattern.ts';
import { RollingWindow } from '../engine/match/rolling-window.ts';
import type { ConversationStream, OpenConversationStream } from './conversation-stream.ts';
import { describeByte, showBytes } from './describe-bytes.ts';
import { renderTemplate } from './template.ts';

/** How a caller runs a conversation. */
export interface RunOptions {
  /** Makes the stream (tcp-stream-adapter.ts in production). */
  open: OpenConversationStream;
  /** Overrides for the file's variables (`--var`); values are UTF-8 text. */
  variables?: Record<string, string>;
  /** Stops the run at once (Ctrl-C, a Stop button). */
  signal?: AbortSignal;
  /** Whole-run deadline in milliseconds (`--timeout`); none when absent. */
  timeoutMs?: number;
  /**
   * Called each time a step finishes a run (a step inside a repeated group once per iteration,
   * with its totals so far), and once for each skipped step at the end.
   */
  onStep?: (result: StepResult) => void;
  /** Called as a step starts running (each run of it), with its one-based index. */
  onStepStart?: (index: number) => void;
}

/** Scans slower than this are throttled (see the file comment). */
const THROTTLE_FACTOR = 4;

/** An expect, ready to look at the window. */
interface CompiledExpect {
  /** contains / hex / regex. */
  main: BytePattern | null;
  /** The bytes an exact, contains or hex match looks for (for messages, and for exact itself). */
  needle: Uint8Array | null;
  aborts: BytePattern[];
  captures: { spec: CaptureSpec; regex: BoundedRegex }[];
  usesRegex: boolean;
}

type StepVerdict = { ok: true; message: string } | { ok: false; reason: StepFailureReason; message: string };

const encoder = new TextEncoder();

/** "1 MiB", for messages. */
const WINDOW_LABEL = `${CONVERSATION_LIMITS.windowBytes / (1024 * 1024)} MiB`;

/** Runs `conversation`; never throws for network or peer behaviour. */
export function runConversation(conversation: Conversation, options: RunOptions): Promise<ConversationReport> {
  return new ConversationRun(conversation, options).run();
}

class ConversationRun {
  readonly #conversation: Conversation;
  readonly #options: RunOptions;
  readonly #window = new RollingWindow(CONVERSATION_LIMITS.windowBytes);
  readonly #results = new Map<ConversationStep, StepResult>();
  readonly #ordered: StepResult[] = [];
  readonly #values = new Map<string, Uint8Array>();
  readonly #transcript: ConversationTranscriptEntry[] = [];
  #transcriptBytes = 0;
  #transcriptTruncated = false;
  #stream: ConversationStream | null = null;
  #bytesSent = 0;
  #bytesReceived = 0;
  #remoteEnded = false;
  #closed = false;
  #closeError: AppError | null = null;
  #weClosed = false;
  #stop: 'cancelled' | 'run-timeout' | null = null;
  #wake: (() => void) | null = null;
  #runTimer: NodeJS.Timeout | null = null;
  /** performance.now() before which the next regex scan should not start. */
  #nextScanAt = 0;

  constructor(conversation: Conversation, options: RunOptions) {
    this.#conversation = conversation;
    this.#options = options;
    let index = 0;
    const number = (steps: ConversationStep[]): void => {
      for (const step of steps) {
        const result: StepResult = {
          index: ++index,
          kind: step.kind,
          label: describeKind(step),
          name: step.name,
          line: step.at.line,
          outcome: 'skipped',
          durationMs: 0,
          message: '',
          runs: 0,
          reason: null,
        };
        this.#results.set(step, result);
        this.#ordered.push(result);
        if (step.kind === 'group') number(step.steps);
      }
    };
    number(conversation.steps);
    for (const [name, value] of Object.entries(conversation.variables)) this.#values.set(name, encoder.encode(value));
    for (const [name, value] of Object.entries(options.variables ?? {})) this.#values.set(name, encoder.encode(value));
  }

  async run(): Promise<ConversationReport> {
    const started = performance.now();
    const signal = this.#options.signal;
    const onAbort = (): void => this.#halt('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    if (this.#options.timeoutMs !== undefined) {
      this.#runTimer = setTimeout(() => this.#halt('run-timeout'), this.#options.timeoutMs);
    }
    let error: AppError | null = null;
    let connectFailed = false;
    try {
      if (signal?.aborted) this.#stop = 'cancelled';
      const made = this.#stop ? null : this.#options.open(this.#conversation.target);
      if (made && !made.ok) {
        error = made.error;
        connectFailed = true;
      } else if (made) {
        const stream = made.value;
        this.#stream = stream;
        this.#subscribe(stream);
        const opened = await stream.open();
        if (!opened.ok) {
          if (!this.#stop) {
            error = opened.error;
            connectFailed = true;
          }
        } else {
          this.#record({ kind: 'connected', remoteAddress: opened.value.remoteAddress, remotePort: opened.value.remotePort });
          await this.#runSteps(this.#conversation.steps, 1);
          await this.#finishStream();
        }
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (this.#runTimer) clearTimeout(this.#runTimer);
      this.#runTimer = null;
    }
    if (!connectFailed && this.#closeError && !this.#weClosed) error = this.#closeError;
    const skippedWhy = connectFailed
      ? 'not run: the connection could not be opened'
      : this.#stop === 'cancelled'
        ? 'not run: the run was cancelled'
        : this.#stop === 'run-timeout'
          ? 'not run: the whole-run timeout fired'
          : 'not run: an earlier step failed';
    for (const result of this.#ordered) {
      if (result.runs === 0 && result.outcome === 'skipped') {
        result.message = skippedWhy;
        this.#options.onStep?.(result);
      }
    }
    const passed = !connectFailed && this.#stop === null && this.#ordered.every((r) => r.outcome === 'passed');
    return {
      passed,
      cancelled: this.#stop === 'cancelled',
      timedOut: this.#stop === 'run-timeout',
      steps: this.#ordered.map((r) => ({ ...r })),
      bytesSent: this.#bytesSent,
      bytesReceived: this.#bytesReceived,
      durationMs: Math.round(performance.now() - started),
      error,
      connectFailed,
      transcript: this.#transcript,
    };
  }

  // ── the stream ────────────────────────────────────────────────────────────────────────────

  #subscribe(stream: ConversationStream): void {
    stream.onReceive((chunk) => {
      const offset = this.#bytesReceived;
      this.#bytesReceived += chunk.length;
      this.#recordData('received', offset, chunk);
      const before = this.#window.end - this.#window.length;
      const dropped = this.#window.append(chunk);
      if (dropped > 0) this.#record({ kind: 'dropped', start: before, end: before + dropped });
      this.#notify();
    });
    stream.onRemoteEnd(() => {
      this.#remoteEnded = true;
      this.#record({ kind: 'remote-ended' });
      this.#notify();
    });
    stream.onClosed((error) => {
      this.#closed = true;
      this.#closeError = error;
      this.#record({ kind: 'closed', error });
      this.#notify();
    });
  }

  /** Ends the stream after the last step: graceful unless the run was stopped. */
  async #finishStream(): Promise<void> {
    const stream = this.#stream;
    if (!stream || this.#closed) return;
    if (this.#stop) {
      stream.cancel();
      return;
    }
    this.#weClosed = true;
    await stream.close();
  }

  #halt(reason: 'cancelled' | 'run-timeout'): void {
    if (this.#stop) return;
    this.#stop = reason;
    this.#stream?.cancel();
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Resolves at the next stream event, stop, or after `ms` (whichever first). */
  #nextEvent(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.#wake === done) this.#wake = null;
        resolve();
      }, Math.max(0, ms));
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.#wake = done;
    });
  }

  /** Waits `ms`, cut short by a stop; true when the whole time passed. */
  async #sleep(ms: number): Promise<boolean> {
    const until = performance.now() + ms;
    while (!this.#stop) {
      const left = until - performance.now();
      if (left <= 0) return true;
      await this.#nextEvent(left);
    }
    return false;
  }

  // ── steps ─────────────────────────────────────────────────────────────────────────────────

  /** Runs a list; false when a failure (without continue_on_failure) or a stop ends the run. */
  async #runSteps(steps: ConversationStep[], counter: number): Promise<boolean> {
    for (const step of steps) {
      if (this.#stop) return false;
      const passed = await this.#runStep(step, counter);
      if (this.#stop) return false;
      if (!passed && !step.continueOnFailure) return false;
    }
    return true;
  }

  async #runStep(step: ConversationStep, counter: number): Promise<boolean> {
    const result = this.#results.get(step)!;
    this.#options.onStepStart?.(result.index);
    const started = performance.now();
    let verdict: StepVerdict;
    try {
      verdict = await this.#execute(step, counter);
    } catch (err) {
      // A bug, not peer behaviour: report it on the step rather than lose the whole run.
      verdict = { ok: false, reason: 'connection-error', message: `internal error: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (!verdict.ok && this.#stop && verdict.reason !== 'child-failed') {
      verdict = { ok: false, reason: this.#stop, message: this.#stopMessage() };
    }
    result.runs++;
    result.durationMs += Math.round(performance.now() - started);
    const label = `step ${result.index} (${result.label})`;
    if (verdict.ok) {
      if (result.outcome !== 'failed') {
        result.outcome = 'passed';
        result.message = verdict.message;
      }
    } else if (result.outcome !== 'failed') {
      result.outcome = 'failed';
      result.reason = verdict.reason;
      const where = step.kind === 'group' ? '' : counter > 1 ? ` (group iteration ${counter})` : '';
      result.message = `${label} failed${where}: ${verdict.message}`;
    }
    this.#options.onStep?.({ ...result });
    return verdict.ok;
  }

  #stopMessage(): string {
    return this.#stop === 'cancelled' ? 'cancelled.' : `the whole-run timeout (${this.#options.timeoutMs} ms) fired.`;
  }

  async #execute(step: ConversationStep, counter: number): Promise<StepVerdict> {
    switch (step.kind) {
      case 'send':
        return this.#send(step, counter);
      case 'expect':
        return this.#expect(step, counter);
      case 'wait':
        return (await this.#sleep(step.ms)) ? { ok: true, message: `waited ${step.ms} ms` } : this.#stopped();
      case 'close_write': {
        const ended = await this.#stream!.halfClose();
        if (!ended.ok) return this.#sendFailure(ended.error);
        this.#record({ kind: 'local-ended' });
        return { ok: true, message: 'sent our FIN (write side closed)' };
      }
      case 'close':
        this.#weClosed = true;
        await this.#stream!.close();
        return { ok: true, message: 'connection closed' };
      case 'starttls': {
        const stream = this.#stream!;
        if (!stream.upgradeToTls) {
          return {
            ok: false,
            reason: 'unsupported',
            message: 'UNSUPPORTED: starttls is not available in this build yet (TLS sessions are still to come); see docs/conversations.md.',
          };
        }
        const upgraded = await stream.upgradeToTls(step.tls);
        return upgraded.ok ? { ok: true, message: 'TLS established' } : { ok: false, reason: 'connection-error', message: `${upgraded.error.code}: ${upgraded.error.message}` };
      }
      case 'group':
        return this.#group(step);
    }
  }

  #stopped(): StepVerdict {
    return { ok: false, reason: this.#stop ?? 'cancelled', message: this.#stopMessage() };
  }

  async #group(step: Extract<ConversationStep, { kind: 'group' }>): Promise<StepVerdict> {
    for (let i = 1; i <= step.repeat; i++) {
      const went = await this.#runSteps(step.steps, i);
      if (!went) {
        if (this.#stop) return this.#stopped();
        const failed = this.#firstFailedChild(step);
        return {
          ok: false,
          reason: 'child-failed',
          message: `step ${failed?.index ?? '?'} failed` + (step.repeat > 1 ? ` in iteration ${i} of ${step.repeat}.` : '.'),
        };
      }
      if (i < step.repeat && step.intervalMs > 0 && !(await this.#sleep(step.intervalMs))) return this.#stopped();
    }
    const failed = this.#firstFailedChild(step);
    if (failed) return { ok: false, reason: 'child-failed', message: `step ${failed.index} failed (it had continue_on_failure, so the group went on).` };
    return { ok: true, message: step.repeat > 1 ? `${step.repeat} iterations passed` : 'all steps passed' };
  }

  #firstFailedChild(step: Extract<ConversationStep, { kind: 'group' }>): StepResult | undefined {
    for (const child of step.steps) {
      const r = this.#results.get(child)!;
      if (r.outcome === 'failed') return r;
    }
    return undefined;
  }

  async #send(step: Extract<ConversationStep, { kind: 'send' }>, counter: number): Promise<StepVerdict> {
    let total = 0;
    let each = -1;
    for (let i = 1; i <= step.repeat; i++) {
      const bytes = this.#render(step.payload, step.repeat > 1 ? i : counter);
      if (!bytes.ok) return { ok: false, reason: 'payload', message: bytes.message };
      const index = this.#results.get(step)!.index;
      const offset = this.#bytesSent;
      const sent = await this.#stream!.send(bytes.value);
      if (!sent.ok) {
        const failure = this.#sendFailure(sent.error);
        return step.repeat > 1 ? { ...failure, message: `${failure.message} (send ${i} of ${step.repeat})` } : failure;
      }
      this.#bytesSent += bytes.value.length;
      this.#recordData('sent', offset, bytes.value, index);
      total += bytes.value.length;
      each = each === -1 || each === bytes.value.length ? bytes.value.length : -2;
      if (i < step.repeat && step.intervalMs > 0 && !(await this.#sleep(step.intervalMs))) return this.#stopped();
    }
    if (step.repeat === 1) return { ok: true, message: `sent ${total} bytes` };
    return { ok: true, message: each >= 0 ? `sent ${step.repeat} × ${each} bytes (${total} bytes)` : `sent ${step.repeat} times, ${total} bytes` };
  }

  #sendFailure(error: AppError): StepVerdict {
    if (this.#stop) return this.#stopped();
    const reason: StepFailureReason = error.code === 'NOT_CONNECTED' ? 'not-connected' : 'connection-error';
    return { ok: false, reason, message: `${error.code}: ${error.message}` };
  }

  #render(payload: PayloadTemplate, counter: number): { ok: true; value: Uint8Array } | { ok: false; message: string } {
    const rendered = renderTemplate(payload, { lookup: (name) => this.#values.get(name), counter, now: Date.now });
    return rendered.ok ? rendered : { ok: false, message: rendered.error.message };
  }

  // ── expect ────────────────────────────────────────────────────────────────────────────────

  async #expect(step: Extract<ConversationStep, { kind: 'expect' }>, counter: number): Promise<StepVerdict> {
    const index = this.#results.get(step)!.index;
    const compiled = this.#compileExpect(step, counter);
    if (!compiled.ok) return { ok: false, reason: 'payload', message: compiled.message };
    const expect = compiled.value;
    const deadline = performance.now() + step.timeoutMs;
    let scannedEnd = -1;
    let scannedEnded = false;
    for (;;) {
      const now = performance.now();
      const final = now >= deadline || this.#remoteEnded || this.#closed || this.#stop !== null;
      const changed = this.#window.end !== scannedEnd || this.#remoteEnded !== scannedEnded;
      const throttled = expect.usesRegex && !final && now < this.#nextScanAt;
      if (changed && !throttled) {
        scannedEnd = this.#window.end;
        scannedEnded = this.#remoteEnded;
        const t0 = performance.now();
        const verdict = this.#evaluate(step, index, expect);
        const cost = performance.now() - t0;
        this.#nextScanAt = performance.now() + THROTTLE_FACTOR * cost;
        if (verdict) return verdict;
      } else if (changed && throttled) {
        await this.#nextEvent(this.#nextScanAt - now);
        continue;
      }
      if (this.#stop) return this.#stopped();
      if (step.match.kind === 'eof' && this.#remoteEnded) return { ok: true, message: 'the peer finished sending (FIN)' };
      if (this.#closed || this.#remoteEnded) return this.#endedWithoutMatch(step, expect);
      if (now >= deadline) return this.#noMatch(step, expect, 'timeout', `no match within ${step.timeoutMs} ms.`);
      await this.#nextEvent(deadline - now);
    }
  }

  #compileExpect(
    step: Extract<ConversationStep, { kind: 'expect' }>,
    counter: number,
  ): { ok: true; value: CompiledExpect } | { ok: false; message: string } {
    let usesRegex = false;
    const pattern = (spec: PatternSpec): { ok: true; value: BytePattern; bytes: Uint8Array | null } | { ok: false; message: string } => {
      if (spec.kind === 'regex') {
        usesRegex = true;
        const re = compileRegexPattern(spec.pattern);
        return re.ok ? { ok: true, value: re.value, bytes: null } : { ok: false, message: re.error.message };
      }
      const bytes = this.#render(spec.payload, counter);
      return bytes.ok ? { ok: true, value: literalPattern(bytes.value), bytes: bytes.value } : bytes;
    };
    let main: BytePattern | null = null;
    let needle: Uint8Array | null = null;
    const match = step.match;
    if (match.kind === 'exact') {
      const bytes = this.#render(match.payload, counter);
      if (!bytes.ok) return bytes;
      needle = bytes.value;
    } else if (match.kind !== 'eof') {
      const compiled = pattern(match);
      if (!compiled.ok) return compiled;
      main = compiled.value;
      needle = compiled.bytes;
    }
    const aborts: BytePattern[] = [];
    for (const spec of step.abortOn) {
      const compiled = pattern(spec);
      if (!compiled.ok) return compiled;
      aborts.push(compiled.value);
    }
    const captures: { spec: CaptureSpec; regex: BoundedRegex }[] = [];
    for (const spec of step.captures) {
      const re = compileBoundedRegex(spec.pattern);
      if (!re.ok) return { ok: false, message: re.error.message };
      captures.push({ spec, regex: re.value });
    }
    return { ok: true, value: { main, needle, aborts, captures, usesRegex: usesRegex || captures.length > 0 } };
  }

  /** One look at the window: a verdict, or null to keep waiting. */
  #evaluate(
    step: Extract<ConversationStep, { kind: 'expect' }>,
    index: number,
    expect: CompiledExpect,
  ): StepVerdict | null {
    const { main, aborts, captures } = expect;
    const exact = step.match.kind === 'exact' ? expect.needle : null;
    const view = this.#window.view();
    let found: { start: number; end: number } | null = null;
    if (exact) {
      const diff = firstDifference(exact, view);
      if (diff >= 0) return this.#exactMismatch(exact, view, diff);
      if (view.length >= exact.length) found = { start: 0, end: exact.length };
    } else if (main) {
      found = main.find(view);
    }
    for (let a = 0; a < aborts.length; a++) {
      const hit = aborts[a]!.find(view);
      if (hit && (!found || hit.end <= found.end)) {
        const spec = step.abortOn[a]!;
        const what = spec.kind === 'regex' ? `regex ${JSON.stringify(spec.pattern)}` : `${spec.kind} ${JSON.stringify(spec.payload.template.source)}`;
        this.#record({ kind: 'matched', step: index, start: this.#window.start + hit.start, end: this.#window.start + hit.end });
        return {
          ok: false,
          reason: 'abort-on',
          message: `abort_on ${what} matched at byte ${hit.start} of the reply.\n${showBytes('received', view, hit.start)}`,
        };
      }
    }
    if (!found) return null;
    const region = view.subarray(0, found.end);
    for (const { spec, regex } of captures) {
      const m = regex.search(region);
      const group = m?.groups[0];
      if (!m || !group) {
        return {
          ok: false,
          reason: 'capture',
          message: `the match was found, but capture "${spec.name}" (${JSON.stringify(spec.pattern)}) did not match the reply up to it.\n${showBytes('received', region, 0)}`,
        };
      }
      if (group.end - group.start > CONVERSATION_LIMITS.maxCaptureBytes) {
        return { ok: false, reason: 'capture', message: `capture "${spec.name}" is ${group.end - group.start} bytes; at most ${CONVERSATION_LIMITS.maxCaptureBytes}.` };
      }
      this.#values.set(spec.name, region.slice(group.start, group.end));
    }
    const start = this.#window.start + found.start;
    const end = this.#window.start + found.end;
    const dropped = this.#window.droppedSinceConsume;
    this.#record({ kind: 'matched', step: index, start, end });
    this.#window.consumeTo(end);
    const names = captures.map((c) => c.spec.name);
    return {
      ok: true,
      message:
        `matched bytes ${start}-${end} of the stream` +
        (names.length > 0 ? `; captured ${names.join(', ')}` : '') +
        (dropped > 0 ? ` (${dropped} earlier bytes had left the ${WINDOW_LABEL} window)` : ''),
    };
  }

  #exactMismatch(expected: Uint8Array, received: Uint8Array, at: number): StepVerdict {
    return {
      ok: false,
      reason: 'mismatch',
      message:
        `the reply differs at byte ${at}: expected ${describeByte(expected[at])}, received ${describeByte(received[at])}.\n` +
        `${showBytes('expected', expected, at)}\n${showBytes('received', received, at)}`,
    };
  }

  #endedWithoutMatch(step: Extract<ConversationStep, { kind: 'expect' }>, expect: CompiledExpect): StepVerdict {
    const error = this.#closeError;
    if (error && !this.#weClosed) {
      return this.#noMatch(step, expect, 'connection-error', `the connection failed before a match: ${error.code}: ${error.message}`);
    }
    if (this.#remoteEnded) return this.#noMatch(step, expect, 'peer-closed', 'the peer finished sending (FIN) before a match.');
    return this.#noMatch(step, expect, 'not-connected', 'the connection was closed before a match.');
  }

  #noMatch(
    step: Extract<ConversationStep, { kind: 'expect' }>,
    expect: CompiledExpect,
    reason: StepFailureReason,
    why: string,
  ): StepVerdict {
    const view = this.#window.view();
    const dropped = this.#window.droppedSinceConsume;
    const note = `(${view.length} bytes since the previous match${dropped > 0 ? `, ${dropped} older bytes dropped from the ${WINDOW_LABEL} window` : ''})`;
    const match = step.match;
    let expectedLines: string;
    let around = Math.max(0, view.length - 1);
    if (match.kind === 'eof') {
      expectedLines = '  expected: the peer to finish sending (FIN)';
    } else if (match.kind === 'regex') {
      expectedLines = `  expected: regex ${JSON.stringify(match.pattern)}`;
    } else {
      const needle = expect.needle ?? new Uint8Array(0);
      expectedLines = showBytes('expected', needle, 0, `(${match.kind}, ${needle.length} bytes)`);
      if (match.kind === 'exact') {
        around = Math.min(view.length, needle.length);
      } else {
        const near = closestPrefix(needle, view);
        if (near.length > 0) {
          around = near.at;
          expectedLines += `\n  closest: the first ${near.length} of ${needle.length} bytes, at byte ${near.at}`;
        }
      }
    }
    return { ok: false, reason, message: `${why}\n${expectedLines}\n${showBytes('received', view, around, note)}` };
  }

  // ── transcript ────────────────────────────────────────────────────────────────────────────

  #recordData(kind: 'sent' | 'received', offset: number, bytes: Uint8Array, step = 0): void {
    const keep = this.#transcriptBytes + bytes.length <= CONVERSATION_LIMITS.maxTranscriptBytes;
    if (keep) this.#transcriptBytes += bytes.length;
    const copy = keep ? bytes.slice() : null;
    if (kind === 'sent') this.#record({ kind, step, offset, length: bytes.length, bytes: copy });
    else this.#record({ kind, offset, length: bytes.length, bytes: copy });
  }

  #record(entry: DistributiveOmit<ConversationTranscriptEntry, 'at'>): void {
    if (this.#transcriptTruncated) return;
    if (this.#transcript.length >= CONVERSATION_LIMITS.maxTranscriptEntries - 1) {
      this.#transcriptTruncated = true;
      this.#transcript.push({ at: Date.now(), kind: 'truncated' });
      return;
    }
    this.#transcript.push({ ...entry, at: Date.now() } as ConversationTranscriptEntry);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** "send", "expect contains", "group ×3" … for messages. */
export function describeKind(step: ConversationStep): string {
  if (step.kind === 'expect') return `expect ${step.match.kind}`;
  return step.kind;
}
