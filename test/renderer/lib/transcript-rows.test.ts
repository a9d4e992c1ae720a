/**
 * The words of every transcript row (renderer/lib/transcript-rows.ts, rendered by TranscriptView).
 * Components are not unit-tested here (vitest runs without the Svelte plugin or a DOM), so the
 * component's decisions live in this pure function and are tested through it.
 */
import { describe, expect, it } from 'vitest';
import { describeTranscriptEntry, type BytePreview } from '../../../renderer/lib/transcript-rows.ts';
import { formatClock } from '../../../renderer/lib/format.ts';
import type { TranscriptEntry } from '../../../shared/session.ts';

const AT = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const previews: Array<[string, number, number]> = [];
const preview: BytePreview = (stream, offset, bytes) => {
  previews.push([stream, offset, bytes]);
  return `<${stream} ${offset}+${bytes}>`;
};

describe('describeTranscriptEntry', () => {
  it.each<[TranscriptEntry, string, string, string]>([
    [{ at: AT, kind: 'connecting', host: 'example.test', port: 80 }, 'event', '•     ', 'connecting to example.test:80'],
    [{ at: AT, kind: 'connected', remoteAddress: '::1', remotePort: 8080, family: 6 }, 'event', '•     ', 'connected to [::1]:8080 (IPv6)'],
    [{ at: AT, kind: 'sent', bytes: 1234, offset: 10 }, 'out', '→ sent', '1,234 B  <sent 10+1234>'],
    [{ at: AT, kind: 'received', bytes: 5, offset: 0 }, 'in', '← recv', '5 B  <received 0+5>'],
    [{ at: AT, kind: 'local-ended' }, 'event', '•     ', 'we finished sending (FIN sent)'],
    [{ at: AT, kind: 'remote-ended' }, 'event', '•     ', 'peer finished sending (FIN received)'],
    [{ at: AT, kind: 'closed', outcome: 'peer-closed' }, 'event', '•     ', 'closed: peer-closed'],
    [{ at: AT, kind: 'error', error: { code: 'RESET', message: 'The peer reset the connection.' } }, 'event', '•     ', 'error RESET: The peer reset the connection.'],
    [{ at: AT, kind: 'truncated', limit: 10_000 }, 'event', '•     ', 'transcript limit of 10,000 entries reached; later entries are not recorded'],
  ])('describes %j', (entry, dir, label, text) => {
    expect(describeTranscriptEntry(entry, preview)).toEqual({ time: formatClock(AT), dir, label, text });
  });

  it('asks for the preview of the right stream, offset and length', () => {
    previews.length = 0;
    describeTranscriptEntry({ at: AT, kind: 'sent', bytes: 3, offset: 7 }, preview);
    describeTranscriptEntry({ at: AT, kind: 'received', bytes: 9, offset: 2 }, preview);
    describeTranscriptEntry({ at: AT, kind: 'closed', outcome: 'cancelled' }, preview);
    expect(previews).toEqual([
      ['sent', 7, 3],
      ['received', 2, 9],
    ]);
  });

  it('shows an entry of an unknown kind as a labelled row naming the kind, never a blank one', () => {
    const future = { at: AT, kind: 'tls-handshake', version: 'TLSv1.3' } as unknown as TranscriptEntry;
    const row = describeTranscriptEntry(future, preview);
    expect(row).toEqual({
      time: formatClock(AT),
      dir: 'unknown',
      label: '⚠ ????',
      text: 'unknown entry: kind "tls-handshake"',
    });
  });

  it.each([
    ['no kind at all', { at: AT }, '(none)'],
    ['a non-string kind', { at: AT, kind: 42 }, '"42"'],
    ['a kind with control characters', { at: AT, kind: 'a\nb\u0000' }, '"a\\nb\\u0000"'],
    ['an overlong kind', { at: AT, kind: 'k'.repeat(500) }, `"${'k'.repeat(40)}…"`],
  ])('names the kind safely for %s', (_label, entry, shown) => {
    const row = describeTranscriptEntry(entry as unknown as TranscriptEntry, preview);
    expect(row.dir).toBe('unknown');
    expect(row.text).toBe(`unknown entry: kind ${shown}`);
  });

  it('shows dashes for the time of an entry without a usable one', () => {
    for (const at of [undefined, Number.NaN, 'noon']) {
      const row = describeTranscriptEntry({ at, kind: 'mystery' } as unknown as TranscriptEntry, preview);
      expect(row.time).toBe('--:--:--.---');
    }
  });
});
