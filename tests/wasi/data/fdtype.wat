;; Exits with the WASI file type of fd 3 (fd_fdstat_get; 6 = socket_stream, 3 = directory), or
;; 100 + errno when fd 3 is not open.
(module
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $err i32)
    (local.set $err (call $fdstat (i32.const 3) (i32.const 0)))
    (if (local.get $err) (then (call $exit (i32.add (i32.const 100) (local.get $err)))))
    (call $exit (i32.load8_u (i32.const 0)))))
