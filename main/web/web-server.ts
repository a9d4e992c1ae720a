/**
 * Loopback-only web mode: serves the built renderer so the whole UI runs in a browser.
 *
 * Rules (RELIABILITY R6), each enforced on every request:
 * - bind only 127.0.0.1 or ::1;
 * - a random per-launch token, given in the printed URL, is required on every HTTP request
 *   (query `token`, or the cookie set when the page was first loaded with it);
 * - `Host` must be a loopback name with our port, which defeats DNS rebinding;
 * - no CORS headers, ever; only files of the built renderer, with normalised paths.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { formatEndpoint } from '../../shared/endpoint.ts';
import { contentTypeFor, resolveStaticPath } from './static-files.ts';

/** Options for {@link startWebServer}. */
export interface WebServerOptions {
  /** Folder holding the built renderer (index.html and assets). */
  rendererDir: string;
  /** 0 picks a free port. */
  port: number;
  /** Which loopback address to bind. */
  host: '127.0.0.1' | '::1';
  /** Fixed token for tests; a random one is made per launch otherwise. */
  token?: string;
}

/** A running web-mode server. */
export interface RunningWebServer {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  readonly server: Server;
  close(): Promise<void>;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Checks a Host header against the loopback names and our port. */
export function isAllowedHost(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  const m = /^(\[[0-9a-fA-F:]+\]|[^:]+):(\d{1,5})$/.exec(hostHeader.trim().toLowerCase());
  if (!m) return false;
  return LOOPBACK_NAMES.has(m[1]!) && Number(m[2]) === port;
}

/** Constant-time token comparison. */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Reads the token cookie (named per port, since cookies are not port-scoped). */
export function tokenFromCookie(cookieHeader: string | undefined, port: number): string | null {
  if (!cookieHeader) return null;
  const name = `st_token_${port}=`;
  for (const part of cookieHeader.split(';')) {
    const p = part.trim();
    if (p.startsWith(name)) return p.slice(name.length);
  }
  return null;
}

/** The token a request presents, by query or cookie. */
export function requestToken(req: IncomingMessage, port: number): string | null {
  const url = new URL(req.url ?? '/', 'http://x');
  return url.searchParams.get('token') ?? tokenFromCookie(req.headers.cookie, port);
}

function deny(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(message + '\n');
}

/** Starts the web-mode HTTP server; the caller attaches the WebSocket bridge to `server`. */
export async function startWebServer(opts: WebServerOptions): Promise<RunningWebServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  let port = 0;
  const server = createServer((req, res) => {
    void handle(req, res);
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isAllowedHost(req.headers.host, port)) return deny(res, 421, 'Host not allowed');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'Method not allowed');
    if (!tokenMatches(requestToken(req, port), token)) return deny(res, 403, 'Missing or wrong token');
    const path = resolveStaticPath(opts.rendererDir, new URL(req.url ?? '/', 'http://x').pathname);
    if (!path) return deny(res, 404, 'Not found');
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch {
      return deny(res, 404, 'Not found');
    }
    res.writeHead(200, {
      'Content-Type': contentTypeFor(path),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': "frame-ancestors 'none'",
      'Referrer-Policy': 'no-referrer',
      'Set-Cookie': `st_token_${port}=${token}; HttpOnly; SameSite=Strict; Path=/`,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen({ port: opts.port, host: opts.host, exclusive: true }, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://${formatEndpoint(opts.host, port)}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
