import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assessFindings,
  findJustificationFor,
  findJustificationLines,
  formatTable,
  isFailing,
  parseScanOutput,
  scanRecordFromResult,
  sourceModuleAt,
  stagedName,
} from '../../scripts/audit-electron.js';

const projectRoot = resolve(import.meta.dirname, '..', '..');

// Electronegativity 1.10.3's programmatic result, shaped as `run()` resolves it (severity and
// confidence are objects with a format function; files are absolute; global checks say "N/A").
const HIGH = { value: 3, name: 'HIGH', format: () => 'HIGH' };
const MEDIUM = { value: 2, name: 'MEDIUM', format: () => 'MEDIUM' };
const LOW = { value: 1, name: 'LOW', format: () => 'LOW' };
const FIRM = { value: 1, name: 'FIRM', format: () => 'FIRM' };
const CERTAIN = { value: 2, name: 'CERTAIN', format: () => 'CERTAIN' };
const TENTATIVE = { value: 0, name: 'TENTATIVE', format: () => 'TENTATIVE' };

function issue(id: string, severity: object, confidence: object, file: string, line: number, column: number, sample?: string) {
  return { file, sample, location: { line, column }, id, description: `about ${id}`, severity, confidence, manualReview: false, shortenedURL: 'https://git.io/x' };
}

const sourceResult = {
  globalChecks: 6,
  atomicChecks: 36,
  errors: [],
  issues: [
    issue('CSP_GLOBAL_CHECK', MEDIUM, CERTAIN, 'N/A', 0, 0),
    issue('OPEN_EXTERNAL_JS_CHECK', MEDIUM, TENTATIVE, '/tmp/stage/source/main/electron/main-window.ts', 5, 41, "if (url.startsWith('https://')) void shell.openExternal(url);"),
    issue('CONTEXT_ISOLATION_JS_CHECK', HIGH, FIRM, '/tmp/stage/source/main/electron/main-window.ts', 10, 14, 'const win = new BrowserWindow({'),
    issue('SANDBOX_JS_CHECK', MEDIUM, FIRM, '/tmp/stage/source/main/electron/main-window.ts', 10, 14, 'const win = new BrowserWindow({'),
  ],
};
const builtResult = {
  globalChecks: 6,
  atomicChecks: 36,
  errors: [],
  issues: [
    issue('CSP_GLOBAL_CHECK', LOW, FIRM, '/tmp/stage/built/out/renderer/index.html', 5, 0, "default-src 'self'"),
    issue('OPEN_EXTERNAL_JS_CHECK', MEDIUM, TENTATIVE, '/tmp/stage/built/out/main/index.js.ts', 4, 34),
    issue('CONTEXT_ISOLATION_JS_CHECK', HIGH, FIRM, '/tmp/stage/built/out/main/index.js.ts', 7, 13),
    issue('SANDBOX_JS_CHECK', MEDIUM, FIRM, '/tmp/stage/built/out/main/index.js.ts', 7, 13),
  ],
};

function cannedOutput(source: Record<string, unknown> = sourceResult, built: Record<string, unknown> = builtResult): string {
  return JSON.stringify({
    tool: '@doyensec/electronegativity@1.10.3',
    scans: [scanRecordFromResult('/tmp/stage/source', source), scanRecordFromResult('/tmp/stage/built', built)],
  });
}

const MAIN_WINDOW = [
  'export function lockDownContents(contents) {', // 1
  '  contents.setWindowOpenHandler(({ url }) => {', // 2
  '    // Only app-built https links may leave.', // 3
  '    // electronegativity-justified OPEN_EXTERNAL_JS_CHECK: only https:// URLs reach openExternal, the window is denied', // 4
  "    if (url.startsWith('https://')) void shell.openExternal(url);", // 5
  '  });', // 6
  '}', // 7
  'export function createMainWindow(opts) {', // 8
  '  // electronegativity-justified CONTEXT_ISOLATION_JS_CHECK: webPreferences is secureWebPreferences(), pinned by a test', // 9
  '  const win = new BrowserWindow({', // 10
];
const APP_PROTOCOL = [
  'headers: {',
  "  // electronegativity-justified CSP_GLOBAL_CHECK: the CSP is this header on every app:// response",
  "  'Content-Security-Policy': CONTENT_SECURITY_POLICY,",
  '}',
];
const BUILT_INDEX = [
  '// main/electron/main-window.ts', // 1
  'function lockDownContents(contents) {', // 2
  '\tcontents.setWindowOpenHandler(({ url }) => {', // 3
  '\t\tif (url.startsWith("https://")) shell.openExternal(url);', // 4
  '\t});', // 5
  '}', // 6
  'const win = new BrowserWindow({', // 7
];

