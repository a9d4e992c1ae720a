/**
 * The update coalescer, driven by a scripted event source (the engine's own tests cover sockets;
 * here the subject is pacing, ordering and byte accounting).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import { forwardSessionUpdates, MAX_SINK_BACKLOG, MAX_UPDATE_BYTES, startForwarding, type SessionEventSource } from '../../../main/ipc/session-updates.ts';
import type { EventPayload } from '../../../shared/contract.ts';
import type { SessionStatus } from '../../../shared/session.ts';

type Update = EventPayload<'session:update'>;

class ScriptedSession extends EventEmitter {
  readonly id = 's1';
  current: SessionStatus = {
    id: 's1', kind: 'stream', phase: 'open', step: null, localEnded: false, remoteEnded: false, outcome: null, error: null, host: 'h', port: 1,
    remoteAddress: '127.0.0.1', remoteFamily: 4, localAddress: null, localPort: null, bytesSent: 0, bytesReceived: 0,
    startedAt: 0, connectedAt: 0, endedAt: null, tls: null,
  };
  get status(): SessionStatus {
    return { ...this.current };
  }
  receive(bytes: Uint8Array): void {
    const offset = this.current.bytesReceived;
    this.current.bytesReceived += bytes.byteLength;
    this.emit('data', bytes, offset);
  }
  close(): void {
    this.current.phase = 'closed';
    this.current.outcome = 'peer-closed';
    this.emit('status', this.status);
    this.emit('transcript', { at: 1, kind: 'closed', outcome: 'peer-closed' });
  }
}

function sink(backlog = () => 0) {
  const updates: Update[] = [];
  return { updates, alive: true, sendUpdate: (u: Update) => updates.push(u), backlog };
}

/** A forwarder for a page that acknowledges and takes its bytes from a stream, with the stream it writes to. */
function streamed() {
  const s = new ScriptedSession();
  const out = { ...sink(), acknowledges: true, byteStream: true };
  const forwarder = startForwarding(s as unknown as SessionEventSource, out);
  const stream = Object.assign(new EventEmitter(), {
    writableLength: 0,
    destroyed: false,
    written: [] as Uint8Array[],
    corked: 0,
    ended: false,
    /** write() says the stream is full (the caller must wait for 'drain'). */
    full: false,
    write(c: Uint8Array): boolean {
      this.written.push(c);
      return !this.full;
    },
    cork(): void {
      this.corked++;
    },
    uncork(): void {},
    end(): void {
      this.ended = true;
    },
  });
  expect(forwarder.attachStream(stream)).toBe(true);
  const writtenBytes = (): number => stream.written.reduce((n, c) => n + c.byteLength, 0);
  return { s, out, forwarder, stream, writtenBytes };
}

afterEach(() => vi.useRealTimers());

