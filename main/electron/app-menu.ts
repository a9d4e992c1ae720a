/**
 * A standard menu so that copy, paste, undo, zoom and window commands work with their usual
 * shortcuts (Electron has no edit shortcuts without a menu on macOS).
 */
import { Menu, app, type MenuItemConstructorOptions } from 'electron';

export function buildMenuTemplate(platform: NodeJS.Platform): MenuItemConstructorOptions[] {
  const isMac = platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) template.push({ role: 'appMenu' });
  else template.push({ label: 'File', submenu: [{ role: 'quit' }] });
  template.push({ role: 'editMenu' }, { role: 'viewMenu' }, { role: 'windowMenu' });
  template.push({
    role: 'help',
    submenu: [{ label: `About ${app.getName()}`, click: () => app.showAboutPanel() }],
  });
  return template;
}

export function installAppMenu(): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(process.platform)));
}
