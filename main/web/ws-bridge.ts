/**
 * The web-mode half of the contract: a WebSocket endpoint on the web server that speaks exactly the
 * calls and events of shared/contract.ts, through the same guarded dispatcher as Electron's IPC.
 *
 * The upgrade is refused (and the TCP socket destroyed) unless all of these hold (R6):
 * path is /ws; Host is a loopback name with our port; the token matches (query or cookie);
 * Origin equals the served origin exactly (a `null` or foreign Origin is refused).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { IPC_LIMITS } from '../../shared/contract.ts';
import { decodeFrame, encodeFrame, WireFormatError, type WireServerMessage } from '../../shared/wire.ts';
import type { AppService } from '../app-service.ts';
import { createClientDispatch } from '../ipc/dispatcher.ts';
import { CALL_SCHEMAS } from '../ipc/schemas.ts';
import { isAllowedHost, requestToken, tokenMatches, type RunningWebServer } from './web-server.ts';

/** Why an upgrade was refused, or null when it may proceed. Exported for tests. */
export function upgradeRefusal(req: IncomingMessage, web: Pick<RunningWebServer, 'port' | 'origin' | 'token'>): string | null {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path !== '/ws') return 'unknown path';
  if (!isAllowedHost(req.headers.host, web.port)) return 'host not allowed';
  if (!tokenMatches(requestToken(req, web.port), web.token)) return 'missing or wrong token';
  if (req.headers.origin !== web.origin) return 'origin not allowed';
  return null;
}

/** Attaches the bridge to a running web server; returns a function that closes every client. */
export function attachWsBridge(web: RunningWebServer, service: AppService): () => Promise<void> {
  const wss = new WebSocketServer({
    noServer: true,
    // The largest legal call is one send of maxSendBytes plus its header.
    maxPayload: IPC_LIMITS.maxSendBytes + 1024 * 1024,
    perMessageDeflate: false,
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const refusal = upgradeRefusal(req, web);
    if (refusal) {
      socket.end(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: ${refusal.length}\r\n\r\n${refusal}`);
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws));
  };
  web.server.on('upgrade', onUpgrade);

  function serveClient(ws: WebSocket): void {
    const send = (message: WireServerMessage): void => {
      if (ws.readyState === WebSocket.OPEN) ws.send(encodeFrame(message));
    };
    const ctx = service.attachClient({
      get alive() {
        return ws.readyState === WebSocket.OPEN;
      },
      send: (event, payload) => send({ t: 'event', event, payload }),
      backlog: () => ws.bufferedAmount,
    });
    const dispatch = createClientDispatch(service.handlers, CALL_SCHEMAS, ctx);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      void (async () => {
        const frame = toBytes(data);
        if (!isBinary || !frame) {
          ws.close(1003, 'binary frames only');
          return;
        }
        let msg: unknown;
        try {
          msg = decodeFrame(frame);
        } catch (err) {
          ws.close(1007, err instanceof WireFormatError ? err.message : 'bad frame');
          return;
        }
        if (!isCall(msg)) {
          ws.close(1008, 'not a call');
          return;
        }
        const result = await dispatch(msg.channel, msg.arg);
        send({ t: 'result', n: msg.n, result });
      })();
    });
    ws.on('close', () => service.detachClient(ctx));
    ws.on('error', () => service.detachClient(ctx));
  }

  return async () => {
    web.server.off('upgrade', onUpgrade);
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
  };
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