function inMemory(files: Record<string, string[]>) {
  return (path: string): readonly string[] | null => files[path] ?? null;
}

function assessCanned(files: Record<string, string[]>, output = cannedOutput()) {
  const parsed = parseScanOutput(output);
  if (!parsed.ok) throw new Error(parsed.error);
  const [source, built] = parsed.value;
  return assessFindings({
    source: source!,
    built: built!,
    projectPath: (_scan, scanned) => scanned.replace(/\.([cm]?js)\.ts$/, '.$1'),
    readLines: inMemory(files),
    sourceFiles: Object.keys(files).filter((f) => f.startsWith('main/')),
  });
}

describe('parseScanOutput', () => {
  it('reads canned Electronegativity results: severity by name, paths relative to the scan, null for global checks', () => {
    const parsed = parseScanOutput(cannedOutput());
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const [source, built] = parsed.value;
    expect(source!.checksLoaded).toBe(42);
    expect(source!.findings[0]).toEqual({
      check: 'CSP_GLOBAL_CHECK', severity: 'MEDIUM', confidence: 'CERTAIN', file: null, line: 0, column: 0, sample: '', description: 'about CSP_GLOBAL_CHECK',
    });
    expect(source!.findings[2]).toMatchObject({ check: 'CONTEXT_ISOLATION_JS_CHECK', severity: 'HIGH', file: 'main/electron/main-window.ts', line: 10, column: 14 });
    expect(built!.findings.map((f) => f.file)).toEqual(['out/renderer/index.html', 'out/main/index.js.ts', 'out/main/index.js.ts', 'out/main/index.js.ts']);
  });

  it('keeps parse errors, with the file relative to the scan', () => {
    const withError = { ...builtResult, errors: [{ file: '/tmp/stage/built/out/main/index.js', message: 'Unknown node type ClassPrivateProperty.', tolerable: false }] };
    const parsed = parseScanOutput(cannedOutput(sourceResult, withError));
    expect(parsed.ok && parsed.value[1]!.errors).toEqual([{ file: 'out/main/index.js', message: 'Unknown node type ClassPrivateProperty.' }]);
  });

  it('rejects output that is not JSON, has no scans, or loaded no checks', () => {
    expect(parseScanOutput('issue, severity, confidence\nted in the target')).toMatchObject({ ok: false, error: expect.stringContaining('not JSON') });
    expect(parseScanOutput('{}')).toEqual({ ok: false, error: 'Electronegativity\'s output has no "scans" list.' });
    expect(parseScanOutput('{"scans":[]}')).toEqual({ ok: false, error: "Electronegativity's output lists no scans." });
    const noChecks = cannedOutput({ ...sourceResult, globalChecks: 0, atomicChecks: 0 });
    expect(parseScanOutput(noChecks)).toMatchObject({ ok: false, error: expect.stringContaining('scans[0] (/tmp/stage/source) loaded no checks') });
  });

  it('rejects findings with an unknown severity, a bad check id, or no line in a file, naming the field', () => {
    const badSeverity = { ...sourceResult, issues: [issue('SANDBOX_JS_CHECK', { name: 'SEVERE' }, FIRM, '/tmp/stage/source/a.ts', 1, 0)] };
    expect(parseScanOutput(cannedOutput(badSeverity))).toEqual({
      ok: false, error: 'scans[0].issues[0].severity must be one of HIGH, MEDIUM, LOW, INFORMATIONAL (is "SEVERE").',
    });
    const badId = { ...sourceResult, issues: [issue('sandbox', HIGH, FIRM, '/tmp/stage/source/a.ts', 1, 0)] };
    expect(parseScanOutput(cannedOutput(badId))).toMatchObject({ ok: false, error: expect.stringContaining('scans[0].issues[0].id must be a check name') });
    const noLine = { ...sourceResult, issues: [issue('SANDBOX_JS_CHECK', HIGH, FIRM, '/tmp/stage/source/a.ts', 0, 0)] };
    expect(parseScanOutput(cannedOutput(noLine))).toEqual({ ok: false, error: 'scans[0].issues[0].line must be ≥ 1 for a finding in a file (is 0).' });
    const noIssues = { ...sourceResult, issues: undefined };
    expect(parseScanOutput(cannedOutput(noIssues))).toEqual({ ok: false, error: 'scans[0].issues must be a list.' });
  });
});

