/**
 * `socket-tester run FILE`: runs a conversation file (docs/conversations.md) and reports each
 * step; docs/cli.md is the user-facing reference.
 *
 * Invariants:
 * - Arguments and the whole file (syntax, every step, every `${name}`) are checked before any DNS
 *   or socket activity; a problem exits with EXIT.INVALID_INPUT, naming the option, or the file's
 *   line and column.
 * - Exit codes: 0 every step passed; 1 a step failed (its message names the step by number and
 *   kind, with expected versus received) or the whole-run --timeout fired; 2 invalid input; the
 *   send command's codes when the connection could not be made or was lost (3, 4, 5); 7 when the
 *   --junit file cannot be written; 130 interrupted.
 * - With --json, stdout carries exactly one JSON object, whatever happens; without it, stdout
 *   carries the step report and stderr only problems with the input.
 */
import { parseArgs } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CONVERSATION_LIMITS, RESERVED_NAMES, type ConversationFileError, type ConversationReport, type ConversationTranscriptEntry } from '../../shared/conversation.ts';
import type { AppError } from '../../shared/errors.ts';
import { bytesToEscapes } from '../../shared/payload.ts';
import { toFileError } from '../engine/error-mapping.ts';
import { toJUnitXml } from '../conversation/junit-report.ts';
import { formatFileErrors, loadConversation, readConversationFile, type LoadResult } from '../conversation/load-conversation.ts';
import { conversationYamlOf, lookupProfile, openProfilesForCli } from '../profiles/profile-lookup.ts';
import { runConversation } from '../conversation/run-conversation.ts';
import { openTcpConversationStream } from '../conversation/tcp-stream-adapter.ts';
import { NAME_PATTERN } from '../conversation/template.ts';
import { exitCodeFor } from './send-command.ts';
import { EXIT, type CliIo } from './run-cli.ts';

/** Upper bound of --timeout: one day. */
const MAX_RUN_TIMEOUT_MS = 86_400_000;

/** `socket-tester run --help`; a function because EXIT is read only once run-cli.ts has loaded. */
export function runHelp(): string {
  return `Usage: socket-tester run FILE [options]
       socket-tester run --profile NAME [--profiles FILE] [options]

Runs the conversation in FILE (YAML: a target and steps such as send, expect, wait, close; see
docs/conversations.md) on one connection and reports each step: passed, failed (expected versus
received, as text and hex) or skipped. The run stops at the first failed step unless that step
says continue_on_failure: true.

Options:
  --var NAME=VALUE   set \${NAME} (repeatable); overrides the file's variables
  --json             print one JSON object: passed, steps [{index, kind, outcome, durationMs,
                     message}], bytesSent, bytesReceived, durationMs, error
  --junit FILE       also write the result as JUnit XML (one testcase per step) for CI
  --timeout MS       stop the whole run after MS milliseconds (a failure, exit ${EXIT.FAILURE})
  --transcript       after the steps, print every byte sent and received, and what each expect matched
  --profile NAME     run the conversation saved in the app as profile NAME (or FOLDER/NAME)
                     instead of a FILE; the profile file is only read, never changed
  --profiles FILE    the profile file to read (default: the app's own)
  -h, --help         show this help

Exit codes:
  0    every step passed
  ${EXIT.FAILURE}    a step failed (the message names the step by number and kind), or --timeout fired
  ${EXIT.INVALID_INPUT}    invalid options or file (the message gives the line and column); nothing was sent
  ${EXIT.CONNECT_FAILED}    could not connect: refused, unreachable, DNS failure
  ${EXIT.TIMEOUT}    connect timed out (the target's connect_timeout_ms)
  ${EXIT.CONNECTION_LOST}    connection lost mid-run: reset, broken pipe
  ${EXIT.FILE_ERROR}    the --junit file could not be written
  ${EXIT.INTERRUPTED}  interrupted (Ctrl-C)
`;
}

