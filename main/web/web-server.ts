/**
 * Loopback-only web mode: serves the built renderer so the whole UI runs in a browser.
 *
 * Rules (RELIABILITY R6), each enforced on every request:
 * - bind only 127.0.0.1 or ::1;
 * - `Host` must be a loopback name with our port, which defeats DNS rebinding;
 * - no CORS headers, ever; only files of the built renderer, with normalised paths;
 * - the random per-launch token guards the API, i.e. the WebSocket upgrade (ws-bridge.ts). It is
 *   printed in the URL *fragment* (`/#token=…`), which browsers never send to any server, and the page
 *   hands it over only inside the upgrade's `Sec-WebSocket-Protocol` header. There is no cookie:
 *   cookies are not port-scoped, so every other service on 127.0.0.1 the browser visited would
 *   receive it. The static files are the open-source renderer and carry no secret, so they are
 *   served without the token (which is also how the page can explain a missing token).
 *
 * Connection limits (R5), because a local process without the token must not be able to exhaust
 * the file descriptors the sessions need: at most {@link WEB_SERVER_LIMITS}.maxPendingConnections
 * sockets that are not (yet) an authorised WebSocket are kept, the oldest is dropped to make room
 * for a new one (so a flood cannot lock the user out until it stops); headers must arrive within
 * `headersTimeoutMs`, a whole request within `requestTimeoutMs`, and a socket idle for
 * `pendingIdleMs` before it upgrades is closed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { formatEndpoint } from '../../shared/endpoint.ts';
import { contentTypeFor, resolveStaticPath } from './static-files.ts';

/** Limits on connections that have not become an authorised WebSocket (see the file comment). */
export interface WebServerLimits {
  maxPendingConnections: number;
  pendingIdleMs: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

/**
 * The defaults. 64 pending sockets: a browser opens at most 6 per host, so this is ten tabs loading at
 * once, while 64 descriptors leave the rest of a 1,024 limit to sessions. 10 s for headers and
 * idleness: loopback answers in milliseconds, so only a client that stalls on purpose meets them.
 */
export const WEB_SERVER_LIMITS: Readonly<WebServerLimits> = {
  maxPendingConnections: 64,
  pendingIdleMs: 10_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
};

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
  /** Tests shrink these; the defaults are {@link WEB_SERVER_LIMITS}. */
  limits?: Partial<WebServerLimits>;
}

/** A running web-mode server. */
export interface RunningWebServer {
  /** What to open: the origin with the token in the fragment. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  readonly server: Server;
  readonly limits: Readonly<WebServerLimits>;
  /** How many connections are not (yet) an authorised WebSocket; for tests and probes. */
  pendingConnections(): number;
  /** Called by the bridge when a socket became an authorised WebSocket: it no longer counts as pending. */
  releasePending(socket: Duplex): void;
  /**
   * Serves `GET /bytes/…` (the bridge's byte streams, ws-bridge.ts) instead of static files. The
   * handler gets the request only after the Host check.
   */
  setByteRoute(handler: ((req: IncomingMessage, res: ServerResponse) => void) | null): void;
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

/**
 * True when an Origin is one of the names this server answers to, with our port: the page may be
 * opened as `localhost` as well as `127.0.0.1`. Exact match only (no `null`, no other port, no https).
 */
export function isServedOrigin(origin: string | undefined, port: number): boolean {
  if (!origin) return false;
  for (const name of LOOPBACK_NAMES) if (origin === `http://${name}:${port}`) return true;
  return false;
}

/** Constant-time token comparison. */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function deny(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(message + '\n');
}

/** Starts the web-mode HTTP server; the caller attaches the WebSocket bridge to `server`. */
export async function startWebServer(opts: WebServerOptions): Promise<RunningWebServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const limits: WebServerLimits = { ...WEB_SERVER_LIMITS, ...opts.limits };
  let port = 0;
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks the two timeouts above only this often (30 s by default).
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (req, res) => {
      handle(req, res).catch(() => {
        // Unforeseen (the response was already half-written, say): drop this request only.
        if (!res.headersSent) deny(res, 500, 'Internal error');
        else res.destroy();
      });
    },
  );
  // Node re-arms this idle timer at every request and between keep-alive requests, and destroys
  // the socket when it fires (no 'timeout' listener). ws clears it on an upgraded socket.
  server.setTimeout(limits.pendingIdleMs);

  // Insertion order is age order: the first entry is the oldest pending socket.
  const pending = new Set<Duplex>();
  server.on('connection', (socket: Socket) => {
    if (pending.size >= limits.maxPendingConnections) {
      const oldest = pending.values().next().value;
      if (oldest) {
        pending.delete(oldest);
        oldest.destroy();
      }
    }
    pending.add(socket);
    socket.once('close', () => pending.delete(socket));
  });

  let byteRoute: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isAllowedHost(req.headers.host, port)) return deny(res, 421, 'Host not allowed');
    if (byteRoute && req.method === 'GET' && (req.url ?? '').startsWith('/bytes/')) return byteRoute(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'Method not allowed');
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
    url: `${origin}/#token=${token}`,
    origin,
    port,
    token,
    server,
    limits,
    pendingConnections: () => pending.size,
    releasePending: (socket) => {
      pending.delete(socket);
    },
    setByteRoute: (handler) => {
      byteRoute = handler;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        for (const socket of pending) socket.destroy();
        server.close(() => r());
      }),
  };
}
