;; A WASI reactor: `_initialize` must run before the invoked export reads what it set.
(module
  (global $ready (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $ready (i32.const 40)))
  (func (export "value") (result i32) (i32.add (global.get $ready) (i32.const 2))))
