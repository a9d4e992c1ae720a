import { defineConfig } from '@playwright/test';
import { findChromium } from './scripts/find-chromium.js';

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/artifacts',
  timeout: 60_000,
  // CI machines have run these about 2× slower than ours; a waiting assertion costs nothing
  // when it passes, so give each one 10 s instead of the default 5 s.
  expect: { timeout: 10_000 },
  workers: 2,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: findChromium() ?? undefined,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    viewport: { width: 1280, height: 800 },
    // The tests find elements by their English names: pin the UI language whatever the machine's is.
    locale: 'en-US',
  },
});
