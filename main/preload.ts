/** Preload: runs sandboxed; exposes a narrow, typed API to the page and nothing else. */
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('socketTester', { platform: process.platform });
