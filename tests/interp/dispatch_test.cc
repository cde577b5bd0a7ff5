// The dispatch loop end to end: control flow, calls, memory, tables and traps through the
// runtime's API on the interpreter tier.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "builder_test_util.h"
#include "interp_test_util.h"

namespace strata::interp_test {
namespace {

TEST(Dispatch, ConstantsAndArithmetic) {
  Instance1 m(R"((module
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
    (func (export "imm") (param i64) (result i64) local.get 0 i64.const 40 i64.sub)
    (func (export "k") (result f64) f64.const 2.5)))");
  EXPECT_EQ(m.i32("add", {Val::i32(2), Val::i32(40)}), 42);
  EXPECT_EQ(m.i64("imm", {Val::i64(2)}), -38);
  EXPECT_EQ(m.one("k").f64(), 2.5);
}

TEST(Dispatch, LoopsAndLocals) {
  Instance1 m(R"((module
    (func (export "sum") (param i32) (result i32) (local i32 i32)
      (loop $l
        local.get 1 local.get 2 i32.add local.set 1
        local.get 2 i32.const 1 i32.add local.tee 2
        local.get 0 i32.lt_s br_if $l)
      local.get 1)
    (func $fac (export "fac") (param i64) (result i64)
      local.get 0 i64.eqz
      if (result i64) i64.const 1
      else local.get 0 local.get 0 i64.const 1 i64.sub call $fac i64.mul end)))");
  EXPECT_EQ(m.i32("sum", {Val::i32(10)}), 45);
  EXPECT_EQ(m.i64("fac", {Val::i64(20)}), 2432902008176640000);
}

TEST(Dispatch, Traps) {
  Instance1 m(R"((module
    (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
    (func (export "unreachable") unreachable)
    (func $r (export "runaway") call $r)))");
  EXPECT_EQ(m.trap("div", {Val::i32(1), Val::i32(0)}).message(), "integer divide by zero");
  EXPECT_EQ(m.trap("div", {Val::i32(INT32_MIN), Val::i32(-1)}).message(), "integer overflow");
  EXPECT_EQ(m.trap("unreachable").message(), "unreachable");
  EXPECT_EQ(m.trap("runaway").message(), "call stack exhausted");
  EXPECT_EQ(m.i32("div", {Val::i32(7), Val::i32(2)}), 3);
}

TEST(Dispatch, LocalReadsAreNotAffectedByLaterWrites) {
  Instance1 m(R"((module
    (func (export "a") (param i32) (result i32)
      local.get 0 i32.const 5 local.set 0 local.get 0 i32.add)
    (func (export "b") (param i32 i32) (result i32)
      local.get 0
      (block (br_if 0 (local.get 1)) (local.set 0 (i32.const 99)))
      local.get 0 i32.sub)
    (func (export "tee") (param i32) (result i32)
      local.get 0 local.get 0 i32.const 1 i32.add local.tee 0 i32.mul)))");
  EXPECT_EQ(m.i32("a", {Val::i32(10)}), 15);
  EXPECT_EQ(m.i32("b", {Val::i32(10), Val::i32(1)}), 0);    // branch taken: local 0 unchanged
  EXPECT_EQ(m.i32("b", {Val::i32(10), Val::i32(0)}), -89);  // 10 - 99
  EXPECT_EQ(m.i32("tee", {Val::i32(6)}), 42);
}

TEST(Dispatch, RotatedLoops) {
  Instance1 m(R"((module
    (func (export "count") (param i32) (result i32) (local i32)
      (block (loop
        (br_if 1 (i32.ge_s (local.get 1) (local.get 0)))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br 0)))
      local.get 1)
    (func (export "nested") (param i32) (result i32) (local i32 i32 i32)
      (block (loop
        (br_if 1 (i32.eqz (i32.lt_u (local.get 1) (local.get 0))))
        (local.set 2 (i32.const 0))
        (block (loop
          (br_if 1 (i32.ge_u (local.get 2) (local.get 1)))
          (local.set 3 (i32.add (local.get 3) (i32.const 1)))
          (local.set 2 (i32.add (local.get 2) (i32.const 1)))
          (br 0)))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br 0)))
      local.get 3)))");
  EXPECT_EQ(m.i32("count", {Val::i32(1000)}), 1000);
  EXPECT_EQ(m.i32("count", {Val::i32(-5)}), 0);
  EXPECT_EQ(m.i32("nested", {Val::i32(10)}), 45);
}

