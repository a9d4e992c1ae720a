/**
 * The numbers behind the Timeline view: a session's transcript as bytes per interval each way, the
 * time from each send to the first byte received after it, and the lifecycle marks, all relative
 * to the session's first entry. Pure (no Svelte, no DOM): test/renderer/lib/timeline.test.ts.
 *
 * Invariants:
 * - Bounded output for any transcript: at most `maxBuckets` buckets and `maxReplySpans` reply
 *   spans (evenly sampled, and the sample says so), whatever the session's length; the view draws a
 *   fixed number of SVG nodes from it. Work is one pass over the entries.
 * - Every byte of the transcript is in exactly one bucket; bucket sums equal the sent/received totals.
 * - A reply belongs to the latest send before it: a send followed by another send before any byte
 *   came back has no reply of its own (`latencyMs` null), which is what pipelining looks like.
 * - Entries with a missing or non-finite time are skipped and counted, never placed at zero.
 */
import type { TranscriptEntry } from '../../shared/session.ts';
import type { StepOutcome, StepResult } from '../../shared/conversation.ts';
import { t } from './i18n/index.ts';
import { outcomeWord } from './transcript-rows.ts';

/** One interval of the time axis. */
export interface TimelineBucket {
  /** Milliseconds from the session's first entry. */
  startMs: number;
  endMs: number;
  sent: number;
  received: number;
}

/** One send and the first byte received after it. */
export interface ReplySpan {
  /** One-based number of the send in the session. */
  send: number;
  atMs: number;
  bytes: number;
  /** When the first byte after it arrived; null when another send came first or nothing came. */
  replyAtMs: number | null;
  latencyMs: number | null;
}

/** A lifecycle moment drawn as a vertical mark. */
export interface TimelineMark {
  atMs: number;
  kind: 'connected' | 'tls' | 'local-ended' | 'remote-ended' | 'closed' | 'error';
  label: string;
}

export interface Timeline {
  /** Epoch ms of the first entry (the axis' zero). */
  startedAt: number;
  /** Length of the axis, at least one bucket. */
  durationMs: number;
  bucketMs: number;
  buckets: TimelineBucket[];
  /** Largest bucket each way: each lane's scale (one shared scale hides a small request under a big reply). */
  maxSentBytes: number;
  maxReceivedBytes: number;
  totalSent: number;
  totalReceived: number;
  sends: number;
  /** Sampled to at most `maxReplySpans`: every `spanStride`-th send. */
  replies: ReplySpan[];
  spanStride: number;
  /** Of all sends (not only the sampled ones): answered ones' latency. */
  latency: { answered: number; minMs: number | null; medianMs: number | null; maxMs: number | null };
  marks: TimelineMark[];
  /** Entries without a usable time, left out. */
  skipped: number;
}

export interface TimelineOptions {
  maxBuckets?: number;
  maxReplySpans?: number;
  /** The axis' end for a session still open (epoch ms); otherwise the last entry's time. */
  now?: number;
}

export const TIMELINE_LIMITS = { maxBuckets: 60, maxReplySpans: 200, maxMarks: 20 } as const;

/** A "nice" interval: 1, 2 or 5 × 10^k ms, the smallest giving at most `maxBuckets` buckets. */
export function bucketSize(durationMs: number, maxBuckets: number): number {
  const raw = Math.max(1, durationMs / Math.max(1, maxBuckets));
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 5, 10]) if (step * power >= raw) return step * power;
  return 10 * power;
}

