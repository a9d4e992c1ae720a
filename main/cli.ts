/**
 * `socket-tester` command line: plain Node, no Electron. Entry for `bin/socket-tester.js`.
 *
 * SIGINT and SIGTERM are handled from the first line, before any command module loads, so a signal
 * at any stage (reading stdin, opening files, connecting) ends with the documented 130 rather than
 * Node's default 128 + 15 = 143. Commands stop at once on the abort; should one not, a watchdog
 * (and a second signal) exits anyway, so the process never hangs on a signal.
 *
 * Built as CommonJS (vite.cli.config.ts, run by bin/socket-tester.js), so no top-level await: the
 * exit code is set when runCli resolves, and a rejection (a bug: runCli returns codes) is rethrown
 * as an uncaught exception, exit 1 with its stack, as a rejected top-level await would end.
 */
import { EXIT, runCli } from './cli/run-cli.ts';

/** How long a command may take to stop after a signal before the process exits regardless. */
const STOP_GRACE_MS = 5_000;

const interrupt = new AbortController();
const onSignal = (): void => {
  if (interrupt.signal.aborted) process.exit(process.exitCode ?? EXIT.INTERRUPTED);
  interrupt.abort();
  setTimeout(() => process.exit(process.exitCode ?? EXIT.INTERRUPTED), STOP_GRACE_MS).unref();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// Diagnostics that cannot be written (stderr closed or on a full disk) have nowhere else to go;
// without a listener the failed write would crash the process with exit 1.
process.stderr.on('error', () => undefined);

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  interrupt: interrupt.signal,
  keepRunningOnUnhandledRejection: true,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) =>
    process.nextTick(() => {
      throw err;
    }),
);
