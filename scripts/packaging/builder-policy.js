/**
 * Socket Tester's packaging policy for electron-builder.yml (docs/packaging.md), as pure checks over
 * the parsed configuration plus the icon files, so they are unit-tested
 * (test/packaging/builder-policy.test.ts) and run by `npm run test:config`.
 * Every function returns a list of problems, one sentence each; empty means the policy holds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ICON_SIZES, MAIN_ICON_SIZE } from '../make-icons.js';
import { REQUIRED_FUSES } from './package-rules.js';

/**
 * @param {Record<string, unknown>} cfg the parsed, schema-valid configuration
 * @param {string} projectRoot where package.json and the icon paths are resolved
 * @returns {string[]} one sentence per broken rule
 */
export function findPolicyProblems(cfg, projectRoot) {
  const problems = [];
  const section = (/** @type {string} */ name) => /** @type {Record<string, unknown>} */ (cfg[name] ?? {});
  const targetsOf = (/** @type {string} */ os) =>
    [section(os)['target']].flat().map((t) => (typeof t === 'object' && t !== null ? /** @type {{ target?: unknown }} */ (t).target : t));

  if (cfg['publish'] !== null) problems.push('publish must be null: installers are never uploaded.');
  const artifactName = String(cfg['artifactName'] ?? '');
  for (const macro of ['${version}', '${arch}']) {
    if (!artifactName.includes(macro)) problems.push(`artifactName must contain ${macro} (is "${artifactName}").`);
  }
  for (const [os, wanted] of /** @type {const} */ ([['linux', ['AppImage', 'deb']], ['win', ['nsis']], ['mac', ['dmg']]])) {
    for (const target of wanted) {
      if (!targetsOf(os).includes(target)) problems.push(`${os}.target must include ${target}.`);
    }
  }

  const linux = section('linux');
  // electron-builder writes the desktop entry's Categories from linux.category, overriding
  // linux.desktop.entry.Categories; test:package asserts the generated entry itself.
  const categories = String(linux['category'] ?? '').split(';');
  for (const category of ['Development', 'Network']) {
    if (!categories.includes(category)) problems.push(`linux.category must include ${category} (is "${String(linux['category'])}").`);
  }
  for (const field of ['maintainer', 'synopsis']) {
    if (typeof linux[field] !== 'string' || linux[field] === '') problems.push(`linux.${field} must be set (the deb package shows it).`);
  }

  const nsis = section('nsis');
  if (nsis['perMachine'] !== false) problems.push('nsis.perMachine must be false: the installer installs per user.');
  if (nsis['allowElevation'] !== false) problems.push('nsis.allowElevation must be false: a per-user install never asks for administrator rights.');

  const fuses = section('electronFuses');
  for (const [name, wanted] of Object.entries(REQUIRED_FUSES)) {
    const key = name.charAt(0).toLowerCase() + name.slice(1);
    if (fuses[key] !== wanted) problems.push(`electronFuses.${key} must be ${wanted} (is ${String(fuses[key])}).`);
  }

  const projectPackage = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'));
  for (const field of ['description', 'homepage', 'author']) {
    if (!projectPackage[field]) problems.push(`package.json must have "${field}": the deb and NSIS metadata come from it.`);
  }

  const buildResources = String(/** @type {Record<string, unknown>} */ (cfg['directories'] ?? {})['buildResources'] ?? 'build');
  problems.push(...findPngSizeProblems(projectRoot, join(buildResources, 'icon.png'), MAIN_ICON_SIZE));
  const linuxIconDir = String(linux['icon'] ?? join(buildResources, 'icons'));
  for (const size of ICON_SIZES) problems.push(...findPngSizeProblems(projectRoot, join(linuxIconDir, `${size}x${size}.png`), size));
  return problems;
}

/**
 * Reads a PNG's size from its IHDR chunk (bytes 16–23) and compares it with the expected square size.
 * @param {string} projectRoot
 * @param {string} relativePath path from the project root
 * @param {number} size
 * @returns {string[]}
 */
export function findPngSizeProblems(projectRoot, relativePath, size) {
  let bytes;
  try {
    bytes = readFileSync(join(projectRoot, relativePath));
  } catch {
    return [`${relativePath} is missing: run \`node scripts/make-icons.js\` and commit the result.`];
  }
  const signature = '89504e470d0a1a0a';
  if (bytes.length < 24 || bytes.subarray(0, 8).toString('hex') !== signature || bytes.subarray(12, 16).toString('latin1') !== 'IHDR') {
    return [`${relativePath} is not a PNG file.`];
  }
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  return width === size && height === size ? [] : [`${relativePath} is ${width}×${height}, expected ${size}×${size}.`];
}