/** Builds the timeline of a transcript; null when it has no timed entry. */
export function buildTimeline(entries: readonly TranscriptEntry[], opts: TimelineOptions = {}): Timeline | null {
  const maxBuckets = opts.maxBuckets ?? TIMELINE_LIMITS.maxBuckets;
  const maxSpans = opts.maxReplySpans ?? TIMELINE_LIMITS.maxReplySpans;
  let startedAt = Infinity;
  let lastAt = -Infinity;
  let skipped = 0;
  let sends = 0;
  for (const e of entries) {
    if (!timed(e)) {
      skipped++;
      continue;
    }
    if (e.at < startedAt) startedAt = e.at;
    if (e.at > lastAt) lastAt = e.at;
    if (e.kind === 'sent') sends++;
  }
  if (!Number.isFinite(startedAt)) return null;
  const end = Math.max(lastAt, opts.now !== undefined && Number.isFinite(opts.now) ? opts.now : lastAt);
  const span = Math.max(1, end - startedAt);
  const bucketMs = bucketSize(span, maxBuckets);
  const count = Math.min(maxBuckets, Math.max(1, Math.ceil((span + 1) / bucketMs)));
  const buckets: TimelineBucket[] = Array.from({ length: count }, (_, i) => ({ startMs: i * bucketMs, endMs: (i + 1) * bucketMs, sent: 0, received: 0 }));
  const stride = Math.max(1, Math.ceil(sends / maxSpans));
  const replies: ReplySpan[] = [];
  const latencies: number[] = [];
  const marks: TimelineMark[] = [];
  let totalSent = 0;
  let totalReceived = 0;
  let sendNumber = 0;
  let pending: ReplySpan | null = null;
  for (const e of entries) {
    if (!timed(e)) continue;
    const at = e.at - startedAt;
    const bucket = buckets[Math.min(count - 1, Math.floor(at / bucketMs))]!;
    switch (e.kind) {
      case 'sent': {
        bucket.sent += e.bytes;
        totalSent += e.bytes;
        sendNumber++;
        pending = { send: sendNumber, atMs: at, bytes: e.bytes, replyAtMs: null, latencyMs: null };
        // Sampled spans are kept by reference, so a reply found later fills them in.
        if ((sendNumber - 1) % stride === 0) replies.push(pending);
        break;
      }
      case 'received':
        bucket.received += e.bytes;
        totalReceived += e.bytes;
        if (pending) {
          pending.replyAtMs = at;
          pending.latencyMs = at - pending.atMs;
          latencies.push(pending.latencyMs);
          pending = null;
        }
        break;
      case 'connected':
        addMark(marks, { atMs: at, kind: 'connected', label: t('timeline.markConnected') });
        break;
      case 'tls':
        addMark(marks, { atMs: at, kind: 'tls', label: `TLS ${e.protocol}` });
        break;
      case 'local-ended':
        addMark(marks, { atMs: at, kind: 'local-ended', label: t('timeline.markLocalEnded') });
        break;
      case 'remote-ended':
        addMark(marks, { atMs: at, kind: 'remote-ended', label: t('timeline.markRemoteEnded') });
        break;
      case 'closed':
        addMark(marks, { atMs: at, kind: 'closed', label: t('timeline.markClosed', { outcome: outcomeWord(e.outcome) }) });
        break;
      case 'error':
        addMark(marks, { atMs: at, kind: 'error', label: t('timeline.markError', { code: e.error.code }) });
        break;
      default:
        break;
    }
  }
  let maxSentBytes = 0;
  let maxReceivedBytes = 0;
  for (const b of buckets) {
    maxSentBytes = Math.max(maxSentBytes, b.sent);
    maxReceivedBytes = Math.max(maxReceivedBytes, b.received);
  }
  const sorted = latencies.slice().sort((a, b) => a - b);
  return {
    startedAt,
    durationMs: count * bucketMs,
    bucketMs,
    buckets,
    maxSentBytes,
    maxReceivedBytes,
    totalSent,
    totalReceived,
    sends,
    replies,
    spanStride: stride,
    latency: {
      answered: sorted.length,
      minMs: sorted.length ? sorted[0]! : null,
      medianMs: sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : null,
      maxMs: sorted.length ? sorted[sorted.length - 1]! : null,
    },
    marks,
    skipped,
  };
}

function timed(e: TranscriptEntry): boolean {
  const at = (e as { at?: unknown }).at;
  return typeof at === 'number' && Number.isFinite(at);
}

/** Keeps the first marks; a storm of events (an error after close) cannot grow the drawing. */
function addMark(marks: TimelineMark[], mark: TimelineMark): void {
  if (marks.length < TIMELINE_LIMITS.maxMarks) marks.push(mark);
}

/** "1.5 s", "250 ms", "2 min": an axis or latency label. */
export function formatSpan(ms: number): string {
  // The units in the UI's language: a Chinese axis says 毫秒 and 秒 as the rest of that UI does.
  if (ms < 1000) return t('format.milliseconds', { n: String(Math.round(ms)) });
  if (ms < 60_000) return t('format.secondsShort', { n: trim(ms / 1000) });
  if (ms < 3_600_000) return t('format.minutes', { n: trim(ms / 60_000) });
  return t('format.hours', { n: trim(ms / 3_600_000) });
}

function trim(n: number): string {
  return n >= 100 ? String(Math.round(n)) : String(Number(n.toFixed(n >= 10 ? 1 : 2)));
}

/** Axis ticks: about `target` round times from 0 to `durationMs`. */
export function axisTicks(durationMs: number, target = 6): number[] {
  const step = bucketSize(durationMs, target);
  const ticks: number[] = [];
  for (let at = 0; at <= durationMs + 1e-9 && ticks.length <= target * 3; at += step) ticks.push(at);
  return ticks;
}

/** One step of a conversation run on the time axis. */
export interface StepSpan {
  index: number;
  label: string;
  outcome: StepOutcome;
  startMs: number;
  durationMs: number;
}

/**
 * A conversation run's steps as spans on a time axis, for the run view (issue 17 item 4): steps
 * run one after another, so each starts where the previous ended. Groups are left out: their
 * children, which follow them depth-first, carry the time (drawing both would count it twice).
 * Skipped steps take no time and are kept, at the point where the run stopped.
 */
export function conversationStepSpans(steps: readonly StepResult[]): StepSpan[] {
  const spans: StepSpan[] = [];
  let at = 0;
  for (const s of steps) {
    if (s.kind === 'group') continue;
    const duration = Number.isFinite(s.durationMs) && s.durationMs > 0 ? s.durationMs : 0;
    spans.push({ index: s.index, label: s.label, outcome: s.outcome, startMs: at, durationMs: duration });
    at += duration;
  }
  return spans;
}
