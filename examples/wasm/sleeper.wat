;; sleeper: a long-running WASI command; says it started, then sleeps in poll_oneoff (one clock subscription of an hour)
;; forever, like a worker waiting for work. Build: wat2wasm sleeper.wat -o sleeper.wasm
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 256) "sleeper started\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 256))
    (i32.store (i32.const 4) (i32.const 16))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    ;; subscription at 512: userdata 0, tag 0 (clock), clock id 1 (monotonic), timeout 3600 s in ns, precision 0, flags 0
    (i32.store8 (i32.const 520) (i32.const 0))
    (i32.store (i32.const 528) (i32.const 1))
    (i64.store (i32.const 536) (i64.const 3600000000000))
    (loop $forever
      (drop (call $poll_oneoff (i32.const 512) (i32.const 1024) (i32.const 1) (i32.const 16)))
      (br $forever))))
