/**
 * Writes a conversation back as YAML in the canonical form docs/conversations.md describes: keys
 * in one fixed order, defaults left out, the shorthand forms where they say the same thing. The
 * same conversation therefore always gives the same text, and an edit changes only its own lines
 * in a git diff. `loadConversation(formatConversation(c))` gives `c` back (positions aside).
 */
import { stringify } from 'yaml';
import { CONVERSATION_LIMITS, type Conversation, type ConversationStep, type PatternSpec, type PayloadTemplate, type TlsSettings } from '../../shared/conversation.ts';
import { SESSION_LIMITS } from '../../shared/session.ts';

/** The canonical YAML text of `conversation`. */
export function formatConversation(conversation: Conversation): string {
  const { target } = conversation;
  const doc: Record<string, unknown> = {};
  if (conversation.name !== null) doc.name = conversation.name;
  const t: Record<string, unknown> = { host: target.host, port: target.port };
  if (target.transport !== 'tcp') t.transport = target.transport;
  if (target.connectTimeoutMs !== SESSION_LIMITS.defaultConnectTimeoutMs) t.connect_timeout_ms = target.connectTimeoutMs;
  if (target.transport === 'tls' && target.tls && !isDefaultTls(target.tls)) t.tls = tlsObject(target.tls);
  doc.target = t;
  const names = Object.keys(conversation.variables);
  if (names.length > 0) doc.variables = Object.fromEntries(names.map((n) => [n, conversation.variables[n]]));
  doc.steps = conversation.steps.map(stepObject);
  // lineWidth 0: never fold long payloads across lines, so a changed byte is a changed line.
  return stringify(doc, { lineWidth: 0, defaultKeyType: 'PLAIN', defaultStringType: 'PLAIN' });
}

function stepObject(step: ConversationStep): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  switch (step.kind) {
    case 'send':
      out.send = payloadObject(step.payload);
      break;
    case 'expect': {
      const e: Record<string, unknown> = {};
      const m = step.match;
      if (m.kind === 'eof') e.eof = true;
      else if (m.kind === 'regex') e.regex = m.pattern;
      else e[m.kind] = m.payload.template.source;
      if (step.timeoutMs !== CONVERSATION_LIMITS.defaultExpectTimeoutMs) e.timeout_ms = step.timeoutMs;
      if (step.captures.length > 0) e.capture = Object.fromEntries(step.captures.map((c) => [c.name, c.pattern]));
      if (step.abortOn.length > 0) e.abort_on = step.abortOn.map(abortObject);
      const encoding = [m, ...step.abortOn].map((p) => ('payload' in p ? p.payload.encoding : null)).find((x) => x !== null);
      if (encoding && encoding !== 'utf8') e.encoding = encoding;
      out.expect = e;
      break;
    }
    case 'wait':
      out.wait = step.ms;
      break;
    case 'close_write':
    case 'close':
      out[step.kind] = true;
      break;
    case 'starttls':
      out.starttls = isDefaultTls(step.tls) ? true : tlsObject(step.tls);
      break;
    case 'group':
      out.group = step.steps.map(stepObject);
      break;
  }
  if (step.name !== null) out.name = step.name;
  if (step.continueOnFailure) out.continue_on_failure = true;
  if ((step.kind === 'send' || step.kind === 'group') && step.repeat !== 1) out.repeat = step.repeat;
  if ((step.kind === 'send' || step.kind === 'group') && step.intervalMs !== 0) out.interval_ms = step.intervalMs;
  return out;
}

function payloadObject(p: PayloadTemplate): unknown {
  if (p.mode === 'text' && p.encoding === 'utf8' && p.lineEnding === 'none') return p.template.source;
  const out: Record<string, unknown> = { [p.mode]: p.template.source };
  if (p.encoding !== 'utf8') out.encoding = p.encoding;
  if (p.lineEnding !== 'none') out.line_ending = p.lineEnding;
  return out;
}

function abortObject(p: PatternSpec): unknown {
  if (p.kind === 'contains') return p.payload.template.source;
  if (p.kind === 'hex') return { hex: p.payload.template.source };
  return { regex: p.pattern };
}

function isDefaultTls(tls: TlsSettings): boolean {
  return tls.servername === null && tls.verify;
}

function tlsObject(tls: TlsSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (tls.servername !== null) out.servername = tls.servername;
  if (!tls.verify) out.verify = false;
  return out;
}
