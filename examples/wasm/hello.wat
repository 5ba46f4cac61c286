;; hello: a WASI preview 1 command that prints a greeting, its arguments (the SLA's cmd) and its environment (the SLA's
;; environment and Canopy's variables), one per line, then exits 0. Build: wat2wasm hello.wat -o hello.wasm
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (memory (export "memory") 4)
  ;; 0: iovec, 8: bytes written, 16/20: count and size, 4096: pointers, 65536: strings
  (data (i32.const 256) "hello from wasm\n")
  (data (i32.const 288) "args:\n")
  (data (i32.const 304) "env:\n")

  (func $write (param $at i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; The strings are NUL-terminated and back to back: NUL -> newline and one write prints them all, one per line.
  (func $print_lines (param $at i32) (param $len i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.eqz (i32.load8_u (i32.add (local.get $at) (local.get $i))))
          (then (i32.store8 (i32.add (local.get $at) (local.get $i)) (i32.const 10))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $write (local.get $at) (local.get $len)))

  (func (export "_start")
    (call $write (i32.const 256) (i32.const 16))
    (call $write (i32.const 288) (i32.const 6))
    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    (drop (call $args_get (i32.const 4096) (i32.const 65536)))
    (call $print_lines (i32.const 65536) (i32.load (i32.const 20)))
    (call $write (i32.const 304) (i32.const 5))
    (drop (call $environ_sizes_get (i32.const 16) (i32.const 20)))
    (drop (call $environ_get (i32.const 4096) (i32.const 65536)))
    (call $print_lines (i32.const 65536) (i32.load (i32.const 20)))))
