/**
 * Runs the real profile store in a separate Node process, for the tests where two processes share
 * one file. Node 20 cannot run TypeScript, so the child registers a loader hook that transpiles
 * each `.ts` source file with the TypeScript compiler we already depend on (types erased, nothing
 * else changed): the child runs exactly the store the app runs.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../../..');

const LOADER = `
import { readFile } from 'node:fs/promises';
import ts from ${JSON.stringify(pathToFileURL(join(ROOT, 'node_modules/typescript/lib/typescript.js')).href)};
export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const source = await readFile(new URL(url), 'utf8');
  const options = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true };
  return { format: 'module', source: ts.transpileModule(source, { compilerOptions: options }).outputText, shortCircuit: true };
}
`;

const REGISTER = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(LOADER)}));`;

/** The store module's URL, for child scripts to import. */
export const STORE_URL = pathToFileURL(join(ROOT, 'main/profiles/profile-store.ts')).href;

/** What a child printed and how it ended. */
export interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running child: its end, and a way to wait for a line it prints. */
export interface StoreChild {
  done: Promise<ChildRun>;
  /** Resolves once stdout contains `text`; rejects if the child exits first. */
  printed(text: string): Promise<void>;
}

/**
 * Writes `script` (an ES module that may import {@link STORE_URL}) into `dir` and starts it with
 * `args`; it is killed after `limitMs`.
 */
export async function startStoreChild(dir: string, name: string, script: string, args: string[], limitMs = 60_000): Promise<StoreChild> {
  const path = join(dir, `${name}.mjs`);
  await writeFile(path, script);
  const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, path, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: Array<() => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    for (const watch of [...watchers]) watch();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const done = new Promise<ChildRun>((resolveRun) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      for (const watch of [...watchers]) watch();
      resolveRun({ code, stdout, stderr });
    });
  });
  const printed = (text: string) =>
    new Promise<void>((resolvePrinted, rejectPrinted) => {
      const watch = () => {
        if (stdout.includes(text)) resolvePrinted();
        else if (child.exitCode !== null || child.signalCode !== null) rejectPrinted(new Error(`${name} exited before printing "${text}": ${stderr}`));
        else return;
        watchers.splice(watchers.indexOf(watch), 1);
      };
      watchers.push(watch);
      watch();
    });
  return { done, printed };
}
