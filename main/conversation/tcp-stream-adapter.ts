/**
 * {@link ConversationStream} over the engine's StreamSession, through its public API only (a policy
 * never reaches into a session's private state): plain TCP, a TLS target (the TLS opener), and a
 * `starttls` step (the session's own upgrade of the live socket).
 *
 * The session streams received bytes into a sink that discards them: the runner keeps its own
 * bounded window, so the session's response cap (which would end the session with
 * 'limit-reached') never applies to a long conversation.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { fail, ok, type AppError, type Result } from '../../shared/errors.ts';
import type { ConversationTarget } from '../../shared/conversation.ts';
import type { TlsClientOptions } from '../../shared/tls.ts';
import type { TlsSettings } from '../../shared/conversation.ts';
import { StreamSession } from '../engine/stream-session.ts';
import type { ConversationStream, OpenConversationStream, StreamEndpoint } from './conversation-stream.ts';

/** Opens conversations over TCP, or TLS when the target says `transport: tls`. */
export const openTcpConversationStream: OpenConversationStream = (target) => ok(new TcpConversationStream(target));

/** A conversation's TLS settings as the engine's options: SNI (and the name verified) and verify. */
function tlsOptions(settings: TlsSettings | null): TlsClientOptions {
  if (!settings) return {};
  return { ...(settings.servername !== null ? { serverName: settings.servername } : {}), verify: settings.verify };
}

class TcpConversationStream implements ConversationStream {
  readonly #target: ConversationTarget;
  readonly #session: StreamSession;
  readonly #receive: ((chunk: Uint8Array) => void)[] = [];
  readonly #remoteEnd: (() => void)[] = [];
  readonly #closed: ((error: AppError | null) => void)[] = [];
  #remoteEnded = false;
  #closedOnce = false;

  constructor(target: ConversationTarget) {
    this.#target = target;
    const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    this.#session = new StreamSession(randomUUID(), { sink: discard });
    this.#session.on('data', (chunk) => {
      for (const listener of this.#receive) listener(chunk);
    });
    this.#session.on('status', (status) => {
      if (status.remoteEnded && !this.#remoteEnded) {
        this.#remoteEnded = true;
        for (const listener of this.#remoteEnd) listener();
      }
      if (status.phase === 'closed') this.#emitClosed(status.error);
    });
  }

  async open(): Promise<Result<StreamEndpoint>> {
    const opened = await this.#session.connect({
      host: this.#target.host,
      port: this.#target.port,
      connectTimeoutMs: this.#target.connectTimeoutMs,
      ...(this.#target.transport === 'tls' ? { tls: tlsOptions(this.#target.tls) } : {}),
    });
    if (!opened.ok) {
      this.#emitClosed(opened.error);
      return opened;
    }
    const status = opened.value;
    if (status.phase !== 'open') {
      this.#emitClosed(null);
      return fail('ABORTED', 'Cancelled while connecting.');
    }
    return ok({ remoteAddress: status.remoteAddress, remotePort: status.remoteAddress ? status.port : null });
  }

  async send(bytes: Uint8Array): Promise<Result<void>> {
    const sent = await this.#session.send(bytes);
    return sent.ok ? ok(undefined) : sent;
  }

  async halfClose(): Promise<Result<void>> {
    // TcpSession ends our side after a send; an empty send is exactly "FIN now".
    const sent = await this.#session.send(new Uint8Array(0), { halfClose: true });
    return sent.ok ? ok(undefined) : sent;
  }

  async close(): Promise<void> {
    this.#session.close();
    await this.#session.done();
  }

  cancel(): void {
    this.#session.cancel();
  }

  async upgradeToTls(settings: TlsSettings): Promise<Result<void>> {
    const upgraded = await this.#session.upgradeToTls(tlsOptions(settings));
    return upgraded.ok ? ok(undefined) : upgraded;
  }

  onReceive(listener: (chunk: Uint8Array) => void): void {
    this.#receive.push(listener);
  }

  onRemoteEnd(listener: () => void): void {
    this.#remoteEnd.push(listener);
  }

  onClosed(listener: (error: AppError | null) => void): void {
    this.#closed.push(listener);
  }

  #emitClosed(error: AppError | null): void {
    if (this.#closedOnce) return;
    this.#closedOnce = true;
    for (const listener of this.#closed) listener(error ? { ...error } : null);
  }
}