TEST(Dispatch, IndexedAccessWrapsLikeTheAdd) {
  Instance1 m(R"((module (memory 1)
    (func (export "set") (param i32 i32 i32) (i32.store (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2))) (local.get 2)))
    (func (export "get") (param i32 i32) (result i32) (i32.load offset=8 (i32.add (local.get 0) (local.get 1))))))");
  ASSERT_TRUE(m.call("set", {Val::i32(100), Val::i32(3), Val::i32(77)}).has_value());
  EXPECT_EQ(m.i32("get", {Val::i32(100), Val::i32(4)}), 77);  // 100 + 4 + 8 = 112 = 100 + 3*4
  // The i32 sum wraps before the offset is added: (-16 + 16) + 8 = 8.
  ASSERT_TRUE(m.call("set", {Val::i32(8), Val::i32(0), Val::i32(5)}).has_value());
  EXPECT_EQ(m.i32("get", {Val::i32(-16), Val::i32(16)}), 5);
  // No wrap after the offset: 0xfffffff8 + 8 is 2^32, past the memory.
  EXPECT_EQ(m.trap("get", {Val::i32(-16), Val::i32(8)}).message(), "out of bounds memory access");
  EXPECT_EQ(m.trap("get", {Val::i32(65530), Val::i32(0)}).message(), "out of bounds memory access");
}

TEST(Dispatch, AddedConstantWrapsLikeTheAdd) {
  Instance1 m(R"((module (memory 1)
    (func (export "set") (param i32 i32) (i32.store (i32.add (local.get 0) (i32.const 12)) (local.get 1)))
    (func (export "get") (param i32) (result i32) (i32.load offset=4 (i32.add (local.get 0) (i32.const -8))))))");
  ASSERT_TRUE(m.call("set", {Val::i32(100), Val::i32(77)}).has_value());
  EXPECT_EQ(m.i32("get", {Val::i32(116)}), 77);  // 116 - 8 + 4 = 112 = 100 + 12
  // The i32 sum wraps before the offset is added: (4 - 8) mod 2^32 + 4 = 2^32, past the memory,
  // and (-4 + 12) = 8 is in bounds.
  EXPECT_EQ(m.trap("get", {Val::i32(4)}).message(), "out of bounds memory access");
  ASSERT_TRUE(m.call("set", {Val::i32(-4), Val::i32(5)}).has_value());
  EXPECT_EQ(m.i32("get", {Val::i32(12)}), 5);  // 12 - 8 + 4 = 8
  EXPECT_EQ(m.trap("set", {Val::i32(65530), Val::i32(1)}).message(), "out of bounds memory access");
}

TEST(Dispatch, IncrementAndBranchWrapsAndCounts) {
  Instance1 m(R"((module
    (func (export "wrap") (param i32) (result i32) (local i32)
      (loop $l
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (local.set 0 (i32.add (local.get 0) (i32.const 4)))
        (br_if $l (i32.ne (local.get 0) (i32.const 8))))
      local.get 1)
    (func (export "down") (param i32) (result i32) (local i32)
      (loop $l
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br_if $l (i32.gt_s (local.tee 0 (i32.add (local.get 0) (i32.const -3))) (i32.const 0))))
      local.get 1)))");
  EXPECT_EQ(m.i32("wrap", {Val::i32(-16)}), 6);  // 0xfffffff0 + 6 * 4 wraps to 8
  EXPECT_EQ(m.i32("wrap", {Val::i32(4)}), 1);
  EXPECT_EQ(m.i32("down", {Val::i32(10)}), 4);  // 7 4 1 -2
  EXPECT_EQ(m.i32("down", {Val::i32(-5)}), 1);
}

