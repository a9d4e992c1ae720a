// Checks electron-builder.yml offline (`npm run test:config`):
// 1. against electron-builder's own JSON schema (node_modules/app-builder-lib/scheme.json), which is
//    what electron-builder itself validates before doing anything;
// 2. against Socket Tester's packaging policy (docs/packaging.md): targets per OS, per-user NSIS,
//    desktop entry categories, artifact names, nothing published, fuses, and the icon files.
import { Ajv } from 'ajv';
import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { findPolicyProblems } from './packaging/builder-policy.js';

const require = createRequire(import.meta.url);
const projectRoot = resolve(import.meta.dirname, '..');
const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'));
const file = process.argv[2] ?? 'electron-builder.yml';
const config = load(readFileSync(file, 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
const validate = ajv.compile(schema);
if (!validate(config)) {
  process.stderr.write(`${file} is not a valid electron-builder configuration:\n`);
  for (const e of validate.errors ?? []) {
    process.stderr.write(`  ${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}\n`);
  }
  process.exit(1);
}
process.stdout.write(`${file}: valid against app-builder-lib/scheme.json\n`);

const problems = findPolicyProblems(/** @type {Record<string, unknown>} */ (config), projectRoot);
if (problems.length > 0) {
  process.stderr.write(`${file} breaks the packaging policy (docs/packaging.md):\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`${file}: targets, installer, desktop entry, artifact names, fuses and icons follow the packaging policy\n`);
