/**
 * 简体中文. Typed against the English catalogue's shape: a key missing here (or one English does not
 * have) fails `npm run typecheck`. Conventions: full-width punctuation (：，；（）“”) in sentences, a
 * space between Chinese and Latin words or numbers ("TLS 握手"), protocol names and units as in
 * English (TCP, MiB), and the terms NetAssist and sokit users know (主机, 端口, 发送, 接收, 十六进制).
 */
import type { MessageShape } from '../../shape.ts';
import type { en } from '../en/index.ts';
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

export const zhCN: MessageShape<typeof en> = {
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
