/**
 * The language glue that needs a browser: start-up from `?lang=`, the remembered choice or
 * navigator.languages; Electron's locale from app:info; the switch; the document's `lang`.
 * Kept apart from index.ts so plain helpers (and their Node tests) never touch the DOM.
 */
import { initialLocale, LOCALE_LANG, rememberLocale, setLocale, storedLocale, pickLocale, type ChoiceStore, type Locale } from './index.ts';

function storage(): ChoiceStore | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function apply(next: Locale): void {
  setLocale(next);
  // Screen readers pick their voice from it, and the browser its CJK font.
  document.documentElement.lang = LOCALE_LANG[next];
}

/** Start-up: before the first mount, so the first frame is already in the user's language. */
export function startLocale(): void {
  apply(initialLocale({ storage: storage(), search: location.search, systemTags: navigator.languages?.length ? navigator.languages : [navigator.language] }));
}

/**
 * Electron's locale arrived (app:info): it decides unless the address or the user already did.
 * (Electron's navigator.languages usually agrees; app.getLocale() is the documented source.)
 */
export function adoptSystemLocale(tag: string | undefined): void {
  if (!tag || storedLocale(storage()) || new URLSearchParams(location.search).has('lang')) return;
  apply(pickLocale([tag]));
}

/** The switch: sets the language now and remembers it. */
export function chooseLocale(next: Locale): void {
  rememberLocale(next, storage());
  apply(next);
}
