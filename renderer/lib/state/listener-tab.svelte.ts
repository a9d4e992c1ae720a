/**
 * A listener tab (kind 'listener'): bind settings, the running listener, its client table, the
 * selected client's conversation and the responder editor with its "test this rule" box.
 *
 * Reactivity: settings are one `$state` object; everything from main (the view, rows, counters,
 * a rule test) is `$state.raw`, replaced whole. The selected client's conversation lives in a
 * plain {@link SessionTab} used as a viewer, so the usual response views show it unchanged.
 */
import type { EventPayload, SocketTesterApi } from '../../../shared/contract.ts';
import type { AppError, Result } from '../../../shared/errors.ts';
import { isLoopbackBind, parseBindHost, parseBindPort, type ListenerClientView, type ListenerDatagram, type ListenerStats, type ListenerView, type RuleTestResult } from '../../../shared/listener.ts';
import { encodePayload, type PayloadMode } from '../../../shared/payload.ts';
import { parsePort } from '../../../shared/endpoint.ts';
import type { Profile, ProfileDraft } from '../../../shared/profile.ts';
import { t } from '../i18n/index.ts';
import { SessionTab, type ResponseView } from './session-tab.svelte.ts';
import type { DatagramLook } from './datagram-tab.svelte.ts';
import { feedPeerDatagrams, peerStatus } from './udp-peer-view.ts';
import type { StatusWords } from './status-words.ts';
import type { ProfileMeta } from './tab-settings.ts';
import type { WorkTab } from './work-tab.ts';
import { applyLink, linkOf, type TabSnapshot } from './workspace.ts';
import {
  copyListenerSettings,
  defaultListenerSettings,
  listenerDraft,
  listenerSettingsFromProfile,
  newRule,
  responderOf,
  sameListenerSettings,
  startArgOf,
  type ListenerSettings,
  type RuleDraft,
} from './listener-settings.ts';

let listenerCounter = 0;

/** How a client's conversation is looked at, carried between viewers (ListenerTab's #look). */
interface ViewerLook {
  view: ResponseView;
  wrap: boolean;
  previewAs: DatagramLook;
  detailView: DatagramLook;
}

export type ListenerPhase = 'idle' | 'starting' | 'listening' | 'stopping' | 'stopped';

export class ListenerTab implements WorkTab {
  readonly kind = 'listener' as const;
  readonly key = `listener-${++listenerCounter}`;

  settings = $state<ListenerSettings>(defaultListenerSettings());
  profileId = $state<string | null>(null);
  profileName = $state<string | null>(null);
  profileRevision = $state<number | null>(null);
  savedSettings = $state.raw<ListenerSettings | null>(null);

  phase = $state<ListenerPhase>('idle');
  view = $state.raw<ListenerView | null>(null);
  stats = $state.raw<ListenerStats | null>(null);
  /** The table, in order of acceptance. */
  rows = $state.raw<ListenerClientView[]>([]);
  /** Client ids main dropped from its bounded table (the oldest closed). */
  droppedRows = $state(0);
  lastRefused = $state.raw<EventPayload<'listener:update'>['refused']>(null);
  /** The responder as last started or applied: the editor shows "not applied" when it differs. */
  appliedResponder = $state.raw<string | null>(null);
  /** A failure of Start, shown under the field it names. */
  startError = $state.raw<AppError | null>(null);
  /** A failure of any other call (send, close, apply), shown beside the controls. */
  callError = $state.raw<AppError | null>(null);

  selectedId = $state<number | null>(null);
  /** The selected client's conversation (a viewer: its session is the client's). */
  clientView = $state.raw<SessionTab | null>(null);
  /**
   * How the user looks at clients' conversations: the response view (Text, Hex, Transcript, …),
   * Wrap, and a UDP peer's preview and detail views. Each selection makes a fresh viewer, so the
   * choice is carried from the viewer going away to the next one (#dropViewer, #newViewer): pick
   * Hex for one client and the next client opens in Hex. Per listener, not global: two listeners
   * often speak different protocols (one text, one binary), and session tabs keep their own.
   */
  #look: ViewerLook = { view: 'text', wrap: true, previewAs: 'text', detailView: 'text' };