describe('session update coalescer', () => {
  it('coalesces a burst into few updates, in order, contiguous, each at most MAX_UPDATE_BYTES', async () => {
    vi.useFakeTimers();
    const s = new ScriptedSession();
    const out = sink();
    forwardSessionUpdates(s as unknown as SessionEventSource, out);
    const chunk = new Uint8Array(64 * 1024).map((_, i) => i & 0xff);
    for (let i = 0; i < 160; i++) s.receive(chunk); // 10 MiB at once
    s.close();
    for (let i = 0; i < 200 && out.updates.at(-1)?.status.phase !== 'closed'; i++) await vi.advanceTimersByTimeAsync(40);
    for (let i = 0; i < 200; i++) await vi.advanceTimersByTimeAsync(40);
    let expected = 0;
    for (const u of out.updates) {
      expect(u.dataOffset).toBe(expected);
      expect(u.data?.byteLength ?? 0).toBeLessThanOrEqual(MAX_UPDATE_BYTES);
      expected += u.data?.byteLength ?? 0;
    }
    expect(expected).toBe(160 * chunk.byteLength);
    // Counters are main's truth at once, bytes follow at the paced rate.
    expect(out.updates.length).toBeLessThan(20);
    expect(out.updates.some((u) => u.transcript.some((e) => e.kind === 'closed'))).toBe(true);
    const sizeBefore = out.updates.length;
    s.receive(chunk);
    await vi.advanceTimersByTimeAsync(100);
    expect(out.updates.length).toBe(sizeBefore);
  });

  it('sends no bytes while the sink is backed up, but keeps status flowing', async () => {
    vi.useFakeTimers();
    const s = new ScriptedSession();
    let backlog = MAX_SINK_BACKLOG + 1;
    const out = sink(() => backlog);
    forwardSessionUpdates(s as unknown as SessionEventSource, out);
    s.receive(new Uint8Array(1000));
    await vi.advanceTimersByTimeAsync(200);
    expect(out.updates.every((u) => u.data === null)).toBe(true);
    expect(out.updates.at(-1)!.status.bytesReceived).toBe(1000);
    backlog = 0;
    await vi.advanceTimersByTimeAsync(100);
    expect(out.updates.reduce((n, u) => n + (u.data?.byteLength ?? 0), 0)).toBe(1000);
  });

  it('stops when the client is gone and never sends to it again', async () => {
    vi.useFakeTimers();
    const s = new ScriptedSession();
    const out = sink();
    forwardSessionUpdates(s as unknown as SessionEventSource, out);
    out.alive = false;
    s.receive(new Uint8Array(10));
    await vi.advanceTimersByTimeAsync(100);
    const n = out.updates.length;
    s.receive(new Uint8Array(10));
    await vi.advanceTimersByTimeAsync(100);
    expect(out.updates.length).toBe(n);
    expect(s.listenerCount('data')).toBe(0);
  });

  it('writes streamed bytes as the chunks they came in (views, not copies), with one drain listener however often it finds the stream full', async () => {
    vi.useFakeTimers();
    const { s, forwarder, stream, writtenBytes } = streamed();
    stream.full = true;
    const written = stream.written;
    const reads = [300_000, 500_000, 700_000, 200_000].map((n, k) => new Uint8Array(n).fill(k + 1));
    for (const r of reads) s.receive(r);
    for (let i = 0; i < 40; i++) {
      await vi.advanceTimersByTimeAsync(20);
      // The page keeps acknowledging, so flushes keep coming while the stream stays full.
      forwarder.ack(writtenBytes());
      s.receive(new Uint8Array(1000).fill(9));
    }
    // Every byte exactly once, in order, and each written piece a view of a received chunk.
    const all = new Uint8Array(written.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const c of written) {
      all.set(c, at);
      at += c.byteLength;
      expect(reads.some((r) => r.buffer === c.buffer) || c.byteLength <= 1000).toBe(true);
    }
    expect(all.subarray(0, 300_000).every((b) => b === 1)).toBe(true);
    expect(all.subarray(1_500_000, 1_700_000).every((b) => b === 4)).toBe(true);
    expect(stream.corked).toBeGreaterThan(0);
    expect(stream.listenerCount('drain')).toBe(1);
    stream.full = false;
    stream.emit('drain');
    expect(stream.listenerCount('drain')).toBe(0);
  });

  it('forwards urgent streamed bytes between reads, not only when a timer turn comes', async () => {
    // At full loopback speed one event-loop turn runs up to 32 read callbacks (1 MiB each) before
    // any timer: a timer-driven flush let 32 MiB pile up in main while the page waited ~45 ms.
    const { s, writtenBytes } = streamed();
    const timerTurn = new Promise<void>((resolve) => setTimeout(resolve, 0));
    const writtenAfterRead: number[] = [];
    for (let i = 0; i < 8; i++) {
      s.receive(new Uint8Array(1024 * 1024));
      // What a read callback is followed by in Node: the microtask queue, never a timer.
      await Promise.resolve();
      writtenAfterRead.push(writtenBytes());
    }
    await timerTurn;
    // The window lets 1 MiB go per flush: every read's bytes went out before the next read.
    expect(writtenAfterRead).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => n * 1024 * 1024));
  });

  it('paces a streamed session\'s status like any other (not one per write), and says the close at once', async () => {
    vi.useFakeTimers();
    const { s, out, forwarder, stream, writtenBytes } = streamed();
    // 300 reads of 300 KB over 300 ms, each urgent enough for a write of its own; the page keeps up.
    for (let i = 0; i < 300; i++) {
      s.receive(new Uint8Array(300_000));
      await vi.advanceTimersByTimeAsync(1);
      forwarder.ack(writtenBytes());
    }
    await vi.advanceTimersByTimeAsync(100);
    expect(writtenBytes()).toBe(300 * 300_000);
    // About 30 a second: ~12 in 400 ms, far from one per write.
    expect(out.updates.length).toBeLessThan(20);
    expect(out.updates.at(-1)!.status.bytesReceived).toBe(300 * 300_000);
    const before = out.updates.length;
    s.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(out.updates.length).toBe(before + 1);
    expect(out.updates.at(-1)!.status.phase).toBe('closed');
    expect(stream.ended).toBe(true);
  });
});
