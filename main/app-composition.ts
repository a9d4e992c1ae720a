/**
 * Builds the app's services (engine, profile store, handlers) the same way for Electron and for
 * web mode, so both hosts run identical logic.
 */
import { SessionRegistry } from './engine/session-registry.ts';
import { ProfileStore } from './profiles/profile-store.ts';
import { AppService, type NativeDialogs } from './app-service.ts';
import type { HostKind } from '../shared/contract.ts';

declare const __APP_NAME__: string;
declare const __APP_VERSION__: string;

export interface CompositionOptions {
  host: HostKind;
  profilesPath: string;
  dialogs?: NativeDialogs;
  /** The system's UI language (Electron's app.getLocale()), passed to the renderer in app:info. */
  locale?: string;
}

/** Opens the profile store (never throws for a bad file: it reports) and wires the service. */
export async function composeAppService(opts: CompositionOptions): Promise<AppService> {
  const profiles = await ProfileStore.open({ filePath: opts.profilesPath });
  return new AppService({
    info: { name: appName(), version: appVersion(), host: opts.host, platform: process.platform, ...(opts.locale ? { locale: opts.locale } : {}) },
    sessions: new SessionRegistry(),
    profiles,
    profilesPath: opts.profilesPath,
    ...(opts.dialogs ? { dialogs: opts.dialogs } : {}),
  });
}

// Vite defines these at build time; tests run the sources directly, where they are absent.
function appName(): string {
  return typeof __APP_NAME__ === 'string' ? __APP_NAME__ : 'Socket Tester';
}
function appVersion(): string {
  return typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : (process.env['npm_package_version'] ?? '0.0.0-dev');
}
