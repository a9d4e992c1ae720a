import { describe, expect, it } from 'vitest';
import { bytesToDisplayText } from '../../../shared/byte-view.ts';
import { hasMarks, splitMarks } from '../../../renderer/lib/visible-marks.ts';

describe('visible marks', () => {
  it('turns the byte view marks into labelled chips and leaves text alone', () => {
    const view = bytesToDisplayText(new Uint8Array([0x41, 0x00, 0x0d, 0x0a, 0x1b, 0x7f, 0xe2, 0x80, 0xae, 0xff]), 'utf8');
    const pieces = splitMarks(view.text);
    const labels = pieces.filter((p) => p.mark).map((p) => (p.mark ? p.label : ''));
    expect(labels).toEqual(['NUL', 'CR', 'ESC', 'DEL', '202E', '�']);
    expect(pieces.filter((p) => !p.mark).map((p) => p.text).join('')).toBe('A\n');
  });

  it('reports plain text as having no marks', () => {
    expect(hasMarks('GET / HTTP/1.0')).toBe(false);
    expect(splitMarks('<script>')).toEqual([{ text: '<script>', mark: false }]);
  });
});
