// The bytecode builder's output: operand fusion, destination patching, compare-and-branch,
// branch moves, frame layout.
#include <gtest/gtest.h>

#include <algorithm>

#include "builder_test_util.h"

namespace strata::interp_test {
namespace {

using Names = std::vector<std::string>;

TEST(Builder, LoopBecomesTwoInstructions) {
  // local.get operands disappear, the constant becomes an immediate, local.set/tee patch the
  // destination and the comparison fuses with br_if.
  Compiled c(R"((module (func (param i32) (result i32) (local i32 i32)
      (loop $l
        local.get 1 local.get 2 i32.add local.set 1
        local.get 2 i32.const 1 i32.add local.tee 2
        local.get 0 i32.lt_s br_if $l)
      local.get 1)))");
  // local2 += 1 and the back edge's test of local2 are one increment-and-branch.
  EXPECT_EQ(c.names(0), (Names{"i32.add", "i32.add/Imm+i32.lt_s/BrIf", "Return64"}));
}

TEST(Builder, IfConditionFusesAndResultsMeetInTheirHome) {
  Compiled c(R"((module (func (param i64) (result i64)
      local.get 0 i64.eqz
      if (result i64) i64.const 1
      else local.get 0 local.get 0 i64.const 1 i64.sub call 0 i64.mul end)))");
  // The then arm writes its constant result and jumps over the else arm in one ConstBr.
  EXPECT_EQ(c.names(0), (Names{"i64.eqz/BrUnless", "ConstBr", "i64.sub/Imm", "Call", "i64.mul", "Return64"}));
}

TEST(Builder, EqzOfAComparisonBranchesOnTheComparison) {
  Compiled c(R"((module (func (param f64 f64) (result i32)
      (block (br_if 0 (i32.eqz (f64.lt (local.get 0) (local.get 1)))) (return (i32.const 1))) i32.const 0)))");
  // Not f64.ge: with a NaN operand both lt and ge are false.
  EXPECT_EQ(c.names(0)[0], "f64.lt/BrUnless");
}

TEST(Builder, LoadsAndGlobalsWriteLocalsDirectly) {
  Compiled c(R"((module (memory 1) (global $g (mut i32) (i32.const 0))
      (func (param i32) (local i32)
        local.get 0 i32.load offset=8 local.set 1
        global.get $g local.set 0
        local.get 1 local.get 0 i32.store)))");
  EXPECT_EQ(c.names(0), (Names{"I32U_G", "GlobalGet64", "S32_G", "Return"}));
}

TEST(Builder, ConstantAddressesAreImmediates) {
  Compiled c(R"((module (memory 1) (func (result i32)
      (i32.store offset=4 (i32.const 1024) (i32.const 7))
      (i32.load offset=8 (i32.const 1020)))))");
  EXPECT_EQ(c.names(0), (Names{"SI32_A", "I32U_A", "Return"}));  // loaded straight into slot 0
}

TEST(Builder, ConstantStoresCarryTheValue) {
  Compiled c(R"((module (memory 1) (func (param i32)
      (i64.store offset=8 (local.get 0) (i64.const -1))
      (i32.store8 (i32.add (local.get 0) (local.get 0)) (i32.const 7)))))");
  EXPECT_EQ(c.names(0), (Names{"SI64_G", "SI8_X", "Return"}));
}

TEST(Builder, ExplicitBoundsAndMemory64SelectTheirModes) {
  vm::CompileOptions explicit_checks;
  explicit_checks.bounds = vm::BoundsChecks::Explicit;
  Compiled c(R"((module (memory 1) (func (param i32) (result i32) local.get 0 i32.load8_s)))", explicit_checks);
  EXPECT_EQ(c.names(0)[0], "I8S_E");
  Compiled w(R"((module (memory i64 1) (func (param i64) (result i64) local.get 0 i64.load)))");
  EXPECT_EQ(w.names(0)[0], "I64_W");
}

TEST(Builder, PendingLocalReadsSurviveWrites) {
  // The first local.get 0 is still pending when local 0 is written: it must be copied first.
  Compiled c(R"((module (func (param i32) (result i32)
      local.get 0 i32.const 5 local.set 0 local.get 0 i32.add)))");
  EXPECT_EQ(c.names(0), (Names{"Copy64", "Const64", "i32.add", "Return64"}));
}

