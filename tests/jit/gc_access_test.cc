// Struct fields and array elements as the baseline tier reads and writes them inline
// (src/jit/codegen_gc.cc: the layout of vm/gc.h, null and bounds checks in line) against the
// interpreter, which goes through vm/gc_ops: every storage type, packed reads signed and
// unsigned, packed writes wrapping, operands from constants, locals and other instructions,
// and the traps in the spec's order (null before bounds). Results, traps with backtraces and
// the fuel left are compared (jit_test_util.h).
#include <string>

#include "jit_test_util.h"

namespace strata::jit_test {
namespace {

constexpr const char* kAccess = R"((module
  (type $s (struct (field (mut i8)) (field (mut i16)) (field (mut i32)) (field (mut i64))
                   (field (mut f32)) (field (mut f64)) (field (mut v128)) (field (mut anyref))
                   (field (mut i8))))
  (type $a8 (array (mut i8)))
  (type $a16 (array (mut i16)))
  (type $a32 (array (mut i32)))
  (type $a64 (array (mut i64)))
  (type $af (array (mut f64)))
  (type $ar (array (mut (ref null $s))))
  (type $av (array (mut v128)))

  (func $make (param $x i32) (result (ref $s))
    (struct.new $s (local.get $x) (local.get $x) (local.get $x) (i64.extend_i32_s (local.get $x))
      (f32.convert_i32_s (local.get $x)) (f64.convert_i32_s (local.get $x)) (i32x4.splat (local.get $x))
      (ref.i31 (local.get $x)) (i32.const -1)))

  ;; every field read back, packed ones both ways, folded into one checksum
  (func (export "fields") (param $x i32) (result i64)
    (local $o (ref $s))
    (local.set $o (call $make (local.get $x)))
    (i64.add
      (i64.add
        (i64.extend_i32_u (i32.add (struct.get_s $s 0 (local.get $o)) (i32.mul (struct.get_u $s 0 (local.get $o)) (i32.const 3))))
        (i64.extend_i32_u (i32.add (struct.get_s $s 1 (local.get $o)) (i32.mul (struct.get_u $s 1 (local.get $o)) (i32.const 5)))))
      (i64.add
        (i64.add (i64.extend_i32_u (struct.get $s 2 (local.get $o))) (struct.get $s 3 (local.get $o)))
        (i64.add
          (i64.add (i64.trunc_f32_s (struct.get $s 4 (local.get $o))) (i64.trunc_f64_s (struct.get $s 5 (local.get $o))))
          (i64.add
            (i64.extend_i32_s (i32x4.extract_lane 3 (struct.get $s 6 (local.get $o))))
            (i64.add (i64.extend_i32_s (i31.get_s (ref.cast (ref i31) (struct.get $s 7 (local.get $o)))))
                     (i64.extend_i32_u (struct.get_u $s 8 (local.get $o)))))))))

  ;; writes: packed ones wrap; the value from a constant, a local, an expression
  (func (export "writes") (param $x i32) (result i64)
    (local $o (ref $s))
    (local.set $o (call $make (i32.const 0)))
    (struct.set $s 0 (local.get $o) (i32.const 0x1fe))
    (struct.set $s 1 (local.get $o) (i32.add (local.get $x) (i32.const 0x10000)))
    (struct.set $s 2 (local.get $o) (local.get $x))
    (struct.set $s 3 (local.get $o) (i64.const -7))
    (struct.set $s 4 (local.get $o) (f32.const 2.5))
    (struct.set $s 5 (local.get $o) (f64.convert_i32_s (local.get $x)))
    (struct.set $s 6 (local.get $o) (i32x4.splat (i32.const 9)))
    (struct.set $s 7 (local.get $o) (ref.null any))
    (i64.add
      (i64.add (i64.extend_i32_u (struct.get_u $s 0 (local.get $o))) (i64.extend_i32_s (struct.get_s $s 1 (local.get $o))))
      (i64.add
        (i64.add (i64.extend_i32_u (struct.get $s 2 (local.get $o))) (struct.get $s 3 (local.get $o)))
        (i64.add
          (i64.add (i64.trunc_f32_s (struct.get $s 4 (local.get $o))) (i64.trunc_f64_s (struct.get $s 5 (local.get $o))))
          (i64.add (i64.extend_i32_u (i32x4.extract_lane 1 (struct.get $s 6 (local.get $o))))
                   (i64.extend_i32_u (ref.is_null (struct.get $s 7 (local.get $o)))))))))

  (func (export "null_get") (result i32) (struct.get $s 2 (ref.null $s)))
  (func (export "null_set") (struct.set $s 3 (ref.null $s) (i64.const 1)))

