import type { MessageShape } from '../../shape.ts';
import type { format as en } from '../en/format.ts';

export const format: MessageShape<typeof en> = {
  bytes: '{{n}} B',
  perSecond: '{{size}}/s',
  secondsShort: '{{n}} 秒',
  minutesSeconds: '{{min}} 分 {{s}} 秒',
};