  sendText = $state('');
  sendMode = $state<PayloadMode>('text');
  testText = $state('PING\\r\\n');
  testMode = $state<PayloadMode>('escapes');
  testResult = $state.raw<RuleTestResult | null>(null);
  testError = $state.raw<AppError | null>(null);

  readonly live = $derived(this.phase === 'listening' || this.phase === 'starting' || this.phase === 'stopping');
  /**
   * Errors in the bind address and port as typed, shown under their fields at once (as the
   * session tab's are) and keeping Start off; an empty field is named when Start is pressed.
   */
  readonly inputErrors = $derived(bindInputErrors(this.settings.host, this.settings.port));
  /** A valid address beyond loopback: the consent box shows (not for text that is no address at all). */
  readonly bindsBeyondLoopback = $derived(parseBindHost(this.settings.host).ok && !isLoopbackBind(this.settings.host));
  readonly sendPreview = $derived(encodePayload({ text: this.sendText, mode: this.sendMode, encoding: 'utf8', lineEnding: 'none' }));
  readonly selected = $derived(this.rows.find((r) => r.clientId === this.selectedId) ?? null);
  readonly connected = $derived(this.rows.filter((r) => r.phase !== 'closed').length);
  readonly responderDirty = $derived(this.appliedResponder !== null && this.appliedResponder !== JSON.stringify(responderOf(this.settings)));
  readonly title = $derived(
    this.profileName ?? t('listener.title', { port: this.view ? this.view.port : listenerPortTitle(this.settings.port) }),
  );
  readonly words = $derived(this.#words());
  readonly unsaved = $derived(this.savedSettings !== null && !sameListenerSettings(this.settings, this.savedSettings));
  readonly pristine = $derived(
    this.phase === 'idle' && this.rows.length === 0 && sameListenerSettings(this.settings, this.savedSettings ?? defaultListenerSettings()),
  );

  /** The page holds bytes of the selected client only (the table is counts). */
  get keptBytes(): number {
    return this.clientView?.keptBytes ?? 0;
  }

  constructor(private readonly api: SocketTesterApi) {}

  #words(): StatusWords {
    // The sentence shows once, under its field or the bar (ListenerBar); the badge only says the
    // start failed (it read "Error: Bind address: …" beside the same sentence).
    if (this.startError) return { label: t('listener.notStarted'), tone: 'error', detail: null };
    switch (this.phase) {
      case 'idle':
        return { label: t('listener.notListening'), tone: 'idle', detail: null };
      case 'starting':
        return { label: t('listener.starting'), tone: 'busy', detail: null };
      case 'stopping':
        return { label: t('listener.stopping'), tone: 'busy', detail: null };
      case 'stopped':
        return { label: t('listener.stopped'), tone: 'done', detail: null };
      case 'listening': {
        const n = this.connected;
        return { label: t('listener.listening', { count: n }), tone: 'ok', detail: this.view ? `${this.view.address}:${this.view.port}` : null };
      }
    }
  }

  // ── WorkTab ──────────────────────────────────────────────────────────────────────────────────

  linkProfile(p: Profile): void {
    this.profileId = p.id;
    this.profileName = p.name;
    this.profileRevision = p.revision;
    this.savedSettings = copyListenerSettings(this.settings);
  }

  loadProfile(p: Profile): void {
    this.settings = listenerSettingsFromProfile(p);
    this.startError = null;
    this.linkProfile(p);
  }

  profileDraft(meta: ProfileMeta): Result<ProfileDraft> {
    return listenerDraft(this.settings, meta);
  }

  unlinkProfile(): void {
    this.profileId = null;
    this.profileName = null;
    this.profileRevision = null;
    this.savedSettings = null;
  }

