/**
 * The Timeline view's numbers (renderer/lib/timeline.ts): buckets that add up, reply latency per
 * send (pipelined sends included), bounded output for long sessions, and conversation step spans.
 */
import { describe, expect, it } from 'vitest';
import type { TranscriptEntry } from '../../../shared/session.ts';
import type { StepResult } from '../../../shared/conversation.ts';
import { axisTicks, bucketSize, buildTimeline, conversationStepSpans, formatSpan, TIMELINE_LIMITS } from '../../../renderer/lib/timeline.ts';

const T0 = 1_700_000_000_000;
let sentOffset = 0;
let receivedOffset = 0;
function sent(at: number, bytes: number): TranscriptEntry {
  const e: TranscriptEntry = { at: T0 + at, kind: 'sent', bytes, offset: sentOffset };
  sentOffset += bytes;
  return e;
}
function received(at: number, bytes: number): TranscriptEntry {
  const e: TranscriptEntry = { at: T0 + at, kind: 'received', bytes, offset: receivedOffset };
  receivedOffset += bytes;
  return e;
}

describe('buildTimeline', () => {
  it('null for an empty transcript', () => {
    expect(buildTimeline([])).toBeNull();
  });

  it('request/response: buckets add up, each send has its latency, marks are placed', () => {
    const entries: TranscriptEntry[] = [
      { at: T0, kind: 'connecting', host: 'h', port: 1 },
      { at: T0 + 3, kind: 'connected', remoteAddress: '127.0.0.1', remotePort: 1, family: 4 },
      sent(10, 6),
      received(35, 7),
      received(36, 100),
      sent(500, 6),
      received(620, 7),
      { at: T0 + 700, kind: 'closed', outcome: 'closed-by-us' },
    ];
    const t = buildTimeline(entries)!;
    expect(t.totalSent).toBe(12);
    expect(t.totalReceived).toBe(114);
    expect(t.buckets.reduce((n, b) => n + b.sent, 0)).toBe(12);
    expect(t.buckets.reduce((n, b) => n + b.received, 0)).toBe(114);
    expect(t.bucketMs).toBe(20);
    expect([t.maxSentBytes, t.maxReceivedBytes]).toEqual([6, 107]);
    expect(t.replies.map((r) => [r.send, r.atMs, r.latencyMs])).toEqual([
      [1, 10, 25],
      [2, 500, 120],
    ]);
    expect(t.latency).toEqual({ answered: 2, minMs: 25, medianMs: 25, maxMs: 120 });
    expect(t.marks.map((m) => [m.kind, m.atMs])).toEqual([
      ['connected', 3],
      ['closed', 700],
    ]);
    expect(t.durationMs).toBeGreaterThanOrEqual(700);
  });

  it('pipelined sends: only the last send before a reply gets it; an unanswered send has null', () => {
    const t = buildTimeline([sent(0, 1), sent(5, 1), received(40, 2), sent(100, 1)])!;
    expect(t.replies.map((r) => r.latencyMs)).toEqual([null, 35, null]);
    expect(t.latency.answered).toBe(1);
  });

  it('a live session stretches the axis to now', () => {
    const t = buildTimeline([sent(0, 1)], { now: T0 + 10_000 })!;
    expect(t.durationMs).toBeGreaterThanOrEqual(10_000);
    expect(t.buckets.length).toBeLessThanOrEqual(TIMELINE_LIMITS.maxBuckets);
  });

  it('long sessions stay bounded: 10,000 entries over an hour give ≤ 60 buckets and ≤ 200 sampled spans', () => {
    const entries: TranscriptEntry[] = [];
    for (let i = 0; i < 5000; i++) {
      entries.push(sent(i * 720, 10));
      entries.push(received(i * 720 + 30 + (i % 7), 50));
    }
    const t = buildTimeline(entries)!;
    expect(t.buckets.length).toBeLessThanOrEqual(60);
    expect(t.replies.length).toBeLessThanOrEqual(200);
    expect(t.spanStride).toBe(25);
    expect(t.replies[1]!.send).toBe(26);
    expect(t.latency.answered).toBe(5000);
    expect(t.latency.maxMs).toBe(36);
    expect(t.totalReceived).toBe(250_000);
  });

  it('entries without a usable time are skipped and counted', () => {
    const bad = { at: Number.NaN, kind: 'sent', bytes: 5, offset: 0 } as TranscriptEntry;
    const t = buildTimeline([bad, sent(0, 1)])!;
    expect(t.skipped).toBe(1);
    expect(t.totalSent).toBe(1);
  });
});

describe('axis helpers', () => {
  it('bucketSize picks 1-2-5 steps', () => {
    expect(bucketSize(700, 60)).toBe(20);
    expect(bucketSize(59, 60)).toBe(1);
    expect(bucketSize(3_600_000, 60)).toBe(100_000);
  });
  it('axisTicks and formatSpan', () => {
    expect(axisTicks(1000)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(formatSpan(250)).toBe('250 ms');
    expect(formatSpan(1500)).toBe('1.5 s');
    expect(formatSpan(120_000)).toBe('2 min');
  });
});

describe('conversationStepSpans', () => {
  const step = (index: number, kind: StepResult['kind'], durationMs: number, outcome: StepResult['outcome'] = 'passed'): StepResult => ({
    index,
    kind,
    label: kind,
    name: null,
    line: index,
    outcome,
    durationMs,
    message: '',
    runs: 1,
    reason: null,
  });
  it('lays steps end to end, leaves groups out, keeps skipped steps at the stop', () => {
    const spans = conversationStepSpans([step(1, 'send', 2), step(2, 'group', 50), step(3, 'expect', 40), step(4, 'wait', 10, 'failed'), step(5, 'send', 0, 'skipped')]);
    expect(spans.map((s) => [s.index, s.startMs, s.durationMs, s.outcome])).toEqual([
      [1, 0, 2, 'passed'],
      [3, 2, 40, 'passed'],
      [4, 42, 10, 'failed'],
      [5, 52, 0, 'skipped'],
    ]);
  });
});
