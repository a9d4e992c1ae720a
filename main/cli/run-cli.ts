/**
 * Dispatches `socket-tester` subcommands. Returns the exit code instead of calling process.exit,
 * so tests run it in-process and streams finish flushing.
 */
import { parseArgs } from 'node:util';
import { runSendCommand } from './send-command.ts';

/** Where the CLI writes; process streams in production, buffers in tests. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /**
   * Aborts on SIGINT or SIGTERM (main/cli.ts installs the handlers before any command loads, so a
   * signal at any stage is ours); tests abort it instead of sending signals. Commands stop at once:
   * `send` cancels and exits 130, `web` stops serving.
   */
  interrupt?: AbortSignal;
  /**
   * Set by the real process (main/cli.ts): a long-running command (web) logs unhandled rejections
   * instead of dying on them. Tests that run commands in-process leave it unset and keep their own.
   */
  keepRunningOnUnhandledRejection?: boolean;
  /** Resolves when a long-running command (web) should stop; tests use it instead of signals. */
  stopSignal?: Promise<void>;
  /** Called once a long-running command is ready, with what it printed. */
  onReady?: (info: { url: string }) => void;
  /** The environment (`send --pass-env NAME` reads NAME from it); process.env when absent. */
  env?: NodeJS.ProcessEnv;
  /** DATA for `send` when none is given; process.stdin when absent. Read only when not a TTY. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** Exit codes, documented in docs/cli.md. */
export const EXIT = {
  OK: 0,
  FAILURE: 1,
  INVALID_INPUT: 2,
  /** send: refused, unreachable, DNS failure. */
  CONNECT_FAILED: 3,
  /** send: connect timed out. */
  TIMEOUT: 4,
  /** send: reset, broken pipe, aborted. */
  CONNECTION_LOST: 5,
  /** send: --max-bytes reached. */
  LIMIT_REACHED: 6,
  /** send: reading --file, or writing --output or stdout, failed midway. */
  FILE_ERROR: 7,
  /** send --tls: the server's certificate failed verification (without --insecure). */
  TLS_VERIFY_FAILED: 8,
  /** send --tls: the TLS handshake failed, or the server refused the --starttls exchange. */
  TLS_FAILED: 9,
  /** Interrupted by SIGINT or SIGTERM (128 + 2, as shells report Ctrl-C; one code for both signals). */
  INTERRUPTED: 130,
} as const;

const HELP = `Usage: socket-tester <command> [options]

Commands:
  web [--port N] [--ipv6] [--profiles FILE]
                             Serve the UI on loopback for a browser
  send HOST PORT [DATA]      Send bytes, print the reply (send --help: options, exit codes)
  send HOST PORT [DATA] --tls [--starttls PROTO]
                             The same over TLS, or after a STARTTLS exchange (send --help)
  send HOST PORT [DATA] --udp
                             Send one UDP datagram, print the replies (send --udp --help)
  run FILE [--var N=V] [--json] [--junit FILE] [--timeout MS]
                             Run a conversation file (run --help: options, exit codes)
  listen PORT [--udp|--tls] [--echo|--reply DATA|--rules FILE] [--json]
                             Accept clients and answer them (listen --help)
  profiles list [--profiles FILE] [--json]
                             List saved profiles (read-only)
  help                       Show this help

Exit codes: 0 ok, 1 internal error (run: a step failed), 2 invalid input; send and run use 3 connect
failed, 4 connect timeout, 5 connection lost, 6 response cap reached, 7 file error; send also 8 TLS
certificate not trusted, 9 TLS handshake or STARTTLS failed; 130 interrupted.

The CLI speaks English only, whatever the system language: its output is for scripts.
(The app's window speaks English and Simplified Chinese.)
`;

/**
 * Runs one CLI invocation and resolves to its exit code. Each command is imported only when run:
 * `send` must start almost as fast as a bare `node` (docs/cli.md, `npm run bench`), and the web
 * mode's ws and zod alone cost more than a whole one-shot exchange. Plain `send` is the exception:
 * it is statically imported, being in the same built chunk as this file anyway (vite.cli.config.ts),
 * where a dynamic import would only add a module namespace object and the bundler's helper file.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'web':
      return (await import('./web-command.ts')).runWebCommand(rest, io);
    case 'send':
      // `--udp` (before any `--`, after which everything is DATA) picks the datagram command.
      if (rest.indexOf('--udp') !== -1 && (rest.indexOf('--') === -1 || rest.indexOf('--udp') < rest.indexOf('--'))) {
        return (await import('./send-udp.ts')).runSendUdpCommand(rest, io);
      }
      return runSendCommand(rest, io);
    case 'profiles':
      return (await import('./profiles-command.ts')).runProfilesCommand(rest, io);
    case 'run':
      return (await import('./run-command.ts')).runRunCommand(rest, io);
    case 'listen':
      return (await import('./listen-command.ts')).runListenCommand(rest, io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout.write(HELP);
      return EXIT.OK;
    default:
      io.stderr.write(`socket-tester: unknown command "${command}"\n\n${HELP}`);
      return EXIT.INVALID_INPUT;
  }
}
