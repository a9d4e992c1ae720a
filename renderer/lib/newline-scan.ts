/**
 * The line ends ("\n") of a window of bytes, found with WebAssembly SIMD: 16 bytes per step, where
 * line-index.ts's JavaScript scan takes 4. For web mode's bridge worker, which indexes every
 * received byte and was the busiest thread of the pipeline (bench:ui, 100 MiB: the worker ~95 %
 * busy). Measured in Chromium's worker, LineIndexer over 100 MiB in 1 MiB chunks: 49–116 ms with
 * the JavaScript scan (cold code at a tab's first response is the slow end), 12–37 ms with this one
 * (binary bytes to 64-byte text lines: what is left is the work per line).
 *
 * The module is newline-scan.wat, assembled; its test assembles that file again and compares.
 * Returns null where WebAssembly or its SIMD is not there, or a Content-Security-Policy without
 * 'wasm-unsafe-eval' forbids it: callers keep the JavaScript scan. Only the bridge worker asks for
 * one (its script has no such policy); the page never does, so no policy violation is ever logged.
 */
const MODULE_BASE64 =
  'AGFzbQEAAAABBwFgAn9/AX8DAgEABQMBABQHEQIGbWVtb3J5AgAEc2NhbgAACqgBAaUBAwN/AXsBf0EK/Q8hBSAAQXBxIQYCQANAIAIgBk8NASAC/QAEACAF/SP9ZCEEAkADQCAERQ0BIAEgA0ECdGogAiAEaGpBAWo2AgAgA0EBaiEDIAQgBEEBa3EhBAwACwsgAkEQaiECDAALCwJAA0AgAiAATw0BIAItAABBCkYEQCABIANBAnRqIAJBAWo2AgAgA0EBaiEDCyACQQFqIQIMAAsLIAML';

/** The most bytes one {@link NewlineScanner.scanWindow} call takes (the module's memory layout). */
export const SCAN_WINDOW_BYTES = 256 * 1024;

export interface NewlineScanner {
  /**
   * The offsets just after each "\n" in bytes[from, from + n), relative to `from`, in order;
   * n ≤ {@link SCAN_WINDOW_BYTES}. The result is a view that the next call overwrites.
   */
  scanWindow(bytes: Uint8Array, from: number, n: number): Int32Array;
}

export function moduleBytes(): Uint8Array {
  return Uint8Array.from(atob(MODULE_BASE64), (c) => c.charCodeAt(0));
}

/** The little of the WebAssembly API used here (typed locally: the main process's type library has none). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

export function createNewlineScanner(): NewlineScanner | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wasm) return null;
  let exports: { memory: { buffer: ArrayBuffer }; scan: (len: number, out: number) => number };
  try {
    // 216 bytes: compiled synchronously, as any thread may.
    exports = new wasm.Instance(new wasm.Module(moduleBytes())).exports as typeof exports;
  } catch {
    return null;
  }
  const heap = new Uint8Array(exports.memory.buffer);
  const found = new Int32Array(exports.memory.buffer, SCAN_WINDOW_BYTES, SCAN_WINDOW_BYTES);
  return {
    scanWindow(bytes, from, n) {
      if (n > SCAN_WINDOW_BYTES || n < 0) throw new RangeError(`a window holds at most ${SCAN_WINDOW_BYTES} bytes`);
      heap.set(bytes.subarray(from, from + n));
      return found.subarray(0, exports.scan(n, SCAN_WINDOW_BYTES));
    },
  };
}
