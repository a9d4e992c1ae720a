/**
 * "When the peer finishes sending, finish too": the default for interactive sessions.
 *
 * TCP cannot tell a peer that closed from one that only half-closed: both send FIN. The engine
 * therefore keeps our side open when the peer's FIN arrives first (F15: a peer may half-close and
 * keep reading). Most servers that FIN first are simply done, though, and a user expects
 * "Closed by peer" then, as nc and Packet Sender show. This policy sends our FIN as soon as the
 * peer's arrives (after any send in progress completes), and the engine then ends the session as
 * 'peer-closed'. Users who test half-close servers turn it off per session.
 */
import type { SendProgress, SessionStatus } from '../../shared/session.ts';
import type { StreamSession } from './stream-session.ts';

/** Starts following; returns a function that stops (idempotent). */
export function followPeerEnd(session: StreamSession): () => void {
  let ending = false;
  const tryEnd = (s: SessionStatus): void => {
    if (ending || s.phase !== 'open' || !s.remoteEnded || s.localEnded) return;
    ending = true;
    void session.send(new Uint8Array(0), { halfClose: true }).then((r) => {
      // BUSY: a send is still going; the progress listener retries when it is done.
      if (!r.ok) ending = false;
    });
  };
  const onStatus = (s: SessionStatus): void => {
    tryEnd(s);
    if (s.phase === 'closed') stop();
  };
  const onProgress = (p: SendProgress): void => {
    if (p.done) tryEnd(session.status);
  };
  function stop(): void {
    session.off('status', onStatus);
    session.off('send-progress', onProgress);
  }
  session.on('status', onStatus);
  session.on('send-progress', onProgress);
  tryEnd(session.status);
  return stop;
}
