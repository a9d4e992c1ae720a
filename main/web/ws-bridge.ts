/**
 * The web-mode half of the contract: a WebSocket endpoint on the web server that speaks exactly the
 * calls and events of shared/contract.ts, through the same guarded dispatcher as Electron's IPC.
 *
 * The upgrade is refused (and the TCP socket destroyed) unless all of these hold (R6):
 * path is /ws; Host is a loopback name with our port; Origin is one of our own origins exactly
 * (`http://127.0.0.1:PORT`, `http://localhost:PORT` or `http://[::1]:PORT`; `null`, missing or
 * foreign is refused); and `Sec-WebSocket-Protocol` offers {@link WIRE_PROTOCOL} plus
 * `token.<token>` with the launch's token.
 *
 * Why the token rides in the subprotocol list: it is part of the upgrade request itself, so a client
 * without it never gets a WebSocket at all (a "first message" scheme would have to accept and hold
 * unauthenticated sockets); a browser lets a page set it (it cannot set other headers); it is not
 * part of any URL, so it never lands in history, logs or a Referer; and unlike a cookie it is sent
 * only by the page that holds it, to the origin it chose. The server answers with
 * {@link WIRE_PROTOCOL} only; the token is never echoed.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { IPC_LIMITS } from '../../shared/contract.ts';
import { decodeFrame, encodeFrame, TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL, WireFormatError, type WireServerMessage } from '../../shared/wire.ts';
import type { AppService, ClientContext } from '../app-service.ts';
import type { SessionForwarder } from '../ipc/session-updates.ts';
import { fail } from '../../shared/errors.ts';
import { createClientDispatch, describeThrown } from '../ipc/dispatcher.ts';
import { CALL_SCHEMAS } from '../ipc/schemas.ts';
import { isAllowedHost, isServedOrigin, tokenMatches, type RunningWebServer } from './web-server.ts';

/** Why an upgrade was refused, or null when it may proceed. Exported for tests. */
export function upgradeRefusal(req: IncomingMessage, web: Pick<RunningWebServer, 'port' | 'token'>): string | null {
  let path: string;
  try {
    path = new URL(req.url ?? '/', 'http://x').pathname;
  } catch {
    return 'unknown path';
  }
  if (path !== '/ws') return 'unknown path';
  if (!isAllowedHost(req.headers.host, web.port)) return 'host not allowed';
  if (!isServedOrigin(req.headers.origin, web.port)) return 'origin not allowed';
  const offered = offeredProtocols(req.headers['sec-websocket-protocol']);
  if (!offered.includes(WIRE_PROTOCOL)) return `subprotocol ${WIRE_PROTOCOL} not offered`;
  const tokenEntry = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  if (!tokenMatches(tokenEntry?.slice(TOKEN_PROTOCOL_PREFIX.length), web.token)) return 'missing or wrong token';
  return null;
}

/** The comma-separated subprotocols a client offered, trimmed; bounded so a huge header costs nothing. */
function offeredProtocols(header: string | undefined): string[] {
  if (typeof header !== 'string') return [];
  return header.split(',', 16).map((p) => p.trim());
}