describe('justification comments', () => {
  it('parses the fixed form and reports malformed ones with the line', () => {
    const lines = [
      'const a = 1;',
      '// electronegativity-justified SANDBOX_JS_CHECK: sandbox: true comes from secureWebPreferences()',
      '// electronegativity-justified SANDBOX_JS_CHECK: fine',
      '// electronegativity-justified sandbox is on',
      'foo(); // electronegativity-justified OPEN_EXTERNAL_JS_CHECK: the argument is a constant https URL',
    ];
    expect(findJustificationLines(lines)).toEqual([
      { line: 2, justification: { checkId: 'SANDBOX_JS_CHECK', reason: 'sandbox: true comes from secureWebPreferences()' }, malformed: null },
      { line: 3, justification: null, malformed: 'the reason for SANDBOX_JS_CHECK must be at least 20 characters (is "fine")' },
      { line: 4, justification: null, malformed: 'must read "// electronegativity-justified CHECK_ID: reason" (is "// electronegativity-justified sandbox is on")' },
      { line: 5, justification: { checkId: 'OPEN_EXTERNAL_JS_CHECK', reason: 'the argument is a constant https URL' }, malformed: null },
    ]);
  });

  it('finds a justification on the flagged line or in the comment run directly above it, for that check only', () => {
    expect(findJustificationFor(MAIN_WINDOW, 5, 'OPEN_EXTERNAL_JS_CHECK')).toBe(4);
    expect(findJustificationFor(MAIN_WINDOW, 10, 'CONTEXT_ISOLATION_JS_CHECK')).toBe(9);
    expect(findJustificationFor(MAIN_WINDOW, 10, 'SANDBOX_JS_CHECK')).toBeNull();
    // Line 8 is code, so the run above line 10 stops there: line 4 is out of reach.
    expect(findJustificationFor(MAIN_WINDOW, 10, 'OPEN_EXTERNAL_JS_CHECK')).toBeNull();
    const trailing = ['shell.openExternal(url); // electronegativity-justified OPEN_EXTERNAL_JS_CHECK: url is a constant https link'];
    expect(findJustificationFor(trailing, 1, 'OPEN_EXTERNAL_JS_CHECK')).toBe(1);
    const blankBetween = ['// electronegativity-justified SANDBOX_JS_CHECK: sandbox comes from the helper above', '', 'new BrowserWindow({'];
    expect(findJustificationFor(blankBetween, 3, 'SANDBOX_JS_CHECK')).toBeNull();
  });

  it('every justification comment committed in main/ is well-formed', () => {
    const files = readdirSync(join(projectRoot, 'main'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.ts'));
    const malformed = files.flatMap((e) => {
      const path = join(e.parentPath, e.name);
      return findJustificationLines(readFileSync(path, 'utf8').split('\n'))
        .filter((j) => j.malformed)
        .map((j) => `${path}:${j.line}: ${j.malformed}`);
    });
    expect(malformed).toEqual([]);
  });
});

describe('sourceModuleAt and stagedName', () => {
  it('maps a bundle line to the nearest module comment above it', () => {
    const bundle = ['let electron = require("electron");', '// shared/contract.ts', 'var A = 1;', '//#region main/preload.ts', 'x();'];
    expect(sourceModuleAt(bundle, 1)).toBeNull();
    expect(sourceModuleAt(bundle, 3)).toBe('shared/contract.ts');
    expect(sourceModuleAt(bundle, 5)).toBe('main/preload.ts');
    expect(sourceModuleAt(['// not a module comment', 'x();'], 2)).toBeNull();
  });

  it('renames JavaScript so the TypeScript parser reads it, and skips files with no checks', () => {
    expect(stagedName('main/index.ts')).toBe('main/index.ts');
    expect(stagedName('out/main/index.js')).toBe('out/main/index.js.ts');
    expect(stagedName('out/preload/index.cjs')).toBe('out/preload/index.cjs.ts');
    expect(stagedName('main/x.mts')).toBe('main/x.mts.ts');
    expect(stagedName('main/x.jsx')).toBe('main/x.jsx.tsx');
    expect(stagedName('out/renderer/index.html')).toBe('out/renderer/index.html');
    expect(stagedName('out/renderer/assets/index.css')).toBeNull();
  });
});

describe('assessFindings', () => {
  const files = { 'main/electron/main-window.ts': MAIN_WINDOW, 'main/electron/app-protocol.ts': APP_PROTOCOL, 'out/main/index.js': BUILT_INDEX };

  it('justifies source findings by comment, built findings by their source module, and gates only HIGH and MEDIUM', () => {
    const { findings, unusedJustifications } = assessCanned(files);
    const status = findings.map((f) => [f.scan, f.finding.check, f.justifiedBy, f.gated]);
    expect(status).toEqual([
      ['source', 'CSP_GLOBAL_CHECK', 'main/electron/app-protocol.ts:2', true],
      ['source', 'OPEN_EXTERNAL_JS_CHECK', 'main/electron/main-window.ts:4', true],
      ['source', 'CONTEXT_ISOLATION_JS_CHECK', 'main/electron/main-window.ts:9', true],
      ['source', 'SANDBOX_JS_CHECK', null, true],
      ['built', 'CSP_GLOBAL_CHECK', null, false],
      ['built', 'OPEN_EXTERNAL_JS_CHECK', 'main/electron/main-window.ts (1 × OPEN_EXTERNAL_JS_CHECK)', true],
      ['built', 'CONTEXT_ISOLATION_JS_CHECK', 'main/electron/main-window.ts (1 × CONTEXT_ISOLATION_JS_CHECK)', true],
      ['built', 'SANDBOX_JS_CHECK', null, true],
    ]);
    expect(findings.filter(isFailing).map((f) => `${f.scan} ${f.finding.check}`)).toEqual(['source SANDBOX_JS_CHECK', 'built SANDBOX_JS_CHECK']);
    expect(findings.find((f) => f.scan === 'built' && f.finding.check === 'SANDBOX_JS_CHECK')!.note).toBe(
      'from main/electron/main-window.ts: 1 built finding(s), 0 justification comment(s) there',
    );
    expect(unusedJustifications).toEqual([]);
  });

  it('does not let one source comment cover two built findings of the same check', () => {
    const twice = { ...builtResult, issues: [...builtResult.issues, issue('OPEN_EXTERNAL_JS_CHECK', MEDIUM, TENTATIVE, '/tmp/stage/built/out/main/index.js.ts', 5, 2)] };
    const { findings } = assessCanned(files, cannedOutput(sourceResult, twice));
    const openExternal = findings.filter((f) => f.scan === 'built' && f.finding.check === 'OPEN_EXTERNAL_JS_CHECK');
    expect(openExternal.map((f) => [f.justifiedBy, f.note])).toEqual([
      [null, 'from main/electron/main-window.ts: 2 built finding(s), 1 justification comment(s) there'],
      [null, 'from main/electron/main-window.ts: 2 built finding(s), 1 justification comment(s) there'],
    ]);
  });

  it('never justifies a global check on the built output, nor a built line with no source module', () => {
    const unmapped = {
      ...builtResult,
      issues: [issue('LIMIT_NAVIGATION_GLOBAL_CHECK', HIGH, CERTAIN, 'N/A', 0, 0), issue('SANDBOX_JS_CHECK', MEDIUM, FIRM, '/tmp/stage/built/out/preload/index.cjs.ts', 1, 0)],
    };
    const preload = ['new BrowserWindow({});'];
    const { findings } = assessCanned({ ...files, 'out/preload/index.cjs': preload }, cannedOutput(sourceResult, unmapped));
    const built = findings.filter((f) => f.scan === 'built');
    expect(built.map((f) => [f.finding.check, f.path, f.justifiedBy, f.note])).toEqual([
      ['LIMIT_NAVIGATION_GLOBAL_CHECK', null, null, 'global check on the built output: cannot be justified, fix it'],
      ['SANDBOX_JS_CHECK', 'out/preload/index.cjs', null, 'no source module comment above this line'],
    ]);
  });

  it('reports justification comments that match no finding', () => {
    const stale = [...MAIN_WINDOW, '// electronegativity-justified REMOTE_MODULE_JS_CHECK: the remote module was removed in Electron 14'];
    const { unusedJustifications } = assessCanned({ ...files, 'main/electron/main-window.ts': stale });
    expect(unusedJustifications).toEqual([{ file: 'main/electron/main-window.ts', line: 11 }]);
  });
});

describe('formatTable', () => {
  it('lists every finding, source scan first, with its status', () => {
    const { findings } = assessCanned({ 'main/electron/main-window.ts': MAIN_WINDOW, 'main/electron/app-protocol.ts': APP_PROTOCOL, 'out/main/index.js': BUILT_INDEX });
    const lines = formatTable(findings).split('\n');
    expect(lines[0]).toMatch(/^scan\s+severity\s+check\s+location\s+status$/);
    expect(lines).toHaveLength(9);
    expect(lines[1]).toMatch(/^main\/\s+HIGH\s+CONTEXT_ISOLATION_JS_CHECK\s+main\/electron\/main-window\.ts:10:14\s+justified: main\/electron\/main-window\.ts:9$/);
    expect(lines).toContainEqual(expect.stringMatching(/^main\/\s+MEDIUM\s+SANDBOX_JS_CHECK\s+main\/electron\/main-window\.ts:10:14\s+UNJUSTIFIED$/));
    expect(lines).toContainEqual(expect.stringMatching(/^main\/\s+MEDIUM\s+CSP_GLOBAL_CHECK\s+\(global check\)\s+justified: main\/electron\/app-protocol\.ts:2$/));
    expect(lines[8]).toMatch(/^out\/\s+LOW\s+CSP_GLOBAL_CHECK\s+out\/renderer\/index\.html:5:0\s+not gated \(below MEDIUM\)$/);
  });
});