TEST(Dispatch, AddAndBranchForms) {
  const char* wat = R"((module
    (func (export "stride") (param i32 i32) (result i32) (local i32)
      (loop $l
        (local.set 2 (i32.add (local.get 2) (i32.const 1)))
        (br_if $l (i32.lt_u (local.tee 0 (i32.add (local.get 0) (local.get 1))) (i32.const 100))))
      local.get 2)
    (func (export "until0") (param i32) (result i32) (local i32)
      (loop $l
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br_if $l (local.tee 0 (i32.add (local.get 0) (i32.const 1)))))
      local.get 1)
    (func (export "temp") (param i32) (result i32)
      (if (result i32) (i32.gt_u (i32.add (local.get 0) (i32.const 5)) (i32.const 10))
        (then (i32.const 1)) (else (i32.const 0))))
    (func (export "upto") (param i32) (result i32) (local i32)
      (loop $l (br_if $l (i32.gt_s (local.get 0) (local.tee 1 (i32.add (local.get 1) (i32.const 1))))))
      local.get 1)))";
  Compiled c(wat);
  EXPECT_EQ(c.names(0)[1], "i32.add+i32.lt_u/BrIfImm");
  EXPECT_EQ(c.names(1)[1], "i32.add/Imm+i32.ne/BrIfImm");  // br_if on the sum: sum != 0
  EXPECT_EQ(c.names(2)[0], "i32.add/Imm+i32.gt_u/BrUnlessImm");
  EXPECT_EQ(c.names(3)[0], "i32.add/Imm+i32.lt_s/BrIf");  // n > i is i < n
  Instance1 m(wat);
  EXPECT_EQ(m.i32("stride", {Val::i32(0), Val::i32(7)}), 15);  // 7, 14, ..., 98, 105
  EXPECT_EQ(m.i32("stride", {Val::i32(-8), Val::i32(4)}), 1);  // -4 is 0xfffffffc: not below 100
  EXPECT_EQ(m.i32("until0", {Val::i32(-3)}), 3);
  EXPECT_EQ(m.i32("temp", {Val::i32(6)}), 1);
  EXPECT_EQ(m.i32("temp", {Val::i32(5)}), 0);
  EXPECT_EQ(m.i32("temp", {Val::i32(-6)}), 1);  // -1 as unsigned
  EXPECT_EQ(m.i32("upto", {Val::i32(5)}), 5);
  EXPECT_EQ(m.i32("upto", {Val::i32(-5)}), 1);
}

TEST(Dispatch, DivisionByAConstant) {
  const char* wat = R"((module
    (func (export "div") (param i32) (result i32) (i32.div_u (local.get 0) (i32.const 7)))
    (func (export "rem") (param i32) (result i32) (i32.rem_u (local.get 0) (i32.const 139968)))
    (func (export "pow2") (param i32) (result i32) (i32.rem_u (local.get 0) (i32.const 8)))))";
  Compiled c(wat);
  EXPECT_EQ(c.names(0)[0], "I32DivUConst");
  EXPECT_EQ(c.names(1)[0], "I32RemUConst");
  EXPECT_EQ(c.names(2)[0], "i32.rem_u/Imm");
  Instance1 m(wat);
  EXPECT_EQ(m.i32("div", {Val::i32(-1)}), int32_t(0xffffffffu / 7));
  EXPECT_EQ(m.i32("div", {Val::i32(6)}), 0);
  EXPECT_EQ(m.i32("rem", {Val::i32(-1)}), int32_t(0xffffffffu % 139968));
  EXPECT_EQ(m.i32("rem", {Val::i32(139968 * 3 + 5)}), 5);
  EXPECT_EQ(m.i32("pow2", {Val::i32(-3)}), 5);
}

