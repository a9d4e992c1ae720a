/**
 * The English catalogue: the source of truth for every key. One file per area of the UI; a new
 * screen adds its own file and one line here (keep the lines sorted, so concurrent additions
 * rarely touch the same line). See docs/i18n.md.
 */
import { command } from './command.ts';
import { common } from './common.ts';
import { connection } from './connection.ts';
import { conversation } from './conversation.ts';
import { datagram } from './datagram.ts';
import { errors } from './errors.ts';
import { fields } from './fields.ts';
import { format } from './format.ts';
import { help } from './help.ts';
import { listener } from './listener.ts';
import { marks } from './marks.ts';
import { profiles } from './profiles.ts';
import { request } from './request.ts';
import { responder } from './responder.ts';
import { response } from './response.ts';
import { sendAction } from './sendAction.ts';
import { status } from './status.ts';
import { tabs } from './tabs.ts';
import { timeline } from './timeline.ts';
import { tls } from './tls.ts';
import { transcript } from './transcript.ts';
import { web } from './web.ts';

export const en = {
  command,
  common,
  connection,
  conversation,
  datagram,
  errors,
  fields,
  format,
  help,
  listener,
  marks,
  profiles,
  request,
  responder,
  response,
  sendAction,
  status,
  tabs,
  timeline,
  tls,
  transcript,
  web,
};
