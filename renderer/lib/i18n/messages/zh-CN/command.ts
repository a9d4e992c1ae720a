import type { MessageShape } from '../../shape.ts';
import type { command as en } from '../en/command.ts';

export const command: MessageShape<typeof en> = {
  title: '复制为命令',
  tool: '工具',
  command: '命令',
  payloadBytes: '（数据 {{n}} 字节）',
  payloadBytesNotes_one: '（数据 {{n}} 字节；{{count}} 项设置此工具无法表达，已在 # 行中注明）',
  payloadBytesNotes_other: '（数据 {{n}} 字节；{{count}} 项设置此工具无法表达，已在 # 行中注明）',
  copy: '复制',
  close: '关闭',
  copied: '已复制到剪贴板。',
  copyRefused: '此页面无法使用剪贴板；命令已选中：按 Ctrl+C（⌘C）复制。',
};
