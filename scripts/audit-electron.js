// Electron security audit (`npm run audit:electron`, docs/security-audit.md).
//
// Runs Electronegativity 1.10.3 (through `npx -y -p`, never a dependency: it pulls 400+ packages)
// over two inputs and fails on any HIGH or MEDIUM finding that lacks a justification:
//   1. the sources, `main/**`;
//   2. the built output, `out/main/**`, `out/preload/**` and `out/renderer/**` (built by
//      `npx electron-vite build`; this script builds nothing).
//
// Invariants:
// - Never a silent pass. The audit exits non-zero when the tool cannot be run, when its output is
//   missing or malformed, when it loaded no checks, when it could not parse any scanned file, when a
//   file carries Electronegativity's own `eng-disable` directive (it hides findings from this audit),
//   or when a justification comment is malformed.
// - Every scanned file is one Electronegativity really parses. Its directory loader skips `.cjs`,
//   `.mjs`, `.cts` and `.mts`, and its JavaScript path (esprima, then babel + estraverse) rejects
//   class private fields, which our built chunks use. So both inputs are copied into a temporary
//   folder first, each code file renamed to end in `.ts` so Electronegativity's TypeScript parser
//   (babel with the typescript plugin, which reads plain JavaScript too) handles it. Line numbers
//   are unchanged; findings are mapped back to the real paths.
// - Findings are taken from Electronegativity's documented programmatic API (its package `main`),
//   not from its CLI files: 1.10.3 writes the CSV header and body with two racing asynchronous
//   writes (rows get overwritten or lost), its SARIF has no severity, and with `-o` it drops parse
//   errors silently. `npx -p` puts the package on PATH; this same file, run in `--scan` mode under
//   that npx, finds the package there, runs it and writes plain JSON for the audit to parse.
//
// Justifications:
// - In source: a line comment `// electronegativity-justified CHECK_ID: reason` (reason at least
//   20 characters) on the flagged line, or in the run of `//` comment lines directly above it.
// - A finding in built output is justified by the source module it came from: the bundler heads each
//   module's code with a `// main/electron/main-window.ts` comment; that source file must hold at
//   least as many justification comments for the check as the built module has findings of it.
// - A finding with no file (Electronegativity's global checks) in the source scan is justified by a
//   justification comment for that check anywhere in `main/**`. In the built scan it cannot be
//   justified: the built output, renderer HTML included, must pass the global checks outright.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The one Electronegativity release this audit is written against (TOOLCHAIN.md pitfall 12). */
export const ELECTRONEGATIVITY_VERSION = '1.10.3';
export const ELECTRONEGATIVITY_PACKAGE = `@doyensec/electronegativity@${ELECTRONEGATIVITY_VERSION}`;
/** The word that starts a justification comment. */
export const JUSTIFICATION_MARKER = 'electronegativity-justified';
/** Shortest reason accepted: enough for a precise sentence, too long for "false positive". */
export const MIN_REASON_LENGTH = 20;
/** Severities that fail the audit unless justified. */
export const GATED_SEVERITIES = /** @type {const} */ (['HIGH', 'MEDIUM']);

