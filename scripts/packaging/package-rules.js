/**
 * What the packaged app must and must not contain, as pure functions over plain data, so the rules are
 * unit-tested (test/packaging/package-rules.test.ts) without packaging anything.
 *
 * Invariants:
 * - Every function returns a list of problems, each a complete sentence naming the offending path or
 *   fuse; an empty list means the package passed. Nothing here throws on odd input.
 * - Asar paths are absolute inside the archive and use "/" (as @electron/asar lists them: "/out/main/index.js").
 */

/** Files the app cannot start without. */
export const REQUIRED_ASAR_FILES = [
  '/package.json',
  '/out/main/index.js',
  '/out/preload/index.cjs',
  '/out/renderer/index.html',
];

/**
 * Size budget for app.asar. It is there to catch what must not ship (a devDependency, tests, the
 * sources), which would add megabytes at once. Today's app is 4.03 MiB: zod and ws, our main
 * build (~0.5 MiB, unminified for readable stacks) and the renderer (~0.5 MiB); the listener,
 * conversation and translated screens of this wave added ~0.35 MiB. 5 MiB leaves room for a
 * feature, not for a dependency tree.
 */
export const ASAR_SIZE_BUDGET_BYTES = 5 * 1024 * 1024;

/**
 * Path patterns that must never ship: source maps, TypeScript sources and declarations, docs, tests,
 * our own sources and build scripts. Each entry says why, for the failure message.
 * @type {ReadonlyArray<{ pattern: RegExp, what: string }>}
 */
