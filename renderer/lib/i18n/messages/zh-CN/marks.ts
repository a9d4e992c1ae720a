import type { MessageShape } from '../../shape.ts';
import type { marks as en } from '../en/marks.ts';

export const marks: MessageShape<typeof en> = {
  control: '控制字符 0x{{hex}}',
  invalid: '在此编码下无效的字节',
  invisible: '不可见字符或控制字符 U+{{hex}}',
};
