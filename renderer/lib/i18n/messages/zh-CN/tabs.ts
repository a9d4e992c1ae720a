import type { MessageShape } from '../../shape.ts';
import type { tabs as en } from '../en/tabs.ts';

export const tabs: MessageShape<typeof en> = {
  reopenNamed: '重新打开已关闭的标签页“{{title}}” (Ctrl+Shift+T)',
  reopenNone: '重新打开已关闭的标签页 (Ctrl+Shift+T)：尚无已关闭的标签页',
  sessions: '会话',
  tabTitle: '{{title}} — {{status}}',
  unsaved: '有未保存的更改',
  closeTab: '关闭标签页 {{title}}',
  closeTabTitle: '关闭标签页 (Ctrl+W)',
  newTab: '新建标签页',
  newTabTitle: '新建标签页 (Ctrl+T)',
  reopen: '重新打开已关闭的标签页',
  newSession: '新会话',
  closeTabDeleteTitle: '关闭标签页（Ctrl+W，或在标签上按 Delete）',
  newConversation: '+ 对话',
  newConversationTitle: '新建对话：在一个连接上按脚本执行发送/期望步骤',
  newListener: '+ 监听',
  newListenerLabel: '新建监听',
  newListenerTitle: '新建监听：作为服务器，供被测客户端连接',
  scrollStart: '向左滚动标签',
  scrollEnd: '向右滚动标签',
};
