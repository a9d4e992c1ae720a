/** The session tab strip (TabBar.svelte). */
export const tabs = {
  reopenNamed: 'Reopen closed tab “{{title}}” (Ctrl+Shift+T)',
  reopenNone: 'Reopen closed tab (Ctrl+Shift+T): none closed yet',
  sessions: 'Sessions',
  tabTitle: '{{title}} — {{status}}',
  unsaved: 'Unsaved changes',
  closeTab: 'Close tab {{title}}',
  closeTabTitle: 'Close tab (Ctrl+W)',
  newTab: 'New tab',
  newTabTitle: 'New tab (Ctrl+T)',
  reopen: 'Reopen closed tab',
  newSession: 'New session',
  closeTabDeleteTitle: 'Close tab (Ctrl+W, or Delete on the tab)',
  newConversation: '+ Conversation',
  newConversationTitle: 'New conversation: scripted send/expect steps on one connection',
};
