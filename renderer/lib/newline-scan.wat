;; Line ends of a window of bytes, 16 bytes per step (WebAssembly SIMD): renderer/lib/newline-scan.ts
;; embeds this module assembled (wabt's wat2wasm, with SIMD); test/renderer/lib/newline-scan.test.ts
;; assembles this file again and checks that the embedded bytes are exactly these.
;;
;; Memory: bytes [0, len) are the window (len <= 256 KiB); scan(len, out) writes, as i32 at `out`,
;; the offset just after each "\n" in the window, in order, and returns how many it wrote (at most
;; len, so `out` needs 4 * len bytes). 20 pages: 256 KiB of window and 1 MiB of output.
(module
  (memory (export "memory") 20)
  (func (export "scan") (param $len i32) (param $out i32) (result i32)
    (local $i i32) (local $n i32) (local $m i32) (local $nl v128) (local $end16 i32)
    (local.set $nl (i8x16.splat (i32.const 10)))
    (local.set $end16 (i32.and (local.get $len) (i32.const -16)))
    ;; Whole 16-byte blocks: one compare, a bit per byte that is "\n", one store per set bit.
    (block $done
      (loop $vec
        (br_if $done (i32.ge_u (local.get $i) (local.get $end16)))
        (local.set $m (i8x16.bitmask (i8x16.eq (v128.load (local.get $i)) (local.get $nl))))
        (block $bits_done
          (loop $bits
            (br_if $bits_done (i32.eqz (local.get $m)))
            (i32.store
              (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2)))
              (i32.add (i32.add (local.get $i) (i32.ctz (local.get $m))) (i32.const 1)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (local.set $m (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))))
            (br $bits)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vec)))
    ;; The last len % 16 bytes, one at a time.
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 10))
          (then
            (i32.store
              (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2)))
              (i32.add (local.get $i) (i32.const 1)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    (local.get $n)))
