/**
 * A listener tab's editable settings (bind, TLS, limits, responder): what they are as typed, what a
 * new listener starts with, and how they map to `listener:start`, to a profile and back.
 *
 * Pure code, no runes: the tab keeps one `$state` object of this shape; tests use it as is.
 */
import { fail, ok, type Result } from '../../../shared/errors.ts';
import { isLoopbackBind, parseBindHost, parseBindPort, LISTENER_LIMITS, type Framing, type ListenerOptions, type ListenerTransport, type ResponderRule, type ResponderSpec, type RuleMatch } from '../../../shared/listener.ts';
import type { PayloadMode } from '../../../shared/payload.ts';
import { PROFILE_DEFAULTS, type Profile, type ProfileDraft } from '../../../shared/profile.ts';
import type { ProfileMeta } from './tab-settings.ts';

/** One rule as edited: flat, as typed; `key` keeps the list's rows (and their focus) stable on reorder. */
export interface RuleDraft {
  key: number;
  matchKind: RuleMatch['kind'];
  matchValue: string;
  /** No reply: the rule only counts (and may close). */
  replyOn: boolean;
  replyMode: PayloadMode;
  replyValue: string;
  delayMs: number;
  close: boolean;
}

export interface ListenerSettings {
  transport: ListenerTransport;
  host: string;
  /** As typed; "0" lets the system choose. */
  port: string;
  /** Binding beyond loopback is a decision: this box, and a warning beside it. */
  allowNonLoopback: boolean;
  maxClients: number;
  tlsSource: 'self-signed' | 'files';
  certFile: string;
  keyFile: string;
  requestClientCert: boolean;
  responderKind: ResponderSpec['kind'];
  fixedMode: PayloadMode;
  fixedValue: string;
  fixedWhen: 'connect' | 'first-message' | 'each-message';
  framingKind: Framing['kind'];
  delimiterMode: PayloadMode;
  delimiterValue: string;
  frameLength: number;
  rules: RuleDraft[];
}

let ruleKeys = 0;

export function newRule(over: Partial<Omit<RuleDraft, 'key'>> = {}): RuleDraft {
  return { key: ++ruleKeys, matchKind: 'exact', matchValue: '', replyOn: true, replyMode: 'escapes', replyValue: '', delayMs: 0, close: false, ...over };
}

export function defaultListenerSettings(): ListenerSettings {
  return {
    transport: 'tcp',
    host: '127.0.0.1',
    port: '0',
    allowNonLoopback: false,
    maxClients: LISTENER_LIMITS.defaultMaxClients,
    tlsSource: 'self-signed',
    certFile: '',
    keyFile: '',
    requestClientCert: false,
    responderKind: 'rules',
    fixedMode: 'escapes',
    fixedValue: 'HTTP/1.0 200 OK\\r\\nContent-Length: 3\\r\\n\\r\\nok\\n',
    fixedWhen: 'first-message',
    framingKind: 'line',
    delimiterMode: 'escapes',
    delimiterValue: '\\n',
    frameLength: 8,
    rules: [newRule({ matchKind: 'exact', matchValue: 'PING', replyValue: '+PONG\\r\\n' })],
  };
}

export function responderOf(s: ListenerSettings): ResponderSpec {
  switch (s.responderKind) {
    case 'off':
      return { kind: 'off' };
    case 'echo':
      return { kind: 'echo' };
    case 'fixed':
      return { kind: 'fixed', reply: { mode: s.fixedMode, value: s.fixedValue }, when: s.fixedWhen };
    case 'rules':
      return { kind: 'rules', framing: framingOf(s), rules: s.rules.map(ruleOf) };
  }
}

function framingOf(s: ListenerSettings): Framing {
  switch (s.framingKind) {
    case 'chunk':
      return { kind: 'chunk' };
    case 'line':
      return { kind: 'line' };
    case 'delimiter':
      return { kind: 'delimiter', delimiter: { mode: s.delimiterMode, value: s.delimiterValue } };
    case 'length':
      return { kind: 'length', length: s.frameLength };
  }
}

function ruleOf(r: RuleDraft): ResponderRule {
  return {
    match: { kind: r.matchKind, value: r.matchValue },
    reply: r.replyOn ? { mode: r.replyMode, value: r.replyValue } : null,
    delayMs: r.delayMs,
    close: r.close,
  };
}

