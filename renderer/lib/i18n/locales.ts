/**
 * Which languages the UI speaks and how one is picked from a list of language tags. Plain data and
 * pure functions, so the choice is testable without a browser.
 */

/** Every UI language, English first (it is the source of truth and the fallback). */
export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

/** The language's own name, as the switch lists it (a language is always named in itself). */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' };

/** The `lang` attribute for the document. */
export const LOCALE_LANG: Record<Locale, string> = { en: 'en', 'zh-CN': 'zh-Hans' };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/**
 * The first of `tags` (most preferred first, as navigator.languages or Electron's app.getLocale()
 * give them) that we speak. Every Chinese tag maps to Simplified Chinese: a reader of Traditional
 * Chinese reads it far more easily than English. Unknown tags are skipped; none known means English.
 */
export function pickLocale(tags: readonly (string | null | undefined)[]): Locale {
  for (const raw of tags) {
    if (typeof raw !== 'string') continue;
    const tag = raw.trim().toLowerCase().replace(/_/g, '-');
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'en';
}
