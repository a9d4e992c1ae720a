/**
 * `socket-tester listen PORT`: a TCP, TLS or UDP listener with a responder (echo, a fixed reply,
 * or rules from a file). docs/cli.md ("listen") and docs/listener.md are the reference.
 *
 * Invariants:
 * - Every argument and the rules file are checked before anything is bound (exit 2, the option named).
 * - `listening on ADDRESS:PORT` (with --json also the `listening` event, the first line) is printed
 *   before any client event, so a script can wait for it.
 * - Without --json stdout carries only the clients' bytes; with --json one JSON object per line.
 * - io.interrupt (Ctrl-C, SIGTERM) closes every client and exits 0; --once exits 0 after the
 *   first client's conversation ended.
 */
import { parseArgs } from 'node:util';
import { readFile, stat } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import {
  LISTENER_LIMITS,
  parseBindPort,
  type Framing,
  type ReplySpec,
  type ResponderRule,
  type ResponderSpec,
  type RuleMatch,
} from '../../shared/listener.ts';
import { fail, jsonError, labelledMessage, ok, type AppError, type FieldLabels, type Result } from '../../shared/errors.ts';
import { toFileError } from '../engine/error-mapping.ts';
import { isLoopbackHost, startListener, type ClientInfo } from '../engine/listener/listener.ts';
import { EXIT, type CliIo } from './run-cli.ts';

export function listenHelp(): string {
  return `Usage: socket-tester listen PORT [options]

Listens on PORT (0 = any free port, the chosen one is printed) and answers clients.
Prints "listening on ADDRESS:PORT" on stderr once bound; then each client's bytes on stdout.

Options:
  --host ADDR            address to bind (default 127.0.0.1); a non-loopback one needs --allow-remote
  --allow-remote         allow binding a non-loopback address (other machines can connect)
  --udp                  UDP: one client per source address:port
  --tls                  TLS, with --cert FILE --key FILE or --self-signed
  --request-client-cert  TLS: ask clients for a certificate and show it (not verified)
  --echo                 send every received chunk back
  --reply DATA           send DATA to each client once it has sent something
  --reply-on-connect     send --reply DATA as soon as a client connects instead
  --hex, --escapes       read --reply DATA as hex or with escapes (default: text)
  --rules FILE           answer with the rules in FILE (JSON or YAML; docs/listener.md)
  --max-clients N        clients at once (default ${LISTENER_LIMITS.defaultMaxClients}, at most ${LISTENER_LIMITS.maxClients}); more are refused and counted
  --max-bytes N          bytes one TCP/TLS client may send before it is closed (default ${LISTENER_LIMITS.defaultMaxBytesPerClient})
  --once                 exit after the first client's conversation ends (UDP: once it is forgotten)
  --json                 one JSON object per line: listening, accepted, received (base64),
                         sent, rule, refused, client-error, closed, stopped
  -h, --help             show this help

Exit codes: 0 stopped (Ctrl-C, --once), 2 invalid input, 3 could not bind (in use, permission).
`;
}