interface RunArgs {
  /** The conversation file, or the label of the profile (`profile "NAME"`) in messages. */
  file: string;
  /** --profile NAME: read the YAML from this profile instead of a file. */
  profile: string | null;
  profilesPath: string | null;
  variables: Record<string, string>;
  json: boolean;
  junit: string | null;
  timeoutMs: number | undefined;
  transcript: boolean;
}

type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

function parseRunArgs(argv: string[]): Checked<RunArgs> | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        var: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        junit: { type: 'string' },
        timeout: { type: 'string' },
        transcript: { type: 'boolean' },
        profile: { type: 'string' },
        profiles: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (values.profiles !== undefined && values.profile === undefined) return { ok: false, message: '--profiles FILE goes with --profile NAME.' };
  if (values.profile !== undefined) {
    if (positionals.length > 0) return { ok: false, message: 'give either FILE or --profile NAME, not both.' };
    if (values.profile.trim() === '') return { ok: false, message: '--profile needs a profile name.' };
  } else if (positionals.length !== 1) {
    return { ok: false, message: positionals.length === 0 ? 'FILE is required: socket-tester run FILE.' : `expected one FILE, got ${positionals.length} arguments.` };
  }
  const variables: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const assignment of values.var ?? []) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) return { ok: false, message: `--var must be NAME=VALUE, got ${JSON.stringify(assignment)}.` };
    const name = assignment.slice(0, eq);
    const value = assignment.slice(eq + 1);
    if (!NAME_PATTERN.test(name)) {
      return { ok: false, message: `--var ${JSON.stringify(name)}: a name has letters, digits and _, and starts with a letter or _.` };
    }
    if (RESERVED_NAMES.includes(name)) return { ok: false, message: `--var ${name}: "${name}" is a macro (${RESERVED_NAMES.join(', ')}), not a variable.` };
    if (name in variables) return { ok: false, message: `--var ${name} is given twice; give each variable once.` };
    if (Buffer.byteLength(value) > CONVERSATION_LIMITS.maxVariableBytes) {
      return { ok: false, message: `--var ${name}: at most ${CONVERSATION_LIMITS.maxVariableBytes} bytes.` };
    }
    variables[name] = value;
  }
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    if (!/^[0-9]{1,9}$/.test(values.timeout) || Number(values.timeout) < 1 || Number(values.timeout) > MAX_RUN_TIMEOUT_MS) {
      return { ok: false, message: `--timeout must be a whole number from 1 to ${MAX_RUN_TIMEOUT_MS}, got ${JSON.stringify(values.timeout)}.` };
    }
    timeoutMs = Number(values.timeout);
  }
  if (values.junit !== undefined && values.junit.trim() === '') return { ok: false, message: '--junit needs a file path.' };
  return {
    ok: true,
    value: {
      file: values.profile !== undefined ? `profile "${values.profile.trim()}"` : positionals[0]!,
      profile: values.profile ?? null,
      profilesPath: values.profiles ?? null,
      variables,
      json: values.json === true,
      junit: values.junit ?? null,
      timeoutMs,
      transcript: values.transcript === true,
    },
  };
}

/** The --json object (docs/cli.md). */
interface JsonRunReport {
  passed: boolean;
  steps: { index: number; kind: string; outcome: string; durationMs: number; message: string }[];
  bytesSent: number;
  bytesReceived: number;
  durationMs: number;
  /** For a bad file, its first problem's place and the rule it broke (reason and params as data). */
  error: { code: string; message: string; line?: number; column?: number; path?: string; reason?: string; params?: Record<string, string | number> } | null;
}

