/**
 * `socket-tester web [--port N] [--ipv6] [--profiles FILE]`: serves the UI on loopback for a
 * browser, with the same engine and profile store as the desktop app. Prints exactly one line,
 * `Socket Tester web UI: http://127.0.0.1:PORT/#token=…` (the token in the fragment, which browsers never
 * send to a server; docs/web-mode.md), and runs until SIGINT/SIGTERM, then ends every session and exits 0
 * (130 when the signal came before it was serving).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePort } from '../../shared/endpoint.ts';
import { startWebMode } from '../web/web-mode.ts';
import { checkProfilesFile } from './cli-files.ts';
import { keepRunningOnUnhandledRejection } from '../unhandled-rejections.ts';
import { EXIT, type CliIo } from './run-cli.ts';

export const WEB_HELP = `Usage: socket-tester web [--port N] [--ipv6] [--profiles FILE]

Serves the Socket Tester UI on 127.0.0.1 (or ::1 with --ipv6) for a browser. Open the printed
address, http://127.0.0.1:PORT/#token=..., as it is (localhost instead of 127.0.0.1 works too): the
part after # is a random per-launch token, never sent to any server but this one's WebSocket, and
without it nothing can use the server.
  --port N          port to listen on (default: a free one)
  --ipv6            bind ::1 instead of 127.0.0.1
  --profiles FILE   profile file (default: the desktop app's own)
`;

/**
 * Folder of the built renderer: `out/renderer`, found by walking up from this module, because the
 * bundler may place this code in out/main/ or in a chunk folder below it.
 */
function defaultRendererDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'renderer');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
}

export async function runWebCommand(argv: string[], io: CliIo): Promise<number> {
  let values: { port?: string; ipv6?: boolean; profiles?: string; 'renderer-dir'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        ipv6: { type: 'boolean' },
        profiles: { type: 'string' },
        'renderer-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.stderr.write(`socket-tester web: ${(err as Error).message}\n\n${WEB_HELP}`);
    return EXIT.INVALID_INPUT;
  }
  if (values.help) {
    io.stdout.write(WEB_HELP);
    return EXIT.OK;
  }
  const port = parsePort(values.port ?? '0', { allowZero: true });
  if (!port.ok) {
    io.stderr.write(`socket-tester web: --port: ${port.error.message}\n`);
    return EXIT.INVALID_INPUT;
  }
  const profilesFile = await checkProfilesFile(values.profiles);
  if (!profilesFile.ok) {
    io.stderr.write(`socket-tester web: --profiles: ${profilesFile.error.message}\n`);
    return EXIT.INVALID_INPUT;
  }
  // A long-running server: one unhandled rejection must not end every client's sessions. Only the
  // real process installs it, like the signal handlers; tests that run this in-process keep theirs.
  const uninstallRejectionGuard = io.keepRunningOnUnhandledRejection
    ? keepRunningOnUnhandledRejection((text) => io.stderr.write(`socket-tester web: ${text}\n`))
    : () => undefined;
  let web;
  try {
    web = await startWebMode({
      rendererDir: values['renderer-dir'] ?? defaultRendererDir(),
      port: port.value,
      host: values.ipv6 ? '::1' : '127.0.0.1',
      profilesPath: profilesFile.value.path,
    });
  } catch (err) {
    io.stderr.write(`socket-tester web: could not start: ${(err as Error).message}\n`);
    uninstallRejectionGuard();
    return EXIT.FAILURE;
  }
  if (io.interrupt?.aborted) {
    // Stopped before it served anyone: an interruption, not the normal end.
    await web.stop();
    return EXIT.INTERRUPTED;
  }
  io.stdout.write(`Socket Tester web UI: ${web.url}\n`);
  io.onReady?.({ url: web.url });
  // Ctrl-C or SIGTERM is how a served UI is stopped: the normal end, exit 0.
  await new Promise<void>((resolveStop) => {
    void io.stopSignal?.then(resolveStop);
    io.interrupt?.addEventListener('abort', () => resolveStop(), { once: true });
  });
  await web.stop();
  uninstallRejectionGuard();
  return EXIT.OK;
}
