// Fails `npm test` (never skips) when no Chromium is available, with the fix in the message.
import { findChromium } from './find-chromium.js';

const found = findChromium();
if (!found) {
  process.stderr.write(
    [
      'npm test: no Chromium found for the end-to-end tests.',
      '  Debian/Ubuntu:  sudo apt-get install -y chromium',
      '  elsewhere:      npx playwright install chromium',
      '  or point CHROMIUM_PATH at a Chrome/Chromium executable.',
      '',
    ].join('\n'),
  );
  process.exit(1);
}
process.stdout.write(`end-to-end tests use ${found}\n`);
