/**
 * The one module that knows both Electron's IPC and the app's services. Each contract channel gets
 * an `ipcMain.handle`; every call first checks that it comes from our app's main frame (R3, R7),
 * then goes through the shared guarded dispatcher (rate limit, schema) to the handler.
 *
 * A window's client context lives as long as its page: a reload or a crashed renderer detaches it,
 * which cancels its sessions (F25), and nothing is ever sent to destroyed contents.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { CALL_CHANNELS } from '../../shared/contract.ts';
import { fail, type Result } from '../../shared/errors.ts';
import type { AppService, ClientContext } from '../app-service.ts';
import { createClientDispatch, type ClientDispatch } from '../ipc/dispatcher.ts';
import { CALL_SCHEMAS } from '../ipc/schemas.ts';
import { isAppUrl } from './main-window.ts';

interface Client {
  ctx: ClientContext;
  dispatch: ClientDispatch;
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
    const ctx = service.attachClient({
      get alive() {
        return !contents.isDestroyed() && clients.get(contents)?.ctx === ctx;
      },
      send: (event, payload) => {
        if (!contents.isDestroyed()) contents.send(event, payload);
      },
      // webContents.send has no backlog signal and queues without bound for a busy renderer; the
      // page's acknowledgements (renderer/lib/api/electron-client.ts) are what bound it.
      acknowledges: true,
    });
    const client = { ctx, dispatch: createClientDispatch(service.handlers, CALL_SCHEMAS, ctx) };
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
    for (const { ctx } of clients.values()) service.detachClient(ctx);
    clients.clear();
  };
}
