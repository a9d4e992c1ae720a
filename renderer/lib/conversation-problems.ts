/**
 * A conversation file's problem as the UI words it (ConversationView). English shows main's own
 * message, which the CLI prints too; another language words the rule that failed
 * (`ConversationFileError.reason`) with its values (`params`), or, for a value whose own grammar
 * failed (a host, a payload, a regex, a `${…}` reference), that error as every form words it
 * (uiMessage). A problem without a reason this catalogue knows (an older main) keeps main's words.
 */
import { visibleText } from '../../shared/byte-view.ts';
import { CONVERSATION_PROBLEMS, type ConversationFileError } from '../../shared/conversation.ts';
import { shownText, uiMessage } from './field-labels.ts';
import { hasOwnMessage, locale, t, type Key } from './i18n/index.ts';

/** What a problem needs to be worded: main's message, and where known its reason, values and cause. */
export type ShownProblem = Pick<ConversationFileError, 'message'> & Partial<Pick<ConversationFileError, 'reason' | 'params' | 'cause'>>;

/** Params that hold a list (STEP_KINDS, allowed keys, names), joined with ", " by main. */
const LIST_PARAMS = ['kinds', 'options', 'choices', 'found', 'allowed', 'macros', 'defined'] as const;

/**
 * The problem's sentence in the current language. The file's own text in it (a key, a value) is
 * shown with its controls and bidi characters as marks (⟨U+202E⟩, ␇), as the response view does.
 */
export function problemMessage(problem: ShownProblem): string {
  return visibleText(wordedProblem(problem));
}

function wordedProblem(problem: ShownProblem): string {
  if (locale() === 'en') return problem.message;
  const reason = problem.reason;
  if (reason === undefined || !(CONVERSATION_PROBLEMS as readonly string[]).includes(reason)) return problem.message;
  if (reason === 'value') {
    // The value's line and column stand in front: its field's label would say it twice (the
    // field still picks the field's own sentence where the rule has none).
    return problem.cause ? uiMessage(problem.cause, { labelled: false }) : problem.message;
  }
  const key = `conversation.problem.${reason}`;
  if (!hasOwnMessage(key)) return problem.message;
  const params = problem.params ?? {};
  const vars: Record<string, string | number> = {};
  // Numbers and lists of YAML keys go in as they are; text from the file is quoted.
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'number' || typeof value === 'string') vars[name] = value;
  }
  // Quoted as every error quotes them: a space or a control character by name (field-labels.ts).
  for (const name of ['key', 'text', 'name'] as const) if (name in vars) vars[name] = shownText(String(vars[name]));
  // Lists of keys and names come joined with ", "; the language joins them its own way (、).
  for (const name of LIST_PARAMS) if (typeof vars[name] === 'string') vars[name] = String(vars[name]).split(', ').join(t('conversation.listJoin'));
  switch (reason) {
    case 'yaml-syntax': {
      const code = String(params['yamlCode'] ?? '');
      const specific = `conversation.yamlCode.${code}`;
      if (/^[A-Z_]{1,40}$/.test(code) && hasOwnMessage(specific)) vars['detail'] = t(specific as Key);
      else vars['detail'] = t('conversation.yamlCodeOther', { code });
      break;
    }
    case 'expected-shape': {
      const shape = String(params['shape'] ?? '');
      const shapeKey = `conversation.shape.${shape}`;
      vars['shape'] = hasOwnMessage(shapeKey) ? t(shapeKey as Key, vars) : shape;
      break;
    }
    case 'expected-integer':
      // A scalar is quoted as written; a list, mapping or nothing is named.
      if (!('text' in vars)) {
        const foundKey = `conversation.found.${String(params['found'] ?? '')}`;
        return t('conversation.integerFound', { ...vars, found: hasOwnMessage(foundKey) ? t(foundKey as Key) : String(params['found'] ?? '') });
      }
      break;
    case 'invalid-name':
    case 'reserved-name': {
      const whatKey = `conversation.nameKind.${String(params['what'] ?? '')}`;
      if (hasOwnMessage(whatKey)) vars['what'] = t(whatKey as Key);
      break;
    }
    case 'undefined-variable':
      vars['ref'] = `\${${String(params['name'] ?? '')}}`;
      vars['known'] = typeof vars['defined'] === 'string' && vars['defined'] !== '' ? t('conversation.definedSoFar', { names: vars['defined'] }) : '';
      break;
  }
  return t(key as Key, vars);
}
