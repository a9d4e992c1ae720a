/** The keyboard shortcuts overlay (HelpOverlay.svelte). `{{mod}}` is Ctrl, or ⌘ on a Mac. */
export const help = {
  title: 'Keyboard shortcuts',
  send: 'Send the payload (connects first when there is no connection)',
  connect: 'Connect, or disconnect',
  newTab: 'New tab (web mode: Alt+T)',
  closeTab: 'Close tab (web mode: Alt+W)',
  reopenTab: 'Reopen the last closed tab (web mode: Alt+Shift+T)',
  goToTab: 'Go to tab',
  save: 'Save to the open profile',
  clear: 'Clear the response',
  views: 'Text, Hex, Transcript, Timeline view',
  focusHost: 'Focus the Host field',
  thisHelp: 'This help',
  closeDialogs: 'Close dialogs',
  keyOr: '? or F1',
};
