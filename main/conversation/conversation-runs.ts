/**
 * Conversation runs started from the app (contract channels `conversation:check`, `conversation:run`,
 * `conversation:cancel`, event `conversation:update`): one {@link ConversationRuns} per client
 * (window or web-mode page), so a run is visible to and cancellable by its own client only.
 *
 * Invariants:
 * - The YAML text is validated with the same loader as the CLI before anything connects; problems
 *   come back as data (line, column, path, message), never as a thrown error or a half-started run.
 * - A client has at most CONVERSATION_RUN_LIMITS.maxConcurrentRuns runs going; more is SESSION_LIMIT.
 * - Step changes are coalesced into at most about CONVERSATION_RUN_LIMITS.updatesPerSecond updates
 *   a second per run (a `repeat: 100000` group must not flood the page); each update carries only
 *   the steps that changed since the previous one, with their latest state. The last update
 *   carries the whole report (steps, counters, transcript with match offsets) and `finished: true`;
 *   nothing is sent for a run after that.
 * - {@link ConversationRuns.cancelAll} (client gone, app quitting) stops every run; their streams
 *   are destroyed by the runner before its report resolves.
 */
import { randomUUID } from 'node:crypto';
import {
  CONVERSATION_RUN_LIMITS,
  type Conversation,
  type ConversationCheck,
  type ConversationFileError,
  type ConversationRunUpdate,
  type ConversationStart,
  type ConversationReport,
  type ConversationStep,
  type ConversationStepView,
  type StepResult,
} from '../../shared/conversation.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import type { OpenConversationStream } from './conversation-stream.ts';
import { loadConversation } from './load-conversation.ts';
import { describeKind, runConversation } from './run-conversation.ts';
import { openTcpConversationStream } from './tcp-stream-adapter.ts';

/** Where a run's updates go. */
export interface RunUpdateSink {
  readonly alive: boolean;
  sendUpdate(update: ConversationRunUpdate): void;
}

interface ActiveRun {
  controller: AbortController;
  done: Promise<void>;
}

const UPDATE_INTERVAL_MS = 1000 / CONVERSATION_RUN_LIMITS.updatesPerSecond;

/** The steps of a loaded conversation, numbered as the runner numbers them, all 'pending'. */
export function outlineSteps(conversation: Conversation): ConversationStepView[] {
  const out: ConversationStepView[] = [];
  const walk = (steps: ConversationStep[], depth: number): void => {
    for (const step of steps) {
      out.push({
        index: out.length + 1,
        kind: step.kind,
        label: describeKind(step),
        name: step.name,
        line: step.at.line,
        depth,
        state: 'pending',
        durationMs: 0,
        message: '',
        runs: 0,
        reason: null,
      });
      if (step.kind === 'group') walk(step.steps, depth + 1);
    }
  };
  walk(conversation.steps, 0);
  return out;
}

/** Validates `yaml` the way a run would (variables given here count as defined). */
export function checkConversation(yaml: string, variables: Record<string, string> = {}): ConversationCheck {
  const loaded = loadConversation(yaml, { extraVariables: Object.keys(variables) });
  if (!loaded.ok) return { errors: loaded.errors, steps: [], name: null, target: null };
  const { host, port, transport } = loaded.value.target;
  return { errors: [], steps: outlineSteps(loaded.value), name: loaded.value.name, target: { host, port, transport } };
}

/** The runs of one client. */
export class ConversationRuns {
  readonly #runs = new Map<string, ActiveRun>();
  readonly #open: OpenConversationStream;

  constructor(open: OpenConversationStream = openTcpConversationStream) {
    this.#open = open;
  }

  get size(): number {
    return this.#runs.size;
  }

  /** Validates and starts a run; its updates go to `sink` until the final one. */
  start(yaml: string, variables: Record<string, string>, sink: RunUpdateSink): Result<ConversationStart> {
    const loaded = loadConversation(yaml, { extraVariables: Object.keys(variables) });
    if (!loaded.ok) return ok({ runId: null, steps: [], errors: loaded.errors });
    if (this.#runs.size >= CONVERSATION_RUN_LIMITS.maxConcurrentRuns) {
      return fail('SESSION_LIMIT', `At most ${CONVERSATION_RUN_LIMITS.maxConcurrentRuns} conversations can run at once in one window; stop one first.`);
    }
    const runId = randomUUID();
    const outline = outlineSteps(loaded.value);
    const views = new Map(outline.map((v) => [v.index, v]));
    const changed = new Set<number>();
    let timer: NodeJS.Timeout | null = null;
    let lastFlush = 0;
    let finished = false;

    const flush = (report: ConversationReport | null): void => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (finished) return;
      if (report) finished = true;
      const steps = [...changed].sort((a, b) => a - b).map((i) => ({ ...views.get(i)! }));
      changed.clear();
      lastFlush = performance.now();
      if (sink.alive) sink.sendUpdate({ runId, steps, finished: report !== null, report });
    };
    const touch = (index: number): void => {
      changed.add(index);
      if (timer || finished) return;
      timer = setTimeout(() => flush(null), Math.max(0, lastFlush + UPDATE_INTERVAL_MS - performance.now()));
    };
    const apply = (r: StepResult): void => {
      const view = views.get(r.index);
      if (!view) return;
      view.state = r.outcome;
      view.durationMs = r.durationMs;
      view.message = r.message;
      view.runs = r.runs;
      view.reason = r.reason;
      touch(r.index);
    };

    const controller = new AbortController();
    const done = runConversation(loaded.value, {
      open: this.#open,
      variables,
      signal: controller.signal,
      onStepStart: (index) => {
        const view = views.get(index);
        if (!view) return;
        view.state = 'running';
        touch(index);
      },
      onStep: apply,
    })
      .then((report) => {
        for (const r of report.steps) apply(r);
        flush(report);
      })
      .catch((err: unknown) => {
        // The runner does not throw for peer behaviour; a bug still ends the run visibly.
        const message = `internal error: ${err instanceof Error ? err.message : String(err)}`;
        for (const v of views.values()) if (v.state === 'pending' || v.state === 'running') apply({ ...v, outcome: 'skipped', message });
        flush(failedReport(outline, message));
      })
      .finally(() => {
        this.#runs.delete(runId);
      });
    this.#runs.set(runId, { controller, done });
    return ok({ runId, steps: outline.map((v) => ({ ...v })), errors: [] });
  }

  /** Stops a run; the final update still comes (cancelled, the rest skipped). */
  cancel(runId: string): Result<null> {
    const run = this.#runs.get(runId);
    if (!run) return fail('UNKNOWN_SESSION', `No conversation run ${runId} in this window; it has finished or never existed.`);
    run.controller.abort();
    return ok(null);
  }

  /** Stops every run and waits for their streams to be gone. */
  async cancelAll(): Promise<void> {
    const runs = [...this.#runs.values()];
    for (const run of runs) run.controller.abort();
    await Promise.all(runs.map((r) => r.done));
  }
}

function failedReport(outline: ConversationStepView[], message: string): ConversationReport {
  return {
    passed: false,
    cancelled: false,
    timedOut: false,
    steps: outline.map((v) => ({ index: v.index, kind: v.kind, label: v.label, name: v.name, line: v.line, outcome: 'skipped', durationMs: 0, message, runs: 0, reason: null })),
    bytesSent: 0,
    bytesReceived: 0,
    durationMs: 0,
    error: { code: 'INTERNAL', message },
    connectFailed: false,
    transcript: [],
  };
}
