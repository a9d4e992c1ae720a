/**
 * Conversations: a scripted exchange on one session (send, expect, wait, half-close, close), as
 * loaded from a YAML file (docs/conversations.md) and as reported after a run. Shared so the CLI,
 * the engine and a future conversation tab agree on one shape.
 *
 * A loaded {@link Conversation} is already validated: every number is in range, every pattern
 * compiles, every `${name}` refers to something that will exist. Each step keeps the line and
 * column it came from, so a report can point back into the file.
 */
import type { AppError } from './errors.ts';
import type { LineEnding, PayloadMode, TextEncoding } from './payload.ts';

/** Limits the loader and the runner enforce; docs/conversations.md states them. */
export const CONVERSATION_LIMITS = {
  /** A conversation file larger than this is refused before parsing. */
  maxFileBytes: 1024 * 1024,
  /** Step definitions in one file, groups and their children included. */
  maxSteps: 10_000,
  /** How deep groups may nest. */
  maxGroupDepth: 8,
  /** An expect sees at most this many bytes received since the previous expect matched. */
  windowBytes: 1024 * 1024,
  defaultExpectTimeoutMs: 5_000,
  /** Upper bound of every duration in a file: timeout_ms, wait, interval_ms. */
  maxDurationMs: 600_000,
  maxRepeat: 100_000,
  /** Characters in one regex, and its compiled size (RE2's program size). */
  maxRegexChars: 1_000,
  maxRegexProgramSize: 5_000,
  maxCapturesPerExpect: 16,
  maxAbortPatterns: 16,
  /** A captured value longer than this fails the step rather than being cut. */
  maxCaptureBytes: 64 * 1024,
  maxVariables: 256,
  maxVariableBytes: 64 * 1024,
  maxRandomHexDigits: 1_024,
  /** Bytes the run transcript keeps; later data entries keep their length only. */
  maxTranscriptBytes: 4 * 1024 * 1024,
  maxTranscriptEntries: 20_000,
} as const;

/** Names `${…}` may not use for variables or captures: they are macros. */
export const RESERVED_NAMES: readonly string[] = ['counter', 'time', 'date', 'random'];

/** Where something is in the file; both one-based. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** One `${…}` in a template. */
export type TemplateReference =
  | { kind: 'name'; name: string }
  | { kind: 'counter' }
  | { kind: 'time' }
  | { kind: 'date' }
  | { kind: 'random-hex'; digits: number };

/** A piece of a template: literal text, or a reference starting at `offset` in the source text. */
export type TemplatePart = { kind: 'literal'; text: string; offset: number } | { kind: 'ref'; ref: TemplateReference; offset: number; length: number };

/**
 * Text with `${…}` references. A reference inserts its value's bytes as they are, in every mode;
 * literal text is encoded with the payload codec (docs/payload-grammar.md).
 */
export interface Template {
  /** The text as written (after YAML unquoting). */
  source: string;
  parts: TemplatePart[];
  /** Where the scalar starts in the file. */
  at: SourcePosition;
}

/** Bytes to produce: a send's payload, or the bytes a `contains`/`exact`/`hex` looks for. */
export interface PayloadTemplate {
  mode: PayloadMode;
  template: Template;
  encoding: TextEncoding;
  lineEnding: LineEnding;
}

/** A pattern searched for in received bytes (an expect's match, an abort_on entry). */
export type PatternSpec =
  | { kind: 'contains'; payload: PayloadTemplate }
  | { kind: 'hex'; payload: PayloadTemplate }
  | { kind: 'regex'; pattern: string; at: SourcePosition };

/** What an expect waits for. */
export type ExpectMatch = PatternSpec | { kind: 'exact'; payload: PayloadTemplate } | { kind: 'eof' };

/** A regex with one group whose bytes become `${name}`. */
export interface CaptureSpec {
  name: string;
  pattern: string;
  at: SourcePosition;
}

/** TLS settings of a `starttls` step or a `tls` target: SNI (also the name verified) and verify. */
export interface TlsSettings {
  servername: string | null;
  verify: boolean;
}