/** Runs `run`; resolves to the exit code. */
export async function runRunCommand(argv: string[], io: CliIo): Promise<number> {
  const jsonRequested = argv.includes('--json');
  const args = parseRunArgs(argv);
  if (args === 'help') {
    io.stdout.write(runHelp());
    return EXIT.OK;
  }
  if (!args.ok) {
    io.stderr.write(`socket-tester run: ${args.message}\nRun "socket-tester run --help" for usage.\n`);
    if (jsonRequested) writeJson(io, invalidReport({ code: 'INVALID_INPUT', message: args.message }));
    return EXIT.INVALID_INPUT;
  }
  const options = args.value;
  const loadOptions = { extraVariables: Object.keys(options.variables) };
  let loaded: LoadResult;
  if (options.profile !== null) {
    const fromProfile = await profileYaml(options.profile, options.profilesPath);
    if (!fromProfile.ok) {
      const { error } = fromProfile;
      io.stderr.write(`socket-tester run: --profile: ${error.message}\n`);
      if (options.json) writeJson(io, invalidReport({ code: error.code, message: error.message }));
      return EXIT.INVALID_INPUT;
    }
    loaded = loadConversation(fromProfile.value, loadOptions);
  } else loaded = await readConversationFile(options.file, loadOptions);
  if (!loaded.ok) {
    io.stderr.write(`${formatFileErrors(options.file, loaded.errors)}\n`);
    const first = loaded.errors[0]!;
    if (options.json) {
      writeJson(io, invalidReport({ code: 'INVALID_INPUT', message: `${options.file}:${first.line}:${first.column}: ${first.message}` }, first));
    }
    return EXIT.INVALID_INPUT;
  }
  const conversation = loaded.value;

  // main/cli.ts turns SIGINT/SIGTERM into io.interrupt; tests abort it instead.
  const interrupt = new AbortController();
  const onAbort = (): void => interrupt.abort();
  if (io.interrupt?.aborted) interrupt.abort();
  else io.interrupt?.addEventListener('abort', onAbort, { once: true });
  let report: ConversationReport;
  try {
    report = await runConversation(conversation, {
      open: openTcpConversationStream,
      variables: options.variables,
      signal: interrupt.signal,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  } finally {
    io.interrupt?.removeEventListener('abort', onAbort);
  }

  const { host, port } = conversation.target;
  const endpoint = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  let junitError: AppError | null = null;
  if (options.junit !== null) {
    const xml = toJUnitXml(report, { suiteName: conversation.name ?? basename(options.file), file: options.file, endpoint });
    try {
      await writeFile(options.junit, xml);
    } catch (err) {
      junitError = toFileError(err, options.junit, 'write');
    }
  }

  const runError = report.error;
  if (options.json) {
    writeJson(io, {
      passed: report.passed,
      steps: report.steps.map((s) => ({ index: s.index, kind: s.kind, outcome: s.outcome, durationMs: s.durationMs, message: s.message })),
      bytesSent: report.bytesSent,
      bytesReceived: report.bytesReceived,
      durationMs: report.durationMs,
      error: runError ? { code: runError.code, message: runError.message } : junitError ? { code: junitError.code, message: junitError.message } : null,
    });
  } else {
    io.stdout.write(humanReport(report, options.file, endpoint, conversation.name, options.timeoutMs));
    if (options.transcript) io.stdout.write(transcriptText(report.transcript));
  }
  if (junitError) io.stderr.write(`socket-tester run: --junit: ${junitError.message}\n`);
  return exitCode(report, junitError);
}

/** The YAML of the conversation profile `reference`, from the profile file opened read-only. */
async function profileYaml(reference: string, profilesPath: string | null): Promise<{ ok: true; value: string } | { ok: false; error: AppError }> {
  const opened = await openProfilesForCli(profilesPath ?? undefined);
  if (!opened.ok) return opened;
  const { store, filePath } = opened.value;
  const found = lookupProfile(store.list(), reference);
  if (!found.ok) {
    const where = found.error.code === 'PROFILE_NOT_FOUND' ? ` (in ${filePath}; list them with: socket-tester profiles list)` : '';
    return { ok: false, error: { ...found.error, message: `${found.error.message}${where}` } };
  }
  return conversationYamlOf(found.value);
}

/** See the invariants at the top of the file. */
function exitCode(report: ConversationReport, junitError: AppError | null): number {
  if (report.cancelled) return EXIT.INTERRUPTED;
  if (report.error) {
    const code = exitCodeFor('error', report.error);
    if (code !== EXIT.OK && code !== EXIT.INVALID_INPUT) return code;
  }
  if (!report.passed) return EXIT.FAILURE;
  return junitError ? EXIT.FILE_ERROR : EXIT.OK;
}

const OUTCOME_LABEL = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' } as const;

function humanReport(report: ConversationReport, file: string, endpoint: string, name: string | null, timeoutMs: number | undefined): string {
  const lines = [`socket-tester run: ${file}${name ? ` (${name})` : ''} -> ${endpoint}`];
  if (report.connectFailed && report.error) lines.push(`  could not connect: ${report.error.code}: ${report.error.message}`);
  for (const step of report.steps) {
    const [first = '', ...rest] = step.message.split('\n');
    const time = step.outcome === 'skipped' ? '' : ` (${step.durationMs} ms)`;
    const runs = step.runs > 1 ? ` ×${step.runs}` : '';
    lines.push(`${OUTCOME_LABEL[step.outcome]}  ${String(step.index).padStart(3)} ${step.label}${runs}${step.name ? ` "${step.name}"` : ''}: ${first}${time}`);
    for (const line of rest) lines.push(`          ${line}`);
  }
  const count = (o: 'passed' | 'failed' | 'skipped'): number => report.steps.filter((s) => s.outcome === o).length;
  const verdict = report.passed ? 'passed' : report.cancelled ? 'cancelled' : report.timedOut ? `stopped by --timeout ${timeoutMs} ms` : 'FAILED';
  if (!report.connectFailed && report.error) lines.push(`  connection lost: ${report.error.code}: ${report.error.message}`);
  lines.push(
    `${verdict}: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped; ` +
      `sent ${report.bytesSent} bytes, received ${report.bytesReceived} bytes in ${report.durationMs} ms`,
  );
  return `${lines.join('\n')}\n`;
}

/** The transcript as lines: `>` sent, `<` received, `=` a match, `!` lifecycle. Bytes as escapes. */
function transcriptText(entries: readonly ConversationTranscriptEntry[]): string {
  const lines = ['transcript:'];
  for (const e of entries) {
    switch (e.kind) {
      case 'connected':
        lines.push(`  ! connected to ${e.remoteAddress ?? '?'}:${e.remotePort ?? '?'}`);
        break;
      case 'sent':
        lines.push(`  > step ${e.step} sent ${e.length} bytes: ${quoted(e.bytes)}`);
        break;
      case 'received':
        lines.push(`  < received ${e.length} bytes at ${e.offset}: ${quoted(e.bytes)}`);
        break;
      case 'matched':
        lines.push(`  = step ${e.step} matched bytes ${e.start}-${e.end}`);
        break;
      case 'dropped':
        lines.push(`  ! bytes ${e.start}-${e.end} left the window unmatched`);
        break;
      case 'local-ended':
        lines.push('  ! we finished sending (FIN)');
        break;
      case 'remote-ended':
        lines.push('  ! the peer finished sending (FIN)');
        break;
      case 'closed':
        lines.push(`  ! closed${e.error ? `: ${e.error.code}: ${e.error.message}` : ''}`);
        break;
      case 'truncated':
        lines.push('  ! transcript limit reached; later entries not kept');
        break;
    }
  }
  return `${lines.join('\n')}\n`;
}

function quoted(bytes: Uint8Array | null): string {
  return bytes ? `"${bytesToEscapes(bytes).replaceAll('"', '\\x22')}"` : '(bytes not kept: transcript limit)';
}

function invalidReport(error: AppError, at?: ConversationFileError): JsonRunReport {
  const where = at
    ? {
        line: at.line,
        column: at.column,
        ...(at.path !== null ? { path: at.path } : {}),
        ...(at.reason !== undefined ? { reason: at.reason } : {}),
        ...(at.params !== undefined && Object.keys(at.params).length > 0 ? { params: at.params } : {}),
      }
    : {};
  return { passed: false, steps: [], bytesSent: 0, bytesReceived: 0, durationMs: 0, error: { code: error.code, message: error.message, ...where } };
}

function writeJson(io: CliIo, report: JsonRunReport): void {
  io.stdout.write(`${JSON.stringify(report)}\n`);
}