TEST(Dispatch, MovesInOrder) {
  // Swapping through the branch values of a loop: the moves read what the earlier ones wrote
  // only in order; a Copy2 must keep that order.
  Instance1 m(R"((module
    (func $sub (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
    (func (export "args") (param i32 i32) (result i32) (call $sub (local.get 1) (local.get 0)))
    (type $bin (func (param i32 i32) (result i32)))
    (table 1 funcref) (elem (i32.const 0) $sub)
    (func (export "indirect") (param i32 i32 i32) (result i32)
      (call_indirect (type $bin) (local.get 1) (local.get 0) (local.get 2)))
    (func (export "fib") (param i32) (result i32) (local i32 i32 i32)
      (local.set 2 (i32.const 1))
      (block (loop
        (br_if 1 (i32.eqz (local.get 0)))
        (local.set 3 (local.get 1))
        (local.set 1 (local.get 2))
        (local.set 2 (i32.add (local.get 3) (local.get 2)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br 0)))
      local.get 1)))");
  EXPECT_EQ(m.i32("args", {Val::i32(10), Val::i32(3)}), -7);
  EXPECT_EQ(m.i32("indirect", {Val::i32(10), Val::i32(3), Val::i32(0)}), -7);
  EXPECT_EQ(m.trap("indirect", {Val::i32(10), Val::i32(3), Val::i32(1)}).message(), "undefined element");
  EXPECT_EQ(m.i32("fib", {Val::i32(10)}), 55);
}

TEST(Dispatch, ArithmeticPairsComputeLikeTheirParts) {
  Instance1 m(R"((module
    (func (export "lcg") (param i32) (result i32) (i32.rem_u (i32.add (i32.mul (local.get 0) (i32.const 3877)) (i32.const 29573)) (i32.const 139968)))
    (func (export "fma") (param f64 f64 f64) (result f64) (f64.sub (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
    (func (export "mix") (param i64) (result i64) (i64.mul (i64.xor (local.get 0) (i64.shr_u (local.get 0) (i64.const 33))) (i64.const -49064778989728563)))))");
  EXPECT_EQ(m.i32("lcg", {Val::i32(42)}), int32_t((42u * 3877u + 29573u) % 139968u));
  EXPECT_EQ(m.i32("lcg", {Val::i32(-1)}), int32_t((0xffffffffu * 3877u + 29573u) % 139968u));  // wraps
  // Two roundings, as the separate instructions (a fused multiply-add would give 2^-104 here).
  double a = 1.0 + 0x1p-52, b = 1.0 - 0x1p-53;
  EXPECT_EQ(m.one("fma", {Val::f64(a), Val::f64(b), Val::f64(a * b)}).f64(), 0.0);
  uint64_t x = 0x0123456789abcdefULL;
  EXPECT_EQ(uint64_t(m.i64("mix", {Val::i64(int64_t(x))})), (x ^ (x >> 33)) * 0xff51afd7ed558ccdULL);
}

TEST(Dispatch, StaticArrayElementsWrapLikeTheShlAndAdd) {
  Instance1 m(R"((module (memory 1)
    (func (export "set") (param i32 i32) (i32.store (i32.add (i32.shl (local.get 0) (i32.const 2)) (i32.const 1000)) (local.get 1)))
    (func (export "get") (param i32) (result i32) (i32.load offset=8 (i32.add (i32.shl (local.get 0) (i32.const 2)) (i32.const -8))))))");
  ASSERT_TRUE(m.call("set", {Val::i32(5), Val::i32(99)}).has_value());
  EXPECT_EQ(m.i32("get", {Val::i32(255)}), 99);  // 255*4 - 8 + 8 = 1020 = 5*4 + 1000
  // (0x40000000 << 2) wraps to 0, then + 1000: in bounds.
  ASSERT_TRUE(m.call("set", {Val::i32(0x40000000), Val::i32(7)}).has_value());
  EXPECT_EQ(m.i32("get", {Val::i32(250)}), 7);
  // 0 - 8 wraps to 0xfffffff8, + 8 is 2^32: out of bounds.
  EXPECT_EQ(m.trap("get", {Val::i32(0)}).message(), "out of bounds memory access");
}

TEST(Dispatch, ConstantAddresses) {
  Instance1 m(R"((module (memory 1)
    (func (export "rw") (result i32)
      (i32.store offset=4 (i32.const 1024) (i32.const 7))
      (i32.load offset=8 (i32.const 1020)))
    (func (export "far") (result i32) (i32.load offset=0xffffffff (i32.const 0xffffffff)))))");
  EXPECT_EQ(m.i32("rw"), 7);
  // The largest address plus the largest offset still faults inside the guard region.
  EXPECT_EQ(m.trap("far").message(), "out of bounds memory access");
}

TEST(Dispatch, ConstantStores) {
  const char* wat = R"((module (memory 1)
    (func (export "st") (param i32) (result i64)
      (i64.store (local.get 0) (i64.const 0x1122334455667788))
      (i32.store16 offset=2 (local.get 0) (i32.const 0xabcd))
      (i32.store8 (i32.add (local.get 0) (local.get 0)) (i32.const 0x99))
      (i64.load (local.get 0)))))";
  for (BoundsChecks b : {BoundsChecks::GuardPages, BoundsChecks::Explicit}) {
    Config config;
    config.bounds_checks = b;
    Instance1 m(wat, config);
    EXPECT_EQ(m.i64("st", {Val::i32(0)}), int64_t(0x11223344abcd7799ull));
    EXPECT_EQ(m.trap("st", {Val::i32(65530)}).message(), "out of bounds memory access");
  }
}

