/** The copy-as-command dialog (CopyCommandDialog.svelte). Tool names stay as they are. */
export const command = {
  title: 'Copy as command',
  tool: 'Tool',
  command: 'Command',
  payloadBytes: '({{n}} payload bytes)',
  payloadBytesNotes_one: '({{n}} payload bytes; {{count}} setting this tool cannot express, named on # lines)',
  payloadBytesNotes_other: '({{n}} payload bytes; {{count}} settings this tool cannot express, named on # lines)',
  copy: 'Copy',
  close: 'Close',
  copied: 'Copied to the clipboard.',
  copyRefused: 'This page may not use the clipboard; the command is selected: press Ctrl+C (⌘C) to copy it.',
};
