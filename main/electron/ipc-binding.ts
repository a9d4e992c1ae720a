/**
 * The one module that knows both Electron's IPC and the app's services. Each contract channel gets
 * an `ipcMain.handle`; every call first checks that it comes from our app's main frame (R3, R7),
 * then goes through the shared guarded dispatcher (rate limit, schema) to the handler.
 *
 * A window's client context lives as long as its page: a reload or a crashed renderer detaches it,
 * which cancels its sessions (F25), and nothing is ever sent to destroyed contents.
 *
 * Events go to a page on its own MessageChannelMain, made with its client context (at the page's
 * first call) and closed with it; shared/preload-bridge.ts says why a port and not webContents.send.
 */
import { ipcMain, MessageChannelMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { CALL_CHANNELS } from '../../shared/contract.ts';
import { EVENT_PORT_CHANNEL, type PortEvent } from '../../shared/preload-bridge.ts';
import { fail, type Result } from '../../shared/errors.ts';
import type { AppService, ClientContext } from '../app-service.ts';
import { createClientDispatch, type ClientDispatch } from '../ipc/dispatcher.ts';
import { CALL_SCHEMAS } from '../ipc/schemas.ts';
import { isAppUrl } from './main-window.ts';

interface Client {
  ctx: ClientContext;
  dispatch: ClientDispatch;
  /** Closes the page's event port. */
  close(): void;
}

/**
 * True when the call comes from the top frame of a page we served. Never throws: Electron's frame
 * getters throw once the frame is disposed (a call that races a reload), and that is "not trusted".
 */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>, devServerUrl: string | undefined): boolean {
  try {
    const frame = event.senderFrame;
    if (!frame) return false;
    if (frame !== event.sender.mainFrame) return false;
    return isAppUrl(frame.url, devServerUrl);
  } catch {
    return false;
  }
}

/** Registers every channel; returns a function that removes them (tests, shutdown). */
export function bindIpc(service: AppService, devServerUrl: string | undefined): () => void {
  const clients = new Map<WebContents, Client>();

  function clientFor(contents: WebContents): Client {
    const existing = clients.get(contents);
    if (existing) return existing;
    const { port1: events, port2: pagePort } = new MessageChannelMain();
    // Main only sends on this port. Started so that whatever the page posts back is dispatched
    // to no listener and dropped, instead of queueing in main until the port closes.
    events.start();
    contents.postMessage(EVENT_PORT_CHANNEL, null, [pagePort]);
    let open = true;
    const ctx = service.attachClient({
      get alive() {
        return open && !contents.isDestroyed() && clients.get(contents)?.ctx === ctx;
      },
      send: (event, payload) => {
        if (open && !contents.isDestroyed()) events.postMessage({ event, payload } as PortEvent);
      },
      // A port has no backlog signal either and queues without bound for a busy renderer; the
      // page's acknowledgements (renderer/lib/api/electron-client.ts) are what bound it.
      acknowledges: true,
    });
    const close = (): void => {
      open = false;
      events.close();
    };
    const client: Client = { ctx, dispatch: createClientDispatch(service.handlers, CALL_SCHEMAS, ctx), close };
    clients.set(contents, client);
    const onNavigation = (details: { isMainFrame: boolean; isSameDocument: boolean }): void => {
      // A reload or any new document in the top frame starts a new page: the old page's sessions end.
      if (details.isMainFrame && !details.isSameDocument) forget();
    };
    const forget = (): void => {
      contents.off('did-start-navigation', onNavigation);
      contents.off('render-process-gone', forget);
      if (clients.get(contents) !== client) return;
      clients.delete(contents);
      service.detachClient(ctx);
      close();
    };
    contents.on('did-start-navigation', onNavigation);
    contents.on('render-process-gone', forget);
    contents.once('destroyed', forget);
    return client;
  }

  for (const channel of CALL_CHANNELS) {
    ipcMain.handle(channel, (event, arg: unknown): Promise<Result<unknown>> | Result<unknown> => {
      if (!isTrustedSender(event, devServerUrl)) {
        return fail('FORBIDDEN', `Refused ${channel}: the caller is not the app's own page.`);
      }
      return clientFor(event.sender).dispatch(channel, arg);
    });
  }
  return () => {
    for (const channel of CALL_CHANNELS) ipcMain.removeHandler(channel);
    for (const { ctx, close } of clients.values()) {
      service.detachClient(ctx);
      close();
    }
    clients.clear();
  };
}
