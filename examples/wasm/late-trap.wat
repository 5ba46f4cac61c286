;; late-trap: a WASI command that runs fine for 2 s (asleep in poll_oneoff on the monotonic clock), then traps
;; (unreachable): a fault in a long run, after the start window (the tests shorten it to 1 s with Node:WasmStartWindow).
;; The node must end it DEAD with the trap's message and let the restart policy decide.
;; Build: wat2wasm late-trap.wat -o late-trap.wasm
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0: iovec, 8: bytes written, 16: events stored, 256/320: text, 512: subscription, 1024: event
  (data (i32.const 256) "late-trap started\n")
  (data (i32.const 320) "about to trap\n")
  (func $write (param $at i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (call $write (i32.const 256) (i32.const 18))
    ;; subscription: userdata 0, tag 0 (clock), clock id 1 (monotonic), timeout 2 s in ns (relative), precision 0, flags 0
    (i32.store8 (i32.const 520) (i32.const 0))
    (i32.store (i32.const 528) (i32.const 1))
    (i64.store (i32.const 536) (i64.const 2000000000))
    (drop (call $poll_oneoff (i32.const 512) (i32.const 1024) (i32.const 1) (i32.const 16)))
    (call $write (i32.const 320) (i32.const 14))
    unreachable))
