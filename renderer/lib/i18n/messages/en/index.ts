/**
 * The English catalogue: the source of truth for every key. One file per area of the UI; a new
 * screen adds its own file and one line here (keep the lines sorted, so concurrent additions
 * rarely touch the same line). See docs/i18n.md.
 */
import { common } from './common.ts';
import { connection } from './connection.ts';
import { errors } from './errors.ts';
import { fields } from './fields.ts';
import { format } from './format.ts';
import { help } from './help.ts';
import { request } from './request.ts';
import { response } from './response.ts';
import { sendAction } from './sendAction.ts';
import { status } from './status.ts';
import { tabs } from './tabs.ts';
import { transcript } from './transcript.ts';

export const en = {
  common,
  connection,
  errors,
  fields,
  format,
  help,
  request,
  response,
  sendAction,
  status,
  tabs,
  transcript,
};
