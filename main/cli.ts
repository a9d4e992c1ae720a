/**
 * `socket-tester` command line: plain Node, no Electron. Entry for `bin/socket-tester.js`.
 */
import { runCli } from './cli/run-cli.ts';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  installSignalHandlers: true,
});
