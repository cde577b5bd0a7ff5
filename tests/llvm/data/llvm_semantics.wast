;; Where LLVM's semantics differ from wasm's (docs/llvm.md "The translation"): each case was a
;; wrong result of the llvm tier before its fix. Run on every tier (the interpreter agrees).

;; A load LLVM finds dead (its value cancels out or is overwritten) still traps out of bounds
;; (found by the differential fuzzer, interp vs llvm).
(module
  (memory 1)
  (func (export "xor_self") (param i32) (result i32)
    (i32.xor (i32.load8_u (local.get 0)) (i32.load8_u (local.get 0))))
  (func (export "overwritten") (param i32) (result i32) (local i32)
    (local.set 1 (i32.load (local.get 0)))
    (local.set 1 (i32.const 7))
    (local.get 1))
  (func (export "times_zero") (param i32) (result i64)
    (i64.mul (i64.load offset=8 (local.get 0)) (i64.const 0)))
  (func (export "dropped_extended") (param i32)
    (drop (i32.load16_s (local.get 0))))
)
(assert_return (invoke "xor_self" (i32.const 0)) (i32.const 0))
(assert_trap (invoke "xor_self" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "overwritten" (i32.const 0)) (i32.const 7))
(assert_trap (invoke "overwritten" (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "times_zero" (i32.const 0)) (i64.const 0))
(assert_trap (invoke "times_zero" (i32.const 65530)) "out of bounds memory access")
(assert_trap (invoke "dropped_extended" (i32.const 65535)) "out of bounds memory access")

;; Identity folds and min/max must not let a signalling NaN through (spec 4.3.3).
(module
  (func (export "sub_zero") (param i32) (result i32)
    (i32.reinterpret_f32 (f32.sub (f32.reinterpret_i32 (local.get 0)) (f32.const 0))))
  (func (export "mul_one") (param i64) (result i64)
    (i64.reinterpret_f64 (f64.mul (f64.reinterpret_i64 (local.get 0)) (f64.const 1))))
  (func (export "min") (param i32) (result i32)
    (i32.reinterpret_f32 (f32.min (f32.reinterpret_i32 (local.get 0)) (f32.const 1))))
)
(assert_return (invoke "sub_zero" (i32.const 0x7fa00000)) (i32.const 0x7fe00000))
(assert_return (invoke "mul_one" (i64.const 0x7ff4000000000000)) (i64.const 0x7ffc000000000000))
(assert_return (invoke "min" (i32.const 0x7fa00000)) (i32.const 0x7fe00000))

;; Recursion that is not a tail call exhausts the stack (LLVM would make it a loop).
(module
  (func $down (export "down") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 0))
      (else (call $down (i64.sub (local.get 0) (i64.const 1))))))
  (func $forever (export "forever") (call $forever))
)
(assert_return (invoke "down" (i64.const 1000)) (i64.const 0))
(assert_exhaustion (invoke "forever") "call stack exhausted")

;; The stack check guards only the paths that call (src/llvm/translate.cc placeStackCheck):
;; behind an early return, and before a loop whose body calls; each path still exhausts the
;; stack, and what returns at once returns the right value (emit.cc splitReturns).
(module
  (memory 1)
  (func $leafy (export "leafy") (param i32) (result i32)
    (if (i32.lt_u (local.get 0) (i32.const 2)) (then (return (i32.const 1))))
    (call $leafy (i32.add (local.get 0) (i32.const 1))))
  (func $looped (export "looped") (param i32) (result i32)
    (local i32)
    (if (i32.lt_u (local.get 0) (i32.const 2)) (then (return (i32.const 7))))
    (loop $l
      (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
      (local.set 1 (i32.add (local.get 1) (call $looped (i32.add (local.get 0) (i32.const 1)))))
      (br_if $l (i32.lt_u (local.get 1) (i32.const 3))))
    (local.get 1))
  (func $fib (export "fib") (param i32) (result i32)
    (local i32)
    (local.set 1 (i32.const 1))
    (block $done
      (br_if $done (i32.lt_u (local.get 0) (i32.const 2)))
      (local.set 1 (i32.const 0))
      (loop $l
        (local.set 1 (i32.add (local.get 1) (call $fib (i32.sub (local.get 0) (i32.const 2)))))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br_if $l (i32.gt_u (local.get 0) (i32.const 1))))
      (local.set 1 (i32.add (local.get 1) (i32.const 1))))
    (local.get 1))
)
(assert_return (invoke "leafy" (i32.const 0)) (i32.const 1))
(assert_exhaustion (invoke "leafy" (i32.const 2)) "call stack exhausted")
(assert_return (invoke "looped" (i32.const 1)) (i32.const 7))
(assert_exhaustion (invoke "looped" (i32.const 2)) "call stack exhausted")
(assert_return (invoke "fib" (i32.const 1)) (i32.const 1))
(assert_return (invoke "fib" (i32.const 20)) (i32.const 10946))

