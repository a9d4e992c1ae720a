/**
 * The exact shape the Electron preload puts on `window.socketTester`: one function per call and
 * one subscribe function per event. The renderer's Electron client wraps it into SocketTesterApi.
 */
import type { CallArg, CallChannel, CallValue, EventChannel, EventPayload } from './contract.ts';
import type { Result } from './errors.ts';

export interface PreloadBridge {
  readonly calls: { readonly [C in CallChannel]: (arg: CallArg<C>) => Promise<Result<CallValue<C>>> };
  readonly events: { readonly [E in EventChannel]: (listener: (payload: EventPayload<E>) => void) => () => void };
}