/** The `listener:start` argument, or the first field that is wrong as typed. */
export function startArgOf(s: ListenerSettings): Result<ListenerOptions> {
  const bound = parseBindHost(s.host);
  if (!bound.ok) return bound;
  const port = parseBindPort(s.port);
  if (!port.ok) return port;
  const host = s.host.trim();
  if (!isLoopbackBind(host) && !s.allowNonLoopback) {
    // Main would refuse it too; here the sentence points at the tick box instead of --allow-remote.
    return fail('INVALID_INPUT', `binding ${host} lets other machines connect: tick the box below to allow it.`, {
      field: 'bindHost',
      reason: 'bind-needs-consent',
      params: { text: host },
    });
  }
  if (s.transport === 'tls' && s.tlsSource === 'files') {
    if (!s.certFile.trim()) return fail('INVALID_INPUT', 'Certificate file: give its path, or use a throwaway self-signed one.', { field: 'cert' });
    if (!s.keyFile.trim()) return fail('INVALID_INPUT', 'Key file: give its path.', { field: 'key' });
  }
  return ok({
    transport: s.transport,
    host,
    port: port.value,
    ...(s.allowNonLoopback ? { allowNonLoopback: true } : {}),
    maxClients: s.maxClients,
    ...(s.transport === 'tls' ? { tls: tlsOf(s) } : {}),
    responder: responderOf(s),
  });
}

function tlsOf(s: ListenerSettings): NonNullable<ListenerOptions['tls']> {
  const requestClientCert = s.requestClientCert ? { requestClientCert: true } : {};
  return s.tlsSource === 'files'
    ? { kind: 'files', certFile: s.certFile.trim(), keyFile: s.keyFile.trim(), ...requestClientCert }
    : { kind: 'self-signed', ...requestClientCert };
}

/** A listener profile (kind 'listener'): bind host, port and transport, plus its listener section. */
export function listenerDraft(s: ListenerSettings, meta: ProfileMeta): Result<ProfileDraft> {
  const arg = startArgOf(s);
  if (!arg.ok) return arg;
  const { transport, host, port, ...listener } = arg.value;
  return ok({
    name: meta.name,
    folder: meta.folder,
    kind: 'listener',
    host,
    port,
    transport,
    // A listener sends no payload of its own; the session fields keep their defaults.
    payload: { text: '', mode: 'text', encoding: 'utf8', lineEnding: 'none' },
    ...PROFILE_DEFAULTS,
    notes: meta.notes,
    listener,
  });
}

/** The settings a listener profile opens with (unknown or absent parts keep the defaults). */
export function listenerSettingsFromProfile(p: Profile): ListenerSettings {
  const s = defaultListenerSettings();
  s.transport = p.transport ?? 'tcp';
  s.host = p.host;
  s.port = String(p.port);
  const l = p.listener;
  if (!l) return s;
  s.allowNonLoopback = l.allowNonLoopback ?? false;
  s.maxClients = l.maxClients ?? s.maxClients;
  if (l.tls) {
    s.tlsSource = l.tls.kind;
    s.requestClientCert = l.tls.requestClientCert ?? false;
    if (l.tls.kind === 'files') {
      s.certFile = l.tls.certFile;
      s.keyFile = l.tls.keyFile;
    }
  }
  const r = l.responder;
  if (r) applyResponder(s, r);
  return s;
}

/** Puts a responder spec into the editable settings (a profile, an import). */
export function applyResponder(s: ListenerSettings, r: ResponderSpec): void {
  s.responderKind = r.kind;
  if (r.kind === 'fixed') {
    s.fixedMode = r.reply.mode;
    s.fixedValue = r.reply.value;
    s.fixedWhen = r.when;
  } else if (r.kind === 'rules') {
    s.framingKind = r.framing.kind;
    if (r.framing.kind === 'delimiter') {
      s.delimiterMode = r.framing.delimiter.mode;
      s.delimiterValue = r.framing.delimiter.value;
    }
    if (r.framing.kind === 'length') s.frameLength = r.framing.length;
    s.rules = r.rules.map((rule) =>
      newRule({
        matchKind: rule.match.kind,
        matchValue: rule.match.value,
        replyOn: rule.reply !== null,
        replyMode: rule.reply?.mode ?? 'escapes',
        replyValue: rule.reply?.value ?? '',
        delayMs: rule.delayMs,
        close: rule.close,
      }),
    );
  }
}

/** Two settings objects are the same listener (for the unsaved marker); rule keys do not count. */
export function sameListenerSettings(a: ListenerSettings, b: ListenerSettings): boolean {
  const strip = (s: ListenerSettings): unknown => ({ ...s, rules: s.rules.map(({ key: _k, ...r }) => r) });
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

export function copyListenerSettings(s: ListenerSettings): ListenerSettings {
  return { ...s, rules: s.rules.map((r) => ({ ...r })) };
}
