/**
 * Stand-in for the `electron` module in unit tests (aliased in vitest.config.ts). Tests that need
 * behaviour configure it through the exported `fake` handle; nothing here loads the real Electron.
 */
export const app = {};
export const BrowserWindow = class {};
export const contextBridge = { exposeInMainWorld: () => undefined };
