;; grow: grows its linear memory one 64 KiB page at a time until memory.grow refuses, prints how many pages it got and
;; exits 0: under Canopy the refusal comes from the SLA's memory limit, which the wasm host sets inside Wasmtime.
;; Build: wat2wasm grow.wat -o grow.wasm
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 256) "memory.grow refused at pages: ")
  (func $write (param $at i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  ;; the decimal digits of $n, ending at 400 (exclusive), then a newline; returns where they start
  (func $decimal (param $n i32) (result i32)
    (local $at i32)
    (local.set $at (i32.const 400))
    (i32.store8 (local.get $at) (i32.const 10))
    (loop $digit
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digit (i32.ne (local.get $n) (i32.const 0))))
    (local.get $at))
  (func (export "_start")
    (local $at i32)
    (block $refused
      (loop $more
        (br_if $refused (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $more)))
    (call $write (i32.const 256) (i32.const 30))
    (local.set $at (call $decimal (memory.size)))
    (call $write (local.get $at) (i32.sub (i32.const 401) (local.get $at)))))
