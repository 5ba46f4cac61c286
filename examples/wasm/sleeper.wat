;; sleeper: a long-running WASI command, like a worker waiting for work: prints "sleeper started" and its arguments (the
;; SLA's cmd), one per line, then sleeps in poll_oneoff (a clock subscription of an hour) forever.
;; Build: wat2wasm sleeper.wat -o sleeper.wasm
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  ;; 0: iovec, 8: bytes written, 16/20: count and size, 256: text, 512: subscription, 1024: event, 4096: pointers, 65536: strings
  (data (i32.const 256) "sleeper started\n")
  (func $write (param $at i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (local $i i32)
    (local $len i32)
    (call $write (i32.const 256) (i32.const 16))
    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    (drop (call $args_get (i32.const 4096) (i32.const 65536)))
    ;; NUL -> newline: the arguments, one per line, in one write
    (local.set $len (i32.load (i32.const 20)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.eqz (i32.load8_u (i32.add (i32.const 65536) (local.get $i))))
          (then (i32.store8 (i32.add (i32.const 65536) (local.get $i)) (i32.const 10))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $write (i32.const 65536) (local.get $len))
    ;; subscription: userdata 0, tag 0 (clock), clock id 1 (monotonic), timeout 3600 s in ns, precision 0, flags 0
    (i32.store8 (i32.const 520) (i32.const 0))
    (i32.store (i32.const 528) (i32.const 1))
    (i64.store (i32.const 536) (i64.const 3600000000000))
    (loop $forever
      (drop (call $poll_oneoff (i32.const 512) (i32.const 1024) (i32.const 1) (i32.const 16)))
      (br $forever))))
