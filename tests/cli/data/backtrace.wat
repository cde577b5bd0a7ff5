;; A WASI command whose write happens three wasm calls deep (_start -> $outer -> $inner ->
;; fd_write): a debugger stopped in the host's write(2) shows each of them by name.
(module $backtrace
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello\n")
  (func $inner (param $fd i32)
    ;; one iovec at 0: base 16, length 6; the count written goes to 8
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $outer (call $inner (i32.const 1)))
  (func (export "_start") (call $outer)))