TEST(Builder, BranchTableStubsMoveValuesOnlyWhereNeeded) {
  Compiled c(R"((module (func (param i32) (result i32)
      (block (result i32) (block (result i32) local.get 0 local.get 0 br_table 0 1 1) i32.const 1 i32.add))))");
  Names n = c.names(0);
  ASSERT_FALSE(n.empty());
  EXPECT_EQ(n[0], "BrTable");
  // One stub per distinct label: copy + jump twice.
  EXPECT_EQ(std::count(n.begin(), n.end(), "Br"), 2);
}

TEST(Builder, ConstantsInLoopsComeFromThePool) {
  Compiled c(R"((module (memory 1) (func (param i32)
      (loop $l
        (i32.store (local.get 0) (i32.sub (i32.const 100) (local.get 0)))
        (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))))))");
  // The 100, a left operand, is written once on entry; the 1 is an immediate.
  EXPECT_EQ(c.names(0), (Names{"InitPool", "i32.sub", "S32_G", "i32.sub/Imm", "BrIf", "Return"}));
}

TEST(Builder, SuperinstructionsJoinListedPairs) {
  Compiled c(R"((module
    (func (param i32 i32) (result i32) (i32.rotl (i32.xor (local.get 0) (local.get 1)) (i32.const 16)))
    (func (param i32 i32) (result i32) (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2))))
    (func (param i32 i32) (result i32) (i32.sub (i32.xor (local.get 0) (local.get 1)) (i32.const 16)))))");
  EXPECT_EQ(c.names(0), (Names{"i32.xor+i32.rotl/Imm@0", "Return64"}));
  EXPECT_EQ(c.names(1), (Names{"i32.shl/Imm+i32.add@1", "Return64"}));
  EXPECT_EQ(c.names(2), (Names{"i32.xor", "i32.sub/Imm", "Return64"}));  // not a listed pair
}

TEST(Builder, WhileLoopsTestAtTheBottom) {
  Compiled c(R"((module (func (param i32) (result i32) (local i32)
      (block (loop
        (br_if 1 (i32.ge_s (local.get 1) (local.get 0)))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br 0)))
      local.get 1)))");
  // The back edge repeats the exit test negated: one branch per iteration.
  EXPECT_EQ(c.names(0), (Names{"i32.ge_s/BrIf", "i32.add/Imm", "i32.ge_s/BrUnless", "Br", "Return64"}));
}

TEST(Builder, ArrayIndexingInTheAccess) {
  Compiled c(R"((module (memory 1)
    (func (param i32 i32) (result i32) (i32.load offset=4 (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2)))))
    (func (param i32 i32 i64) (i64.store (i32.add (local.get 0) (local.get 1)) (local.get 2)))))");
  EXPECT_EQ(c.names(0), (Names{"I32U_X", "Return64"}));
  EXPECT_EQ(c.names(1), (Names{"S64_X", "Return"}));
  vm::CompileOptions explicit_checks;
  explicit_checks.bounds = vm::BoundsChecks::Explicit;
  Compiled e(R"((module (memory 1)
    (func (param i32 i32) (result i32) (i32.load (i32.add (local.get 0) (local.get 1))))))", explicit_checks);
  EXPECT_EQ(e.names(0), (Names{"i32.add", "I32U_E", "Return64"}));
}

TEST(Builder, AddedConstantInTheAccess) {
  // base + k computed by i32.add (it may wrap, so LLVM leaves it out of the offset): K mode.
  Compiled c(R"((module (memory 1)
    (func (param i32) (result i32) (i32.load offset=4 (i32.add (local.get 0) (i32.const -8))))
    (func (param i32) (i64.store (i32.add (local.get 0) (i32.const 16)) (i64.const 5)))
    (func (param i32) (result i32) (local.tee 0 (i32.add (local.get 0) (i32.const 4))) (i32.load))))");
  EXPECT_EQ(c.names(0), (Names{"I32U_K", "Return64"}));
  EXPECT_EQ(c.names(1), (Names{"SI64_K", "Return"}));
  Compiled s(R"((module (memory 1)
    (func (param i32) (result i32) (i32.load offset=4 (i32.add (i32.shl (local.get 0) (i32.const 2)) (i32.const 3776))))
    (func (param i32) (i32.store8 (i32.add (i32.shl (local.get 0) (i32.const 0)) (i32.const 100)) (i32.const 7)))))");
  EXPECT_EQ(s.names(0), (Names{"I32U_S", "Return64"}));  // a static array: (i << 2) + k
  EXPECT_EQ(s.names(1), (Names{"SI8_S", "Return"}));
  // The sum is also kept in a local: the add stays, the access reads the local.
  EXPECT_EQ(c.names(2), (Names{"i32.add/Imm", "I32U_G", "Return64"}));
}