const FORBIDDEN_PATHS = [
  { pattern: /\.map$/i, what: 'a source map' },
  { pattern: /\.(ts|cts|mts|tsx)$/i, what: 'a TypeScript source or declaration' },
  { pattern: /\.(md|markdown)$/i, what: 'documentation' },
  { pattern: /\.svelte$/i, what: 'a Svelte source' },
  { pattern: /\/(test|tests|__tests__)\//i, what: 'a test folder' },
  // yaml keeps its Document class in dist/doc/: code the app runs, not documentation.
  { pattern: /^(?!\/node_modules\/yaml\/dist\/doc\/).*\/(docs?)\//i, what: 'a docs folder' },
  { pattern: /^\/(main|renderer|shared|scripts|build|bin|src|test|docs|release|node_modules\/\.bin)(\/|$)/, what: 'a project source or tooling folder' },
  { pattern: /^\/(electron-builder\.yml|electron\.vite\.config\.ts|tsconfig[^/]*\.json|vitest\.config\.ts|playwright\.config\.ts|package-lock\.json|svelte\.config\.js)$/, what: 'a project config file' },
];

/**
 * Checks the list of entries in app.asar.
 * @param {readonly string[]} entries every path in the archive, as @electron/asar lists them
 * @param {{ dependencies?: Record<string, string>, devDependencies?: Record<string, string> }} projectPackage the project's package.json
 * @param {readonly string[]} builtFiles files under out/ after `npm run build`, as "/out/..." paths
 * @returns {string[]} problems, empty when the contents are right
 */
export function findAsarContentProblems(entries, projectPackage, builtFiles) {
  const problems = [];
  const present = new Set(entries);
  for (const required of REQUIRED_ASAR_FILES) {
    if (!present.has(required)) problems.push(`app.asar lacks ${required}, which the app needs to start.`);
  }
  for (const name of Object.keys(projectPackage.dependencies ?? {})) {
    if (!present.has(`/node_modules/${name}/package.json`)) {
      problems.push(`app.asar lacks the runtime dependency ${name} (/node_modules/${name}/package.json).`);
    }
  }
  // Every shipped build output must be there (a too-narrow `files` glob is as broken as a too-wide one).
  for (const file of builtFiles) {
    if (!/\.map$/i.test(file) && !present.has(file)) problems.push(`app.asar lacks the built file ${file}.`);
  }
  for (const entry of entries) {
    const rule = FORBIDDEN_PATHS.find(({ pattern }) => pattern.test(entry));
    if (rule) problems.push(`app.asar contains ${entry}: ${rule.what} must not ship.`);
  }
  for (const name of Object.keys(projectPackage.devDependencies ?? {})) {
    const folder = `/node_modules/${name}`;
    // A devDependency may be nested under a runtime dependency too; look at every depth.
    const found = entries.find((entry) => entry.endsWith(folder) || entry.includes(`${folder}/`));
    if (found) problems.push(`app.asar contains the devDependency ${name} (${found}).`);
  }
  return problems;
}

/**
 * Checks the package.json that electron-builder wrote into app.asar.
 * @param {unknown} packed parsed /package.json from the archive
 * @param {{ version?: string, main?: string }} projectPackage the project's package.json
 * @param {ReadonlySet<string>} present every path in the archive
 * @returns {string[]} problems
 */
export function findPackedManifestProblems(packed, projectPackage, present) {
  if (typeof packed !== 'object' || packed === null) return ['app.asar /package.json is not a JSON object.'];
  const manifest = /** @type {Record<string, unknown>} */ (packed);
  const problems = [];
  if (manifest['version'] !== projectPackage.version) {
    problems.push(`app.asar /package.json has version ${String(manifest['version'])}, expected ${String(projectPackage.version)}.`);
  }
  const main = manifest['main'];
  if (typeof main !== 'string' || !present.has(`/${main.replace(/^\.?\//, '')}`)) {
    problems.push(`app.asar /package.json "main" (${String(main)}) does not name a file in the archive.`);
  }
  for (const field of ['devDependencies', 'scripts']) {
    if (field in manifest) problems.push(`app.asar /package.json still has "${field}"; electron-builder should have dropped it.`);
  }
  return problems;
}

/**
 * The fuse settings Socket Tester requires (RELIABILITY R7), keyed by @electron/fuses' FuseV1Options
 * names. true means the fuse must be on, false off.
 */
export const REQUIRED_FUSES = Object.freeze({
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  GrantFileProtocolExtraPrivileges: false,
});

/** Fuse wire byte values, from @electron/fuses' FuseState. */
export const FUSE_ENABLED = 0x31;
export const FUSE_DISABLED = 0x30;

/**
 * Checks the fuse wire read back from the packaged Electron binary.
 * @param {Readonly<Record<string, unknown>>} wire result of @electron/fuses getCurrentFuseWire: index → state byte
 * @param {Readonly<Record<string, number>>} fuseIndex name → wire index (@electron/fuses FuseV1Options)
 * @returns {string[]} problems
 */
export function findFuseProblems(wire, fuseIndex) {
  const problems = [];
  for (const [name, wantOn] of Object.entries(REQUIRED_FUSES)) {
    const index = fuseIndex[name];
    if (typeof index !== 'number') {
      problems.push(`@electron/fuses does not know the fuse ${name}; cannot check it.`);
      continue;
    }
    const state = wire[String(index)];
    const want = wantOn ? FUSE_ENABLED : FUSE_DISABLED;
    if (state !== want) {
      problems.push(`fuse ${name} (wire index ${index}) is ${describeFuseState(state)}, expected ${wantOn ? 'on' : 'off'}.`);
    }
  }
  return problems;
}

/**
 * @param {unknown} state
 * @returns {string}
 */
function describeFuseState(state) {
  if (state === FUSE_ENABLED) return 'on';
  if (state === FUSE_DISABLED) return 'off';
  if (state === undefined) return 'missing from the wire';
  return `in state ${String(state)}`;
}

/**
 * Checks what electron-builder asked fpm to put in the .deb, and the desktop entry it wrote.
 * @param {readonly string[]} fpmArgs the arguments fpm was called with, in order
 * @param {string} desktopEntry the .desktop file's text
 * @param {{ name: string, version: string, homepage?: string }} projectPackage the project's package.json
 * @param {readonly number[]} iconSizes Linux icon sizes that must be installed
 * @returns {string[]} problems
 */
export function findDebProblems(fpmArgs, desktopEntry, projectPackage, iconSizes) {
  const problems = [];
  /** @param {string} flag */
  const valueOf = (flag) => {
    const index = fpmArgs.indexOf(flag);
    return index >= 0 ? fpmArgs[index + 1] : undefined;
  };
  const artifact = baseName(valueOf('--package') ?? '');
  const wantedArtifact = `${projectPackage.name}-${projectPackage.version}-linux-amd64.deb`;
  if (artifact !== wantedArtifact) problems.push(`deb artifact is named "${artifact}", expected "${wantedArtifact}" (version and arch).`);
  for (const flag of ['--maintainer', '--description']) {
    if (!valueOf(flag)) problems.push(`deb has no ${flag}.`);
  }
  if (valueOf('--url') !== projectPackage.homepage) problems.push(`deb --url is ${String(valueOf('--url'))}, expected the package.json homepage.`);
  for (const size of iconSizes) {
    const target = `=/usr/share/icons/hicolor/${size}x${size}/apps/${projectPackage.name}.png`;
    if (!fpmArgs.some((arg) => arg.endsWith(target))) problems.push(`deb does not install the ${size}x${size} icon (${target.slice(1)}).`);
  }
  const desktopTarget = `=/usr/share/applications/${projectPackage.name}.desktop`;
  if (!fpmArgs.some((arg) => arg.endsWith(desktopTarget))) problems.push(`deb does not install ${desktopTarget.slice(1)}.`);
  problems.push(...findDesktopEntryProblems(desktopEntry, projectPackage, 'deb'));
  const exec = parseDesktopEntry(desktopEntry).get('Exec') ?? '';
  if (!exec.includes(`/${projectPackage.name}`)) problems.push(`deb desktop entry Exec (${exec}) does not run ${projectPackage.name}.`);
  return problems;
}

/**
 * Checks the AppImage: its name, the files staged into it, and its desktop entry.
 * @param {string} outputPath the AppImage path electron-builder asked mksquashfs to write
 * @param {readonly string[]} stagedFiles paths inside the AppImage, relative, without "./"
 * @param {string} desktopEntry the .desktop file's text from the AppImage
 * @param {{ name: string, version: string }} projectPackage the project's package.json
 * @param {readonly number[]} iconSizes Linux icon sizes that must be in the AppImage
 * @returns {string[]} problems
 */
export function findAppImageProblems(outputPath, stagedFiles, desktopEntry, projectPackage, iconSizes) {
  const problems = [];
  const artifact = baseName(outputPath);
  const wantedArtifact = `${projectPackage.name}-${projectPackage.version}-linux-x86_64.AppImage`;
  if (artifact !== wantedArtifact) problems.push(`AppImage is named "${artifact}", expected "${wantedArtifact}" (version and arch).`);
  const staged = new Set(stagedFiles);
  const required = [
    'AppRun',
    projectPackage.name,
    'resources/app.asar',
    `${projectPackage.name}.desktop`,
    ...iconSizes.map((size) => `usr/share/icons/hicolor/${size}x${size}/apps/${projectPackage.name}.png`),
  ];
  for (const file of required) {
    if (!staged.has(file)) problems.push(`AppImage lacks ${file}.`);
  }
  problems.push(...findDesktopEntryProblems(desktopEntry, projectPackage, 'AppImage'));
  const exec = parseDesktopEntry(desktopEntry).get('Exec') ?? '';
  if (!exec.startsWith('AppRun')) problems.push(`AppImage desktop entry Exec (${exec}) does not start AppRun.`);
  // AppRun adds --no-sandbox by itself only where user namespaces are missing; here it would
  // switch Chromium's sandbox off everywhere.
  if (exec.includes('--no-sandbox')) problems.push(`AppImage desktop entry Exec (${exec}) turns the sandbox off; set appImage.executableArgs to [].`);
  return problems;
}

/**
 * The checks shared by every Linux desktop entry.
 * @param {string} desktopEntry the .desktop file's text
 * @param {{ name: string }} projectPackage
 * @param {string} label which package the entry belongs to, for messages
 * @returns {string[]} problems
 */
function findDesktopEntryProblems(desktopEntry, projectPackage, label) {
  if (!desktopEntry.startsWith('[Desktop Entry]')) return [`${label} desktop entry is missing or does not start with [Desktop Entry].`];
  const problems = [];
  const entry = parseDesktopEntry(desktopEntry);
  const categories = (entry.get('Categories') ?? '').split(';');
  for (const category of ['Development', 'Network']) {
    if (!categories.includes(category)) problems.push(`${label} desktop entry Categories (${String(entry.get('Categories'))}) lacks ${category}.`);
  }
  /** @type {Array<[string, string]>} */
  const expected = [
    ['Type', 'Application'],
    ['Icon', projectPackage.name],
    // Must equal Electron's app_id, which it derives from desktopName (extraMetadata in the config).
    ['StartupWMClass', projectPackage.name],
  ];
  for (const [key, value] of expected) {
    if (entry.get(key) !== value) problems.push(`${label} desktop entry ${key} is ${String(entry.get(key))}, expected ${value}.`);
  }
  if (!entry.get('Name')) problems.push(`${label} desktop entry has no Name.`);
  return problems;
}

/**
 * @param {string} text
 * @returns {Map<string, string>} key → value of the [Desktop Entry] group's lines
 */
function parseDesktopEntry(text) {
  return new Map(
    text
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => /** @type {[string, string]} */ ([line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])),
  );
}

/**
 * @param {string} path
 * @returns {string}
 */
function baseName(path) {
  return path.split('/').pop() ?? '';
}