;; A load whose value is used after a later check must still fault first: LLVM may sink a load
;; (no side effect, in its model) past the branch of call_indirect's or a division's check.
(module
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  (memory 1)
  (func (export "load_then_call_indirect") (param i32) (result i32)
    (i32.add
      (i32.load (local.get 0))
      (call_indirect (type $t) (i32.const 1) (local.get 0))))
  (func (export "load_then_div") (param i32 i32) (result i32)
    (i32.add
      (i32.load (local.get 0))
      (i32.div_u (i32.const 7) (local.get 1)))))
(assert_trap (invoke "load_then_call_indirect" (i32.const 65536)) "out of bounds memory access")
(assert_trap (invoke "load_then_call_indirect" (i32.const 0)) "uninitialized element")
(assert_trap (invoke "load_then_div" (i32.const 65536) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "load_then_div" (i32.const 0) (i32.const 0)) "integer divide by zero")

;; Several results keep a signalling NaN's bits, the floats after the fourth included (LLVM
;; returns floats past the convention's xmm registers in x87 registers, which quieten them).
(module
  (func (export "six") (result f32 f32 v128 f32 f32 i64)
    (f32.const -nan:0x84d33) (f32.const -nan:0x84d33) (v128.const i64x2 1 2)
    (f32.const -nan:0x84d33) (f32.const -nan:0x84d33) (i64.const 7))
  (func (export "call_six") (result f32 f32 v128 f32 f32 i64) (call 0)))
(assert_return (invoke "six") (f32.const -nan:0x84d33) (f32.const -nan:0x84d33) (v128.const i64x2 1 2)
  (f32.const -nan:0x84d33) (f32.const -nan:0x84d33) (i64.const 7))
(assert_return (invoke "call_six") (f32.const -nan:0x84d33) (f32.const -nan:0x84d33) (v128.const i64x2 1 2)
  (f32.const -nan:0x84d33) (f32.const -nan:0x84d33) (i64.const 7))

;; Every access runs where the wasm code runs it, whichever value is used afterwards (found by
;; the differential fuzzer): a select of two loads became one load of the selected address, so
;; the unselected out-of-bounds load no longer faulted; a load used only on one path can be
;; moved into that path; an access must not move above an earlier store.
(module
  (memory 1)
  (func (export "select_loads") (param i32 i32 i32) (result f32)
    (select (f32.load (local.get 0)) (f32.load offset=3 (local.get 1)) (local.get 2)))
  (func (export "load_used_on_one_path") (param i32 i32) (result i32)
    (local i32)
    (local.set 2 (i32.load offset=8 (local.get 0)))
    (if (local.get 1) (then (return (local.get 2))))
    (i32.const -1))
  (func (export "store_then_load") (param i32 i32) (result i32)
    (i32.store (local.get 1) (i32.const 5))
    (i32.load (local.get 0)))
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0))))
(assert_trap (invoke "select_loads" (i32.const 0) (i32.const 65534) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "select_loads" (i32.const 65534) (i32.const 0) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "select_loads" (i32.const 0) (i32.const 0) (i32.const 1)) (f32.const 0))
(assert_trap (invoke "load_used_on_one_path" (i32.const 65530) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "load_used_on_one_path" (i32.const 65530) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "load_used_on_one_path" (i32.const 0) (i32.const 0)) (i32.const -1))
(assert_trap (invoke "store_then_load" (i32.const 65536) (i32.const 64)) "out of bounds memory access")
(assert_return (invoke "peek" (i32.const 64)) (i32.const 5))