TEST(Dispatch, Superinstructions) {
  Instance1 m(R"((module
    (func (export "qr") (param i32 i32) (result i32) (i32.rotl (i32.xor (local.get 0) (local.get 1)) (i32.const 16)))
    (func (export "addr") (param i32 i32) (result i32) (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2))))
    (func (export "mac") (param i64 i64 i64) (result i64) (i64.add (local.get 2) (i64.mul (local.get 0) (local.get 1))))
    (func (export "carry") (param i64) (result i64) (i64.shr_u (i64.add (local.get 0) (i64.const 1)) (i64.const 60)))))");
  EXPECT_EQ(m.i32("qr", {Val::i32(0x12340000), Val::i32(0x5678)}), 0x56781234);
  EXPECT_EQ(m.i32("addr", {Val::i32(100), Val::i32(3)}), 112);
  EXPECT_EQ(m.i64("mac", {Val::i64(-3), Val::i64(5), Val::i64(1)}), -14);
  EXPECT_EQ(m.i64("carry", {Val::i64(-1)}), 0);
  EXPECT_EQ(m.i64("carry", {Val::i64(0x0fffffffffffffffll)}), 1);
}

TEST(Dispatch, ConstantPool) {
  Instance1 m(R"((module (memory 1)
    (func (export "fill") (param i32) (result i32)
      (loop $l
        (i64.store (local.get 0) (i64.const 0x1122334455667788))
        (i32.store8 offset=4 (local.get 0) (i32.const 255))
        (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 8)))))
      (i32.add (i32.load (i32.const 8)) (i32.load (i32.const 12))))))");
  EXPECT_EQ(m.i32("fill", {Val::i32(64)}), int32_t(0x55667788u + 0x112233ffu));
}

TEST(Dispatch, NegatedComparisonsHandleNaN) {
  Instance1 m(R"((module (func (export "notLess") (param f64 f64) (result i32)
      (block (br_if 0 (i32.eqz (f64.lt (local.get 0) (local.get 1)))) (return (i32.const 0))) i32.const 1)))");
  EXPECT_EQ(m.i32("notLess", {Val::f64(1), Val::f64(2)}), 0);
  EXPECT_EQ(m.i32("notLess", {Val::f64(2), Val::f64(1)}), 1);
  EXPECT_EQ(m.i32("notLess", {Val::f64(NAN), Val::f64(1)}), 1);
}

