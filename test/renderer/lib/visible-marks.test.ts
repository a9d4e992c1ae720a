import { describe, expect, it } from 'vitest';
import { bytesToDisplayText } from '../../../shared/byte-view.ts';
import { countMarks, hasMarks, splitMarks, splitMarksUpTo } from '../../../renderer/lib/visible-marks.ts';

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

  it('counts marks only up to one past the limit, and splits only within it', () => {
    const text = bytesToDisplayText(new Uint8Array(100).fill(0x01), 'utf8').text;
    expect(countMarks(text, 10)).toBe(11);
    expect(countMarks(text, 1000)).toBe(100);
    expect(countMarks('plain', 10)).toBe(0);
    expect(splitMarksUpTo(text, 40)).toBeNull();
    expect(splitMarksUpTo('plain', 40)).toBeNull();
    const few = splitMarksUpTo('a\u2400b', 40);
    expect(few?.map((p) => (p.mark ? p.label : p.text))).toEqual(['a', 'NUL', 'b']);
  });

  it('gives the same chip for the same mark every time (described once per language)', () => {
    const [a] = splitMarks('\u241b').filter((p) => p.mark);
    const [b] = splitMarks('\u241b').filter((p) => p.mark);
    expect(a).toEqual(b);
  });
});
