;; exit: a WASI command that exits at once with the code given as its first argument (decimal; 0 without one), through
;; proc_exit. Build: wat2wasm exit.wat -o exit.wasm
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; 16/20: count and size, 1024: pointers, 4096: strings
  (func (export "_start")
    (local $at i32)
    (local $code i32)
    (local $digit i32)
    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    (drop (call $args_get (i32.const 1024) (i32.const 4096)))
    (if (i32.ge_u (i32.load (i32.const 16)) (i32.const 2))
      (then
        (local.set $at (i32.load (i32.const 1028)))
        (block $end
          (loop $next
            (local.set $digit (i32.sub (i32.load8_u (local.get $at)) (i32.const 48)))
            (br_if $end (i32.gt_u (local.get $digit) (i32.const 9)))
            (local.set $code (i32.add (i32.mul (local.get $code) (i32.const 10)) (local.get $digit)))
            (local.set $at (i32.add (local.get $at) (i32.const 1)))
            (br $next)))))
    (call $proc_exit (local.get $code))))
