// Validates electron-builder.yml against electron-builder's own JSON schema, offline.
import { Ajv } from 'ajv';
import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
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
