/**
 * What the Electron preload gives the page, and how main's events reach it.
 *
 * Calls: `window.socketTester.calls`, one function per contract call (ipcRenderer.invoke).
 *
 * Events: not through the preload. On a page's first call main creates a MessageChannelMain for
 * it and hands one end over (`webContents.postMessage(EVENT_PORT_CHANNEL, null, [port])`); the
 * preload passes it on to the page's own world with `window.postMessage({ type:
 * EVENT_PORT_MESSAGE }, '*', [port])`, and from then on every contract event is one
 * {@link PortEvent} on that port. Why: a value crossing contextBridge is deep-copied, so each
 * `session:update` paid a second copy of its bytes on the renderer's main thread (after the IPC
 * one); a message on a port the page holds arrives in the page's world directly, and all events
 * keep one order. The page listens for the port before it makes its first call (connect-api.ts),
 * so the port cannot arrive unheard.
 */
import type { CallArg, CallChannel, CallValue, EventChannel, EventPayload } from './contract.ts';
import type { Result } from './errors.ts';

export interface PreloadBridge {
  readonly calls: { readonly [C in CallChannel]: (arg: CallArg<C>) => Promise<Result<CallValue<C>>> };
}

/** The IPC channel main hands a page its event port on (never a contract call). */
export const EVENT_PORT_CHANNEL = 'socket-tester:event-port';

/** `type` of the window message (preload → page) whose `ports[0]` is the event port. */
export const EVENT_PORT_MESSAGE = 'socket-tester:event-port';

/** One contract event on the event port. */
export type PortEvent = { [E in EventChannel]: { event: E; payload: EventPayload<E> } }[EventChannel];
