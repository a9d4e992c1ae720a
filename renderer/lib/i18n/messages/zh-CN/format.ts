import type { MessageShape } from '../../shape.ts';
import type { format as en } from '../en/format.ts';

export const format: MessageShape<typeof en> = {
  bytes: '{{n}} B',
  perSecond: '{{size}}/s',
  milliseconds: '{{n}} 毫秒',
  msUnit: '毫秒',
  secondsShort: '{{n}} 秒',
  minutes: '{{n}} 分钟',
  hours: '{{n}} 小时',
  minutesSeconds: '{{min}} 分 {{s}} 秒',
};
