import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as hb from 'harfbuzzjs';
import fontverter from 'fontverter';
import { LICENSE_OUTPUT, MARK_CODE_POINTS, OUTPUT, makeMarkFont } from '../../scripts/make-mark-font.js';
import { bytesToDisplayText } from '../../shared/byte-view.ts';

const root = resolve(import.meta.dirname, '..', '..');

/** The code points a font file has glyphs for (its cmap), read by HarfBuzz. */
async function fontCodePoints(file: Buffer): Promise<number[]> {
  const sfnt = await fontverter.convert(file, 'truetype');
  return [...new hb.Face(new hb.Blob(sfnt)).collectUnicodes()].sort((a, b) => a - b);
}

/** Every Control Picture the text view can draw: one per C0 byte and DEL, in both encodings. */
function controlPicturesDrawn(): number[] {
  const bytes = Uint8Array.from({ length: 0x100 }, (_, i) => i);
  const drawn = new Set<number>();
  for (const encoding of ['utf8', 'latin1'] as const) {
    for (const ch of bytesToDisplayText(bytes, encoding).text) {
      const cp = ch.codePointAt(0) ?? 0;
      if (cp >= 0x2400 && cp <= 0x243f) drawn.add(cp);
    }
  }
  return [...drawn].sort((a, b) => a - b);
}

describe('control-pictures.woff2', () => {
  it('is exactly what scripts/make-mark-font.js makes (run it and commit the result when this fails)', async () => {
    expect((await makeMarkFont()).equals(readFileSync(OUTPUT))).toBe(true);
  });

  it('has a glyph for every control picture the text view draws, and nothing else', async () => {
    const drawn = controlPicturesDrawn();
    // 32 C0 controls minus TAB and LF, which stay themselves, plus DEL.
    expect(drawn).toHaveLength(31);
    expect(MARK_CODE_POINTS).toEqual(expect.arrayContaining(drawn));
    expect(await fontCodePoints(readFileSync(OUTPUT))).toEqual(MARK_CODE_POINTS);
  });

  it('travels with its licence (SIL Open Font License)', () => {
    expect(readFileSync(LICENSE_OUTPUT, 'utf8')).toContain('SIL Open Font License, Version 1.1');
  });

  it('is declared for exactly its characters, first in the monospace stack', () => {
    const css = readFileSync(join(root, 'renderer', 'styles.css'), 'utf8');
    const face = /@font-face\s*{([^}]*)}/.exec(css)?.[1] ?? '';
    expect(face).toContain("font-family: 'Socket Tester Control Pictures'");
    expect(face).toContain("url('./assets/control-pictures.woff2')");
    const range = /unicode-range:\s*([^;]+);/.exec(face)?.[1] ?? '';
    const declared = range.split(',').flatMap((part) => {
      const [from, to] = part.trim().replace(/^U\+/, '').split('-').map((h) => parseInt(h, 16));
      return Array.from({ length: (to ?? from!) - from! + 1 }, (_, i) => from! + i);
    });
    expect(declared).toEqual(MARK_CODE_POINTS);
    expect(/--mono:\s*'Socket Tester Control Pictures',/.test(css)).toBe(true);
  });
});
