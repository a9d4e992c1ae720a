/**
 * A conversation tab (issue 15): a conversation file edited as steps or as YAML, checked by main as
 * the CLI checks it, and run on its own connection with each step's state shown live.
 *
 * State machine of a run: idle → starting (the `conversation:run` call) → running (updates arrive)
 * → finished (the last update, with the report) ; cancel moves running to finished through main
 * (the running step fails as cancelled). A file with problems never leaves idle: its problems are
 * shown with line and column.
 *
 * The YAML text is the truth: the step form edits the model (lib/conversation-doc.ts) and writes
 * the text from it; typing in the YAML view re-reads the model from the text (when the text is
 * YAML) without rewriting what was typed. Main checks the text a moment after each edit.
 */
import { ok, type AppError, type Result } from '../../../shared/errors.ts';
import type { SocketTesterApi } from '../../../shared/contract.ts';
import type {
  ConversationCheck,
  ConversationFileError,
  ConversationReport,
  ConversationRunUpdate,
  ConversationStepView,
  StepKind,
} from '../../../shared/conversation.ts';
import { PROFILE_DEFAULTS, type Profile, type ProfileDraft } from '../../../shared/profile.ts';
import { formatEndpoint } from '../../../shared/endpoint.ts';
import { docFromYaml, isPlainObject, newDoc, newStepValue, stepId, yamlFromDoc, type ConversationDoc, type DocError } from '../conversation-doc.ts';
import type { StatusWords } from './status-words.ts';
import { t } from '../i18n/index.ts';
import { uiMessage } from '../field-labels.ts';
import type { ProfileMeta } from './tab-settings.ts';
import type { WorkTab } from './work-tab.ts';
import { applyLink, linkOf, type TabSnapshot } from './workspace.ts';

export type ConversationView = 'steps' | 'yaml';
export type RunPhase = 'idle' | 'starting' | 'running' | 'finished';

/** How long after an edit main checks the text. */
const CHECK_DELAY_MS = 250;

let conversationCounter = 0;

/** YAML paths the form above the editor edits, whose problems show under its fields. */
const FORM_FIELD_PATHS: ReadonlySet<string> = new Set(['target.host', 'target.port']);

export class ConversationTab implements WorkTab {
  readonly kind = 'conversation' as const;
  readonly key = `conversation-${++conversationCounter}`;

  /** The file's text: what is run, saved and exported. */
  yaml = $state('');
  /** The model the step list edits; null while the text is not YAML (see {@link docError}). */
  doc = $state.raw<ConversationDoc | null>(null);
  docError = $state.raw<DocError | null>(null);
  /** Main's verdict on the current text (null until the first check answers). */
  check = $state.raw<ConversationCheck | null>(null);
  view = $state<ConversationView>('steps');
  /** The selected step in the list (index into doc.steps). */
  selected = $state(0);
  /** Set when a failure should bring its step into view; the view clears it once it has. */
  jumpTo = $state<number | null>(null);

  phase = $state<RunPhase>('idle');
  runId = $state<string | null>(null);
  /** The run's steps, numbered as the runner numbers them (groups before their steps). */
  runSteps = $state.raw<ConversationStepView[]>([]);
  report = $state.raw<ConversationReport | null>(null);
  /** A call that failed (SESSION_LIMIT, a lost connection to main), shown by Run. */
  runError = $state.raw<AppError | null>(null);
  /** Problems main found when Run was pressed. */
  runProblems = $state.raw<ConversationFileError[]>([]);

  profileId = $state<string | null>(null);
  profileName = $state<string | null>(null);
  profileRevision = $state<number | null>(null);
  savedYaml = $state<string | null>(null);

  #checkTimer: ReturnType<typeof setTimeout> | null = null;
  #checkSeq = 0;
  /** The YAML the model was last written as: edits of the text that equal it are not re-read. */
  #initialYaml: string;

  constructor(
    private readonly api: SocketTesterApi,
    initial: ConversationDoc = newDoc(),
  ) {
    this.doc = initial;
    this.yaml = yamlFromDoc(initial);
    this.#initialYaml = this.yaml;
    this.scheduleCheck(0);
  }

