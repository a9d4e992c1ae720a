/**
 * The UI's names for the `field` of an error, as the form labels them, and the one function that
 * turns an {@link AppError} into the sentence the UI shows. Errors carry the field as data and a
 * message that does not name it (STYLE habit 2); the CLI labels the same errors with its option
 * names instead.
 *
 * Language: English shows main's own message (it is English and names the exact problem). Any
 * other language shows its catalogue's sentence for the stable code, with the field, position,
 * item and errno added as data; a code the catalogue does not know shows main's message.
 */
import { ERROR_CODES, type AppError, type FieldLabels } from '../../shared/errors.ts';
import { hasOwnMessage, locale, t, type Key } from './i18n/index.ts';
import type { fields } from './i18n/messages/en/fields.ts';

type FieldName = Exclude<keyof typeof fields, 'labelled'>;
const FIELD_NAMES: readonly FieldName[] = [
  'host',
  'port',
  'payload',
  'connectTimeoutMs',
  'idleTimeoutMs',
  'maxResponseBytes',
  'tls',
  'serverName',
  'verifyName',
  'caFile',
  'certFile',
  'keyFile',
  'pfxFile',
  'passphrase',
  'alpn',
  'minVersion',
  'maxVersion',
  'repeatEveryMs',
  'repeatCount',
  'bindHost',
];

/** The form's labels for error fields, in the current language. */
export function uiFieldLabels(): FieldLabels {
  return Object.fromEntries(FIELD_NAMES.map((f) => [f, t(`fields.${f}`)]));
}

/**
 * Errors the renderer words itself, already in the current language (e.g. a file too large for the
 * browser): shown as they are, never replaced by their code's general sentence.
 */
const localized = new WeakSet<object>();

/** Marks an error whose message the renderer wrote with t(). */
export function markLocalized<E extends object | null>(error: E): E {
  if (error) localized.add(error);
  return error;
}

/** What an error needs to be shown: its message, and where known its code and details. */
export type ShownError = Pick<AppError, 'field' | 'message'> & Partial<Pick<AppError, 'code' | 'errno' | 'position' | 'item' | 'reason' | 'params'>>;

/**
 * An offending character or text as a sentence names it: quoted, or U+XXXX when it would not show;
 * a single character beyond ASCII is quoted with its code point too, as main's messages do, since
 * the code point is what tells a full-width "４" (U+FF14) from the digit 4 an input method replaced.
 */
export function shownText(text: string): string {
  const chars = [...text];
  if (text === ' ') return t('errors.space');
  if (chars.length !== 1) return t('errors.quoted', { text });
  const codePoint = `U+${text.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  if (/^[\p{C}\p{Z}]$/u.test(text)) return codePoint;
  return text.codePointAt(0)! > 0x7e ? t('errors.quotedCodePoint', { text, codePoint }) : t('errors.quoted', { text });
}

/**
 * The character number a sentence says: main's count of characters as a person counts them
 * (`params.character`, grapheme clusters) where it gives one, else the UTF-16 position from 1.
 */
function shownPosition(error: ShownError): number {
  const character = error.params?.['character'];
  return typeof character === 'number' && Number.isSafeInteger(character) && character > 0 ? character : (error.position ?? 0) + 1;
}

/** The catalogue's sentence for the rule that failed, or null when it has none for it. */
export function reasonSentence(error: ShownError): string | null {
  const key = `errors.reasons.${error.reason ?? ''}`;
  if (error.reason === undefined || !hasOwnMessage(key)) return null;
  const params: Record<string, string | number> = { ...error.params, position: shownPosition(error) };
  if (typeof error.params?.['text'] === 'string') params['text'] = shownText(error.params['text']);
  const sentence = t(key as Key, params);
  // A bare IPv6 address (no brackets) may hold a port the user meant: main's message ends with how to write one.
  return error.reason.startsWith('ipv6-') && error.params?.['bare'] === 1 ? sentence + t('errors.ipv6PortHint') : sentence;
}

/**
 * The error's sentence for the UI, with the form's label for its field in front ("Port: 0 is not a port…"),
 * or without it (`labelled: false`) where the place is said otherwise (a conversation's line and column).
 */
export function uiMessage(error: ShownError, options: { labelled?: boolean } = {}): string {
  const labels = uiFieldLabels();
  const label = error.field === undefined || options.labelled === false ? undefined : labels[error.field];
  const labelled = (message: string): string => (label === undefined ? message : t('fields.labelled', { label, message }));
  const code = error.code;
  if (!localized.has(error) && locale() !== 'en' && code !== undefined && (ERROR_CODES as readonly string[]).includes(code) && hasOwnMessage(`errors.codes.${code}`)) {
    // The rule that failed, with its values, says as much as main's English message; without
    // one, a bad input names its field's rule, and other codes their general sentence.
    const exact = reasonSentence(error);
    if (exact !== null) return labelled(exact);
    const byField = code === 'INVALID_INPUT' && error.field !== undefined && hasOwnMessage(`errors.invalidInput.${error.field}`);
    const sentence = t((byField ? `errors.invalidInput.${error.field}` : `errors.codes.${code}`) as Key);
    // Details go inside the sentence, before its full stop: "…无效（第 3 个字符处）。"
    const stop = /[。.]$/u.exec(sentence)?.[0] ?? '';
    let message = stop ? sentence.slice(0, -stop.length) : sentence;
    // A port's position says nothing (the whole number is wrong); position 0 is "the start" or "empty".
    if (error.position !== undefined && error.position > 0 && error.field !== 'port') message = t('errors.atPosition', { message, position: shownPosition(error) });
    if (error.item !== undefined) message = t('errors.atItem', { message, item: error.item + 1 });
    // The address (or DNS name) a network error is about, as main's message names it: "（[::1]:80，ECONNREFUSED）".
    const target = typeof error.params?.['target'] === 'string' ? error.params['target'] : undefined;
    if (target !== undefined && error.errno) message = t('errors.targetErrno', { message, target, errno: error.errno });
    else if (target !== undefined) message = t('errors.atTarget', { message, target });
    else if (error.errno) message = t('errors.errno', { message, errno: error.errno });
    message += stop;
    return labelled(message);
  }
  // The TLS option checks (main/engine/tls-openers.ts) still start their messages with the option
  // name ("certFile: …"); the form's label replaces it rather than standing in front of it.
  const prefix = error.field === undefined ? '' : `${error.field}: `;
  const message = prefix && label !== undefined && error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return labelled(message);
}
