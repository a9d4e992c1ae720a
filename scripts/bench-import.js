#!/usr/bin/env node
/**
 * `node scripts/bench-import.js`: time and peak RSS of the import preview (parseImport, the code
 * behind `profiles:import-preview`) on generated worst cases near the 32 MiB import limit, one
 * child process per case so each RSS is that case's own. Prints a table; exits 0 unless a case
 * could not run. Not part of `npm test`: the tests assert work and sizes, this prints times.
 *
 * The sources are TypeScript; Node 20 cannot strip types, so each child registers a tiny loader
 * that transpiles `.ts` files with the project's own TypeScript (no build needed).
 *
 * Invariants: no network; every child has a time limit; generated text lives only in memory.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
const CHILD_LIMIT_MS = 120_000;
const SIZE = Number(process.env.BENCH_IMPORT_MIB ?? 31) * 1024 * 1024;

const LOADER = `
import { readFile } from 'node:fs/promises';
import ts from ${JSON.stringify(pathToFileURL(resolve(ROOT, 'node_modules/typescript/lib/typescript.js')).href)};
export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const source = await readFile(new URL(url), 'utf8');
  const out = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, rewriteRelativeImportExtensions: false } });
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
`;

/** Each case builds its text in the child (so the parent's memory is not counted). */
const CASES = {
  'ini: one value continued over every line': `const head = '[NAMES]\\nsize=1\\n1\\\\name=a\\n[a]\\ntcpOrUdp=TCP\\ntoIP=h\\nport=1\\nhexString=';
    text = head + '4\\\\\\n'.repeat(Math.floor((SIZE - head.length) / 3)) + '1\\n';`,
  'ini: "[" then blank lines': `text = '[' + '\\n'.repeat(SIZE - 1);`,
  'ini: one line with no "="': `text = '[a]\\n' + 'x'.repeat(SIZE - 4);`,
  'ini: one plain value': `text = '[NAMES]\\nsize=0\\n[a]\\nk=' + 'a'.repeat(SIZE - 20);`,
  'ini: one quoted value': `text = '[NAMES]\\nsize=0\\n[a]\\nk="' + 'a'.repeat(SIZE - 22) + '"';`,
  'ini: one long key': `text = '[NAMES]\\nsize=0\\n[a]\\n' + 'k'.repeat(SIZE - 30) + '=1\\n';`,
  'ini: a value of escapes': `text = '[NAMES]\\nsize=0\\n[a]\\nk=' + '\\\\x41'.repeat(Math.floor(SIZE / 4));`,
  'ps json: one 30 M hexstring': `text = JSON.stringify([{ name: 'big', tcporudp: 'TCP', toip: 'h', port: '1', hexstring: 'a'.repeat(SIZE - 100) }]);`,
  'ps json: 5000 packets at the field limit / 5000': `const one = { name: 'p', tcporudp: 'TCP', toip: 'h', port: '1', hexstring: '41 '.repeat(Math.floor(SIZE / 5000 / 3) - 40) };
    text = JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ ...one, name: 'p' + i })));`,
  'ours: broken JSON nested 16 M deep': `text = '['.repeat(SIZE / 2) + '}';`,
};

const CHILD = (/** @type {string} */ body) => `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(LOADER)}));
const { parseImport } = await import(${JSON.stringify(pathToFileURL(resolve(ROOT, 'main/profiles/import-profiles.ts')).href)});
const SIZE = ${SIZE};
let text = '';
${body}
void /$^/.test(text); // a regexp flattens the string, so building it is not timed
const started = performance.now();
const result = parseImport(text, 'bench.file');
const ms = performance.now() - started;
const outcome = result.ok ? result.value.items.length + ' items' : result.error.code + ': ' + result.error.message.slice(0, 70);
console.log(JSON.stringify({ chars: text.length, ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, outcome }));
`;

let failures = 0;
console.log(`import preview on generated worst cases (${(SIZE / 1024 / 1024).toFixed(0)} MiB):`);
for (const [name, body] of Object.entries(CASES)) {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD(body)], { cwd: ROOT, encoding: 'utf8', timeout: CHILD_LIMIT_MS });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{')) {
    failures += 1;
    console.log(`  ${name.padEnd(48)} FAILED (${run.error?.message ?? run.stderr.trim().split('\n').pop()})`);
    continue;
  }
  const r = JSON.parse(line);
  console.log(`  ${name.padEnd(48)} ${(r.chars / 1024 / 1024).toFixed(1).padStart(5)} MiB ${r.ms.toFixed(0).padStart(6)} ms  peak RSS ${r.maxRssMiB.toFixed(0).padStart(5)} MiB  ${r.outcome}`);
}
process.exit(failures === 0 ? 0 : 1);
