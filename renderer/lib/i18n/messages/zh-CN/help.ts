import type { MessageShape } from '../../shape.ts';
import type { help as en } from '../en/help.ts';

export const help: MessageShape<typeof en> = {
  title: '键盘快捷键',
  send: '发送数据（未连接时先连接）',
  connect: '连接或断开',
  newTab: '新建标签页（网页模式：Alt+T）',
  closeTab: '关闭标签页（网页模式：Alt+W）',
  reopenTab: '重新打开最近关闭的标签页（网页模式：Alt+Shift+T）',
  goToTab: '切换到标签页',
  save: '保存到当前配置',
  clear: '清空接收区',
  views: '文本、十六进制、记录、时间线视图',
  focusHost: '转到“主机”输入框',
  thisHelp: '显示本帮助',
  closeDialogs: '关闭对话框',
  keyOr: '? 或 F1',
};