;; A vectorized loop traps where the scalar loop would, with the stores of every earlier
;; iteration done (a vector load faulted before them: 0 stored where wasm stores 1). A loop that
;; stores nothing may keep its vector loads: they fault exactly when one of their lanes would.
(module
  (memory 1)
  (func (export "inc_copy") (param $dst i32) (param $src i32) (param $n i32)
    (local $i i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2)))
        (i32.add (i32.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))
  (func (export "inc_copy_pairs") (param $dst i32) (param $src i32) (param $n i32)
    (local $i i32) (local $a i32) (local $b i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $a (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 3))))
      (local.set $b (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 3))))
      (i32.store (local.get $a) (i32.add (i32.load (local.get $b)) (i32.const 1)))
      (i32.store offset=4 (local.get $a) (i32.add (i32.load offset=4 (local.get $b)) (i32.const 2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))
  (func (export "sum") (param $src i32) (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $s))
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0))))
(assert_trap (invoke "inc_copy" (i32.const 0) (i32.const 65516) (i32.const 100)) "out of bounds memory access")
(assert_return (invoke "peek" (i32.const 16)) (i32.const 1))
(assert_return (invoke "peek" (i32.const 20)) (i32.const 0))
(assert_trap (invoke "inc_copy_pairs" (i32.const 4096) (i32.const 65516) (i32.const 50)) "out of bounds memory access")
(assert_return (invoke "peek" (i32.const 4108)) (i32.const 2))
(assert_return (invoke "peek" (i32.const 4112)) (i32.const 1))
(assert_return (invoke "peek" (i32.const 4116)) (i32.const 0))
(assert_trap (invoke "sum" (i32.const 65516) (i32.const 100)) "out of bounds memory access")
(assert_return (invoke "sum" (i32.const 0) (i32.const 100)) (i32.const 5))
;; Fewer than 8 iterations skip the bounds check for the exact copy (addresses.cc
;; kMinCheckedIterations): the same traps and results.
(assert_trap (invoke "inc_copy" (i32.const 8192) (i32.const 65516) (i32.const 7)) "out of bounds memory access")
(assert_return (invoke "peek" (i32.const 8208)) (i32.const 1))
(assert_return (invoke "peek" (i32.const 8212)) (i32.const 0))
(assert_return (invoke "sum" (i32.const 0) (i32.const 3)) (i32.const 3))
(assert_return (invoke "sum" (i32.const 4) (i32.const 7)) (i32.const 4))

