;; A WASI command whose exit status is its argc (argv[0], the module path, included): shows
;; that `strata FILE ARGS...` hands ARGS to the guest as `strata run FILE ARGS...` does.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    ;; argc at 0, the size of the argument strings at 4
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (call $proc_exit (i32.load (i32.const 0)))))