const SEVERITIES = ['HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'];
const CHECK_ID = /^[A-Z][A-Z0-9_]*_CHECK$/;
const JUSTIFICATION = new RegExp(`^\\s*//\\s*${JUSTIFICATION_MARKER}\\s+([A-Z][A-Z0-9_]*_CHECK)\\s*:\\s*(.*?)\\s*$`);
const TRAILING_JUSTIFICATION = new RegExp(`//\\s*${JUSTIFICATION_MARKER}\\b.*$`);
// Rolldown heads each module's code in a non-minified bundle with `// <path from the project root>`.
const MODULE_MARKER = /^\/\/(?:#region)?\s+((?:[\w@.-]+\/)*[\w@.-]+\.(?:[cm]?[jt]s|[jt]sx|svelte))\s*$/;
const ENG_DISABLE = /(?:\/\/|\/\*|<!--)[ \t]*eng-disable\b/;

/**
 * @typedef {'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL'} Severity
 * @typedef {{ check: string, severity: Severity, confidence: string, file: string | null, line: number, column: number, sample: string, description: string }} Finding
 *   `file` is relative to the scanned folder with `/` separators, null for a global check.
 * @typedef {{ file: string, message: string }} ParseError
 * @typedef {{ input: string, checksLoaded: number, errors: ParseError[], findings: Finding[] }} Scan
 * @typedef {{ checkId: string, reason: string }} Justification
 * @typedef {{ line: number, justification: Justification | null, malformed: string | null }} JustificationLine
 *   One line that mentions the marker: parsed, or `malformed` says what is wrong.
 * @typedef {{ file: string, line: number }} Place  `line` is one-based.
 * @typedef {{ scan: 'source' | 'built', finding: Finding, path: string | null, gated: boolean, justifiedBy: string | null, note: string }} AssessedFinding
 *   `path` is the finding's project-relative path; `justifiedBy` names the comment or source module that justifies it.
 */

/**
 * A value, or a sentence saying what is wrong.
 * @template T
 * @typedef {{ ok: true, value: T } | { ok: false, error: string }} Outcome
 */

// ---------------------------------------------------------------------------------------------
// Parsing Electronegativity's output

/**
 * Parses the JSON that `--scan` mode writes: Electronegativity's programmatic result per input,
 * reduced to plain data. Anything unexpected is an error naming the field, never a partial result.
 * @param {string} text
 * @returns {Outcome<Scan[]>}
 */
export function parseScanOutput(text) {
  /** @type {unknown} */
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `Electronegativity's output is not JSON: ${err instanceof Error ? err.message : String(err)}.` };
  }
  if (!isRecord(doc) || !Array.isArray(doc['scans'])) return { ok: false, error: 'Electronegativity\'s output has no "scans" list.' };
  if (doc['scans'].length === 0) return { ok: false, error: 'Electronegativity\'s output lists no scans.' };
  /** @type {Scan[]} */
  const scans = [];
  for (const [i, raw] of doc['scans'].entries()) {
    const where = `scans[${i}]`;
    if (!isRecord(raw)) return { ok: false, error: `${where} is not an object.` };
    const input = raw['input'];
    if (typeof input !== 'string' || input === '') return { ok: false, error: `${where}.input must be a non-empty string.` };
    const checksLoaded = Number(raw['globalChecks']) + Number(raw['atomicChecks']);
    if (!Number.isInteger(checksLoaded) || checksLoaded <= 0) {
      return { ok: false, error: `${where} (${input}) loaded no checks (globalChecks ${String(raw['globalChecks'])}, atomicChecks ${String(raw['atomicChecks'])}).` };
    }
    if (!Array.isArray(raw['errors'])) return { ok: false, error: `${where}.errors must be a list.` };
    if (!Array.isArray(raw['issues'])) return { ok: false, error: `${where}.issues must be a list.` };
    /** @type {ParseError[]} */
    const errors = [];
    for (const [j, e] of raw['errors'].entries()) {
      if (!isRecord(e) || typeof e['file'] !== 'string' || typeof e['message'] !== 'string') {
        return { ok: false, error: `${where}.errors[${j}] must have string "file" and "message".` };
      }
      errors.push({ file: e['file'], message: e['message'] });
    }
    /** @type {Finding[]} */
    const findings = [];
    for (const [j, issue] of raw['issues'].entries()) {
      const parsed = parseIssue(issue, `${where}.issues[${j}]`);
      if (!parsed.ok) return parsed;
      findings.push(parsed.value);
    }
    scans.push({ input, checksLoaded, errors, findings });
  }
  return { ok: true, value: scans };
}

/**
 * @param {unknown} issue
 * @param {string} where
 * @returns {Outcome<Finding>}
 */
