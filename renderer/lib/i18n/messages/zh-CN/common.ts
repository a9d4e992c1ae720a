import type { MessageShape } from '../../shape.ts';
import type { common as en } from '../en/common.ts';

export const common: MessageShape<typeof en> = {
  version: '版本 {{version}}',
  profilesToggle: '☰ 配置',
  hideProfiles: '隐藏配置列表',
  showProfiles: '显示配置列表',
  shortcuts: '键盘快捷键',
  shortcutsTitle: '键盘快捷键 (?)',
  language: '语言',
  languageTitle: '界面语言',
  close: '关闭',
  cancel: '取消',
  save: '保存',
  delete: '删除',
  default: '默认',
};