interface StepBase {
  /** Optional label shown in reports. */
  name: string | null;
  continueOnFailure: boolean;
  at: SourcePosition;
}

/** One step of a conversation. `repeat`/`intervalMs` run a send or a group N times. */
export type ConversationStep =
  | (StepBase & { kind: 'send'; payload: PayloadTemplate; repeat: number; intervalMs: number })
  | (StepBase & {
      kind: 'expect';
      match: ExpectMatch;
      timeoutMs: number;
      captures: CaptureSpec[];
      abortOn: PatternSpec[];
    })
  | (StepBase & { kind: 'wait'; ms: number })
  | (StepBase & { kind: 'close_write' })
  | (StepBase & { kind: 'starttls'; tls: TlsSettings })
  | (StepBase & { kind: 'close' })
  | (StepBase & { kind: 'group'; steps: ConversationStep[]; repeat: number; intervalMs: number });

/** Every step kind, in the order docs/conversations.md lists them. */
export const STEP_KINDS = ['send', 'expect', 'wait', 'close_write', 'starttls', 'close', 'group'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** Where to connect. */
export interface ConversationTarget {
  host: string;
  port: number;
  transport: 'tcp' | 'tls';
  connectTimeoutMs: number;
  /** Only for transport 'tls'. */
  tls: TlsSettings | null;
}

/** A validated conversation file. */
export interface Conversation {
  name: string | null;
  target: ConversationTarget;
  /** Defaults for `${name}`; `--var` overrides them. Values are UTF-8 text. */
  variables: Record<string, string>;
  steps: ConversationStep[];
}

/**
 * The rules a conversation file can break (main/conversation/load-conversation.ts), so that a UI
 * words a problem in its own language; `message` is the English sentence the CLI prints. Each
 * reason's values are in `params` (docs/conversations.md lists them).
 */
export const CONVERSATION_PROBLEMS = [
  'too-large',
  'yaml-syntax',
  'not-a-mapping',
  'missing-key',
  'empty-steps',
  'unknown-transport',
  'tls-needs-transport',
  'too-many-variables',
  'variable-too-long',
  'expected-step-list',
  'too-many-steps',
  'unknown-step-key',
  'step-without-kind',
  'step-kinds',
  'repeat-not-here',
  'takes-no-settings',
  'group-too-deep',
  'group-empty',
  'send-needs-payload',
  'send-payloads',
  'expect-needs-match',
  'expect-matches',
  'eof-true',
  'capture-with-eof',
  'too-many-abort-patterns',
  'abort-on-entry',
  'unknown-abort-pattern',
  'too-many-captures',
  'capture-groups',
  'undefined-variable',
  'unknown-choice',
  'expected-text',
  'expected-integer',
  'expected-boolean',
  'expected-shape',
  'plain-keys',
  'invalid-name',
  'reserved-name',
  'unknown-key',
  'value',
] as const;
export type ConversationProblem = (typeof CONVERSATION_PROBLEMS)[number];

/** What `expected-shape` expected (params.shape). */
export type ConversationShape = 'target' | 'tls' | 'variables' | 'step' | 'payload' | 'expectation' | 'pattern' | 'captures';

/** A problem in a conversation file, with where it is. */
export interface ConversationFileError {
  message: string;
  line: number;
  column: number;
  /** The YAML path, e.g. `steps[2].expect.timeout_ms`, when known. */
  path: string | null;
  /** The rule that failed; absent for the CLI's file-reading problems (not a file, unreadable). */
  reason?: ConversationProblem;
  /** The reason's values as data: keys, numbers, the text found (never sentences). */
  params?: Record<string, string | number>;
  /**
   * For `value`: the error of the value's own grammar (a host, a payload, a regex, a `${…}`
   * reference), with its code, reason and params as the codec or compiler gave them.
   */
  cause?: Pick<AppError, 'code' | 'message' | 'field' | 'position' | 'reason' | 'params'>;
}

/** How one step ended. A step not reached (after a failure or a cancel) is 'skipped'. */
export type StepOutcome = 'passed' | 'failed' | 'skipped';

/** Why a step failed, for code that must tell them apart (the message is for people). */
export type StepFailureReason =
  | 'timeout'
  | 'mismatch'
  | 'abort-on'
  | 'peer-closed'
  | 'connection-error'
  | 'capture'
  | 'not-connected'
  | 'unsupported'
  | 'payload'
  | 'run-timeout'
  | 'cancelled'
  | 'child-failed';

/** The result of one step definition, over all its repeats. */
export interface StepResult {
  /** One-based, in document order, groups and their children numbered depth-first. */
  index: number;
  kind: StepKind;
  /** The kind with its detail, for people: "expect contains", "send", "group". */
  label: string;
  name: string | null;
  line: number;
  outcome: StepOutcome;
  durationMs: number;
  /** One line for passed steps; for failures, expected versus received (text and hex). */
  message: string;
  /** How many times it ran (repeat, or an enclosing group's repeat). */
  runs: number;
  reason: StepFailureReason | null;
}

/** One entry of a run's transcript; received offsets count every byte received in the run. */
export type ConversationTranscriptEntry =
  | { at: number; kind: 'connected'; remoteAddress: string | null; remotePort: number | null }
  | { at: number; kind: 'sent'; step: number; offset: number; length: number; bytes: Uint8Array | null }
  | { at: number; kind: 'received'; offset: number; length: number; bytes: Uint8Array | null }
  | { at: number; kind: 'matched'; step: number; start: number; end: number }
  | { at: number; kind: 'dropped'; start: number; end: number }
  | { at: number; kind: 'local-ended' }
  | { at: number; kind: 'remote-ended' }
  | { at: number; kind: 'closed'; error: AppError | null }
  | { at: number; kind: 'truncated' };

/** What a run reports. `passed` is true only when every step passed. */
export interface ConversationReport {
  passed: boolean;
  /** Stopped by the caller (Ctrl-C, a Stop button). */
  cancelled: boolean;
  /** The whole-run deadline fired. */
  timedOut: boolean;
  steps: StepResult[];
  bytesSent: number;
  bytesReceived: number;
  durationMs: number;
  /** A connection-level error: the connect failed, or the connection broke (reset). */
  error: AppError | null;
  /** True when the connect itself failed (nothing ran). */
  connectFailed: boolean;
  transcript: ConversationTranscriptEntry[];
}

// ── Running from the app (contract channels conversation:*) ─────────────────────────────────

/** A step's state while a run goes on: 'pending' until reached, 'running' while it runs. */
export type StepRunState = 'pending' | 'running' | 'passed' | 'failed' | 'skipped';

/** One step as the app shows a run: its result so far plus where it sits in the file. */
export interface ConversationStepView {
  index: number;
  kind: StepKind;
  label: string;
  name: string | null;
  line: number;
  /** 0 for a top-level step, 1 inside a group, … */
  depth: number;
  state: StepRunState;
  durationMs: number;
  /** Empty until the step ends; for failures expected versus received (text and hex). */
  message: string;
  runs: number;
  reason: StepFailureReason | null;
}

/** Limits of runs from the app, per window (or web-mode page). */
export const CONVERSATION_RUN_LIMITS = {
  /** Runs one client may have going at once. */
  maxConcurrentRuns: 8,
  /** `conversation:update` events per second per run (about). */
  updatesPerSecond: 20,
} as const;

/** One coalesced update of a run (the `conversation:update` event's payload). */
export interface ConversationRunUpdate {
  runId: string;
  /** Steps whose state changed since the previous update, latest state each. */
  steps: ConversationStepView[];
  finished: boolean;
  /** Only on the last update. */
  report: ConversationReport | null;
}

/** What `conversation:check` answers: the problems, or the steps a run would show. */
export interface ConversationCheck {
  errors: ConversationFileError[];
  steps: ConversationStepView[];
  name: string | null;
  target: { host: string; port: number; transport: 'tcp' | 'tls' } | null;
}

/** What `conversation:run` answers: a started run, or the file's problems (nothing connected). */
export type ConversationStart = { runId: string; steps: ConversationStepView[]; errors: [] } | { runId: null; steps: []; errors: ConversationFileError[] };
