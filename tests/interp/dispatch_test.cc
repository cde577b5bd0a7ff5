// The dispatch loop end to end: control flow, calls, memory, tables and traps through the
// runtime's API on the interpreter tier.
#include <gtest/gtest.h>

#include "interp_test_util.h"

namespace strata::interp_test {
namespace {

TEST(Dispatch, ConstantsAndArithmetic) {
  Instance1 m(R"((module
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
    (func (export "imm") (param i64) (result i64) local.get 0 i64.const 40 i64.sub)
    (func (export "k") (result f64) f64.const 2.5))");
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
      else local.get 0 local.get 0 i64.const 1 i64.sub call $fac i64.mul end))");
  EXPECT_EQ(m.i32("sum", {Val::i32(10)}), 45);
  EXPECT_EQ(m.i64("fac", {Val::i64(20)}), 2432902008176640000);
}

TEST(Dispatch, Traps) {
  Instance1 m(R"((module
    (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
    (func (export "unreachable") unreachable)
    (func $r (export "runaway") call $r))");
  EXPECT_EQ(m.trap("div", {Val::i32(1), Val::i32(0)}).message(), "integer divide by zero");
  EXPECT_EQ(m.trap("div", {Val::i32(INT32_MIN), Val::i32(-1)}).message(), "integer overflow");
  EXPECT_EQ(m.trap("unreachable").message(), "unreachable");
  EXPECT_EQ(m.trap("runaway").message(), "call stack exhausted");
  EXPECT_EQ(m.i32("div", {Val::i32(7), Val::i32(2)}), 3);
}

}  // namespace
}  // namespace strata::interp_test