TEST(Dispatch, MultiValueBlocksAndBranches) {
  Instance1 m(R"((module
    (func (export "swap") (param i32 i32) (result i32 i32) local.get 1 local.get 0)
    (func (export "pick") (param i32) (result i32)
      (block (result i32 i32)
        i32.const 1 i32.const 2
        local.get 0 br_if 0
        drop drop i32.const 3 i32.const 4)
      i32.sub)
    (func (export "loopParams") (param i32) (result i32)
      local.get 0 i32.const 0
      (loop (param i32 i32) (result i32)
        ;; (n, acc) -> (n-1, acc+n) until n = 0
        (local.set 0) local.tee 0 local.get 0 i32.eqz
        if (param i32) (result i32) drop local.get 0 return end
        drop local.get 0 i32.const 0 return))
    (func (export "ifParams") (param i32 i32) (result i32)
      local.get 0 local.get 1 if (param i32) (result i32) i32.const 10 i32.add end)))");
  auto r = m.call("swap", {Val::i32(1), Val::i32(2)});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)[0].i32(), 2);
  EXPECT_EQ((*r)[1].i32(), 1);
  EXPECT_EQ(m.i32("pick", {Val::i32(1)}), -1);
  EXPECT_EQ(m.i32("pick", {Val::i32(0)}), -1);
  EXPECT_EQ(m.i32("ifParams", {Val::i32(5), Val::i32(1)}), 15);
  EXPECT_EQ(m.i32("ifParams", {Val::i32(5), Val::i32(0)}), 5);
}

TEST(Dispatch, TailCallsRunInConstantStack) {
  Instance1 m(R"((module
    (func $even (export "even") (param i64) (result i32)
      local.get 0 i64.eqz if (result i32) i32.const 1 else local.get 0 i64.const 1 i64.sub return_call $odd end)
    (func $odd (param i64) (result i32)
      local.get 0 i64.eqz if (result i32) i32.const 0 else local.get 0 i64.const 1 i64.sub return_call $even end)))");
  EXPECT_EQ(m.i32("even", {Val::i64(1000000)}), 1);
  EXPECT_EQ(m.i32("even", {Val::i64(1000001)}), 0);
}

TEST(Dispatch, Memory64) {
  Instance1 m(R"((module (memory i64 1)
    (func (export "rw") (param i64 i64) (result i64) local.get 0 local.get 1 i64.store local.get 0 i64.load)
    (func (export "grow") (result i64) i64.const 1 memory.grow)))");
  EXPECT_EQ(m.i64("rw", {Val::i64(65528), Val::i64(-3)}), -3);
  EXPECT_EQ(m.trap("rw", {Val::i64(65529), Val::i64(1)}).message(), "out of bounds memory access");
  EXPECT_EQ(m.trap("rw", {Val::i64(-8), Val::i64(1)}).message(), "out of bounds memory access");
  EXPECT_EQ(m.i64("grow"), 1);
  EXPECT_EQ(m.i64("rw", {Val::i64(65529), Val::i64(7)}), 7);
}

TEST(Dispatch, SimdThroughSlots) {
  Instance1 m(R"((module (memory 1)
    (func (export "dot") (param i32) (result i32) (local v128)
      (local.tee 1 (i32x4.mul (i32x4.splat (local.get 0)) (v128.const i32x4 1 2 3 4)))
      (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get 1) (local.get 1))
      i32x4.add
      i32x4.extract_lane 2)
    (func (export "mem") (result i32)
      (v128.store (i32.const 16) (v128.const i64x2 5 6))
      i32.const 0 i32.const 16 v128.load64_splat i64x2.extract_lane 1 i64.store
      i32.const 0 i32.load)))");
  EXPECT_EQ(m.i32("dot", {Val::i32(10)}), 70);  // lanes 2 and 3: 30 + 40
  EXPECT_EQ(m.i32("mem"), 5);
}