  followProfile(p: Profile): void {
    this.profileName = p.name;
    if (this.savedSettings !== null && sameListenerSettings(listenerSettingsFromProfile(p), this.savedSettings)) this.profileRevision = p.revision;
  }

  snapshot(): TabSnapshot {
    return { kind: 'listener', settings: copyListenerSettings(this.settings), saved: this.savedSettings && copyListenerSettings(this.savedSettings), profile: linkOf(this) };
  }

  /** A reload's copy of this tab: its settings and rules as edited, its saved copy and link; not listening. */
  restore(s: Extract<TabSnapshot, { kind: 'listener' }>): void {
    this.settings = s.settings;
    this.savedSettings = s.saved;
    applyLink(this, s.profile);
  }

  async cancel(): Promise<void> {
    await this.stop();
  }

  /**
   * Drops the page's copy of the selected client's bytes. Never `session:discard`: the session is
   * the client's connection, which only Stop or the client table's buttons end.
   */
  releaseSession(): void {
    this.#dropViewer();
    this.selectedId = null;
  }

  // ── listener ─────────────────────────────────────────────────────────────────────────────────

  async start(): Promise<void> {
    if (this.live) return;
    this.startError = null;
    this.callError = null;
    const arg = startArgOf(this.settings);
    if (!arg.ok) {
      this.startError = arg.error;
      return;
    }
    this.phase = 'starting';
    this.rows = [];
    this.#rows.clear();
    this.droppedRows = 0;
    this.selectedId = null;
    this.#dropViewer();
    this.lastRefused = null;
    // The last run's "on host:port" would sit beside this start's error.
    this.view = null;
    const r = await this.api.call('listener:start', arg.value);
    if (!r.ok) {
      this.phase = 'idle';
      this.startError = r.error;
      return;
    }
    this.view = r.value;
    this.phase = 'listening';
    this.appliedResponder = JSON.stringify(arg.value.responder);
    this.stats = { accepted: 0, refused: 0, active: 0, ruleHits: responderOf(this.settings).kind === 'rules' ? this.settings.rules.map(() => 0) : [] };
  }

  async stop(): Promise<void> {
    const view = this.view;
    if (!view || this.phase !== 'listening') return;
    this.phase = 'stopping';
    const r = await this.api.call('listener:stop', { id: view.id });
    if (r.ok) this.stats = r.value;
    else this.callError = r.error;
    this.phase = 'stopped';
  }

  /** Gives the running listener the responder as edited now (counters restart). */
  async applyResponder(): Promise<void> {
    const view = this.view;
    if (!view || this.phase !== 'listening') return;
    this.callError = null;
    const responder = responderOf(this.settings);
    const r = await this.api.call('listener:set-responder', { id: view.id, responder });
    if (!r.ok) {
      this.callError = r.error;
      return;
    }
    this.appliedResponder = JSON.stringify(responder);
    this.stats = this.stats ? { ...this.stats, ruleHits: responder.kind === 'rules' ? responder.rules.map(() => 0) : [] } : this.stats;
  }

  /** "Test this rule": which rule fires for the sample, as the responder is edited now. */
  async runTest(): Promise<void> {
    this.testError = null;
    const sample = encodePayload({ text: this.testText, mode: this.testMode, encoding: 'utf8', lineEnding: 'none' });
    if (!sample.ok) {
      this.testError = sample.error;
      this.testResult = null;
      return;
    }
    const id = this.view && this.phase === 'listening' && !this.responderDirty ? { id: this.view.id } : {};
    const r = await this.api.call('listener:test', { responder: responderOf(this.settings), sample: sample.value, ...id });
    if (r.ok) this.testResult = r.value;
    else {
      this.testResult = null;
      this.testError = r.error;
    }
  }