TEST(Builder, SwitchOnALoadedValue) {
  Compiled c(R"((module (memory 1) (func (param i32) (result i32)
      (block (block (br_table 0 1 (i32.load offset=8 (local.get 0)))) (return (i32.const 1)))
      i32.const 2)))");
  EXPECT_EQ(c.names(0), (Names{"BrTableG", "Const64", "Return", "Const64", "Return"}));
}

TEST(Builder, IncrementAndBranchNeedsNoLabelBetween) {
  // The block's end binds a label between the increment and the test: a branch there skips
  // the increment, so the two must stay separate instructions.
  Compiled c(R"((module (func (param i32 i32) (result i32) (local i32)
      (loop $l
        (block $b
          (br_if $b (local.get 1))
          (local.set 2 (i32.add (local.get 2) (i32.const 1))))
        (br_if $l (i32.lt_s (local.get 2) (local.get 0))))
      local.get 2)))");
  EXPECT_EQ(c.names(0), (Names{"BrIf", "i32.add/Imm", "i32.lt_s/BrIf", "Return64"}));
}

TEST(Builder, ArgumentMovesPair) {
  Compiled c(R"((module
    (func $f (param i32 i32 i32) (result i32) (local i32)
      (call $f (local.get 3) (local.get 0) (local.get 1)))))");
  // Three arguments from locals to the call's slots: two moves in one instruction, the third
  // carried by the call.
  EXPECT_EQ(c.names(0), (Names{"Copy2", "CallM", "Return64"}));
}

TEST(Builder, ArithmeticPairs) {
  Compiled c(R"((module
    (func (param i32) (result i32) (i32.add (i32.mul (local.get 0) (i32.const 3877)) (i32.const 29573)))
    (func (param f64 f64 f64) (result f64) (f64.add (local.get 2) (f64.mul (local.get 0) (local.get 1))))
    (func (param i64) (result i64) (i64.xor (local.get 0) (i64.shr_u (local.get 0) (i64.const 33))))))");
  EXPECT_EQ(c.names(0), (Names{"i32.mul/Imm+i32.add/Imm@0", "Return64"}));
  EXPECT_EQ(c.names(1), (Names{"f64.mul+f64.add@1", "Return64"}));
  EXPECT_EQ(c.names(2), (Names{"i64.shr_u/Imm+i64.xor@1", "Return64"}));
  Compiled k(R"((module (func (param i64 i64 i64) (result i64)
      (i64.xor (local.get 2) (i64.rotl (i64.add (local.get 0) (local.get 1)) (i64.const 32))))))");
  EXPECT_EQ(k.names(0), (Names{"i64.add", "i64.rotl/Imm+i64.xor@1", "Return64"}));
}

TEST(Builder, DeadCodeEmitsNothing) {
  Compiled c(R"((module (func (result i32)
      i32.const 1 return
      (block (loop (br 0))) i32.const 2 i32.const 3 i32.add)))");
  EXPECT_EQ(c.names(0), (Names{"Const64", "Return"}));
}

TEST(Builder, InterruptionChecksAtEntryAndLoops) {
  vm::CompileOptions o;
  o.epoch_interruption = true;
  o.consume_fuel = true;
  Compiled c(R"((module (func (loop (br 0)))))", o);
  EXPECT_EQ(c.names(0), (Names{"CheckEpoch", "CheckFuel", "CheckEpoch", "CheckFuel", "Br"}));
}

// GC rows were the last Unsupported group (builder.cc unsupportedFeature): they compile now.
TEST(Builder, GcInstructionsCompile) {
  vm::CompileOptions o;
  Compiled c(R"((module (type $s (struct (field i32)))
    (func (param eqref eqref) (result i32) local.get 0 local.get 1 ref.eq)
    (func (result i32) (struct.get $s 0 (struct.new $s (i32.const 7))))))", o);
  EXPECT_TRUE(c.ok()) << c.error().describe();
}

}  // namespace
}  // namespace strata::interp_test
