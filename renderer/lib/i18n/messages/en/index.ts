/**
 * The English catalogue: the source of truth for every key. One file per area of the UI; a new
 * screen adds its own file and one line here (keep the lines sorted, so concurrent additions
 * rarely touch the same line). See docs/i18n.md.
 */
import { common } from './common.ts';
import { errors } from './errors.ts';
import { fields } from './fields.ts';
import { format } from './format.ts';
import { help } from './help.ts';
import { status } from './status.ts';

export const en = {
  common,
  errors,
  fields,
  format,
  help,
  status,
};