  /** Shows one client's conversation (main replays it from its first byte). */
  async select(clientId: number | null): Promise<void> {
    if (clientId === this.selectedId) return;
    this.selectedId = clientId;
    // The previous viewer is dropped; the next watch (or null) stops main's forwarding to it.
    this.#dropViewer();
    this.#peerFed = false;
    this.#peerBacklog.length = 0;
    const view = this.view;
    const row = this.rows.find((r) => r.clientId === clientId);
    const udp = view?.transport === 'udp';
    if (view && (clientId === null || (!row?.sessionId && !udp)) && (this.phase === 'listening' || this.phase === 'stopped')) {
      void this.api.call('listener:watch', { id: view.id, clientId: null });
    }
    if (!view || clientId === null || !row) return;
    if (this.phase !== 'listening' && this.phase !== 'stopped') return;
    if (udp) {
      await this.#watchPeer(view, row);
      return;
    }
    if (!row.sessionId) return;
    const viewer = this.#newViewer();
    viewer.sessionId = row.sessionId;
    viewer.settings.host = row.address;
    viewer.settings.port = String(row.port);
    // The TLS view says "plain TCP" or shows the handshake from the answer, never the outgoing
    // kind; until the answer comes it says it is reading (not "could not be read").
    viewer.settings.transport = view.transport;
    viewer.acceptedTls = 'pending';
    this.clientView = viewer;
    const r = await this.api.call('listener:watch', { id: view.id, clientId });
    if (!r.ok && this.clientView === viewer) viewer.callError = r.error;
    // A failed watch leaves nothing to show: "could not be read" is then the truth.
    viewer.acceptedTls = r.ok ? (r.value.tls ?? null) : null;
  }

