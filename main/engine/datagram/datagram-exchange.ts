/**
 * One UDP exchange: open a datagram session, send one datagram, collect replies until the reply
 * window passes (or a cap is reached), and report. The CLI's `send --udp` and the tests share it,
 * as runOneShot() is shared for TCP.
 *
 * Invariant: it always resolves (never throws) with the final status, the kept datagrams, the time
 * of the send and the one error that ended the exchange; the socket is released before it resolves.
 */
import type net from 'node:net';
import type { AppError } from '../../../shared/errors.ts';
import type { DatagramOpenOptions, DatagramOutcome, DatagramRecord, DatagramSessionStatus } from '../../../shared/session-datagram.ts';
import { DatagramSession, type KeptDatagram } from './datagram-session.ts';
import { lazyCrypto } from '../lazy-builtins.ts';

/** What to exchange. */
export interface DatagramExchangeRequest {
  /** `replyWindowMs` is how long to wait for replies after the send (0: close right after it). */
  open: DatagramOpenOptions;
  /** The datagram to send (may be empty: a 0-byte datagram is sent). */
  data: Uint8Array;
  /** DNS override (tests). */
  lookup?: net.LookupFunction;
  /** Aborting cancels the exchange at once (Ctrl-C in the CLI). */
  signal?: AbortSignal;
  /** Called once the kernel accepted our datagram, with the time replies are counted from. */
  onSent?: (at: number) => void;
  /** Called for each reply as it arrives, in arrival order. */
  onDatagram?: (record: DatagramRecord, bytes: Uint8Array) => void;
}

/** How the exchange ended. */
export interface DatagramExchangeResult {
  status: DatagramSessionStatus;
  /** 'error' when the send itself failed (the session was then closed by us). */
  outcome: DatagramOutcome | null;
  datagrams: readonly KeptDatagram[];
  /** Epoch milliseconds when the kernel accepted our datagram; null when nothing was sent. */
  sentAt: number | null;
  error: AppError | null;
}

/** Runs one exchange; see {@link DatagramExchangeRequest}. */
export async function runDatagramExchange(request: DatagramExchangeRequest): Promise<DatagramExchangeResult> {
  const session = new DatagramSession(lazyCrypto().randomUUID(), request.lookup ? { lookup: request.lookup } : {});
  const onDatagram = request.onDatagram;
  if (onDatagram) session.on('datagram', onDatagram);
  const cancel = (): void => session.cancel();
  request.signal?.addEventListener('abort', cancel, { once: true });
  try {
    if (request.signal?.aborted) {
      session.cancel();
      return { status: await session.done(), outcome: 'cancelled', datagrams: [], sentAt: null, error: null };
    }
    const opened = await session.open(request.open);
    if (!opened.ok) {
      // Invalid input leaves the session idle with no socket; end it so done() resolves.
      session.cancel();
      return { status: await session.done(), outcome: 'error', datagrams: [], sentAt: null, error: opened.error };
    }
    let sentAt: number | null = null;
    let sendError: AppError | null = null;
    if (session.status.phase === 'open') {
      const sent = await session.send(request.data);
      if (sent.ok) {
        sentAt = Date.now();
        request.onSent?.(sentAt);
        // No reply window: the exchange is the send alone.
        if (!request.open.replyWindowMs) session.close();
      } else {
        sendError = sent.error;
        session.close();
      }
    }
    const status = await session.done();
    const error = status.error ?? sendError;
    return { status, outcome: sendError && !status.error ? 'error' : status.outcome, datagrams: session.datagrams(), sentAt, error };
  } finally {
    request.signal?.removeEventListener('abort', cancel);
  }
}
