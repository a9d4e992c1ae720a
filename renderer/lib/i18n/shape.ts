/**
 * The shape every locale's messages must have: the English catalogue's keys, with any string at
 * each leaf. Typing another locale as `MessageShape<typeof en>` makes a missing or an extra key a
 * type error, so `npm run typecheck` fails until a new English string has its translation.
 */
export type MessageShape<T> = { readonly [K in keyof T]: T[K] extends string ? string : MessageShape<T[K]> };

/** i18next's plural suffixes; `t('x', { count })` picks `x_one` / `x_other` by the locale's rules. */
type PluralSuffix = 'zero' | 'one' | 'two' | 'few' | 'many' | 'other';

/** Dotted paths to every leaf ("connection.host"), plural variants folded into their base key. */
export type MessageKey<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K extends `${infer B}_${PluralSuffix}` ? B : K}` : MessageKey<T[K], `${P}${K}.`>;
}[keyof T & string];
