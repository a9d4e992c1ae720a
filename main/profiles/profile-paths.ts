/**
 * Where the app keeps its profile file, computed without Electron so that the CLI finds the same
 * file the app uses. Mirrors Electron's `app.getPath('userData')`: `<appData>/<productName>`, where
 * appData is %APPDATA% on Windows, ~/Library/Application Support on macOS, and $XDG_CONFIG_HOME
 * (or ~/.config) elsewhere.
 */
import { homedir } from 'node:os';
import { join, posix, win32 } from 'node:path';

/** The profile file inside a userData folder. */
export function defaultProfilesPath(userDataDir: string): string {
  return join(userDataDir, 'profiles.json');
}

/** Where Electron would put the userData folder of `appName`, on this (or the given) system. */
export function defaultUserDataDir(
  appName = 'Socket Tester',
  system: { platform: NodeJS.Platform; env: NodeJS.ProcessEnv; home: string } = { platform: process.platform, env: process.env, home: homedir() },
): string {
  const { platform, env, home } = system;
  if (platform === 'win32') return win32.join(env['APPDATA'] || win32.join(home, 'AppData', 'Roaming'), appName);
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', appName);
  // An XDG path must be absolute; a relative value is ignored, as the XDG spec requires.
  const xdg = env['XDG_CONFIG_HOME'];
  return posix.join(xdg && xdg.startsWith('/') ? xdg : posix.join(home, '.config'), appName);
}