/** Attaches the bridge to a running web server; returns a function that closes every client. */
export function attachWsBridge(
  web: RunningWebServer,
  service: AppService,
  log: (line: string) => void = (line) => console.error(line),
): () => Promise<void> {
  const wss = new WebSocketServer({
    noServer: true,
    // The largest legal call is one send of maxSendBytes plus its header.
    maxPayload: IPC_LIMITS.maxSendBytes + 1024 * 1024,
    perMessageDeflate: false,
    // upgradeRefusal has already required WIRE_PROTOCOL; answer with it alone, never the token.
    handleProtocols: () => WIRE_PROTOCOL,
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const refusal = upgradeRefusal(req, web);
    if (refusal) {
      socket.end(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: ${refusal.length}\r\n\r\n${refusal}`);
      socket.destroy();
      return;
    }
    web.releasePending(socket);
    wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws));
  };
  web.server.on('upgrade', onUpgrade);

  /** Every attached client, for the byte route to find a session's forwarder. */
  const contexts = new Set<ClientContext>();

  /**
   * `GET /bytes/<session id>` with the launch's token in `X-Socket-Tester-Token`: the session's
   * received bytes as one streamed response (SessionOpenArg.byteStream). A custom header cannot be
   * sent cross-origin without a preflight we never answer, so only our page can ask; once per session.
   */
  web.setByteRoute((req, res) => {
    const header = req.headers['x-socket-tester-token'];
    if (!tokenMatches(typeof header === 'string' ? header : undefined, web.token)) return refuse(res, 403, 'missing or wrong token');
    const id = decodeURIComponent((req.url ?? '').slice('/bytes/'.length).split('?')[0] ?? '');
    let forwarder: SessionForwarder | undefined;
    for (const ctx of contexts) forwarder ??= ctx.forwarders.get(id);
    if (!forwarder) return refuse(res, 404, 'no such session');
    // A long-lived response: not a pending connection, and its silence while the page is slow is not idleness.
    web.releasePending(req.socket);
    req.socket.setTimeout(0);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    res.flushHeaders();
    if (!forwarder.attachStream(res)) res.end();
  });

  function serveClient(ws: WebSocket): void {
    /**
     * Never throws: a message that cannot be encoded (a value JSON cannot hold) is reported, not
     * allowed to unwind into the engine's event emitter or the message handler.
     */
    const send = (message: WireServerMessage): boolean => {
      if (ws.readyState !== WebSocket.OPEN) return false;
      try {
        ws.send(encodeFrame(message));
        return true;
      } catch (err) {
        log(`web mode: could not send a ${message.t} to a client: ${describeThrown(err)}`);
        return false;
      }
    };
    const ctx = service.attachClient({
      get alive() {
        return ws.readyState === WebSocket.OPEN;
      },
      send: (event, payload) => {
        send({ t: 'event', event, payload });
      },
      backlog: () => ws.bufferedAmount,
      byteStreams: true,
      // The page (renderer/lib/api/web-client.ts) acknowledges what it stored: flow control applies.
      acknowledges: true,
    });
    const dispatch = createClientDispatch(service.handlers, CALL_SCHEMAS, ctx);

    /**
     * One frame, answered once. Every byte is hostile: a frame that is not a call closes this
     * client (a protocol violation, RFC 6455 codes); anything unforeseen while answering a call
     * answers that call INTERNAL and touches nothing else. The returned promise never rejects, so
     * no client can end web mode with an unhandled rejection.
     */
    async function answer(data: RawData, isBinary: boolean): Promise<void> {
      let n: number | null = null;
      try {
        const frame = toBytes(data);
        if (!isBinary || !frame) {
          ws.close(1003, 'binary frames only');
          return;
        }
        let msg: unknown;
        try {
          msg = decodeFrame(frame);
        } catch (err) {
          ws.close(1007, err instanceof WireFormatError ? err.message.slice(0, 100) : 'bad frame');
          return;
        }
        if (!isCall(msg)) {
          ws.close(1008, 'not a call');
          return;
        }
        n = msg.n;
        const result = await dispatch(msg.channel, msg.arg);
        if (!send({ t: 'result', n, result }) && ws.readyState === WebSocket.OPEN) {
          send({ t: 'result', n, result: fail('INTERNAL', 'The result of this call could not be sent.') });
        }
      } catch (err) {
        log(`web mode: a call failed unexpectedly: ${describeThrown(err)}`);
        if (n !== null) send({ t: 'result', n, result: fail('INTERNAL', `The call failed unexpectedly: ${describeThrown(err)}`) });
        else ws.terminate();
      }
    }
    ws.on('message', (data: RawData, isBinary: boolean) => {
      void answer(data, isBinary);
    });
    contexts.add(ctx);
    ws.on('close', () => {
      contexts.delete(ctx);
      service.detachClient(ctx);
    });
    ws.on('error', () => {
      contexts.delete(ctx);
      service.detachClient(ctx);
    });
  }

  return async () => {
    web.server.off('upgrade', onUpgrade);
    web.setByteRoute(null);
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
  };
}

function refuse(res: import('node:http').ServerResponse, status: number, why: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(why + '\n');
}

function toBytes(data: RawData): Uint8Array | null {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data)) return Buffer.concat(data);
  return null;
}

function isCall(msg: unknown): msg is { t: 'call'; n: number; channel: unknown; arg: unknown } {
  if (typeof msg !== 'object' || msg === null) return false;
  const m = msg as Record<string, unknown>;
  return m['t'] === 'call' && typeof m['n'] === 'number' && Number.isSafeInteger(m['n']);
}
