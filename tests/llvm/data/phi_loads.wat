;; The loads at the ends of an if's arms, each address out of bounds in turn: the trap names the
;; arm's own load (InstCombine merged them into one load of a phi of their addresses, whose trap
;; named the then-arm's offset on both paths: fuzzer seed 12121084). Run by strata_difftest
;; against the interpreter with backtraces (tests/llvm/CMakeLists.txt).
(module
  (memory 1)
  (func $f (param $c i32) (param $p i32) (result i32)
    (if (result i32) (local.get $c)
      (then (i32.load16_u offset=22 (local.get $p)))
      (else (i32.load16_u offset=22 (i32.add (local.get $p) (i32.const 8))))))
  (func (export "then_traps") (result i32) (call $f (i32.const 1) (i32.const 65530)))
  (func (export "else_traps") (result i32) (call $f (i32.const 0) (i32.const 65522)))
  (func (export "both_fine") (result i32) (call $f (i32.const 0) (i32.const 0))))