TEST(Dispatch, AtomicsOnOneThread) {
  Config config;
  config.features = ir::Features::all();
  config.features.set(ir::Feature::Threads, true);
  Instance1 m(R"((module (memory 1 1 shared)
    (func (export "rmw") (param i32) (result i32)
      (drop (i32.atomic.rmw8.add_u (local.get 0) (i32.const 0x1ff)))  ;; adds 0xff to the byte
      (i32.atomic.load (local.get 0)))
    (func (export "cas") (param i64 i64) (result i64)
      (drop (i64.atomic.rmw.cmpxchg (i32.const 8) (local.get 0) (local.get 1)))
      (i64.atomic.load (i32.const 8)))
    (func (export "wait") (param i32) (result i32) (memory.atomic.wait32 (i32.const 0) (local.get 0) (i64.const 0)))))",
              config);
  EXPECT_EQ(m.i32("rmw", {Val::i32(4)}), 0xff);
  EXPECT_EQ(m.i32("rmw", {Val::i32(4)}), 0xfe);  // 0xff + 0xff wraps in the byte
  EXPECT_EQ(m.trap("rmw", {Val::i32(5)}).message(), "unaligned atomic");
  EXPECT_EQ(m.trap("rmw", {Val::i32(65536)}).message(), "out of bounds memory access");
  EXPECT_EQ(m.i64("cas", {Val::i64(1), Val::i64(5)}), 0);  // expected 1, found 0: unchanged
  EXPECT_EQ(m.i64("cas", {Val::i64(0), Val::i64(5)}), 5);
  EXPECT_EQ(m.i32("wait", {Val::i32(7)}), 1);  // not-equal
  EXPECT_EQ(m.i32("wait", {Val::i32(0)}), 2);  // timed out: no thread can notify
}

TEST(Dispatch, LargeModulesCompileInParallel) {
  // Enough functions for the compiler to split them among threads; each calls the previous.
  std::string wat = "(module (func (result i32) i32.const 0)";
  for (int i = 1; i < 600; ++i)
    wat += " (func (result i32) call " + std::to_string(i - 1) + " i32.const 1 i32.add)";
  wat += " (export \"last\" (func 599)))";
  Instance1 m(wat);
  EXPECT_EQ(m.i32("last"), 599);
}

TEST(Dispatch, FuelAndEpochInterrupt) {
  Config fuel;
  fuel.consume_fuel = true;
  Instance1 m(R"((module (func (export "spin") (loop (br 0)))))", fuel);
  m.store().setFuel(10000);
  EXPECT_EQ(m.trap("spin").message(), "all fuel consumed by WebAssembly");
  Config epoch;
  epoch.epoch_interruption = true;
  Instance1 e(R"((module (func (export "spin") (loop (br 0)))))", epoch);
  e.store().setEpochDeadline(0);
  EXPECT_EQ(e.trap("spin").message(), "interrupt");
}

TEST(Dispatch, NanCanonicalization) {
  const char* wat = R"((module (func (export "div") (param f32) (result f32) local.get 0 local.get 0 f32.div)
    (func (export "neg") (param f32) (result f32) local.get 0 f32.neg)))";
  Config canon;
  canon.nan_canonicalization = true;
  Instance1 m(wat, canon);
  EXPECT_EQ(m.one("div", {Val::f32Bits(0x7fa00001u)}).f32Bits(), 0x7fc00000u);
  EXPECT_EQ(m.one("div", {Val::f32(0.0f)}).f32Bits(), 0x7fc00000u);
  EXPECT_EQ(m.one("neg", {Val::f32Bits(0x7fa00001u)}).f32Bits(), 0xffa00001u);  // not arithmetic
  EXPECT_EQ(m.one("div", {Val::f32(3.0f)}).f32(), 1.0f);
}

}  // namespace
}  // namespace strata::interp_test
