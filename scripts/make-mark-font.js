/**
 * Makes renderer/assets/control-pictures.woff2: the Control Pictures (U+2400–U+241F, U+2421) that
 * the text view draws for control bytes (shared/byte-view.ts), cut from Noto Sans Symbols 2
 * (@fontsource/noto-sans-symbols-2, SIL Open Font License 1.1; its licence goes into the built app).
 *
 * Why the app carries its own glyphs: most monospace fonts have none of these, so the browser asks
 * the system for a fallback font at every layout. Where no installed font has them (a minimal Linux
 * desktop, and our CI machines), every control byte was drawn as the same empty box, so NUL and ESC
 * looked alike, and the search found nothing each time: laying out 28 rows of binary text took
 * 16–26 ms against 2–3 ms for the same rows without control pictures, and it was most of the page's
 * longest frame while a large response streamed in. With this font first in --mono (limited to
 * these characters by `unicode-range`), the same rows take 6–10 ms and every mark reads as itself.
 *
 * Run it when the range or the source font changes (`node scripts/make-mark-font.js`) and commit
 * the output: the build never subsets fonts. test/scripts/make-mark-font.test.ts checks that the
 * committed file is exactly what this script makes and that it covers every mark the view draws.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

/** The characters the font holds: C0 controls as U+2400 + byte, and DEL as U+2421. */
export const MARK_CODE_POINTS = [...Array.from({ length: 0x20 }, (_, i) => 0x2400 + i), 0x2421];

export const OUTPUT = join(ROOT, 'renderer', 'assets', 'control-pictures.woff2');
// In the renderer's public folder, so the built app carries the licence beside the font (OFL §2).
export const LICENSE_OUTPUT = join(ROOT, 'renderer', 'public', 'control-pictures-font-LICENSE.txt');

function sourceDir() {
  return dirname(require.resolve('@fontsource/noto-sans-symbols-2/package.json'));
}

/** The subset font's bytes. @returns {Promise<Buffer>} */
export async function makeMarkFont() {
  const { default: subsetFont } = await import('subset-font');
  // The "symbols" file of the package is the one whose unicode-range holds U+2300–U+243F.
  const source = await readFile(join(sourceDir(), 'files', 'noto-sans-symbols-2-symbols-400-normal.woff'));
  return subsetFont(source, String.fromCodePoint(...MARK_CODE_POINTS), { targetFormat: 'woff2' });
}

async function main() {
  const font = await makeMarkFont();
  await writeFile(OUTPUT, font);
  await writeFile(LICENSE_OUTPUT, await readFile(join(sourceDir(), 'LICENSE')));
  console.log(`wrote ${OUTPUT} (${font.length} bytes, ${MARK_CODE_POINTS.length} glyphs) and its licence`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((/** @type {Error} */ err) => {
    console.error(`make-mark-font: ${err.message}`);
    process.exit(1);
  });
}