function parseIssue(issue, where) {
  if (!isRecord(issue)) return { ok: false, error: `${where} is not an object.` };
  const { id, severity, confidence, file, line, column, sample, description } = issue;
  if (typeof id !== 'string' || !CHECK_ID.test(id)) return { ok: false, error: `${where}.id must be a check name like NODE_INTEGRATION_JS_CHECK (is ${JSON.stringify(id)}).` };
  if (typeof severity !== 'string' || !SEVERITIES.includes(severity)) {
    return { ok: false, error: `${where}.severity must be one of ${SEVERITIES.join(', ')} (is ${JSON.stringify(severity)}).` };
  }
  if (file !== null && (typeof file !== 'string' || file === '')) return { ok: false, error: `${where}.file must be a path or null (is ${JSON.stringify(file)}).` };
  if (!Number.isInteger(line) || !Number.isInteger(column) || Number(line) < 0 || Number(column) < 0) {
    return { ok: false, error: `${where}.line and .column must be whole numbers ≥ 0 (are ${JSON.stringify(line)}, ${JSON.stringify(column)}).` };
  }
  if (file !== null && Number(line) < 1) return { ok: false, error: `${where}.line must be ≥ 1 for a finding in a file (is ${String(line)}).` };
  return {
    ok: true,
    value: {
      check: id,
      severity: /** @type {Severity} */ (severity),
      confidence: typeof confidence === 'string' ? confidence : '',
      file: file === null ? null : String(file),
      line: Number(line),
      column: Number(column),
      sample: typeof sample === 'string' ? sample : '',
      description: typeof description === 'string' ? description : '',
    },
  };
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Justification comments

/**
 * Reads every line of `lines` that mentions the justification marker.
 * @param {readonly string[]} lines a file's lines
 * @returns {JustificationLine[]} one entry per mentioning line, with its one-based number
 */
export function findJustificationLines(lines) {
  /** @type {JustificationLine[]} */
  const found = [];
  lines.forEach((text, index) => {
    if (!text.includes(JUSTIFICATION_MARKER)) return;
    const line = index + 1;
    const trailing = text.match(TRAILING_JUSTIFICATION)?.[0] ?? text.trim();
    const m = trailing.match(JUSTIFICATION);
    if (!m) {
      found.push({ line, justification: null, malformed: `must read "// ${JUSTIFICATION_MARKER} CHECK_ID: reason" (is "${text.trim()}")` });
      return;
    }
    const checkId = m[1] ?? '';
    const reason = m[2] ?? '';
    if (reason.length < MIN_REASON_LENGTH) {
      found.push({ line, justification: null, malformed: `the reason for ${checkId} must be at least ${MIN_REASON_LENGTH} characters (is "${reason}")` });
      return;
    }
    found.push({ line, justification: { checkId, reason }, malformed: null });
  });
  return found;
}

/**
 * Finds the justification for `checkId` at one-based `line`: a trailing comment on that line, or a
 * comment in the run of `//` comment lines directly above it.
 * @param {readonly string[]} lines
 * @param {number} line one-based
 * @param {string} checkId
 * @returns {number | null} the one-based line of the justification comment, or null
 */
export function findJustificationFor(lines, line, checkId) {
  const candidates = [line];
  for (let above = line - 1; above >= 1 && (lines[above - 1] ?? '').trim().startsWith('//'); above--) candidates.push(above);
  for (const candidate of candidates) {
    const text = lines[candidate - 1];
    if (text === undefined) continue;
    const parsed = findJustificationLines([text])[0];
    if (parsed?.justification?.checkId === checkId) return candidate;
  }
  return null;
}

/**
 * The source module a line of a bundle came from, from the nearest module comment above it.
 * @param {readonly string[]} lines the bundle's lines
 * @param {number} line one-based
 * @returns {string | null} the project-relative source path, or null when no module comment precedes the line
 */
export function sourceModuleAt(lines, line) {
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const m = (lines[i] ?? '').match(MODULE_MARKER);
    if (m?.[1]) return m[1];
  }
  return null;
}

/**
 * The name a file is scanned under, so that Electronegativity parses it with its TypeScript parser;
 * null for files it has no checks for (CSS, images, fonts, ...).
 * @param {string} path
 * @returns {string | null}
 */
