/** The header, the language switch and words used across screens. */
export const common = {
  version: 'Version {{version}}',
  profilesToggle: '☰ Profiles',
  hideProfiles: 'Hide the profile list',
  showProfiles: 'Show the profile list',
  shortcuts: 'Keyboard shortcuts',
  shortcutsTitle: 'Keyboard shortcuts (?)',
  language: 'Language',
  languageTitle: 'Language of the interface',
  close: 'Close',
  cancel: 'Cancel',
  save: 'Save',
  delete: 'Delete',
  default: 'Default',
};
