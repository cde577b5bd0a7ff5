;; proc_exit(5) in the start function: instantiation ends, `strata run` exits with status 5.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func $init (call $exit (i32.const 5)))
  (start $init))