export function stagedName(path) {
  if (/\.(?:ts|tsx|html?)$/i.test(path)) return path;
  if (/\.jsx$/i.test(path)) return `${path}.tsx`;
  if (/\.(?:[cm]?js|[cm]ts)$/i.test(path)) return `${path}.ts`;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Assessment

/**
 * @typedef {object} AssessInput
 * @property {Scan} source the scan of `main/**`
 * @property {Scan} built the scan of `out/**`
 * @property {(scan: 'source' | 'built', scannedPath: string) => string} projectPath maps a path relative to a scan root to the project-relative path
 * @property {(projectPath: string) => readonly string[] | null} readLines a project file's lines, null when it does not exist
 * @property {readonly string[]} sourceFiles project-relative paths of every file in the source scan
 */

/**
 * Decides for each finding whether it is gated (HIGH or MEDIUM) and justified, per the rules at the
 * top of this file.
 * @param {AssessInput} input
 * @returns {{ findings: AssessedFinding[], unusedJustifications: Place[] }}
 */
export function assessFindings({ source, built, projectPath, readLines, sourceFiles }) {
  /** @type {AssessedFinding[]} */
  const findings = [];
  /** @type {Set<string>} "path:line" of justification comments that justified something */
  const used = new Set();
  /** @type {Map<string, Place[]>} check id → every justification comment for it in the source tree */
  const sourceJustifications = new Map();
  for (const file of sourceFiles) {
    for (const j of findJustificationLines(readLines(file) ?? [])) {
      if (!j.justification) continue;
      const list = sourceJustifications.get(j.justification.checkId) ?? [];
      list.push({ file, line: j.line });
      sourceJustifications.set(j.justification.checkId, list);
    }
  }

  for (const finding of source.findings) {
    const gated = isGated(finding.severity);
    if (finding.file === null) {
      const places = sourceJustifications.get(finding.check) ?? [];
      for (const p of places) used.add(`${p.file}:${p.line}`);
      const first = places[0];
      findings.push({ scan: 'source', finding, path: null, gated, justifiedBy: first ? `${first.file}:${first.line}` : null, note: first ? '' : 'global check: add a justification comment for it in main/' });
      continue;
    }
    const path = projectPath('source', finding.file);
    const at = findJustificationFor(readLines(path) ?? [], finding.line, finding.check);
    if (at !== null) used.add(`${path}:${at}`);
    findings.push({ scan: 'source', finding, path, gated, justifiedBy: at === null ? null : `${path}:${at}`, note: '' });
  }

  // Built findings, grouped by (check, source module) so one justification covers one finding.
  /** @type {Map<string, AssessedFinding[]>} */
  const byModule = new Map();
  for (const finding of built.findings) {
    const gated = isGated(finding.severity);
    if (finding.file === null) {
      findings.push({ scan: 'built', finding, path: null, gated, justifiedBy: null, note: 'global check on the built output: cannot be justified, fix it' });
      continue;
    }
    const path = projectPath('built', finding.file);
    const module = sourceModuleAt(readLines(path) ?? [], finding.line);
    /** @type {AssessedFinding} */
    const assessed = { scan: 'built', finding, path, gated, justifiedBy: null, note: '' };
    findings.push(assessed);
    if (module === null || readLines(module) === null) {
      assessed.note = module === null ? 'no source module comment above this line' : `source module ${module} not found`;
      continue;
    }
    assessed.note = `from ${module}`;
    const key = `${finding.check}\u0000${module}`;
    byModule.set(key, [...(byModule.get(key) ?? []), assessed]);
  }
  for (const [key, group] of byModule) {
    const [check = '', module = ''] = key.split('\u0000');
    const comments = findJustificationLines(readLines(module) ?? []).filter((j) => j.justification?.checkId === check);
    for (const j of comments) used.add(`${module}:${j.line}`);
    if (comments.length >= group.length) {
      for (const a of group) a.justifiedBy = `${module} (${comments.length} × ${check})`;
    } else {
      for (const a of group) a.note = `from ${module}: ${group.length} built finding(s), ${comments.length} justification comment(s) there`;
    }
  }

  /** @type {Place[]} */
  const unusedJustifications = [];
  for (const places of sourceJustifications.values()) {
    for (const p of places) if (!used.has(`${p.file}:${p.line}`)) unusedJustifications.push(p);
  }
  return { findings, unusedJustifications };
}

/**
 * @param {Severity} severity
 * @returns {boolean}
 */
function isGated(severity) {
  return /** @type {readonly string[]} */ (GATED_SEVERITIES).includes(severity);
}

/**
 * True when the finding fails the audit.
 * @param {AssessedFinding} f
 * @returns {boolean}
 */
export function isFailing(f) {
  return f.gated && f.justifiedBy === null;
}

/**
 * A plain-text table of every finding: scan, severity, check, location, status.
 * @param {readonly AssessedFinding[]} findings
 * @returns {string}
 */
export function formatTable(findings) {
  const order = (/** @type {AssessedFinding} */ f) => SEVERITIES.indexOf(f.finding.severity);
  const scanOrder = (/** @type {AssessedFinding} */ f) => (f.scan === 'source' ? 0 : 1);
  const sorted = [...findings].sort((a, b) =>
    scanOrder(a) - scanOrder(b) || order(a) - order(b) || a.finding.check.localeCompare(b.finding.check) || String(a.path).localeCompare(String(b.path)) || a.finding.line - b.finding.line,
  );
  const rows = [['scan', 'severity', 'check', 'location', 'status']];
  for (const f of sorted) {
    const location = f.path === null ? '(global check)' : `${f.path}:${f.finding.line}:${f.finding.column}`;
    const status = !f.gated ? 'not gated (below MEDIUM)' : f.justifiedBy ? `justified: ${f.justifiedBy}` : `UNJUSTIFIED${f.note ? ` (${f.note})` : ''}`;
    rows.push([f.scan === 'source' ? 'main/' : 'out/', f.finding.severity, f.finding.check, location, status]);
  }
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c < 4 ? cell.padEnd(widths[c] ?? 0) : cell)).join('  ').trimEnd()).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Staging and problems found before the scan

