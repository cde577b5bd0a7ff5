;; Exception handling across tiers: $B has no exception instruction, so on --tier baseline it is
;; machine code between the interpreter frames of $A (which catches) and $C (which throws).
(module $C
  (tag $e (export "e") (param i32))
  (func (export "throw") (param i32) (throw $e (local.get 0))))
(register "C")
(module $B
  (import "C" "throw" (func $throw (param i32)))
  (func (export "mid") (param i32) (result i32)
    (call $throw (i32.add (local.get 0) (i32.const 1)))
    (i32.const -1)))
(register "B")
(module $A
  (import "C" "e" (tag $e (param i32)))
  (import "B" "mid" (func $mid (param i32) (result i32)))
  (func (export "a") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) (call $mid (local.get 0))))
    (i32.const 100) (i32.add))
  (func (export "legacy") (param i32) (result i32)
    (try (result i32) (do (call $mid (local.get 0))) (catch $e (i32.const 1000) (i32.add)))))
(assert_return (invoke "a" (i32.const 5)) (i32.const 106))
(assert_return (invoke "legacy" (i32.const 5)) (i32.const 1006))
(assert_exception (invoke $B "mid" (i32.const 1)))
