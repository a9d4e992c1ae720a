import { describe, expect, it } from 'vitest';
import { ResponseBuffer } from '../../../renderer/lib/response-buffer.ts';
import { textLayout, WRAP_LIMITS, wrapBlockedReason } from '../../../renderer/lib/text-layout.ts';
import { layoutPieces, MAX_PIECE_CHARS, PIECE_CHARS, pieceHeightEstimate, TEXT_LINE_PX } from '../../../renderer/lib/text-layout.ts';

function buffer(bytes: Uint8Array): ResponseBuffer {
  const b = new ResponseBuffer();
  b.append(bytes);
  return b;
}

describe('textLayout', () => {
  it('wraps small text and renders it whole', () => {
    const l = textLayout(buffer(new TextEncoder().encode('hello\nworld')), 'utf8');
    expect(l.blocked).toBeNull();
    expect(l.whole?.text).toContain('hello');
  });

  it('blocks wrapping above the size limit without decoding', () => {
    const b = buffer(new Uint8Array(WRAP_LIMITS.maxBytes + 1).fill(0x61));
    expect(textLayout(b, 'utf8')).toEqual({ whole: null, blocked: 'size', replacementCount: null });
    expect(textLayout(buffer(new Uint8Array(WRAP_LIMITS.maxBytes).fill(0x61)), 'utf8').blocked).toBeNull();
    expect(wrapBlockedReason('size')).toMatch(/over 256 KiB/);
  });

  it('blocks wrapping for binary data with many marks', () => {
    const l = textLayout(buffer(new Uint8Array(WRAP_LIMITS.maxMarks + 1).fill(0x01)), 'utf8');
    expect(l.blocked).toBe('marks');
    expect(wrapBlockedReason('marks')).toMatch(/4,000 control or invalid bytes/);
  });

  it('still counts the invalid sequences when there are too many marks to wrap (the badge says how many)', () => {
    const bytes = Uint8Array.from({ length: 10_240 }, (_, i) => i & 0xff);
    const l = textLayout(buffer(bytes), 'utf8');
    expect(l.blocked).toBe('marks');
    // 0x80–0xFF: every byte on its own is invalid (no lead is followed by its continuation).
    expect(l.replacementCount).toBe(40 * 128);
  });
});

describe('layoutPieces', () => {
  const lines = (n: number, width: number): string => Array.from({ length: n }, (_, i) => `${i}`.padEnd(width, 'x') + '\n').join('');

  it('cuts right after a line break, and keeps every character, in order', () => {
    const text = lines(2000, 63);
    const pieces = layoutPieces(text);
    expect(pieces.join('')).toBe(text);
    expect(pieces.length).toBeGreaterThan(10);
    for (const p of pieces.slice(0, -1)) {
      expect(p.endsWith('\n')).toBe(true);
      expect(p.length).toBeGreaterThanOrEqual(PIECE_CHARS);
    }
  });

  it('gives a growing text the same pieces before the last, so only the end is drawn again', () => {
    const text = lines(3000, 40);
    let before = layoutPieces(text.slice(0, 10_000));
    for (let n = 10_000; n <= text.length; n += 7_777) {
      const now = layoutPieces(text.slice(0, n));
      expect(now.slice(0, before.length - 1)).toEqual(before.slice(0, -1));
      before = now;
    }
  });

  it('cuts a line longer than MAX_PIECE_CHARS, never inside a surrogate pair', () => {
    const text = 'a'.repeat(MAX_PIECE_CHARS - 1) + '😀'.repeat(10) + 'b'.repeat(MAX_PIECE_CHARS);
    const pieces = layoutPieces(text);
    expect(pieces.join('')).toBe(text);
    for (const p of pieces) {
      const last = p.charCodeAt(p.length - 1);
      expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
      expect(p.length).toBeLessThanOrEqual(MAX_PIECE_CHARS + 1);
    }
    expect(layoutPieces('')).toEqual(['']);
    expect(layoutPieces('short\n')).toEqual(['short\n']);
  });
});

describe('pieceHeightEstimate', () => {
  it('takes a skipped piece as one unwrapped row per line, a trailing line break ending the last', () => {
    expect(pieceHeightEstimate('')).toBe(TEXT_LINE_PX);
    expect(pieceHeightEstimate('one')).toBe(TEXT_LINE_PX);
    expect(pieceHeightEstimate('one\n')).toBe(TEXT_LINE_PX);
    expect(pieceHeightEstimate('one\ntwo')).toBe(2 * TEXT_LINE_PX);
    expect(pieceHeightEstimate('\n\n\n')).toBe(3 * TEXT_LINE_PX);
    expect(pieceHeightEstimate('x'.repeat(40).concat('\n').repeat(300))).toBe(300 * TEXT_LINE_PX);
  });
});
