import type { MessageShape } from '../../shape.ts';
import type { sendAction as en } from '../en/sendAction.ts';

export const sendAction: MessageShape<typeof en> = {
  connecting: '正在连接…',
  opening: '正在打开…',
  send: '发送',
  connectAndSend: '连接并发送',
  openAndSend: '打开并发送',
  sendWhenConnected: '连接后发送',
  sendWhenOpen: '打开后发送',
  whenOpen: '连接建立后立即发送。',
  whenUdpOpen: 'UDP 套接字打开后立即发送。',
  inProgress: '正在发送。',
  fixEndpoint: '请先修正主机或端口。',
  fixPayload: '请先修正数据。',
  alreadyFinished: '本端已在此连接上发送完毕。请先断开，再点“发送”将重新连接。',
  sendHint: '发送（Ctrl+Enter）',
  sendWhenConnectedHint: '连接建立后发送（Ctrl+Enter）',
  closing: '连接正在关闭。',
  connectAndSendHint: '先连接，连接后发送（Ctrl+Enter）',
  sendDatagramHint: '发送一个数据报（Ctrl+Enter）',
  sendWhenOpenHint: 'UDP 套接字打开后发送（Ctrl+Enter）',
  openAndSendHint: '打开 UDP 套接字，然后发送一个数据报（Ctrl+Enter）',
};
