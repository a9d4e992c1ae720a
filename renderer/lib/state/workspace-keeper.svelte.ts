/**
 * Keeps the open tabs in the browser tab's sessionStorage, so that a reload gives them back
 * (workspace.ts says what is kept and why there). Restores first, then writes at most every
 * {@link WRITE_DELAY_MS} while anything a snapshot holds changes, and at once when the page goes.
 */
import type { AppState } from './app-state.svelte.ts';
import { readWorkspace, workspaceText, WORKSPACE_KEY } from './workspace.ts';

/** Typing stays cheap: one snapshot per pause, not one per key. */
const WRITE_DELAY_MS = 300;

/** Restores what a reload left and starts keeping it; returns the stop (tests, hot reload). */
export function keepWorkspace(app: AppState, storage: Storage | null): () => void {
  if (storage === null) return () => undefined;
  let stored: string | null = null;
  try {
    stored = storage.getItem(WORKSPACE_KEY);
  } catch {
    // A browser that refuses storage here: no restore, nothing kept.
    return () => undefined;
  }
  const restored = readWorkspace(stored);
  if (restored) app.restoreWorkspace(restored);

  let timer: ReturnType<typeof setTimeout> | null = null;
  const write = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const text = workspaceText(app.workspace());
    try {
      // Too big to keep: none rather than an older one that would come back as if it were the latest.
      if (text === null) storage.removeItem(WORKSPACE_KEY);
      else storage.setItem(WORKSPACE_KEY, text);
    } catch {
      // Over the browser's quota: the same reasoning.
      try {
        storage.removeItem(WORKSPACE_KEY);
      } catch {
        /* nothing more to do */
      }
    }
  };
  const stopEffects = $effect.root(() => {
    $effect(() => {
      // Reading the snapshot subscribes to every field it holds; the write itself waits.
      app.workspace();
      timer ??= setTimeout(write, WRITE_DELAY_MS);
    });
  });
  const flush = (): void => {
    if (timer !== null) write();
  };
  window.addEventListener('pagehide', flush);
  return () => {
    stopEffects();
    flush();
    window.removeEventListener('pagehide', flush);
  };
}
