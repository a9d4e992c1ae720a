/**
 * Keeps a long-running process (web mode, the Electron main process) alive through an unhandled
 * promise rejection. Node's default (`--unhandled-rejections=throw`) turns one into an uncaught
 * exception and exits 1, which ends every session of every client for one forgotten `catch`.
 *
 * Why log-and-continue is safe here: every code path that owns state (sessions, the profile store)
 * reports its failures as Results and keeps its own invariants; a rejection nobody awaited can only
 * have lost the answer to the one operation that made it. A synchronous uncaught exception is a
 * different matter (it may have unwound through half-updated state) and keeps Node's default.
 *
 * The log is bounded (RELIABILITY R5): a client that found a way to cause rejections in a loop
 * must not be able to fill the disk or the terminal.
 */

/** How many rejections are logged in full before the rest are only counted. */
export const MAX_LOGGED_REJECTIONS = 50;

/**
 * Installs the handler; returns a function that removes it (tests).
 * @param log receives one line (or a stack) per logged rejection
 */
export function keepRunningOnUnhandledRejection(log: (text: string) => void): () => void {
  let seen = 0;
  const onRejection = (reason: unknown): void => {
    seen++;
    try {
      if (seen <= MAX_LOGGED_REJECTIONS) {
        log(`Unhandled promise rejection (kept running): ${describeReason(reason)}`);
      } else if (seen === MAX_LOGGED_REJECTIONS + 1) {
        log(`Further unhandled rejections are not logged (more than ${MAX_LOGGED_REJECTIONS}); still running.`);
      }
    } catch {
      // A failing logger (closed stderr) must not turn this back into a crash.
    }
  };
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('unhandledRejection', onRejection);
  };
}

/** The stack or message of a reason, without calling into a hostile value's toString. */
function describeReason(reason: unknown): string {
  try {
    if (reason instanceof Error) return typeof reason.stack === 'string' ? reason.stack : String(reason.message);
    if (typeof reason === 'string') return reason;
  } catch {
    // fall through
  }
  return `a rejected ${reason === null ? 'null' : typeof reason}`;
}