const OPTIONS = {
  host: { type: 'string' },
  'allow-remote': { type: 'boolean' },
  udp: { type: 'boolean' },
  tls: { type: 'boolean' },
  cert: { type: 'string' },
  key: { type: 'string' },
  'self-signed': { type: 'boolean' },
  'request-client-cert': { type: 'boolean' },
  echo: { type: 'boolean' },
  reply: { type: 'string' },
  'reply-on-connect': { type: 'boolean' },
  hex: { type: 'boolean' },
  escapes: { type: 'boolean' },
  rules: { type: 'string' },
  'max-clients': { type: 'string' },
  'max-bytes': { type: 'string' },
  once: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** This command's names for the fields of main's errors. */
const LISTEN_LABELS: FieldLabels = { bindHost: '--host', port: 'PORT', maxClients: '--max-clients', maxBytesPerClient: '--max-bytes', cert: '--cert', key: '--key' };

export async function runListenCommand(argv: string[], io: CliIo): Promise<number> {
  const invalid = (message: string): number => {
    io.stderr.write(`socket-tester listen: ${message}\n`);
    return EXIT.INVALID_INPUT;
  };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    return invalid(`${(err as Error).message} (socket-tester listen --help)`);
  }
  const v = parsed.values;
  if (v.help) {
    io.stdout.write(listenHelp());
    return EXIT.OK;
  }
  if (parsed.positionals.length !== 1) return invalid('give exactly one PORT (0 = any free port).');
  const port = parseBindPort(parsed.positionals[0]!);
  if (!port.ok) return invalid(labelledMessage(port.error, LISTEN_LABELS));
  const responders = [v.echo, v.reply !== undefined, v.rules !== undefined].filter(Boolean).length;
  if (responders > 1) return invalid('choose one of --echo, --reply, --rules.');
  if (v.hex && v.escapes) return invalid('--hex and --escapes exclude each other.');
  if ((v.hex || v.escapes || v['reply-on-connect']) && v.reply === undefined) return invalid('--hex, --escapes and --reply-on-connect go with --reply.');
  if (v.udp && v.tls) return invalid('--udp and --tls exclude each other (DTLS is not supported).');
  if (!v.tls && (v.cert || v.key || v['self-signed'] || v['request-client-cert'])) return invalid('--cert, --key, --self-signed and --request-client-cert need --tls.');
  if (v.tls && !v['self-signed'] && (!v.cert || !v.key)) return invalid('--tls needs --cert FILE and --key FILE, or --self-signed.');
  if (v.tls && v['self-signed'] && (v.cert || v.key)) return invalid('--self-signed replaces --cert and --key; give one or the other.');
  let maxClients: number | undefined;
  if (v['max-clients'] !== undefined) {
    maxClients = Number(v['max-clients']);
    if (!/^[0-9]{1,6}$/.test(v['max-clients']) || maxClients < 1 || maxClients > LISTENER_LIMITS.maxClients) {
      return invalid(`--max-clients: a whole number from 1 to ${LISTENER_LIMITS.maxClients}.`);
    }
  }
  let maxBytes: number | undefined;
  if (v['max-bytes'] !== undefined) {
    maxBytes = Number(v['max-bytes']);
    if (!/^[0-9]{1,10}$/.test(v['max-bytes']) || maxBytes < 1 || maxBytes > LISTENER_LIMITS.maxBytesPerClient) {
      return invalid(`--max-bytes: a whole number from 1 to ${LISTENER_LIMITS.maxBytesPerClient}.`);
    }
  }
  let responder: ResponderSpec = { kind: 'off' };
  if (v.echo) responder = { kind: 'echo' };
  if (v.reply !== undefined) {
    responder = {
      kind: 'fixed',
      reply: { mode: v.hex ? 'hex' : v.escapes ? 'escapes' : 'text', value: v.reply },
      when: v['reply-on-connect'] ? 'connect' : 'first-message',
    };
  }
  if (v.rules !== undefined) {
    const loaded = await readRulesFile(v.rules);
    if (!loaded.ok) return invalid(loaded.error.message);
    responder = loaded.value;
  }
  const host = v.host ?? '127.0.0.1';
  const json = v.json === true;
  const out = (event: Record<string, unknown>): void => {
    io.stdout.write(`${JSON.stringify(event)}\n`);
  };

  const started = await startListener({
    transport: v.udp ? 'udp' : v.tls ? 'tls' : 'tcp',
    host,
    port: port.value,
    allowNonLoopback: v['allow-remote'] === true,
    ...(maxClients !== undefined ? { maxClients } : {}),
    ...(maxBytes !== undefined ? { maxBytesPerClient: maxBytes } : {}),
    ...(v.tls
      ? {
          tls: v['self-signed']
            ? { kind: 'self-signed' as const, requestClientCert: v['request-client-cert'] === true }
            : { kind: 'files' as const, certFile: v.cert!, keyFile: v.key!, requestClientCert: v['request-client-cert'] === true },
        }
      : {}),
    responder,
  });
  if (!started.ok) {
    const e = started.error;
    // The consent main asks for is this command's --allow-remote (the app's is a tick box).
    const message = labelledMessage(e, LISTEN_LABELS) + (e.reason === 'bind-not-loopback' ? ' Add --allow-remote to allow it.' : '');
    if (json) out({ event: 'error', ...jsonError(e, message) });
    io.stderr.write(`socket-tester listen: ${message}\n`);
    return e.code === 'INVALID_INPUT' || e.code === 'FILE_ERROR' || e.code === 'TLS_CREDENTIALS_INVALID' ? EXIT.INVALID_INPUT : EXIT.CONNECT_FAILED;
  }
  const listener = started.value;
  const label = (c: ClientInfo): string => `client ${c.id} ${c.address.includes(':') ? `[${c.address}]` : c.address}:${c.port}`;
  const shown = listener.address.includes(':') ? `[${listener.address}]` : listener.address;
  if (!isLoopbackHost(listener.address)) {
    io.stderr.write(`socket-tester listen: WARNING: bound to ${listener.address}, not loopback: other machines can connect.\n`);
  }
  if (json) {
    out({
      event: 'listening',
      transport: listener.transport,
      address: listener.address,
      port: listener.port,
      ...(listener.certificateFingerprint ? { fingerprint256: listener.certificateFingerprint } : {}),
    });
  }
  io.stderr.write(`socket-tester listen: listening on ${shown}:${listener.port} (${listener.transport})\n`);
  if (listener.certificateFingerprint) {
    io.stderr.write(`socket-tester listen: self-signed certificate, SHA-256 ${listener.certificateFingerprint}\n`);
  }

  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  listener.on('accepted', (c) => {
    if (json) out({ event: 'accepted', client: c.id, address: c.address, port: c.port, ...(c.clientCert !== undefined ? { clientCert: c.clientCert } : {}) });
    else io.stderr.write(`socket-tester listen: ${label(c)} connected${c.clientCert ? `, certificate CN=${c.clientCert.subject ?? '?'}` : c.clientCert === null ? ', no client certificate' : ''}\n`);
  });
  listener.on('received', (c, bytes) => {
    if (json) out({ event: 'received', client: c.id, bytes: bytes.length, base64: b64(bytes) });
    else io.stdout.write(bytes);
  });
  listener.on('sent', (c, bytes) => {
    if (json) out({ event: 'sent', client: c.id, bytes: bytes.length, base64: b64(bytes) });
  });
  listener.on('rule', (c, index) => {
    if (json) out({ event: 'rule', client: c.id, rule: index });
  });
  listener.on('refused', (p) => {
    const count = listener.stats().refused;
    if (json) out({ event: 'refused', address: p.address, port: p.port, reason: p.reason, refused: count });
    else io.stderr.write(`socket-tester listen: refused ${p.address}:${p.port} (${p.reason}); ${count} refused so far\n`);
  });
  listener.on('client-error', (c, e: AppError) => {
    if (json) out({ event: 'client-error', client: c.id, code: e.code, message: e.message });
    else io.stderr.write(`socket-tester listen: ${label(c)}: ${e.message}\n`);
  });
  listener.on('closed', (c, outcome, error) => {
    if (json) out({ event: 'closed', client: c.id, outcome, error: error ? { code: error.code, message: error.message } : null });
    else io.stderr.write(`socket-tester listen: ${label(c)} closed (${outcome}${error ? `: ${error.message}` : ''})\n`);
    if (v.once) stop();
  });
  const onInterrupt = (): void => stop();
  if (io.interrupt?.aborted) stop();
  io.interrupt?.addEventListener('abort', onInterrupt, { once: true });
  await Promise.race([stopped, io.stopSignal ?? new Promise<void>(() => {})]);
  io.interrupt?.removeEventListener('abort', onInterrupt);
  await listener.close();
  const s = listener.stats();
  if (json) out({ event: 'stopped', accepted: s.accepted, refused: s.refused, ruleHits: s.ruleHits });
  io.stderr.write(
    `socket-tester listen: stopped; ${s.accepted} accepted, ${s.refused} refused${s.ruleHits.length ? `, rule hits ${s.ruleHits.join('/')}` : ''}\n`,
  );
  return EXIT.OK;
}

