/**
 * The renderer is served from `app://socket-tester/`, not `file://`: a file URL would give the
 * page the privileges of the whole file system origin, and a custom scheme lets us send our own
 * CSP header and refuse anything outside the built renderer folder.
 */
import { protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { contentTypeFor, resolveStaticPath } from '../web/static-files.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'socket-tester';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Strict CSP for every page we serve; the renderer needs nothing beyond its own files. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Must run before `app.whenReady()`: schemes are fixed at startup. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves the built renderer folder under {@link APP_ORIGIN}; everything else is 404. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const path = url.host === APP_HOST ? resolveStaticPath(rendererDir, url.pathname) : null;
    if (!path) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(path);
      return new Response(body, {
        headers: {
          'Content-Type': contentTypeFor(path),
          // electronegativity-justified CSP_GLOBAL_CHECK: main/ holds no HTML; the CSP is this header on every app:// response plus the meta tag in renderer/index.html, which the out/ scan detects
          'Content-Security-Policy': CONTENT_SECURITY_POLICY,
          'X-Content-Type-Options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}
