import type { MessageShape } from '../../shape.ts';
import type { transcript as en } from '../en/transcript.ts';

export const transcript: MessageShape<typeof en> = {
  sent: '→ 发送',
  recv: '← 接收',
  connecting: '正在连接 {{endpoint}}',
  connected: '已连接到 {{endpoint}}（IPv{{family}}）',
  bytes: '{{n}} B  {{preview}}',
  tlsVerified: 'TLS {{protocol}} 已建立（{{cipher}}）；证书已校验',
  tlsNotVerified: 'TLS {{protocol}} 已建立（{{cipher}}）；证书未通过校验',
  localEnded: '本端已发送完毕（已发送 FIN）',
  remoteEnded: '对端已发送完毕（已收到 FIN）',
  closed: '已关闭：{{outcome}}',
  error: '错误 {{code}}：{{message}}',
  truncated: '已达记录上限 {{n}} 条；之后的条目不再记录',
  unknown: '未知条目：类型 {{kind}}',
  noKind: '（无）',
  outcomes: {
    'peer-closed': '对端关闭',
    'closed-by-us': '本端关闭',
    'idle-timeout': '空闲超时',
    'limit-reached': '已达上限',
    cancelled: '已取消',
    error: '出错',
  },
};