/**
 * Copies the scannable files under `from` (project-relative folders) into `stageRoot`, renamed by
 * {@link stagedName}, and reports `eng-disable` directives and malformed justification comments.
 * @param {string} projectRoot
 * @param {readonly string[]} folders project-relative folders
 * @param {string} stageRoot
 * @returns {{ stagedToProject: Map<string, string>, problems: string[] }}
 */
function stage(projectRoot, folders, stageRoot) {
  /** @type {Map<string, string>} */
  const stagedToProject = new Map();
  /** @type {string[]} */
  const problems = [];
  for (const folder of folders) {
    for (const file of listFiles(join(projectRoot, folder))) {
      const projectRel = toPosix(relative(projectRoot, file));
      const staged = stagedName(projectRel);
      if (staged === null) continue;
      mkdirSync(dirname(join(stageRoot, staged)), { recursive: true });
      copyFileSync(file, join(stageRoot, staged));
      stagedToProject.set(staged, projectRel);
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((text, i) => {
        if (ENG_DISABLE.test(text)) {
          problems.push(`${projectRel}:${i + 1}: "eng-disable" hides findings from this audit; write "// ${JUSTIFICATION_MARKER} CHECK_ID: reason" instead.`);
        }
      });
      for (const j of findJustificationLines(lines)) {
        if (j.malformed) problems.push(`${projectRel}:${j.line}: justification comment ${j.malformed}.`);
      }
    }
  }
  return { stagedToProject, problems };
}

/**
 * @param {string} dir
 * @returns {string[]} every file below `dir`, sorted
 */
function listFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * @param {string} path
 * @returns {string}
 */
function toPosix(path) {
  return path.split(sep).join('/');
}

/**
 * Reduces Electronegativity's programmatic result for one input folder to the plain JSON record that
 * {@link parseScanOutput} reads: severity and confidence by name, paths relative to `input` with `/`
 * separators, null for a global check's "N/A" file. Values are copied as found, so
 * {@link parseScanOutput} is where a surprising shape is caught.
 * @param {string} input the absolute folder that was scanned
 * @param {Record<string, unknown>} result what `run()` resolved to
 * @returns {Record<string, unknown>}
 */
