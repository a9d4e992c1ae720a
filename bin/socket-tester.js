#!/usr/bin/env node
// Thin launcher: the CLI is built by `npm run build` into out/main/cli.js.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(built)) {
  process.stderr.write('socket-tester: not built yet; run `npm run build` first.\n');
  process.exit(1);
}
await import(built);