// ── rules file ─────────────────────────────────────────────────────────────────────────────

const PAYLOAD_KEYS = ['text', 'hex', 'escapes'] as const;
const MATCH_KEYS = ['exact', 'prefix', 'contains', 'regex', 'hex'] as const;

/** Reads and checks a rules file; errors name the file and the place (`rules[2].match`). */
export async function readRulesFile(path: string): Promise<Result<ResponderSpec>> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return fail('INVALID_INPUT', `--rules ${path}: not a regular file.`, { field: 'rules' });
    if (info.size > LISTENER_LIMITS.maxRulesFileBytes) {
      return fail('INVALID_INPUT', `--rules ${path}: ${info.size} bytes, at most ${LISTENER_LIMITS.maxRulesFileBytes}.`, { field: 'rules' });
    }
    const text = await readFile(path, 'utf8');
    const checked = parseRules(text);
    return checked.ok ? checked : fail('INVALID_INPUT', `--rules ${path}: ${checked.error.message}`, { field: checked.error.field ?? 'rules' });
  } catch (err) {
    return { ok: false, error: toFileError(err, path, 'read') };
  }
}

/** Parses rules text (JSON is YAML): a list of rules, or `{framing, rules: [...]}`. */
export function parseRules(text: string): Result<ResponderSpec> {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    return fail('INVALID_INPUT', `not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  let list: unknown = doc;
  let framing: Framing = { kind: 'chunk' };
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    const o = doc as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => k !== 'rules' && k !== 'framing');
    if (extra.length) return fail('INVALID_INPUT', `unknown key "${extra[0]}" (expected rules, framing).`, { field: extra[0] });
    list = o.rules;
    if (o.framing !== undefined) {
      const f = parseFraming(o.framing);
      if (!f.ok) return f;
      framing = f.value;
    }
  }
  if (!Array.isArray(list)) return fail('INVALID_INPUT', 'expected a list of rules, or {framing, rules: [...]}.', { field: 'rules' });
  if (list.length === 0) return fail('INVALID_INPUT', 'the list of rules is empty.', { field: 'rules' });
  if (list.length > LISTENER_LIMITS.maxRules) return fail('INVALID_INPUT', `at most ${LISTENER_LIMITS.maxRules} rules.`, { field: 'rules' });
  const rules: ResponderRule[] = [];
  for (const [i, raw] of list.entries()) {
    const at = `rules[${i}]`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return fail('INVALID_INPUT', `${at}: expected {match, reply, delay_ms?, close?}.`, { field: at });
    const r = raw as Record<string, unknown>;
    const extra = Object.keys(r).filter((k) => !['match', 'reply', 'delay_ms', 'close'].includes(k));
    if (extra.length) return fail('INVALID_INPUT', `${at}: unknown key "${extra[0]}" (expected match, reply, delay_ms, close).`, { field: `${at}.${extra[0]}` });
    const match = oneOf(r.match, MATCH_KEYS, `${at}.match`);
    if (!match.ok) return match;
    let reply: ReplySpec | null = null;
    if (r.reply !== undefined && r.reply !== null) {
      const p = oneOf(r.reply, PAYLOAD_KEYS, `${at}.reply`);
      if (!p.ok) return p;
      reply = { mode: p.value.kind, value: p.value.value };
    }
    const delay = r.delay_ms ?? 0;
    if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0 || delay > LISTENER_LIMITS.maxDelayMs) {
      return fail('INVALID_INPUT', `${at}.delay_ms: a whole number from 0 to ${LISTENER_LIMITS.maxDelayMs}.`, { field: `${at}.delay_ms` });
    }
    if (r.close !== undefined && typeof r.close !== 'boolean') return fail('INVALID_INPUT', `${at}.close: true or false.`, { field: `${at}.close` });
    rules.push({ match: { kind: match.value.kind, value: match.value.value } as RuleMatch, reply, delayMs: delay, close: r.close === true });
  }
  return ok({ kind: 'rules', framing, rules });
}

function oneOf<K extends string>(value: unknown, keys: readonly K[], at: string): Result<{ kind: K; value: string }> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return fail('INVALID_INPUT', `${at}: expected an object with one of ${keys.join(', ')}.`, { field: at });
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length !== 1 || !keys.includes(entries[0]![0] as K)) {
    return fail('INVALID_INPUT', `${at}: exactly one of ${keys.join(', ')}.`, { field: at });
  }
  const [kind, v] = entries[0]!;
  if (typeof v !== 'string') return fail('INVALID_INPUT', `${at}.${kind}: a string.`, { field: `${at}.${kind}` });
  return ok({ kind: kind as K, value: v });
}

function parseFraming(value: unknown): Result<Framing> {
  if (value === 'chunk' || value === 'line') return ok({ kind: value });
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if (typeof o.length === 'number' && Object.keys(o).length === 1) return ok({ kind: 'length', length: o.length });
    if (o.delimiter !== undefined && Object.keys(o).length === 1) {
      const d = oneOf(o.delimiter, PAYLOAD_KEYS, 'framing.delimiter');
      if (!d.ok) return d;
      return ok({ kind: 'delimiter', delimiter: { mode: d.value.kind, value: d.value.value } });
    }
  }
  return fail('INVALID_INPUT', 'framing: chunk, line, {delimiter: {text|hex|escapes: …}} or {length: N}.', { field: 'framing' });
}
