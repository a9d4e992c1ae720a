/**
 * Offline packaging check (`npm run test:package`, part of `npm test`).
 *
 * Runs the real electron-builder on the real electron-builder.yml for Linux x64 with the targets
 * `dir`, `deb` and `AppImage`, against stand-ins for everything it would download: a stub Electron
 * folder (config option `electronDist`) and stub fpm and AppImage tools (CUSTOM_FPM_PATH,
 * APPIMAGE_TOOLS_PATH) that record what they were asked to package. Then asserts:
 * - app.asar holds the built app and the runtime dependencies, and no source maps, TypeScript, docs,
 *   tests, project sources or devDependencies (scripts/packaging/package-rules.js), within a size budget;
 * - the package.json inside it is the trimmed one, pointing at a file that exists;
 * - the fuses in the packaged binary were flipped as Socket Tester requires, read back with
 *   @electron/fuses' getCurrentFuseWire;
 * - the About panel icon sits next to app.asar;
 * - the deb and the AppImage are named with version and arch, carry every icon size, and their
 *   desktop entries have the Development and Network categories, a StartupWMClass matching
 *   Electron's app_id, and (AppImage) no blanket --no-sandbox.
 *
 * Invariants: it downloads nothing (the Electron zip and the Linux tools are replaced by stubs,
 * dependency rebuilds are off in the config, and a dead loopback proxy makes any stray download
 * fail at once instead of hanging); it writes only inside its own temporary folder, which it always
 * removes; it needs `npm run build` to have run first.
 *
 * Usage: node scripts/packaging/check-package.js [--config other-builder-config.yml]
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { ICON_SIZES } from '../make-icons.js';
import {
  ASAR_SIZE_BUDGET_BYTES,
  findAppImageProblems,
  findAsarContentProblems,
  findDebProblems,
  findFuseProblems,
  findPackedManifestProblems,
} from './package-rules.js';
import { writeStubElectron } from './stub-electron.js';
import { RECORD_FILES, writeStubAppImageTools, writeStubFpm } from './stub-linux-tools.js';

const projectRoot = resolve(import.meta.dirname, '..', '..');
const require = createRequire(join(projectRoot, 'package.json'));
// @electron/asar and @electron/fuses come with electron-builder; resolve them where it does, so the
// check reads the archive and the wire with the same versions that wrote them.
const builderRequire = createRequire(require.resolve('app-builder-lib/scheme.json'));
/** @type {typeof import('@electron/asar')} */
const asar = builderRequire('@electron/asar');
/** @type {typeof import('@electron/fuses')} */
const fuses = builderRequire('@electron/fuses');

const BUILDER_TIMEOUT_MS = 110_000;
const MAX_PROBLEMS_SHOWN = 40;

/**
 * @param {string} message
 * @returns {never}
 */
function failWith(message) {
  process.stderr.write(`check-package: ${message}\n`);
  process.exit(1);
}

/**
 * Lists every file below `folder` as "/<prefix>/..." paths.
 * @param {string} folder
 * @param {string} prefix
 * @returns {Promise<string[]>}
 */
async function listFiles(folder, prefix) {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => `/${prefix}/${relative(folder, join(entry.parentPath, entry.name)).split(sep).join('/')}`);
}

/** The deb and AppImage targets run stub tools written as shell scripts. */
const canRunLinuxTargets = process.platform !== 'win32';

/**
 * Packs the unpacked Linux app and, where a POSIX shell exists, the deb and AppImage targets with
 * stub tools.
 * @param {string} configFile
 * @param {string} workDir
 * @returns {Promise<{ appOutDir: string, log: string }>}
 */
async function packLinuxApp(configFile, workDir) {
  const electronPackage = JSON.parse(await readFile(require.resolve('electron/package.json'), 'utf8'));
  const stubDir = join(workDir, 'electron-dist');
  const outputDir = join(workDir, 'release');
  await writeStubElectron(stubDir, electronPackage.version);
  const fpmPath = await writeStubFpm(join(workDir, 'fpm'), workDir);
  const appImageTools = await writeStubAppImageTools(join(workDir, 'appimage-tools'), workDir);
  const args = [
    require.resolve('electron-builder/cli.js'),
    '--linux', 'dir', ...(canRunLinuxTargets ? ['deb', 'AppImage'] : []), '--x64',
    '--publish', 'never',
    '--config', configFile,
    `-c.electronDist=${stubDir}`,
    `-c.directories.output=${outputDir}`,
  ];
  const deadProxy = 'http://127.0.0.1:9';
  const result = spawnSync(process.execPath, args, {
    cwd: projectRoot,
    encoding: 'utf8',
    timeout: BUILDER_TIMEOUT_MS,
    env: {
      ...process.env,
      // Keep the user's builder cache out of it, and make any download attempt fail at once.
      ELECTRON_BUILDER_CACHE: join(workDir, 'builder-cache'),
      HTTPS_PROXY: deadProxy,
      HTTP_PROXY: deadProxy,
      ELECTRON_GET_USE_PROXY: '1',
      NO_PROXY: '',
      CSC_IDENTITY_AUTO_DISCOVERY: 'false',
      CUSTOM_FPM_PATH: fpmPath,
      APPIMAGE_TOOLS_PATH: appImageTools,
      FORCE_COLOR: '0',
    },
  });
  const log = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error) failWith(`electron-builder could not run: ${result.error.message}\n${log}`);
  if (result.status !== 0) failWith(`electron-builder exited with ${result.status ?? result.signal}:\n${log}`);
  return { appOutDir: join(outputDir, 'linux-unpacked'), log };
}

