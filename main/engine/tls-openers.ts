/**
 * TLS openers: TLS over a fresh TCP connection, and a STARTTLS upgrade of a live socket.
 * (Filled in by the TLS step; this first step only fixes their shape.)
 */
import type net from 'node:net';
import { fail, type Result } from '../../shared/errors.ts';
import type { TlsClientOptions } from '../../shared/tls.ts';
import type { ConnectTcpOptions, OpenResult, StreamOpener } from './stream-openers.ts';

/** TLS options with every value checked. */
export type CheckedTlsOptions = TlsClientOptions;

/** Checks TLS options before any file or socket is touched. */
export function checkTlsOptions(options: TlsClientOptions): Result<CheckedTlsOptions> {
  void options;
  return fail('UNSUPPORTED', 'TLS is not available yet.');
}

/** TLS over TCP to a checked host and port. */
export function connectTls(host: string, port: number, options: CheckedTlsOptions, tcp: ConnectTcpOptions = {}): StreamOpener {
  void options;
  void tcp;
  return {
    host,
    port,
    accepted: false,
    open: () => Promise.resolve({ ok: false, error: { code: 'UNSUPPORTED', message: 'TLS is not available yet.' }, tls: null }),
  };
}

/** Upgrades a live plain socket to TLS (STARTTLS). */
export function startTls(
  plain: net.Socket,
  host: string,
  port: number,
  options: CheckedTlsOptions,
  ctx: { signal: AbortSignal; track(socket: net.Socket): void },
): Promise<OpenResult> {
  void plain;
  void host;
  void port;
  void options;
  void ctx;
  return Promise.resolve({ ok: false, error: { code: 'UNSUPPORTED', message: 'TLS is not available yet.' }, tls: null });
}
