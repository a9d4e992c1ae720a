/**
 * Renders the app icon from its one source, build/icon.svg, into every PNG the packagers need:
 * - build/icon.png, 1024×1024: electron-builder derives the macOS .icns and the Windows .ico from it;
 * - build/icons/<N>x<N>.png for N in ICON_SIZES: the Linux icon set (AppImage, deb, desktop entry).
 *
 * Run it when build/icon.svg changes (`node scripts/make-icons.js`) and commit the PNGs: packaging
 * never renders icons itself, so `npm run dist` needs no SVG renderer. Each size is rendered from
 * the vector source rather than scaled down from the large PNG, which keeps small sizes sharp.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Linux icon sizes (freedesktop hicolor theme); `npm run test:config` checks each file exists. */
export const ICON_SIZES = [16, 32, 48, 64, 128, 256, 512];

/** The size electron-builder wants for its macOS and Windows conversions. */
export const MAIN_ICON_SIZE = 1024;

const buildDir = resolve(import.meta.dirname, '..', 'build');

async function main() {
  // Loaded here, not at the top: check-builder-config.js imports the size lists without needing the
  // native renderer.
  const { Resvg } = await import('@resvg/resvg-js');
  /** @type {(svg: Buffer, size: number) => Buffer} */
  const render = (svg, size) =>
    Buffer.from(new Resvg(svg, { fitTo: { mode: 'width', value: size }, font: { loadSystemFonts: false } }).render().asPng());
  const svg = await readFile(join(buildDir, 'icon.svg'));
  await mkdir(join(buildDir, 'icons'), { recursive: true });
  const written = [join('build', 'icon.png')];
  await writeFile(join(buildDir, 'icon.png'), render(svg, MAIN_ICON_SIZE));
  for (const size of ICON_SIZES) {
    await writeFile(join(buildDir, 'icons', `${size}x${size}.png`), render(svg, size));
    written.push(join('build', 'icons', `${size}x${size}.png`));
  }
  process.stdout.write(`make-icons: wrote ${written.join(', ')}\n`);
}

// Only render when run as a script; check-builder-config.js imports the size lists.
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) await main();
