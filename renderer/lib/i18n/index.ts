/**
 * The UI's languages, through i18next, made reactive for Svelte 5.
 *
 * `t('area.key', { vars })` returns the current language's string. It is usable anywhere in the
 * renderer (components, `.svelte.ts` state, plain `.ts` helpers): inside an effect or a `$derived`
 * it subscribes to language changes (via svelte/reactivity's createSubscriber), so switching the
 * language re-renders every string without a reload; elsewhere (tests, event handlers) it simply
 * reads the current language.
 *
 * Keys are typed: `MessageKey` is derived from the English catalogue, so a wrong key does not
 * compile, and each other locale is typed against English's shape (messages/zh-CN/index.ts), so a
 * missing translation fails `npm run typecheck`. See docs/i18n.md.
 *
 * Which language: `?lang=` in the address (tests), else a choice the user made in the switch
 * (remembered in localStorage, which Electron keeps in its userData folder like any browser), else
 * the system's: Electron's app.getLocale() (from `app:info`), or navigator.languages. The browser
 * side of that lives in browser.ts, so this file (and the helpers that call `t`) stays DOM-free.
 */
import i18next, { type i18n } from 'i18next';
import { createSubscriber } from 'svelte/reactivity';
import { en } from './messages/en/index.ts';
import { zhCN } from './messages/zh-CN/index.ts';
import { isLocale, pickLocale, type Locale } from './locales.ts';
import type { MessageKey } from './shape.ts';

export { LOCALES, LOCALE_LANG, LOCALE_NAMES, isLocale, pickLocale, type Locale } from './locales.ts';

/** Every message key of the English catalogue, e.g. "connection.host". */
export type Key = MessageKey<typeof en>;

/** Values for `{{name}}` placeholders; `count` also picks a plural form. */
export type Vars = Readonly<Record<string, string | number>>;

/** Where the user's choice is kept. */
export const LOCALE_STORAGE_KEY = 'socket-tester.locale';

const instance: i18n = i18next.createInstance();
void instance.init({
  // Synchronous: every catalogue is bundled, so `t` works from the first line of code.
  initAsync: false,
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: ['en', 'zh-CN'],
  // Svelte escapes text it renders; escaping here would show "&lt;" in the UI.
  interpolation: { escapeValue: false },
  returnNull: false,
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
});

const subscribe = createSubscriber((update) => {
  instance.on('languageChanged', update);
  return () => instance.off('languageChanged', update);
});

/**
 * Messages already made, per language, key and values: a list redrawn 20 times a second asks for
 * the same few hundred strings over and over, and i18next's lookup and interpolation was a large
 * part of each redraw. Bounded (cleared when full) and cleared on every language change.
 */
const made = new Map<string, string>();
const MADE_MAX = 1000;
instance.on('languageChanged', () => {
  made.clear();
  madeTexts.clear();
});

/**
 * Chinese puts a space between Han and Latin letters or digits ("第 4 个字符"), none between two
 * Han characters: a template's space around a `{{value}}` suits "'x'" or "U+0007" but not
 * "空格（U+0020）". So in Chinese a value that is itself a catalogue message (one t() made, such as
 * shownText's "空格（U+0020）") is marked at both ends while the message is made; a template's
 * space between a mark and Han (or CJK or full-width punctuation) is dropped when the value's own
 * end on that side is one too; then the marks go. Text the user typed (a profile's name, a host, a
 * file name) keeps the template's spaces: "删除 测试" must not read as one word. The marks are
 * Unicode noncharacters, kept for a program's own use; when a value holds one (never ours; a
 * hostile host name could), the message is made as it is, spaces and all.
 */
