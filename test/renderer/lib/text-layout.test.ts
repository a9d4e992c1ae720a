import { describe, expect, it } from 'vitest';
import { ResponseBuffer } from '../../../renderer/lib/response-buffer.ts';
import { textLayout, WRAP_LIMITS, wrapBlockedReason } from '../../../renderer/lib/text-layout.ts';

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
    expect(textLayout(b, 'utf8')).toEqual({ whole: null, blocked: 'size' });
    expect(textLayout(buffer(new Uint8Array(WRAP_LIMITS.maxBytes).fill(0x61)), 'utf8').blocked).toBeNull();
    expect(wrapBlockedReason('size')).toMatch(/over 256 KiB/);
  });

  it('blocks wrapping for binary data with many marks', () => {
    const l = textLayout(buffer(new Uint8Array(WRAP_LIMITS.maxMarks + 1).fill(0x01)), 'utf8');
    expect(l.blocked).toBe('marks');
    expect(wrapBlockedReason('marks')).toMatch(/4,000 control or invalid bytes/);
  });
});
