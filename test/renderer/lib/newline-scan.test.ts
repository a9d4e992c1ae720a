import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import { createNewlineScanner, moduleBytes, SCAN_WINDOW_BYTES } from '../../../renderer/lib/newline-scan.ts';

const WAT = fileURLToPath(new URL('../../../renderer/lib/newline-scan.wat', import.meta.url));

/** Offsets just after each "\n" of bytes[from, from + n), relative to `from`: the definition. */
function reference(bytes: Uint8Array, from: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (bytes[from + i] === 0x0a) out.push(i + 1);
  return out;
}

function random(n: number, seed: number, newlineEvery: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    // Bytes next to "\n" (0x0b, 0x8a, 0x0a | 0x80) too: a compare of the wrong width would take them.
    out[i] = seed % newlineEvery === 0 ? 0x0a : [0x0b, 0x8a, 0x09, 0x61, 0xff, 0x00][seed % 6]!;
  }
  return out;
}

describe('newline scan (WebAssembly SIMD)', () => {
  it('embeds exactly the module newline-scan.wat assembles to', async () => {
    const wabt = await wabtInit();
    const parsed = wabt.parseWat('newline-scan.wat', readFileSync(WAT, 'utf8'), { simd: true });
    const { buffer } = parsed.toBinary({});
    parsed.destroy();
    expect([...moduleBytes()]).toEqual([...buffer]);
  });

  it('finds every "\\n" and nothing else, at any length, offset and density, up to a whole window', () => {
    const scanner = createNewlineScanner();
    // Node 20 has WebAssembly SIMD: null here would mean the module is broken.
    expect(scanner).not.toBeNull();
    const data = random(SCAN_WINDOW_BYTES + 100, 5, 7);
    for (const [from, n] of [[0, 0], [0, 1], [3, 15], [1, 16], [0, 17], [5, 1000], [17, 4099], [0, SCAN_WINDOW_BYTES], [99, SCAN_WINDOW_BYTES]] as const) {
      expect([...scanner!.scanWindow(data, from, n)], `from ${from}, ${n} bytes`).toEqual(reference(data, from, n));
    }
    const all = new Uint8Array(SCAN_WINDOW_BYTES).fill(0x0a);
    expect([...scanner!.scanWindow(all, 0, all.length)]).toEqual(reference(all, 0, all.length));
    const none = random(SCAN_WINDOW_BYTES, 9, 1 << 30);
    expect(scanner!.scanWindow(none, 0, none.length).length).toBe(reference(none, 0, none.length).length);
    expect(() => scanner!.scanWindow(data, 0, SCAN_WINDOW_BYTES + 1)).toThrow(RangeError);
  });
});
