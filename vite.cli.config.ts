/**
 * The `socket-tester` CLI as CommonJS (out/cli/), built by `npm run build` after electron-vite's
 * main/preload/renderer. Why a build of its own (issue 16, docs/cli.md "Start-up"): a one-shot
 * `send` must start almost as fast as a bare `node`, and an ES module entry costs Node's ESM loader
 * (~5 ms) on top of everything else, while CommonJS chunks can be compiled from a V8 code cache by
 * bin/socket-tester.js. The Electron main process (main/index.ts) stays an ES module built by
 * electron-vite; this config only ever builds main/cli.ts and what it imports.
 */
import { defineConfig } from 'vite';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = import.meta.dirname;
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
  version: string;
  productName: string;
  dependencies: Record<string, string>;
};

/**
 * The modules of a plain-TCP `socket-tester send` (and of nothing it does not need). TLS stays in
 * because the session engine dispatches to it statically; node:tls and node:crypto themselves are
 * loaded only for a TLS connection (main/engine/lazy-builtins.ts).
 */
const SEND_PATH = new RegExp(
  '[\\\\/](' +
    [
      'main/cli/(run-cli|send-command|cli-files|fast-args)\\.ts',
      'main/engine/(one-shot|stream-session|stream-openers|tls-openers|tls-info|starttls-presets|error-mapping|connect-options|receive-buffers|typed-emitter|lazy-builtins)\\.ts',
      'shared/(errors|endpoint|payload|payload-characters|session|tls)\\.ts',
    ].join('|').replaceAll('/', '[\\\\/]') +
    ')$',
);

/** Runtime dependencies stay in node_modules (as in the Electron build): required when used. */
const dependencies = Object.keys(pkg.dependencies);

export default defineConfig({
  // The same build-time constants as the electron-vite build (main/app-composition.ts reads them).
  define: {
    __APP_NAME__: JSON.stringify(pkg.productName),
    __APP_VERSION__: JSON.stringify(pkg.version),
  },
  // Never the project's public/ folder or .env files: this is a Node program.
  publicDir: false,
  envDir: false,
  logLevel: 'warn',
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'out/cli',
    emptyOutDir: true,
    sourcemap: false,
    // Fewer bytes to read and to hash into the code cache's key; the names in stack traces of an
    // internal error are the minifier's, which docs/cli.md says.
    minify: true,
    copyPublicDir: false,
    reportCompressedSize: false,
    rolldownOptions: {
      input: { cli: resolve(root, 'main/cli.ts') },
      external: [/^node:/, ...dependencies.map((name) => new RegExp(`^${name}(/|$)`))],
      // The chunk groups below move modules between chunks, which needs this (rolldown).
      preserveEntrySignatures: 'allow-extension',
      output: {
        format: 'cjs',
        entryFileNames: '[name].cjs',
        chunkFileNames: 'chunks/[name]-[hash].cjs',
        // ASCII-only output without comments: a chunk with one non-ASCII character is decoded and
        // parsed as a two-byte string, and comments are bytes every start-up reads.
        charset: 'ascii',
        comments: false,
        codeSplitting: {
          groups: [
            {
              // Everything a plain-TCP `socket-tester send` needs, in one chunk: each file is a
              // resolve, a read and a code-cache lookup at start-up. Only modules this path needs
              // go in; TLS, UDP, the session registry, the profile store and zod, the conversation
              // runner, the listener and the web server stay in chunks of their own, loaded by the
              // commands and options that use them.
              name: 'cli-send',
              test: SEND_PATH,
              includeDependenciesRecursively: false,
            },
          ],
        },
      },
    },
  },
});
