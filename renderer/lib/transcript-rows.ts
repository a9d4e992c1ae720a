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

const LABELS: Readonly<Record<TranscriptRowDirection, string>> = {
  out: '→ sent',
  in: '← recv',
  event: '•',
  unknown: '⚠ ????',
};

/** Longest kind name quoted in an unknown-entry row; the rest is elided. */
const MAX_KIND_CHARS = 40;

/** Describes one entry; entries of a kind this build does not know get an "unknown entry" row. */
export function describeTranscriptEntry(e: TranscriptEntry, preview: BytePreview): TranscriptRow {
  const row = (dir: TranscriptRowDirection, text: string): TranscriptRow => ({
    time: clockOf(e),
    dir,
    label: LABELS[dir].padEnd(6),
    text,
  });
  switch (e.kind) {
    case 'connecting':
      return row('event', `connecting to ${formatEndpoint(e.host, e.port)}`);
    case 'connected':
      return row('event', `connected to ${formatEndpoint(e.remoteAddress, e.remotePort)} (IPv${e.family})`);
    case 'sent':
      return row('out', `${formatCount(e.bytes)} B  ${preview('sent', e.offset, e.bytes)}`);
    case 'received':
      return row('in', `${formatCount(e.bytes)} B  ${preview('received', e.offset, e.bytes)}`);
    case 'tls':
      return row('event', `TLS ${e.protocol} established (${e.cipher}); certificate ${e.verified ? 'verified' : 'NOT verified'}`);
    case 'local-ended':
      return row('event', 'we finished sending (FIN sent)');
    case 'remote-ended':
      return row('event', 'peer finished sending (FIN received)');
    case 'closed':
      return row('event', `closed: ${e.outcome}`);
    case 'error':
      return row('event', `error ${e.error.code}: ${e.error.message}`);
    case 'truncated':
      return row('event', `transcript limit of ${formatCount(e.limit)} entries reached; later entries are not recorded`);
    default: {
      // Compile-time: every kind in TranscriptEntry is handled above. Run time: anything else lands here.
      const unhandled: never = e;
      return row('unknown', `unknown entry: kind ${kindName(unhandled)}`);
    }
  }
}

/** The entry's kind, quoted and bounded, for a row that must name it. */
function kindName(entry: unknown): string {
  const kind = typeof entry === 'object' && entry !== null ? (entry as { kind?: unknown }).kind : undefined;
  if (kind === undefined) return '(none)';
  const text = typeof kind === 'string' ? kind : String(JSON.stringify(kind));
  return JSON.stringify(text.length > MAX_KIND_CHARS ? `${text.slice(0, MAX_KIND_CHARS)}…` : text);
}

function clockOf(entry: unknown): string {
  const at = typeof entry === 'object' && entry !== null ? (entry as { at?: unknown }).at : undefined;
  return typeof at === 'number' && Number.isFinite(at) ? formatClock(at) : '--:--:--.---';
}
