;; A module for `strata run --invoke` tests: arithmetic on each number type and a trap.
(module $run
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "mix") (param i64 f32 f64) (result i64 f32 f64) (local.get 0) (local.get 1) (local.get 2))
  (func $fail (export "fail") (result i32) (unreachable))
  (func (export "outer") (result i32) (call $fail)))