  /** Drops the selected client's viewer, keeping how the user looked at it (#look). */
  #dropViewer(): void {
    const viewer = this.clientView;
    if (viewer) {
      this.#look = { view: viewer.view, wrap: viewer.wrap, previewAs: viewer.dgram.previewAs, detailView: viewer.dgram.detailView };
    }
    this.clientView = null;
  }

  /** A viewer for the next selected client, looking the way the last one did. */
  #newViewer(): SessionTab {
    const viewer = new SessionTab(this.api);
    viewer.view = this.#look.view;
    viewer.wrap = this.#look.wrap;
    viewer.dgram.previewAs = this.#look.previewAs;
    viewer.dgram.detailView = this.#look.detailView;
    return viewer;
  }

  /**
   * A UDP peer: its datagrams in a viewer whose datagram list is the usual one. The watch answers
   * what main kept; later ones arrive in listener:update's `watched`.
   */
  async #watchPeer(view: ListenerView, row: ListenerClientView): Promise<void> {
    const viewer = this.#newViewer();
    viewer.settings.transport = 'udp';
    viewer.settings.host = row.address;
    viewer.settings.port = String(row.port);
    viewer.dgram.status = peerStatus(row, view);
    this.clientView = viewer;
    const r = await this.api.call('listener:watch', { id: view.id, clientId: row.clientId });
    if (this.clientView !== viewer) return;
    if (!r.ok) {
      viewer.dgram.callError = r.error;
      return;
    }
    const now = this.rows.find((x) => x.clientId === row.clientId) ?? row;
    feedPeerDatagrams(viewer.dgram, now, view, r.value.datagrams ?? [], true);
    this.#peerFed = true;
    for (const later of this.#peerBacklog.splice(0)) feedPeerDatagrams(viewer.dgram, now, view, later, false);
  }

  /** Datagrams of the watched peer that came in an update before the watch's answer did. */
  readonly #peerBacklog: ListenerDatagram[][] = [];
  #peerFed = false;

  /** Sends the editor's bytes to the selected client, or to every connected client. */
  async send(toAll: boolean): Promise<void> {
    const view = this.view;
    const bytes = this.sendPreview;
    if (!view || !bytes.ok) return;
    const clientId = toAll ? null : this.selectedId;
    if (!toAll && clientId === null) return;
    this.callError = null;
    const r = await this.api.call('listener:send', { id: view.id, clientId, data: bytes.value });
    if (!r.ok) this.callError = r.error;
  }

  async endClient(how: 'half-close' | 'close' | 'reset'): Promise<void> {
    const view = this.view;
    if (!view || this.selectedId === null) return;
    this.callError = null;
    const r = await this.api.call('listener:end-client', { id: view.id, clientId: this.selectedId, how });
    if (!r.ok) this.callError = r.error;
  }

  // ── responder editor ────────────────────────────────────────────────────────────────────────

  addRule(): void {
    this.settings.rules = [...this.settings.rules, newRule()];
  }

  removeRule(key: number): void {
    this.settings.rules = this.settings.rules.filter((r) => r.key !== key);
  }

  moveRule(key: number, by: -1 | 1): void {
    const rules = [...this.settings.rules];
    const i = rules.findIndex((r) => r.key === key);
    const j = i + by;
    if (i < 0 || j < 0 || j >= rules.length) return;
    [rules[i], rules[j]] = [rules[j]!, rules[i]!];
    this.settings.rules = rules;
  }

  /** The live count of a rule, when the running responder is the one edited. */
  hitsOf(index: number): number | null {
    if (!this.stats || this.responderDirty || this.appliedResponder === null) return null;
    return this.stats.ruleHits[index] ?? null;
  }

  // ── from main ───────────────────────────────────────────────────────────────────────────────

  readonly #rows = new Map<number, ListenerClientView>();

  applyUpdate(u: EventPayload<'listener:update'>): void {
    if (u.id !== this.view?.id) return;
    for (const c of u.clients) this.#rows.set(c.clientId, c);
    for (const d of u.dropped) this.#rows.delete(d);
    this.droppedRows += u.dropped.length;
    if (u.clients.length > 0 || u.dropped.length > 0) this.rows = [...this.#rows.values()].sort((a, b) => a.clientId - b.clientId);
    this.stats = u.stats;
    if (u.refused) this.lastRefused = u.refused;
    this.#updatePeer(u);
    if (u.phase === 'stopped' && this.phase !== 'idle') this.phase = 'stopped';
  }

  /** The watched UDP peer's new datagrams and figures, into its viewer. */
  #updatePeer(u: EventPayload<'listener:update'>): void {
    const viewer = this.clientView;
    const view = this.view;
    if (!viewer?.udp || !view || this.selectedId === null) return;
    const row = this.#rows.get(this.selectedId);
    const datagrams = u.watched?.clientId === this.selectedId ? u.watched.datagrams : [];
    if (!this.#peerFed) {
      if (datagrams.length > 0) this.#peerBacklog.push(datagrams);
      return;
    }
    if (!row) return;
    if (datagrams.length > 0) feedPeerDatagrams(viewer.dgram, row, view, datagrams, false);
    else if (u.clients.some((c) => c.clientId === row.clientId)) viewer.dgram.status = peerStatus(row, view);
  }

  /** A `session:update` for the selected client's session. */
  applySessionUpdate(u: EventPayload<'session:update'>): void {
    if (this.clientView?.sessionId === u.id) this.clientView.applyUpdate(u);
  }
}

export type { RuleDraft };

/** The port a listener tab's title names before it listens: the field's, or `?` while it is not a port. */
function listenerPortTitle(port: string): string | number {
  const parsed = parsePort(port.trim(), { allowZero: true });
  return parsed.ok ? parsed.value : '?';
}

/** Fields of a start error that the form shows under the field itself. */
export const LISTENER_FORM_FIELDS: readonly string[] = ['bindHost', 'port', 'cert', 'key', 'maxClients'];

/** The bind address's and port's errors as typed: none for an empty field (Start names it). */
export function bindInputErrors(host: string, port: string): { bindHost: AppError | null; port: AppError | null } {
  const h = host.trim() === '' ? null : parseBindHost(host);
  const p = port.trim() === '' ? null : parseBindPort(port);
  return { bindHost: h && !h.ok ? h.error : null, port: p && !p.ok ? p.error : null };
}
