/**
 * The theme palette in renderer/styles.css meets WCAG AA in both themes: text colours 4.5:1 on
 * every surface they are drawn on (and on the warning and error strips, which mix 15 % of their
 * colour into the panel), white on the accent fill 4.5:1, and the focus ring and field edges 3:1
 * (non-text contrast, 1.4.11). axe checks what it sees in the e2e run; this checks every pair,
 * including those no e2e state happens to show.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const css = readFileSync(join(import.meta.dirname, '..', '..', 'renderer', 'styles.css'), 'utf8');

function vars(block: string): Record<string, string> {
  return Object.fromEntries([...block.matchAll(/--([a-z0-9-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1]!, m[2]!.toLowerCase()]));
}

const light = vars(/:root\s*\{([^}]*)\}/.exec(css)![1]!);
const dark = { ...light, ...vars(/prefers-color-scheme:\s*dark\)\s*\{\s*:root\s*\{([^}]*)\}/.exec(css)![1]!) };

const rgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}
/** color-mix(in srgb, fg p, bg), as the message strips draw their background. */
function mix(fg: string, bg: string, p: number): string {
  const f = rgb(fg);
  const b = rgb(bg);
  return `#${f.map((v, i) => Math.round(v * p + b[i]! * (1 - p)).toString(16).padStart(2, '0')).join('')}`;
}

const TEXT = ['text', 'muted', 'link', 'ok', 'warn', 'error', 'busy', 'sent', 'received', 'control-mark'];
const SURFACES = ['bg', 'panel', 'panel-2'];

describe.each([
  ['light', light],
  ['dark', dark],
] as const)('%s theme', (_name, p) => {
  it('has every colour the checks need', () => {
    for (const k of [...TEXT, ...SURFACES, 'accent', 'accent-text', 'focus', 'control-border']) expect(p[k], k).toMatch(/^#[0-9a-f]{6}$/);
  });

  it.each(TEXT)('--%s is at least 4.5:1 on every surface', (k) => {
    for (const s of SURFACES) expect(contrast(p[k]!, p[s]!), `${k} on ${s}`).toBeGreaterThanOrEqual(4.5);
  });

  it('warning and error strips keep their text at 4.5:1', () => {
    for (const k of ['warn', 'error']) expect(contrast(p[k]!, mix(p[k]!, p.panel!, 0.15)), k).toBeGreaterThanOrEqual(4.5);
  });

  it('white on the accent fill (primary buttons, selected segments) is at least 4.5:1', () => {
    expect(contrast(p['accent-text']!, p.accent!)).toBeGreaterThanOrEqual(4.5);
  });

  it('the focus ring and field edges are at least 3:1 on every surface; the selected fill 3:1 on the panel', () => {
    for (const s of SURFACES) {
      expect(contrast(p.focus!, p[s]!), `focus on ${s}`).toBeGreaterThanOrEqual(3);
      expect(contrast(p['control-border']!, p[s]!), `control-border on ${s}`).toBeGreaterThanOrEqual(3);
    }
    expect(contrast(p.accent!, p.panel!)).toBeGreaterThanOrEqual(3);
  });
});

it('the dark primary button of old (white on #3b82f6) would fail: the check measures what it says', () => {
  expect(contrast('#ffffff', '#3b82f6')).toBeCloseTo(3.68, 1);
});
