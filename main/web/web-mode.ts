/**
 * Web mode as one unit: the HTTP server for the built renderer plus the WebSocket bridge to the
 * same services the Electron app uses. Used by `socket-tester web` and by the tests.
 */
import { composeAppService } from '../app-composition.ts';
import { startWebServer, type WebServerOptions } from './web-server.ts';
import { attachWsBridge } from './ws-bridge.ts';

export interface WebModeOptions extends WebServerOptions {
  profilesPath: string;
}

export interface RunningWebMode {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  /** Connections that are not (yet) an authorised WebSocket (see web-server.ts). */
  pendingConnections(): number;
  /** Ends every session, flushes profiles, closes the server. */
  stop(): Promise<void>;
}

export async function startWebMode(opts: WebModeOptions): Promise<RunningWebMode> {
  const service = await composeAppService({ host: 'web', profilesPath: opts.profilesPath });
  const web = await startWebServer(opts);
  const closeBridge = attachWsBridge(web, service);
  let stopping: Promise<void> | null = null;
  return {
    url: web.url,
    origin: web.origin,
    port: web.port,
    token: web.token,
    pendingConnections: () => web.pendingConnections(),
    stop: () =>
      (stopping ??= (async () => {
        await closeBridge();
        await service.shutdown();
        await web.close();
      })()),
  };
}
