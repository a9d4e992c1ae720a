/// <reference types="svelte" />
/// <reference types="vite/client" />

/** Injected by electron.vite.config.ts from package.json. */
declare const __APP_NAME__: string;
declare const __APP_VERSION__: string;