;; Loop addresses as 64-bit inductions (llvm/addresses.cc): a start that wraps below 2^32 is
;; kept wrapped (the stores land at 0..7), an access that does not run in every iteration is
;; not widened, and a copy clang would have unrolled by four runs off the end of memory with
;; exactly the bytes before the fault stored (its loop is checked at entry: the exact copy runs).
(module
  (memory 1)
  (func (export "wrapped_start") (param $p i32) (param $n i32)
    (local $i i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (if (i32.ge_u (local.get $i) (i32.const 100))
        (then (i32.store8 (i32.add (local.get $p) (local.get $i)) (i32.const 9))))
      (i32.store8 (i32.add (i32.add (local.get $p) (i32.const 16)) (local.get $i))
        (i32.add (local.get $i) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))
  (func (export "copy4") (param $dst i32) (param $src i32) (param $n i32)
    (local $i i32) (local $d i32) (local $s i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $d (i32.add (local.get $dst) (local.get $i)))
      (local.set $s (i32.add (local.get $src) (local.get $i)))
      (i32.store8 (local.get $d) (i32.xor (i32.load8_u (local.get $s)) (i32.const 0x55)))
      (i32.store8 (i32.add (local.get $d) (i32.const 1))
        (i32.xor (i32.load8_u (i32.add (local.get $s) (i32.const 1))) (i32.const 0x55)))
      (i32.store8 (i32.add (local.get $d) (i32.const 2))
        (i32.xor (i32.load8_u (i32.add (local.get $s) (i32.const 2))) (i32.const 0x55)))
      (i32.store8 (i32.add (local.get $d) (i32.const 3))
        (i32.xor (i32.load8_u (i32.add (local.get $s) (i32.const 3))) (i32.const 0x55)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l))))
  (func (export "peek8") (param i32) (result i32) (i32.load8_u (local.get 0))))
(assert_return (invoke "wrapped_start" (i32.const -16) (i32.const 8)))
(assert_return (invoke "peek8" (i32.const 0)) (i32.const 1))
(assert_return (invoke "peek8" (i32.const 7)) (i32.const 8))
(assert_return (invoke "peek8" (i32.const 8)) (i32.const 0))
(assert_return (invoke "copy4" (i32.const 1000) (i32.const 0) (i32.const 256)))
(assert_return (invoke "peek8" (i32.const 1000)) (i32.const 0x54))
(assert_return (invoke "peek8" (i32.const 1007)) (i32.const 0x5d))
(assert_return (invoke "peek8" (i32.const 1255)) (i32.const 0x55))
(assert_trap (invoke "copy4" (i32.const 65530) (i32.const 1000) (i32.const 64)) "out of bounds memory access")
(assert_return (invoke "peek8" (i32.const 65535)) (i32.const 6))
(assert_return (invoke "peek8" (i32.const 65531)) (i32.const 2))

;; A loop the vectorizer takes after the check at entry keeps the scalar order where its
;; iterations depend on each other (dst one element past src: every element is the one before
;; plus 1, where a copy of the old values would give 10 i + 1).
(module
  (memory 1)
  (func (export "fill") (param $p i32) (param $n i32)
    (local $i i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))) (i32.mul (local.get $i) (i32.const 10)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))
  (func (export "inc_copy") (param $dst i32) (param $src i32) (param $n i32)
    (local $i i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2)))
        (i32.add (i32.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
(assert_return (invoke "fill" (i32.const 0) (i32.const 64)))
(assert_return (invoke "inc_copy" (i32.const 4) (i32.const 0) (i32.const 32)))
(assert_return (invoke "peek" (i32.const 8)) (i32.const 2))
(assert_return (invoke "peek" (i32.const 128)) (i32.const 32))
(assert_return (invoke "peek" (i32.const 132)) (i32.const 330))
(assert_return (invoke "inc_copy" (i32.const 1024) (i32.const 0) (i32.const 64)))
(assert_return (invoke "peek" (i32.const 1028)) (i32.const 2))
(assert_return (invoke "peek" (i32.const 1276)) (i32.const 631))
;; A 32-bit memory stays 64 KiB short of 4 GiB (runtime/memory.cc), which the loop addresses
;; above rely on.
(assert_return (invoke "grow" (i32.const 65535)) (i32.const -1))
(assert_return (invoke "grow" (i32.const 65534)) (i32.const 1))
(assert_return (invoke "grow" (i32.const 1)) (i32.const -1))

;; Backward loops (src/llvm/addresses.cc, a step down): the first index that wraps below 0
;; traps after the stores of every earlier iteration, as does the first beyond the memory; a
;; backward copy over its own source (memmove's), in bounds and running off either end.
(module
  (memory 1)
  (func (export "down_store") (param $i i32)
    (loop $l
      (i32.store8 (local.get $i) (i32.const 0x5a))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br $l)))
  (func (export "down_store4") (param $i i32)
    (loop $l
      (i32.store (local.get $i) (i32.const -1))
      (local.set $i (i32.sub (local.get $i) (i32.const 4)))
      (br $l)))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "fill") (param $n i32) (local $i i32)
    (loop $l
      (i32.store8 (local.get $i) (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
  (func (export "move_back") (param $dst i32) (param $src i32) (param $n i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (i32.store8 (i32.add (local.get $dst) (local.get $n)) (i32.load8_u (i32.add (local.get $src) (local.get $n))))
        (br $l))))
  (func (export "sum_down") (param $i i32) (result i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.load8_u (local.get $i))))
      (br_if $l (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
    (local.get $s))
)
(assert_trap (invoke "down_store" (i32.const 100)) "out of bounds memory access")
(assert_return (invoke "load8" (i32.const 0)) (i32.const 0x5a))
(assert_return (invoke "load8" (i32.const 100)) (i32.const 0x5a))
(assert_return (invoke "load8" (i32.const 101)) (i32.const 0))
(assert_trap (invoke "down_store4" (i32.const 202)) "out of bounds memory access")
(assert_return (invoke "load" (i32.const 2)) (i32.const -1))
(assert_return (invoke "load8" (i32.const 1)) (i32.const 0x5a))
(assert_return (invoke "load8" (i32.const 206)) (i32.const 0))
(invoke "fill" (i32.const 64))
(assert_return (invoke "sum_down" (i32.const 10)) (i32.const 65))
(assert_trap (invoke "sum_down" (i32.const 65541)) "out of bounds memory access")
(invoke "move_back" (i32.const 8) (i32.const 0) (i32.const 32))
(assert_return (invoke "load8" (i32.const 8)) (i32.const 1))
(assert_return (invoke "load8" (i32.const 39)) (i32.const 32))
(assert_return (invoke "load8" (i32.const 40)) (i32.const 41))
(assert_trap (invoke "move_back" (i32.const 65530) (i32.const 0) (i32.const 32)) "out of bounds memory access")
(assert_return (invoke "load8" (i32.const 65535)) (i32.const 0))
(assert_trap (invoke "move_back" (i32.const 100) (i32.const -16) (i32.const 32)) "out of bounds memory access")
(assert_return (invoke "load8" (i32.const 131)) (i32.const 8))
(assert_return (invoke "load8" (i32.const 116)) (i32.const 1))
(assert_return (invoke "load8" (i32.const 115)) (i32.const 0xff))

;; Loads moved above a store they do not alias (session 22; docs/llvm.md "Traps"). At the trap,
;; every store before it is done (spec 4.5.5). GVN's load PRE put the load of p+8 in the else
;; path, above the join's store; LICM hoisted the loop's invariant load of p+8 to the preheader,
;; above the first iteration's store, and with that load kept in place (order.h), LICM's
;; promotion kept p's counter in a register and stored it once after the loop, which the trap
;; never reaches. `promoted` traps in a later iteration, with the earlier iterations' stores done.
(module
  (memory 1)
  (func (export "branch_form") (param $c i32) (param $p i32) (result i32)
    (local $x i32)
    (if (local.get $c) (then (local.set $x (i32.load offset=8 (local.get $p)))))
    (i32.store (local.get $p) (i32.const 7))
    (i32.add (local.get $x) (i32.load offset=8 (local.get $p))))
  (func (export "loop_form") (param $p i32) (param $n i32) (result i32)
    (local $s i32)
    (loop $l
      (i32.store (local.get $p) (i32.add (i32.load (local.get $p)) (i32.const 1)))
      (local.set $s (i32.add (local.get $s) (i32.load offset=8 (local.get $p))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $s))
  (func (export "promoted") (param $p i32) (param $q i32) (result i32)
    (local $s i32)
    (loop $l
      (i32.store (local.get $p) (i32.add (i32.load (local.get $p)) (i32.const 1)))
      (local.set $s (i32.add (local.get $s) (i32.load (local.get $q))))
      (local.set $q (i32.add (local.get $q) (i32.const 4)))
      (br_if $l (i32.ne (local.get $q) (i32.const 0))))
    (local.get $s))
  (func (export "load") (param $p i32) (result i32) (i32.load (local.get $p))))
(assert_trap (invoke "branch_form" (i32.const 0) (i32.const 65528)) "out of bounds memory access")
(assert_return (invoke "load" (i32.const 65528)) (i32.const 7))
(assert_return (invoke "branch_form" (i32.const 1) (i32.const 100)) (i32.const 0))
(assert_trap (invoke "loop_form" (i32.const 65528) (i32.const 10)) "out of bounds memory access")
(assert_return (invoke "load" (i32.const 65528)) (i32.const 8))
(assert_return (invoke "loop_form" (i32.const 200) (i32.const 10)) (i32.const 0))
(assert_return (invoke "load" (i32.const 200)) (i32.const 10))
(assert_trap (invoke "promoted" (i32.const 16) (i32.const 65524)) "out of bounds memory access")
(assert_return (invoke "load" (i32.const 16)) (i32.const 4))