const OPEN = '\uFDD0';
const CLOSE = '\uFDD1';
// Han, and CJK and full-width punctuation. Not the curly quotes: the catalogue spaces a quoted
// Latin text off (“::” 只能出现一次), and a quoted value keeps that space.
const WIDE = '\\p{Script=Han}\\u3000-\\u303F\\uFF00-\\uFFEF';
const SPACE_BEFORE = new RegExp(`([${WIDE}]) ${OPEN}(?=[${WIDE}])`, 'gu');
const SPACE_AFTER = new RegExp(`([${WIDE}])${CLOSE} (?=[${WIDE}])`, 'gu');
const MARKS = new RegExp(`[${OPEN}${CLOSE}]`, 'gu');

/** Messages t() has made (bounded and cleared with {@link made}): the values that may be joined. */
const madeTexts = new Set<string>();

/** `vars` with each catalogue-made value between marks; null when none is, or a value holds a mark. */
function marked(vars: Vars): Record<string, string | number> | null {
  const out: Record<string, string | number> = {};
  let any = false;
  for (const [name, value] of Object.entries(vars)) {
    if (typeof value !== 'string') out[name] = value;
    else if (value.includes(OPEN) || value.includes(CLOSE)) return null;
    else if (madeTexts.has(value)) {
      out[name] = OPEN + value + CLOSE;
      any = true;
    } else out[name] = value;
  }
  return any ? out : null;
}

/** The message, with Chinese spacing around its values (see {@link OPEN}). */
function make(key: Key, vars: Vars | undefined): string {
  const marks = vars !== undefined && instance.language === 'zh-CN' ? marked(vars) : null;
  if (marks === null) return instance.t(key, vars as Record<string, unknown>) as string;
  const text = instance.t(key, marks) as string;
  return text.replace(SPACE_BEFORE, `$1${OPEN}`).replace(SPACE_AFTER, `$1${CLOSE}`).replace(MARKS, '');
}

/** The message for `key` in the current language, with `{{placeholders}}` filled from `vars`. */
export function t(key: Key, vars?: Vars): string {
  subscribe();
  const id = vars === undefined ? `${instance.language}\u0000${key}` : `${instance.language}\u0000${key}\u0000${JSON.stringify(vars)}`;
  let text = made.get(id);
  if (text === undefined) {
    text = make(key, vars);
    if (made.size >= MADE_MAX) {
      made.clear();
      madeTexts.clear();
    }
    made.set(id, text);
    madeTexts.add(text);
  }
  return text;
}

/** The current language (reactive like {@link t}). */
export function locale(): Locale {
  subscribe();
  const l = instance.language;
  return isLocale(l) ? l : 'en';
}

/**
 * True when the current language has its own string for `key` (not the English fallback).
 * For messages that have a better English source elsewhere, such as main's error messages.
 */
export function hasOwnMessage(key: string): boolean {
  subscribe();
  return instance.exists(key, { lng: instance.language, fallbackLng: false });
}

/** Switches the language now; every `t` in an effect re-runs. */
export function setLocale(next: Locale): void {
  if (instance.language !== next) void instance.changeLanguage(next);
}

/** The part of Storage the choice needs (localStorage in the browser; a fake in tests). */
export interface ChoiceStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Remembers the switch's choice; storage can be full or disabled, then it lasts for this window. */
export function rememberLocale(next: Locale, storage: ChoiceStore | null): void {
  try {
    storage?.setItem(LOCALE_STORAGE_KEY, next);
  } catch {
    // Nothing to do: the language still switches.
  }
}

/** The remembered choice, if any. */
export function storedLocale(storage: ChoiceStore | null): Locale | null {
  try {
    const v = storage?.getItem(LOCALE_STORAGE_KEY) ?? null;
    return isLocale(v) ? v : null;
  } catch {
    return null;
  }
}

/**
 * The language to start in: `?lang=` (tests and screenshots pin a language with it), else the
 * remembered choice, else the system's tags.
 */
export function initialLocale(opts: { storage: ChoiceStore | null; search: string; systemTags: readonly string[] }): Locale {
  const asked = new URLSearchParams(opts.search).get('lang');
  if (asked) return pickLocale([asked]);
  return storedLocale(opts.storage) ?? pickLocale(opts.systemTags);
}
