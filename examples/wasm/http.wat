;; http: a WASI command that answers one HTTP request as CGI does (the wasm host binds the SLA's port and runs the module
;; per request, WAGI-style): a Content-Type header, a blank line, then "hello from wasm", the request's method and path
;; (REQUEST_METHOD, PATH_INFO) and the SLA's GREETING variable. Build: wat2wasm http.wat -o http.wasm
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (memory (export "memory") 4)
  ;; 0: iovec, 8: bytes written, 16/20: count and size, 4096: pointers, 65536: strings
  (data (i32.const 256) "Content-Type: text/plain\n\nhello from wasm\n")
  (data (i32.const 320) "REQUEST_METHOD=")
  (data (i32.const 336) "PATH_INFO=")
  (data (i32.const 352) "GREETING=")
  (data (i32.const 368) "request: ")
  (data (i32.const 384) " ")
  (data (i32.const 392) "\ngreeting: ")
  (data (i32.const 408) "\n")

  (func $write (param $at i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $strlen (param $at i32) (result i32)
    (local $n i32)
    (block $end
      (loop $next
        (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $at) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  ;; does the NUL-terminated string at $s start with the $len bytes at $prefix?
  (func $starts_with (param $s i32) (param $prefix i32) (param $len i32) (result i32)
    (local $i i32)
    (block $no
      (loop $next
        (if (i32.ge_u (local.get $i) (local.get $len)) (then (return (i32.const 1))))
        (br_if $no (i32.ne (i32.load8_u (i32.add (local.get $s) (local.get $i)))
                           (i32.load8_u (i32.add (local.get $prefix) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; prints the value of the variable whose "NAME=" is the $len bytes at $prefix (nothing when it is not set)
  (func $print_env (param $prefix i32) (param $len i32)
    (local $i i32)
    (local $s i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 16))))
        (local.set $s (i32.load (i32.add (i32.const 4096) (i32.mul (local.get $i) (i32.const 4)))))
        (if (call $starts_with (local.get $s) (local.get $prefix) (local.get $len))
          (then
            (local.set $s (i32.add (local.get $s) (local.get $len)))
            (call $write (local.get $s) (call $strlen (local.get $s)))
            (return)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  (func (export "_start")
    (drop (call $environ_sizes_get (i32.const 16) (i32.const 20)))
    (drop (call $environ_get (i32.const 4096) (i32.const 65536)))
    (call $write (i32.const 256) (i32.const 42))
    (call $write (i32.const 368) (i32.const 9))
    (call $print_env (i32.const 320) (i32.const 15))
    (call $write (i32.const 384) (i32.const 1))
    (call $print_env (i32.const 336) (i32.const 10))
    (call $write (i32.const 392) (i32.const 11))
    (call $print_env (i32.const 352) (i32.const 9))
    (call $write (i32.const 408) (i32.const 1))))
