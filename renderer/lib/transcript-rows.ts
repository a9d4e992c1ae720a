/**
 * What one transcript row says: the words, direction and time TranscriptView shows for an entry.
 * Pure (no Svelte, no DOM) so every entry kind, and the fallback for a kind this build does not
 * know, is unit-tested in test/renderer/lib/transcript-rows.test.ts.
 *
 * An entry of an unknown kind (main and renderer out of step, or a bug) must never become a blank
 * row that looks like nothing happened: it is shown as a labelled "unknown entry" row naming the kind.
 */
import type { TranscriptEntry } from '../../shared/session.ts';
import { formatEndpoint } from '../../shared/endpoint.ts';
import { formatClock, formatCount } from './format.ts';
import { hasOwnMessage, t, type Key } from './i18n/index.ts';
import { uiMessage } from './field-labels.ts';

/** How a row is marked: bytes out, bytes in, a lifecycle event, or an entry this build cannot read. */
export type TranscriptRowDirection = 'out' | 'in' | 'event' | 'unknown';

/** One row, ready to render. */
export interface TranscriptRow {
  /** "14:03:07.125", or dashes when the entry carries no usable time. */
  time: string;
  dir: TranscriptRowDirection;
  /** The direction label, padded to one width so the texts line up. */
  label: string;
  text: string;
}

/** Gives the preview text of `bytes` bytes at `offset` of everything sent or received. */
export type BytePreview = (stream: 'sent' | 'received', offset: number, bytes: number) => string;

const LABELS: Readonly<Record<TranscriptRowDirection, () => string>> = {
  out: () => t('transcript.sent'),
  in: () => t('transcript.recv'),
  event: () => '•',
  unknown: () => '⚠ ????',
};

/** Longest kind name quoted in an unknown-entry row; the rest is elided. */
const MAX_KIND_CHARS = 40;

/** Describes one entry; entries of a kind this build does not know get an "unknown entry" row. */
export function describeTranscriptEntry(e: TranscriptEntry, preview: BytePreview): TranscriptRow {
  const row = (dir: TranscriptRowDirection, text: string): TranscriptRow => ({
    time: clockOf(e),
    dir,
    label: LABELS[dir]().padEnd(6),
    text,
  });
  switch (e.kind) {
    case 'connecting':
      return row('event', t('transcript.connecting', { endpoint: formatEndpoint(e.host, e.port) }));
    case 'connected':
      return row('event', t('transcript.connected', { endpoint: formatEndpoint(e.remoteAddress, e.remotePort), family: e.family }));
    case 'sent':
      return row('out', t('transcript.bytes', { n: formatCount(e.bytes), preview: preview('sent', e.offset, e.bytes) }));
    case 'received':
      return row('in', t('transcript.bytes', { n: formatCount(e.bytes), preview: preview('received', e.offset, e.bytes) }));
    case 'tls':
      return row('event', t(e.verified ? 'transcript.tlsVerified' : 'transcript.tlsNotVerified', { protocol: e.protocol, cipher: e.cipher }));
    case 'local-ended':
      return row('event', t('transcript.localEnded'));
    case 'remote-ended':
      return row('event', t('transcript.remoteEnded'));
    case 'closed':
      return row('event', t('transcript.closed', { outcome: outcomeWord(e.outcome) }));
    case 'error':
      return row('event', t('transcript.error', { code: e.error.code, message: uiMessage({ ...e.error, field: undefined }) }));
    case 'truncated':
      return row('event', t('transcript.truncated', { n: formatCount(e.limit) }));
    default: {
      // Compile-time: every kind in TranscriptEntry is handled above. Run time: anything else lands here.
      const unhandled: never = e;
      return row('unknown', t('transcript.unknown', { kind: kindName(unhandled) }));
    }
  }
}

/** The entry's kind, quoted and bounded, for a row that must name it. */
function kindName(entry: unknown): string {
  const kind = typeof entry === 'object' && entry !== null ? (entry as { kind?: unknown }).kind : undefined;
  if (kind === undefined) return t('transcript.noKind');
  const text = typeof kind === 'string' ? kind : String(JSON.stringify(kind));
  return JSON.stringify(text.length > MAX_KIND_CHARS ? `${text.slice(0, MAX_KIND_CHARS)}…` : text);
}

/** The outcome's word (English keeps the engine's own, which people grep logs for). */
export function outcomeWord(outcome: string): string {
  const key = `transcript.outcomes.${outcome}`;
  return hasOwnMessage(key) ? t(key as Key) : outcome;
}

function clockOf(entry: unknown): string {
  const at = typeof entry === 'object' && entry !== null ? (entry as { at?: unknown }).at : undefined;
  return typeof at === 'number' && Number.isFinite(at) ? formatClock(at) : '--:--:--.---';
}