export function scanRecordFromResult(input, result) {
  const list = (/** @type {unknown} */ value) => (Array.isArray(value) ? /** @type {Record<string, any>[]} */ (value) : value);
  const rel = (/** @type {unknown} */ file) => (typeof file === 'string' && file !== 'N/A' ? toPosix(relative(input, file)) : null);
  const errors = list(result['errors']);
  const issues = list(result['issues']);
  return {
    input,
    globalChecks: result['globalChecks'],
    atomicChecks: result['atomicChecks'],
    errors: Array.isArray(errors) ? errors.map((e) => ({ file: rel(e['file']) ?? String(e['file']), message: e['message'] })) : errors,
    issues: Array.isArray(issues)
      ? issues.map((i) => ({
          id: i['id'],
          severity: i['severity']?.name,
          confidence: i['confidence']?.name,
          file: rel(i['file']),
          line: i['location']?.line,
          column: i['location']?.column,
          sample: i['sample'],
          description: i['description'],
        }))
      : issues,
  };
}

// ---------------------------------------------------------------------------------------------
// `--scan` mode: runs inside `npx -p @doyensec/electronegativity@…`, where the package is on PATH.

/**
 * @param {string} outFile where to write the JSON that {@link parseScanOutput} reads
 * @param {string} electronVersion
 * @param {string[]} inputs folders to scan
 * @returns {Promise<void>}
 */
async function scanMode(outFile, electronVersion, inputs) {
  const packageDir = (process.env['PATH'] ?? '')
    .split(delimiter)
    .map((bin) => join(bin, '..', '@doyensec', 'electronegativity'))
    .find((dir) => existsSync(join(dir, 'package.json')));
  if (!packageDir) throw new Error('Electronegativity is not on PATH: run this mode through `npx -p`.');
  const version = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
  if (version !== ELECTRONEGATIVITY_VERSION) throw new Error(`found Electronegativity ${version} at ${packageDir}, expected ${ELECTRONEGATIVITY_VERSION}.`);
  const loaded = createRequire(import.meta.url)(packageDir);
  /** @type {(options: Record<string, unknown>) => Promise<Record<string, unknown>>} */
  const run = loaded.default ?? loaded;
  const scans = [];
  for (const input of inputs) {
    // The README names the override `electronVersion`, but 1.10.3's runner reads
    // `electronVersionOverride`. Without it the version is unknown (our inputs hold no
    // package.json) and every check assumes Electron 0.1.0's insecure defaults.
    const result = await run({ input, isRelative: false, electronVersionOverride: electronVersion, customScan: [], excludeFromScan: [] });
    scans.push(scanRecordFromResult(input, result));
  }
  writeFileSync(outFile, JSON.stringify({ tool: ELECTRONEGATIVITY_PACKAGE, scans }, null, 2));
}

// ---------------------------------------------------------------------------------------------
// Audit mode

/**
 * @param {string} projectRoot
 * @returns {number} the exit code
 */