  readonly title = $derived(this.profileName ?? this.docName() ?? t('conversation.newTitle'));
  readonly unsaved = $derived(this.savedYaml !== null && this.savedYaml !== this.yaml);
  readonly live = $derived(this.phase === 'starting' || this.phase === 'running');
  get pristine(): boolean {
    return this.phase === 'idle' && this.report === null && this.yaml === (this.savedYaml ?? this.#initialYaml);
  }
  readonly words: StatusWords = $derived.by(() => this.statusWords());
  /** The problems to show: main's for the current text, or the YAML syntax error found here. */
  readonly problems = $derived.by((): ConversationFileError[] => {
    if (this.docError) return [{ ...this.docError, path: null }];
    return this.check?.errors ?? [];
  });
  /**
   * The problems of the form's own fields (target host and port), shown under each field as it is
   * typed: the user typed there, not in the YAML (tester: a bad host read as "line 3, column 9").
   */
  readonly fieldProblems = $derived.by((): { host: ConversationFileError | null; port: ConversationFileError | null } => {
    const all = this.runProblems.length > 0 ? this.runProblems : this.problems;
    return { host: all.find((p) => p.path === 'target.host') ?? null, port: all.find((p) => p.path === 'target.port') ?? null };
  });
  /** The run's top-level steps mapped to the list's rows: run step index → list index. */
  readonly rowOfRunStep = $derived.by(() => {
    const map = new Map<number, number>();
    let row = -1;
    for (const s of this.runSteps) {
      if (s.depth === 0) row++;
      map.set(s.index, row);
    }
    return map;
  });
  /** Each list row's run state (the row's own step; a group is its own state). */
  readonly rowStates = $derived.by(() => this.runSteps.filter((s) => s.depth === 0));
  /** The first failed step of the run, if any. */
  readonly firstFailure = $derived(this.runSteps.find((s) => s.state === 'failed' && s.reason !== 'child-failed') ?? this.runSteps.find((s) => s.state === 'failed') ?? null);

  get keptBytes(): number {
    let n = this.yaml.length * 2;
    for (const e of this.report?.transcript ?? []) if ((e.kind === 'sent' || e.kind === 'received') && e.bytes) n += e.bytes.byteLength;
    return n;
  }

  private docName(): string | null {
    const name = this.doc?.root.name;
    return typeof name === 'string' && name.trim() ? name.trim() : null;
  }

  private statusWords(): StatusWords {
    if (this.phase === 'starting' || this.phase === 'running') return { label: t('conversation.running'), tone: 'busy', detail: null };
    if (this.runError) return { label: t('conversation.error', { message: uiMessage(this.runError) }), tone: 'error', detail: null };
    const r = this.report;
    if (!r) return { label: this.problems.length > 0 ? t('conversation.problems', { count: this.problems.length }) : t('conversation.notRun'), tone: this.problems.length > 0 ? 'warn' : 'idle', detail: null };
    if (r.passed) return { label: t('conversation.passed', { n: r.steps.length }), tone: 'ok', detail: null };
    if (r.cancelled) return { label: t('conversation.stopped'), tone: 'warn', detail: null };
    const failed = this.firstFailure;
    return { label: failed ? t('conversation.failedAt', { n: failed.index }) : r.error ? t('conversation.error', { message: uiMessage(r.error) }) : t('conversation.failed'), tone: 'error', detail: null };
  }

  // ── editing ───────────────────────────────────────────────────────────────────────────────

  /** The YAML view's input: the text as typed; the model follows when the text is YAML. */
  setYaml(text: string): void {
    this.yaml = text;
    // Problems a refused Run found describe the old text; the check of the new text replaces them.
    this.runProblems = [];
    const read = docFromYaml(text);
    if (read.ok) {
      this.doc = read.doc;
      this.docError = null;
      this.selected = Math.min(this.selected, Math.max(0, read.doc.steps.length - 1));
    } else this.docError = read.error;
    this.scheduleCheck();
  }

  /** Applies a change to the model and writes the text from it. */
  private edit(change: (doc: ConversationDoc) => ConversationDoc): void {
    if (!this.doc) return;
    this.doc = change(this.doc);
    this.docError = null;
    this.runProblems = [];
    this.yaml = yamlFromDoc(this.doc);
    this.scheduleCheck();
  }

  setRoot(key: string, value: unknown): void {
    this.edit((d) => {
      const root = { ...d.root };
      if (value === undefined || value === '') delete root[key];
      else root[key] = value;
      return { ...d, root };
    });
  }

  /** Sets a target key (host, port, transport); '' or undefined removes it. */
  setTarget(key: string, value: unknown): void {
    this.edit((d) => {
      const target = isPlainObject(d.root.target) ? { ...d.root.target } : {};
      if (value === undefined || value === '') delete target[key];
      else target[key] = value;
      return { ...d, root: { ...d.root, target } };
    });
  }

  setStep(index: number, value: unknown): void {
    this.edit((d) => ({ ...d, steps: d.steps.map((s, i) => (i === index ? { ...s, value } : s)) }));
  }

  addStep(kind: StepKind, at = (this.doc?.steps.length ?? 0) - 1): void {
    const index = at + 1;
    this.edit((d) => {
      const steps = [...d.steps];
      steps.splice(index, 0, { id: stepId(), value: newStepValue(kind) });
      return { ...d, steps };
    });
    this.selected = index;
  }

  duplicateStep(index: number): void {
    this.edit((d) => {
      const steps = [...d.steps];
      const copy = structuredClone(steps[index]!.value);
      steps.splice(index + 1, 0, { id: stepId(), value: copy });
      return { ...d, steps };
    });
    this.selected = index + 1;
  }

  deleteStep(index: number): void {
    this.edit((d) => ({ ...d, steps: d.steps.filter((_, i) => i !== index) }));
    this.selected = Math.max(0, Math.min(this.selected, (this.doc?.steps.length ?? 1) - 1));
  }

  /** Moves a step by `delta` (−1 up, +1 down); the selection follows it. */
  moveStep(index: number, delta: number): void {
    const to = index + delta;
    if (!this.doc || to < 0 || to >= this.doc.steps.length) return;
    this.edit((d) => {
      const steps = [...d.steps];
      const [moved] = steps.splice(index, 1);
      steps.splice(to, 0, moved!);
      return { ...d, steps };
    });
    this.selected = to;
  }

  /** Asks main to check the text after a short pause (only the latest answer counts). */
  scheduleCheck(delay = CHECK_DELAY_MS): void {
    if (this.#checkTimer) clearTimeout(this.#checkTimer);
    this.#checkTimer = setTimeout(() => void this.checkNow(), delay);
  }

  async checkNow(): Promise<void> {
    this.#checkTimer = null;
    const seq = ++this.#checkSeq;
    const r = await this.api.call('conversation:check', { yaml: this.yaml });
    if (seq !== this.#checkSeq) return;
    this.check = r.ok ? r.value : { errors: [{ message: r.error.message, line: 1, column: 1, path: null }], steps: [], name: null, target: null };
  }

  // ── running ───────────────────────────────────────────────────────────────────────────────

  async run(): Promise<void> {
    if (this.live) return;
    this.phase = 'starting';
    this.runError = null;
    this.runProblems = [];
    this.report = null;
    const r = await this.api.call('conversation:run', { yaml: this.yaml });
    if (!r.ok) {
      this.runError = r.error;
      this.phase = 'idle';
      return;
    }
    if (r.value.runId === null) {
      this.runProblems = r.value.errors;
      this.runSteps = [];
      this.phase = 'idle';
      // To the YAML only for a problem there: one in Host or Port shows under that field.
      if (r.value.errors.some((e) => !FORM_FIELD_PATHS.has(e.path ?? ''))) this.view = 'yaml';
      return;
    }
    this.runId = r.value.runId;
    this.runSteps = r.value.steps;
    this.phase = 'running';
  }

  async stop(): Promise<void> {
    if (this.phase !== 'running' || !this.runId) return;
    const r = await this.api.call('conversation:cancel', { runId: this.runId });
    if (!r.ok && r.error.code !== 'UNKNOWN_SESSION') this.runError = r.error;
  }

  /** Called by the app for every `conversation:update`. */
  applyUpdate(u: ConversationRunUpdate): void {
    if (u.runId !== this.runId) return;
    if (u.steps.length > 0) {
      const byIndex = new Map(u.steps.map((s) => [s.index, s]));
      this.runSteps = this.runSteps.map((s) => byIndex.get(s.index) ?? s);
    }
    if (u.finished) {
      this.report = u.report;
      this.phase = 'finished';
      const failed = this.firstFailure;
      if (failed && !u.report?.cancelled) {
        // A failure jumps to its step: the list selects the row that holds it.
        const row = this.rowOfRunStep.get(failed.index);
        if (row !== undefined) {
          this.view = 'steps';
          this.selected = row;
          this.jumpTo = row;
        }
      }
    }
  }

  // ── WorkTab ───────────────────────────────────────────────────────────────────────────────

  linkProfile(p: Profile): void {
    this.profileId = p.id;
    this.profileName = p.name;
    this.profileRevision = p.revision;
    this.savedYaml = p.conversation?.yaml ?? this.yaml;
  }

  loadProfile(p: Profile): void {
    this.setYaml(p.conversation?.yaml ?? '');
    this.linkProfile(p);
    this.report = null;
    this.runSteps = [];
    this.phase = 'idle';
  }

  unlinkProfile(): void {
    this.profileId = null;
    this.profileName = null;
    this.profileRevision = null;
    this.savedYaml = null;
  }

  followProfile(p: Profile): void {
    this.profileName = p.name;
    if (this.savedYaml !== null && (p.conversation?.yaml ?? '') === this.savedYaml) this.profileRevision = p.revision;
  }

  snapshot(): TabSnapshot {
    return { kind: 'conversation', yaml: this.yaml, savedYaml: this.savedYaml, profile: linkOf(this), view: this.view };
  }

  /** A reload's copy of this tab: its YAML as edited (checked again), its saved copy and link; no run. */
  restore(s: Extract<TabSnapshot, { kind: 'conversation' }>): void {
    this.setYaml(s.yaml);
    this.savedYaml = s.savedYaml;
    applyLink(this, s.profile);
    // A draft that does not parse is only visible as YAML: show it there, whatever was chosen.
    this.view = this.docError ? 'yaml' : s.view;
  }

  /**
   * The conversation as a profile: the YAML is the truth; host, port and transport are copies of
   * its target for the list. A file whose target main cannot read yet is saved as long as it is
   * YAML; its host and port copies are then the last valid ones or placeholders.
   */
  profileDraft(meta: ProfileMeta): Result<ProfileDraft> {
    const target = this.check?.target ?? null;
    const t = isPlainObject(this.doc?.root.target) ? this.doc!.root.target : {};
    const host = target?.host ?? (typeof t.host === 'string' && t.host ? t.host : '127.0.0.1');
    const port = target?.port ?? (typeof t.port === 'number' && Number.isInteger(t.port) && t.port >= 1 && t.port <= 65535 ? t.port : 1);
    return ok({
      name: meta.name,
      folder: meta.folder,
      kind: 'conversation',
      host,
      port,
      transport: target?.transport ?? (t.transport === 'tls' ? 'tls' : 'tcp'),
      payload: { text: '', mode: 'text', encoding: 'utf8', lineEnding: 'none' },
      connectTimeoutMs: PROFILE_DEFAULTS.connectTimeoutMs,
      idleTimeoutMs: PROFILE_DEFAULTS.idleTimeoutMs,
      closeAfterSend: PROFILE_DEFAULTS.closeAfterSend,
      maxResponseBytes: PROFILE_DEFAULTS.maxResponseBytes,
      notes: meta.notes,
      conversation: { yaml: this.yaml },
    });
  }

  async cancel(): Promise<void> {
    await this.stop();
  }

  releaseSession(): void {
    // The run's report is this tab's own copy; main keeps nothing once a run has finished.
    if (this.#checkTimer) clearTimeout(this.#checkTimer);
    this.#checkTimer = null;
  }

  /** The suggested file name for an export: the conversation's name, made safe. */
  fileName(): string {
    const base = (this.profileName ?? this.docName() ?? 'conversation').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'conversation';
    return `${base.slice(0, 80)}.yaml`;
  }

  /** "host:port" of the target as written, for the header. */
  targetText(): string {
    const t = isPlainObject(this.doc?.root.target) ? this.doc!.root.target : {};
    return typeof t.host === 'string' && t.port !== undefined ? formatEndpoint(t.host, String(t.port)) : '';
  }
}
