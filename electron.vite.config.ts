import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = import.meta.dirname;
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
  version: string;
  productName: string;
};

// The renderer learns its name and version at build time, so the same bundle shows them in
// Electron and in web mode without an IPC round trip.
const appDefines = {
  __APP_NAME__: JSON.stringify(pkg.productName),
  __APP_VERSION__: JSON.stringify(pkg.version),
};

export default defineConfig({
  main: {
    define: appDefines,
    build: {
      outDir: 'out/main',
      sourcemap: false,
      rolldownOptions: {
        // index.ts is the Electron entry. The CLI (main/cli.ts) is built apart, as CommonJS, by
        // vite.cli.config.ts (out/cli/). Modules only reachable from index.ts are the only ones
        // that import `electron`.
        input: {
          index: resolve(root, 'main/index.ts'),
          // StreamSession as an entry of its own (out/main/engine.js), for `npm run bench`'s
          // in-process receive-path rows; nothing at run time imports it.
          engine: resolve(root, 'main/engine/stream-session.ts'),
          // The listener likewise (out/main/listener.js), for `npm run bench:scale`.
          listener: resolve(root, 'main/engine/listener/listener.ts'),
        },
        output: {
          // ASCII-only output without comments: a chunk with one non-ASCII character is decoded and
          // parsed as a two-byte string, and comments are bytes every start-up reads and scans.
          charset: 'ascii',
          comments: false,
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      sourcemap: false,
      // A sandboxed preload is one CommonJS file that requires nothing but `electron`.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'main/preload.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    define: appDefines,
    plugins: [svelte({ configFile: resolve(root, 'svelte.config.js') })],
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      // ST_NO_MINIFY=1: readable function names in a Chromium trace of the page (profiling only).
      minify: process.env.ST_NO_MINIFY ? false : true,
      sourcemap: false,
      // The control-picture font stays a file of its own: inlined, it would be a data: URL, which the
      // Content-Security-Policy (default-src 'self', no font-src) refuses, and the view would fall
      // back to the system's glyphs without a word.
      assetsInlineLimit: (file: string) => (file.endsWith('.woff2') ? false : undefined),
      rolldownOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});