  ;; arrays of every element size: a loop writes, another sums (packed read both ways)
  (func (export "arrays") (param $n i32) (result i64)
    (local $i i32) (local $sum i64)
    (local $b (ref $a8)) (local $h (ref $a16)) (local $w (ref $a32)) (local $q (ref $a64)) (local $d (ref $af))
    (local.set $b (array.new_default $a8 (local.get $n)))
    (local.set $h (array.new_default $a16 (local.get $n)))
    (local.set $w (array.new_default $a32 (local.get $n)))
    (local.set $q (array.new_default $a64 (local.get $n)))
    (local.set $d (array.new_default $af (local.get $n)))
    (loop $l
      (array.set $a8 (local.get $b) (local.get $i) (i32.mul (local.get $i) (i32.const 37)))
      (array.set $a16 (local.get $h) (local.get $i) (i32.mul (local.get $i) (i32.const 4099)))
      (array.set $a32 (local.get $w) (local.get $i) (i32.sub (i32.const 0) (local.get $i)))
      (array.set $a64 (local.get $q) (local.get $i) (i64.shl (i64.extend_i32_u (local.get $i)) (i64.const 33)))
      (array.set $af (local.get $d) (local.get $i) (f64.div (f64.convert_i32_u (local.get $i)) (f64.const 4)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.set $i (i32.const 0))
    (loop $l
      (local.set $sum (i64.add (local.get $sum)
        (i64.add
          (i64.add (i64.extend_i32_s (array.get_s $a8 (local.get $b) (local.get $i)))
                   (i64.extend_i32_u (array.get_u $a8 (local.get $b) (local.get $i))))
          (i64.add
            (i64.add (i64.extend_i32_s (array.get_s $a16 (local.get $h) (local.get $i)))
                     (i64.extend_i32_u (array.get_u $a16 (local.get $h) (local.get $i))))
            (i64.add
              (i64.add (i64.extend_i32_s (array.get $a32 (local.get $w) (local.get $i)))
                       (i64.shr_u (array.get $a64 (local.get $q) (local.get $i)) (i64.const 20)))
              (i64.trunc_f64_s (array.get $af (local.get $d) (local.get $i))))))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (array.len (local.get $w)))))
    (local.get $sum))

  ;; references and v128 elements (the latter through the thunk)
  (func (export "refs") (param $n i32) (result i32)
    (local $r (ref $ar)) (local $v (ref $av)) (local $i i32) (local $sum i32)
    (local.set $r (array.new_default $ar (local.get $n)))
    (local.set $v (array.new_default $av (local.get $n)))
    (loop $l
      (array.set $ar (local.get $r) (local.get $i) (call $make (local.get $i)))
      (array.set $av (local.get $v) (local.get $i) (i32x4.splat (local.get $i)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.set $i (i32.const 0))
    (loop $l
      (local.set $sum (i32.add (local.get $sum)
        (i32.add (struct.get $s 2 (array.get $ar (local.get $r) (local.get $i)))
                 (i32x4.extract_lane 0 (array.get $av (local.get $v) (local.get $i))))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $sum))

  (func (export "bounds") (param $i i32) (result i32) (array.get $a32 (array.new $a32 (i32.const 5) (i32.const 3)) (local.get $i)))
  (func (export "bounds_set") (param $i i32) (array.set $a8 (array.new_default $a8 (i32.const 3)) (local.get $i) (i32.const 1)))
  (func (export "null_array") (param $i i32) (result i32) (array.get $a32 (ref.null $a32) (local.get $i)))
  (func (export "null_len") (result i32) (array.len (ref.null $a64)))
))";

TEST(JitGcAccess, FieldsAndElementsLikeTheInterpreter) {
  REQUIRE_BASELINE();
  for (bool fuel : {false, true}) {
    Both m(kAccess, withFuel(fuel));
    for (int32_t x : {0, 1, -1, 127, 128, 255, 0x7fff, 0x8000, -0x10000, 123456789}) {
      m.ok("fields", {i32(x)});
      m.ok("writes", {i32(x)});
    }
    m.trap("null_get", {}, TrapKind::NullStructReference);
    m.trap("null_set", {}, TrapKind::NullStructReference);
    for (int32_t n : {1, 7, 300}) {
      m.ok("arrays", {i32(n)});
      m.ok("refs", {i32(n)});
    }
    EXPECT_EQ(m.ok("bounds", {i32(2)})[0].i32(), 5);
    m.trap("bounds", {i32(3)}, TrapKind::ArrayOutOfBounds);
    m.trap("bounds", {i32(-1)}, TrapKind::ArrayOutOfBounds);
    m.trap("bounds_set", {i32(3)}, TrapKind::ArrayOutOfBounds);
    m.trap("null_array", {i32(100)}, TrapKind::NullArrayReference);
    m.trap("null_len", {}, TrapKind::NullArrayReference);
  }
}

}  // namespace
}  // namespace strata::jit_test
