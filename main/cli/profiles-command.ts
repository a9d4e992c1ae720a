/**
 * `socket-tester profiles list [--profiles FILE] [--json]`: shows the saved profiles. It opens the
 * file read-only, so listing never creates, moves, backs up or rewrites anything, even when the file
 * is corrupt (that is reported with exit code 2, as `send --profile` does, and left for the app
 * to recover).
 */
import { parseArgs } from 'node:util';
import { formatEndpoint } from '../../shared/endpoint.ts';
import type { Profile } from '../../shared/profile.ts';
import { openProfilesForCli } from '../profiles/profile-lookup.ts';
import { serializeProfileExport } from '../profiles/profile-file.ts';
import { checkProfilesFile } from './cli-files.ts';
import { EXIT, type CliIo } from './run-cli.ts';

const PROFILES_HELP = `Usage: socket-tester profiles list [--profiles FILE] [--json]

  --profiles FILE   Profile file to read (default: the app's own profiles.json)
  --json            Print the profiles in the documented export format instead of a table

Exit codes: 0 listed (a missing file lists nothing), 2 bad usage or a profile file that cannot be
read (corrupt, or written by a newer version); the file is never changed.
`;

/** A plain-text table sorted by folder (top level first), then name, ignoring case. */
export function formatProfileTable(profiles: readonly Profile[]): string {
  const rows = [...profiles]
    .sort((a, b) => (a.folder ?? '').toLowerCase().localeCompare((b.folder ?? '').toLowerCase()) || a.name.toLowerCase().localeCompare(b.name.toLowerCase()))
    .map((profile) => [profile.folder ?? '-', profile.name, formatEndpoint(profile.host, profile.port)] as const);
  const header = ['FOLDER', 'NAME', 'ENDPOINT'] as const;
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** Runs `profiles …` and resolves to the exit code. */
export async function runProfilesCommand(argv: string[], io: CliIo): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (subcommand === undefined || subcommand === 'help' || subcommand === '--help' || subcommand === '-h') {
    io.stdout.write(PROFILES_HELP);
    return EXIT.OK;
  }
  if (subcommand !== 'list') {
    io.stderr.write(`socket-tester profiles: unknown subcommand "${subcommand}"\n\n${PROFILES_HELP}`);
    return EXIT.INVALID_INPUT;
  }
  let values: { profiles?: string; json?: boolean };
  try {
    ({ values } = parseArgs({ args: rest, options: { profiles: { type: 'string' }, json: { type: 'boolean' } }, strict: true, allowPositionals: false }));
  } catch (err) {
    io.stderr.write(`socket-tester profiles list: ${(err as Error).message}\n`);
    return EXIT.INVALID_INPUT;
  }
  if (values.profiles !== undefined && values.profiles.trim() === '') {
    io.stderr.write('socket-tester profiles list: --profiles needs a file path\n');
    return EXIT.INVALID_INPUT;
  }
  // A FIFO (or a device) would be read without end: refused before the store opens it.
  const profilesFile = await checkProfilesFile(values.profiles);
  if (!profilesFile.ok) {
    io.stderr.write(`socket-tester profiles list: --profiles: ${profilesFile.error.message}\n`);
    return EXIT.INVALID_INPUT;
  }
  const opened = await openProfilesForCli(profilesFile.value.path);
  if (!opened.ok) {
    io.stderr.write(`socket-tester profiles list: ${opened.error.message} (${opened.error.code})\n`);
    // The same code as `send --profile` for the same file: the input is bad, nothing crashed.
    return EXIT.INVALID_INPUT;
  }
  if (io.interrupt?.aborted) return EXIT.INTERRUPTED;
  const profiles = opened.value.store.list();
  if (values.json) {
    io.stdout.write(serializeProfileExport(profiles, new Date()));
    return EXIT.OK;
  }
  if (profiles.length === 0) {
    io.stdout.write(`No profiles in ${opened.value.filePath}.\n`);
    return EXIT.OK;
  }
  io.stdout.write(formatProfileTable(profiles));
  return EXIT.OK;
}