function audit(projectRoot) {
  const say = (/** @type {string} */ text) => process.stdout.write(`${text}\n`);
  const fail = (/** @type {string} */ text, code = 2) => {
    process.stderr.write(`audit:electron: ${text}\n`);
    return code;
  };
  if (!existsSync(join(projectRoot, 'out', 'main', 'index.js'))) {
    return fail('out/main/index.js is missing: build first with `npx electron-vite build` (or `npm run build`). This audit builds nothing itself.');
  }
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'));
  const electronVersion = String(pkg.devDependencies?.electron ?? '').replace(/^[\^~=]/, '');
  if (!/^\d+\.\d+\.\d+$/.test(electronVersion)) return fail(`package.json devDependencies.electron must be an exact version (is "${electronVersion}").`);

  const work = mkdtempSync(join(tmpdir(), 'socket-tester-audit-'));
  try {
    const sourceRoot = join(work, 'source');
    const builtRoot = join(work, 'built');
    const sourceStage = stage(projectRoot, ['main'], sourceRoot);
    const builtFolders = ['out/main', 'out/preload', 'out/renderer'].filter((f) => existsSync(join(projectRoot, f)));
    const builtStage = stage(projectRoot, builtFolders, builtRoot);
    const outFile = join(work, 'findings.json');

    say(`Running ${ELECTRONEGATIVITY_PACKAGE} (via npx) over main/ and ${builtFolders.join(', ')}, assuming Electron ${electronVersion}.`);
    say('Offline it spends about 10 s failing to fetch Electron release data, then carries on.');
    const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
    const child = spawnSync(npx, ['-y', '-p', ELECTRONEGATIVITY_PACKAGE, 'node', fileURLToPath(import.meta.url), '--scan', outFile, electronVersion, sourceRoot, builtRoot], {
      cwd: projectRoot,
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: 600_000,
      shell: process.platform === 'win32',
    });
    if (child.error) return fail(`could not run npx: ${child.error.message}`);
    if (child.status !== 0) return fail(`Electronegativity failed (npx exit ${child.status ?? `signal ${child.signal}`}); see its output above.`);
    if (!existsSync(outFile)) return fail('Electronegativity produced no output file.');
    const parsed = parseScanOutput(readFileSync(outFile, 'utf8'));
    if (!parsed.ok) return fail(parsed.error);
    const [source, built] = parsed.value;
    if (!source || !built || parsed.value.length !== 2) return fail(`expected 2 scans (main/ and out/), got ${parsed.value.length}.`);

    /** @type {(scan: 'source' | 'built', scannedPath: string) => string} */
    const projectPath = (scan, scannedPath) => (scan === 'source' ? sourceStage : builtStage).stagedToProject.get(scannedPath) ?? scannedPath;
    /** @type {Map<string, readonly string[] | null>} */
    const cache = new Map();
    // Files are read from the project; the staged copies are what was scanned, so prefer them.
    const stagedPathOf = new Map([
      ...[...sourceStage.stagedToProject].map(([staged, rel]) => /** @type {[string, string]} */ ([rel, join(sourceRoot, staged)])),
      ...[...builtStage.stagedToProject].map(([staged, rel]) => /** @type {[string, string]} */ ([rel, join(builtRoot, staged)])),
    ]);
    const readLines = (/** @type {string} */ rel) => {
      if (!cache.has(rel)) {
        const file = stagedPathOf.get(rel) ?? join(projectRoot, rel);
        cache.set(rel, existsSync(file) ? readFileSync(file, 'utf8').split('\n') : null);
      }
      return cache.get(rel) ?? null;
    };
    const { findings, unusedJustifications } = assessFindings({ source, built, projectPath, readLines, sourceFiles: [...sourceStage.stagedToProject.values()] });

    say('');
    say(findings.length > 0 ? formatTable(findings) : 'No findings.');
    say('');
    const problems = [...sourceStage.problems, ...builtStage.problems];
    for (const [scan, s] of /** @type {const} */ ([['source', source], ['built', built]])) {
      for (const e of s.errors) problems.push(`Electronegativity could not parse ${projectPath(scan, e.file)}: ${e.message} (its findings are unknown).`);
    }
    for (const p of unusedJustifications) say(`note: ${p.file}:${p.line}: justification comment matches no current finding; remove it if the code changed.`);
    for (const p of problems) process.stderr.write(`audit:electron: ${p}\n`);
    const failing = findings.filter(isFailing);
    for (const f of failing) {
      process.stderr.write(`audit:electron: unjustified ${f.finding.severity} ${f.finding.check} at ${f.path ?? '(global check)'}${f.path ? `:${f.finding.line}` : ''}: ${f.finding.description}\n`);
    }
    if (failing.length > 0 || problems.length > 0) {
      return fail(`${failing.length} unjustified HIGH/MEDIUM finding(s), ${problems.length} other problem(s). See docs/security-audit.md.`, 1);
    }
    const gated = findings.filter((f) => f.gated).length;
    say(`audit:electron: passed. ${findings.length} finding(s), ${gated} HIGH/MEDIUM, all justified; checks loaded: ${source.checksLoaded}.`);
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  if (process.argv[2] === '--scan') {
    const [outFile, electronVersion, ...inputs] = process.argv.slice(3);
    if (!outFile || !electronVersion || inputs.length === 0) {
      process.stderr.write('usage: audit-electron.js --scan <out.json> <electron-version> <folder>...\n');
      process.exit(2);
    }
    scanMode(outFile, electronVersion, inputs).catch((err) => {
      process.stderr.write(`audit:electron --scan: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(2);
    });
  } else {
    process.exitCode = audit(resolve(import.meta.dirname, '..'));
  }
}
