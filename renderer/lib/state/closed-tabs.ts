/**
 * The "reopen closed tab" stack: newest first, bounded in count and in the response bytes it keeps.
 *
 * A closed tab keeps its whole state (settings, profile link, response, history) so reopening it
 * gives back exactly what was closed. Past {@link CLOSED_TAB_LIMITS.maxBytes} of responses, the
 * oldest closed tabs give up their responses first (they stay reopenable with their settings);
 * past {@link CLOSED_TAB_LIMITS.maxTabs}, the oldest are forgotten.
 */

export const CLOSED_TAB_LIMITS = {
  maxTabs: 10,
  maxBytes: 64 * 1024 * 1024,
} as const;

export interface ClosedTrim {
  /** Entries to keep (the first `keep`, newest first); the rest are forgotten. */
  keep: number;
  /** Indexes (among those kept) whose response must be released to fit the byte budget. */
  release: number[];
}

/**
 * Decides what to forget and what to release, given each entry's response size, newest first.
 * The newest entry keeps its bytes when it alone fits the budget.
 */
export function trimClosed(responseBytes: readonly number[], limits: { maxTabs: number; maxBytes: number } = CLOSED_TAB_LIMITS): ClosedTrim {
  const keep = Math.min(responseBytes.length, limits.maxTabs);
  const release: number[] = [];
  let total = 0;
  for (let i = 0; i < keep; i++) {
    const bytes = responseBytes[i]!;
    if (bytes === 0) continue;
    if (total + bytes > limits.maxBytes) release.push(i);
    else total += bytes;
  }
  return { keep, release };
}
