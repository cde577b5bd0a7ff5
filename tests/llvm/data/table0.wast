;; Table 0 through VMContext::table0 (src/vm/abi.h): call_indirect, table.get and table.set on
;; table 0 read the table's length and elements from the VMTable it points at, so an imported
;; table grown by its exporter, or by the importer itself, is seen at once by both; a second
;; table still goes through the tables array. Runs on every tier (tests/llvm/CMakeLists.txt).

(module $A
  (table $t (export "t") 2 funcref)
  (func $seven (result i32) (i32.const 7))
  (func $eight (result i32) (i32.const 8))
  (elem (table $t) (i32.const 0) func $seven)
  ;; Grows the shared table by n (null entries), then puts $eight in its last slot.
  (func (export "grow") (param $n i32) (result i32)
    (local $old i32)
    (local.set $old (table.grow $t (ref.null func) (local.get $n)))
    (table.set $t (i32.sub (table.size $t) (i32.const 1)) (ref.func $eight))
    (local.get $old))
  (func (export "size") (result i32) (table.size $t))
  (elem declare func $eight))
(register "A" $A)

(module $B
  (import "A" "t" (table $t 1 funcref))
  (table $own 3 funcref)
  (type $r (func (result i32)))
  (func $nine (result i32) (i32.const 9))
  (func $ten (result i32) (i32.const 10))
  (elem (table $own) (i32.const 2) func $ten)
  (elem declare func $nine)
  (func (export "call0") (param i32) (result i32) (call_indirect $t (type $r) (local.get 0)))
  (func (export "call1") (param i32) (result i32) (call_indirect $own (type $r) (local.get 0)))
  (func (export "null0") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
  (func (export "set0") (param i32) (table.set $t (local.get 0) (ref.func $nine)))
  (func (export "grow0") (param i32) (result i32) (table.grow $t (ref.func $nine) (local.get 0)))
  ;; A loop of calls through table 0, so that the optimizing tier may keep the table's address
  ;; across iterations: the length and elements must still be read at every call.
  (func (export "sum0") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s) (call_indirect $t (type $r) (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $s)))

(assert_return (invoke "call0" (i32.const 0)) (i32.const 7))
(assert_trap (invoke "call0" (i32.const 1)) "uninitialized element")
(assert_trap (invoke "call0" (i32.const 2)) "undefined element")
(assert_return (invoke "call1" (i32.const 2)) (i32.const 10))
(assert_trap (invoke "call1" (i32.const 0)) "uninitialized element")
(assert_trap (invoke "call1" (i32.const 3)) "undefined element")
(assert_return (invoke "null0" (i32.const 1)) (i32.const 1))
(assert_trap (invoke "null0" (i32.const 2)) "out of bounds table access")

;; The exporter grows the table to 5 and fills slot 4: the importer sees the new length.
(assert_return (invoke $A "grow" (i32.const 3)) (i32.const 2))
(assert_return (invoke "call0" (i32.const 4)) (i32.const 8))
(assert_trap (invoke "call0" (i32.const 3)) "uninitialized element")
(assert_trap (invoke "call0" (i32.const 5)) "undefined element")
(assert_return (invoke "null0" (i32.const 4)) (i32.const 0))

;; The importer writes and grows it: the exporter sees the new size.
(invoke "set0" (i32.const 3))
(assert_return (invoke "call0" (i32.const 3)) (i32.const 9))
(assert_return (invoke "grow0" (i32.const 2)) (i32.const 5))
(assert_return (invoke $A "size") (i32.const 7))
(assert_return (invoke "call0" (i32.const 6)) (i32.const 9))
(assert_trap (invoke "call0" (i32.const 7)) "undefined element")
(assert_return (invoke "sum0" (i32.const 100)) (i32.const 700))
(assert_return (invoke "call1" (i32.const 2)) (i32.const 10))