async function main() {
  const configIndex = process.argv.indexOf('--config');
  const configFile = resolve(projectRoot, configIndex > 0 ? (process.argv[configIndex + 1] ?? '') : 'electron-builder.yml');
  const projectPackage = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8'));
  const builtDir = join(projectRoot, 'out');
  const builtFiles = await listFiles(builtDir, 'out').catch(() => /** @type {string[]} */ ([]));
  if (!builtFiles.includes('/out/main/index.js')) failWith('out/main/index.js is missing: run `npm run build` first.');

  const workDir = await mkdtemp(join(tmpdir(), 'socket-tester-package-'));
  try {
    const started = Date.now();
    const { appOutDir } = await packLinuxApp(configFile, workDir);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);

    const archive = join(appOutDir, 'resources', 'app.asar');
    const archiveSize = (await stat(archive).catch(() => failWith(`electron-builder produced no ${archive}`))).size;
    const entries = asar.listPackage(archive, { isPack: false });
    const present = new Set(entries);
    let packedManifest;
    try {
      packedManifest = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8'));
    } catch (error) {
      packedManifest = undefined;
      process.stderr.write(`check-package: cannot read /package.json from app.asar: ${String(error)}\n`);
    }

    const executable = join(appOutDir, projectPackage.name);
    const wire = await fuses.getCurrentFuseWire(executable);
    const fuseIndex = /** @type {Record<string, number>} */ (/** @type {unknown} */ (fuses.FuseV1Options));

    // Fuse and manifest problems first: they are few, and a long content list must not hide them.
    const problems = [
      ...findFuseProblems(/** @type {Record<string, unknown>} */ (/** @type {unknown} */ (wire)), fuseIndex),
      ...findPackedManifestProblems(packedManifest, projectPackage, present),
      ...findAsarContentProblems(entries, projectPackage, builtFiles),
    ];
    const aboutIcon = join(appOutDir, 'resources', 'icon.png');
    if (!(await stat(aboutIcon).then((info) => info.isFile()).catch(() => false))) {
      problems.push('resources/icon.png (the About panel icon, from extraResources) is missing.');
    }
    if (canRunLinuxTargets) {
      const record = (/** @type {string} */ name) => readFile(join(workDir, name), 'utf8').catch(() => '');
      const lines = (/** @type {string} */ text) => text.split('\n').filter(Boolean);
      problems.push(...findDebProblems(lines(await record(RECORD_FILES.fpmArgs)), await record(RECORD_FILES.debDesktopEntry), projectPackage, ICON_SIZES));
      const appImageOutput = lines(await record(RECORD_FILES.mksquashfsArgs))[1] ?? '';
      const appImageFiles = lines(await record(RECORD_FILES.appImageFiles));
      problems.push(...findAppImageProblems(appImageOutput, appImageFiles, await record(RECORD_FILES.appImageDesktopEntry), projectPackage, ICON_SIZES));
    } else {
      process.stdout.write('check-package: deb and AppImage not checked on Windows (their stub tools are shell scripts)\n');
    }
    if (archiveSize > ASAR_SIZE_BUDGET_BYTES) {
      problems.push(`app.asar is ${mib(archiveSize)}, over the ${mib(ASAR_SIZE_BUDGET_BYTES)} budget.`);
    }

    const fileCount = entries.filter((entry) => !('files' in asar.statFile(archive, entry.slice(1), false))).length;
    process.stdout.write(
      `check-package: packed ${relative(projectRoot, configFile)} in ${seconds} s against a stub Electron\n` +
        `check-package: app.asar ${mib(archiveSize)} (budget ${mib(ASAR_SIZE_BUDGET_BYTES)}), ${fileCount} files, ${entries.length} entries\n`,
    );
    if (problems.length > 0) {
      const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map((problem) => `  - ${problem}`);
      if (problems.length > MAX_PROBLEMS_SHOWN) shown.push(`  ... and ${problems.length - MAX_PROBLEMS_SHOWN} more`);
      process.stderr.write(`check-package: ${problems.length} problem(s):\n${shown.join('\n')}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`check-package: asar contents, manifest, fuses, About icon${canRunLinuxTargets ? ', deb and AppImage metadata, files and desktop entries' : ''} OK\n`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * @param {number} bytes
 * @returns {string}
 */
function mib(bytes) {
  return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
}

await main();
