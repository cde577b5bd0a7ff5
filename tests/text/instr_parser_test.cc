// Tests for instructions: plain and folded forms, blocks and labels, immediates of every kind,
// written as binary bodies (spec 6.5 -> 5.4). Expected bytes carry a comment each.
#include <gtest/gtest.h>

#include "text_test_util.h"

namespace strata::text {
namespace {

using testing::body;
using testing::bytes;
using testing::parseError;
using testing::parseOk;

TEST(InstrParser, FoldedOperandsComeFirst) {
  auto m = parseOk("(func (result i32) (i32.add (i32.const 1) (i32.const 2)))");
  EXPECT_EQ(body(m, 0), bytes({
                            0x00,        // no locals
                            0x41, 0x01,  // i32.const 1
                            0x41, 0x02,  // i32.const 2
                            0x6a,        // i32.add
                            0x0b,        // end
                        }));
}

TEST(InstrParser, LocalsAreGroupedInRuns) {
  auto m = parseOk("(func (param $p i32) (local $a i32) (local i32 i64) (local f32) (local.get $a) drop)");
  EXPECT_EQ(body(m, 0), bytes({
                            0x03,        // three runs
                            0x02, 0x7f,  // 2 x i32
                            0x01, 0x7e,  // 1 x i64
                            0x01, 0x7d,  // 1 x f32
                            0x20, 0x01,  // local.get $a (the param is local 0)
                            0x1a,        // drop
                            0x0b,        // end
                        }));
}

TEST(InstrParser, BlocksLabelsAndShadowing) {
  auto m = parseOk(
      "(func block $l (result i32) loop $l i32.const 0 br_if $l br 1 end end drop)");
  EXPECT_EQ(body(m, 0), bytes({
                            0x00,        // no locals
                            0x02, 0x7f,  // block (result i32)
                            0x03, 0x40,  // loop (empty block type)
                            0x41, 0x00,  // i32.const 0
                            0x0d, 0x00,  // br_if $l: the inner $l shadows the outer one
                            0x0c, 0x01,  // br 1
                            0x0b,        // end (loop)
                            0x0b,        // end (block)
                            0x1a,        // drop
                            0x0b,        // end (function)
                        }));
}

TEST(InstrParser, FoldedIfWithCondition) {
  auto m = parseOk(
      "(func (param i32) (result i32)"
      "  (if $x (result i32) (local.get 0) (then (br $x (i32.const 1))) (else (i32.const 2))))");
  EXPECT_EQ(body(m, 0), bytes({
                            0x00,        // no locals
                            0x20, 0x00,  // local.get 0: the condition, before the if
                            0x04, 0x7f,  // if (result i32)
                            0x41, 0x01,  // i32.const 1
                            0x0c, 0x00,  // br $x
                            0x05,        // else
                            0x41, 0x02,  // i32.const 2
                            0x0b,        // end (if)
                            0x0b,        // end (function)
                        }));
}

TEST(InstrParser, MultiValueBlockTypeUsesATypeIndex) {
  auto m = parseOk("(func (block (param i32) (result i32 i32) (unreachable)))");
  ASSERT_EQ(m.types.size(), 2u);  // () -> () for the function, then [i32] -> [i32 i32]
  EXPECT_EQ(m.types[1].func.params.size(), 1u);
  EXPECT_EQ(body(m, 0), bytes({
                            0x00,        // no locals
                            0x02, 0x01,  // block with type index 1 (s33)
                            0x00,        // unreachable
                            0x0b,        // end (block)
                            0x0b,        // end (function)
                        }));
}

TEST(InstrParser, BrTableAndCallIndirect) {
  auto m = parseOk(
      "(type $t (func (param i32))) (table $tab 0 funcref) (table $u 0 funcref)"
      "(func (block $a (block $b (br_table $a $b 0 (i32.const 0)))"
      "  (call_indirect $u (type $t) (i32.const 1) (i32.const 2))))");
  EXPECT_EQ(body(m, 0), bytes({
                            0x00,              // no locals
                            0x02, 0x40,        // block $a
                            0x02, 0x40,        // block $b
                            0x41, 0x00,        // i32.const 0
                            0x0e, 0x02,        // br_table with 2 targets and a default
                            0x01, 0x00, 0x00,  // $a, $b, default 0
                            0x0b,              // end $b
                            0x41, 0x01,        // i32.const 1
                            0x41, 0x02,        // i32.const 2
                            0x11, 0x00, 0x01,  // call_indirect type 0, table $u
                            0x0b,              // end $a
                            0x0b,              // end (function)
                        }));
}

TEST(InstrParser, TypedSelectAndReferences) {
  auto m = parseOk(
      "(type $s (struct)) (func (result externref)"
      "  (ref.null extern) (ref.null $s) drop (ref.null func) drop (i32.const 1) (select (result externref)))");
  EXPECT_EQ(body(m, 0), bytes({
                            0x00,              // no locals
                            0xd0, 0x6f,        // ref.null extern
                            0xd0, 0x00,        // ref.null $s (type index 0)
                            0x1a,              // drop
                            0xd0, 0x70,        // ref.null func
                            0x1a,              // drop
                            0x41, 0x01,        // i32.const 1
                            0x1c, 0x01, 0x6f,  // select with one result type: externref
                            0x0b,              // end
                        }));
}

TEST(InstrParser, MemArgDefaultsAndMultiMemory) {
  auto m = parseOk(
      "(memory 1) (memory $m 1)"
      "(func (i64.load32_u offset=8 (i32.const 0)) drop (i32.load $m align=2 (i32.const 0)) drop)");
  EXPECT_EQ(body(m, 0), bytes({
                            0x00,              // no locals
                            0x41, 0x00,        // i32.const 0
                            0x35, 0x02, 0x08,  // i64.load32_u: natural alignment 2^2, offset 8
                            0x1a,              // drop
                            0x41, 0x00,        // i32.const 0
                            0x28, 0x41, 0x01,  // i32.load: align 2^1 with bit 6 (memory index follows), $m
                            0x00,              // offset 0
                            0x1a,              // drop
                            0x0b,              // end
                        }));
}

TEST(InstrParser, MemArgErrors) {
  EXPECT_EQ(parseError("(memory 1) (func (drop (i32.load align=3 (i32.const 0))))"), "alignment must be a power of two");
  // WebAssembly 2.0 has u32 offsets; with memory64 the validator checks them instead.
  EXPECT_EQ(parseError("(memory 1) (func (drop (i32.load offset=4294967296 (i32.const 0))))", ir::Features::wasm2()),
            "i32 constant out of range");
  EXPECT_EQ(parseError("(memory 1) (func (drop (i32.load offset=4294967296 (i32.const 0))))"), "(parsed)");
}

TEST(InstrParser, PrefixedOpcodesAndBulkMemory) {
  auto m = parseOk(
      "(memory 1) (table $t 1 funcref) (elem $e func) (data $d \"\")"
      "(func (i32.trunc_sat_f32_s (f32.const 0)) drop"
      "  (memory.init $d (i32.const 0) (i32.const 0) (i32.const 0))"
      "  (table.init $t $e (i32.const 0) (i32.const 0) (i32.const 0)))");
  EXPECT_EQ(body(m, 0), bytes({
                            0x00,                          // no locals
                            0x43, 0x00, 0x00, 0x00, 0x00,  // f32.const 0
                            0xfc, 0x00,                    // i32.trunc_sat_f32_s
                            0x1a,                          // drop
                            0x41, 0x00, 0x41, 0x00, 0x41, 0x00,  // three i32.const 0
                            0xfc, 0x08, 0x00, 0x00,        // memory.init data 0, memory 0
                            0x41, 0x00, 0x41, 0x00, 0x41, 0x00,  // three i32.const 0
                            0xfc, 0x0c, 0x00, 0x00,        // table.init elem $e, table $t
                            0x0b,                          // end
                        }));
  EXPECT_EQ(m.data_count, 1u);  // memory.init needs the data count section (spec 5.5.16)
}

TEST(InstrParser, Vectors) {
  auto m = parseOk(
      "(func (v128.const i16x8 1 -1 0 0 0 0 0 0x8000) (v128.const f32x4 1 0 0 -0)"
      "  (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31) (i32x4.extract_lane 3) drop)");
  std::vector<uint8_t> expected = {
      0x00,                          // no locals
      0xfd, 0x0c,                    // v128.const
      0x01, 0x00, 0xff, 0xff,        // lanes 1, -1
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // five zero lanes
      0x00, 0x80,                    // 0x8000
      0xfd, 0x0c,                    // v128.const
      0x00, 0x00, 0x80, 0x3f,        // 1.0f
      0, 0, 0, 0, 0, 0, 0, 0,        // two zero lanes
      0x00, 0x00, 0x00, 0x80,        // -0.0f
      0xfd, 0x0d,                    // i8x16.shuffle
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 31,  // lane indices
      0xfd, 0x1b, 0x03,              // i32x4.extract_lane 3
      0x1a,                          // drop
      0x0b,                          // end
  };
  EXPECT_EQ(body(m, 0), expected);
}

// The flat form: the next instruction follows the last lane, and a keyword after the lanes is
// that instruction, not a lane (but inf and nan are float lanes).
TEST(InstrParser, FlatVectorConstantsEndAtTheirLastLane) {
  auto m = parseOk("(func v128.const i64x2 -1 2 drop v128.const f32x4 inf -inf nan 0 drop)");
  std::vector<uint8_t> expected = {
      0x00,                                            // no locals
      0xfd, 0x0c,                                      // v128.const
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // -1
      0x02, 0, 0, 0, 0, 0, 0, 0,                       // 2
      0x1a,                                            // drop
      0xfd, 0x0c,                                      // v128.const
      0x00, 0x00, 0x80, 0x7f,                          // inf
      0x00, 0x00, 0x80, 0xff,                          // -inf
      0x00, 0x00, 0xc0, 0x7f,                          // nan
      0x00, 0x00, 0x00, 0x00,                          // 0
      0x1a,                                            // drop
      0x0b,                                            // end
  };
  EXPECT_EQ(body(m, 0), expected);
  EXPECT_EQ(parseError("(func v128.const i32x4 1 2 3 drop)"), "wrong number of lane literals");
  EXPECT_EQ(parseError("(func v128.const i32x4 1 2 3 4 5 drop)"), "wrong number of lane literals");
}

TEST(InstrParser, VectorErrors) {
  EXPECT_EQ(parseError("(func (v128.const i32x4 0 0 0) drop)"), "wrong number of lane literals");
  EXPECT_EQ(parseError("(func (v128.const i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0) drop)"), "constant out of range");
  EXPECT_EQ(parseError("(func (i8x16.shuffle 0 1 2))"), "invalid lane length");
  EXPECT_NE(parseError("(func (i32x4.extract_lane 256 (v128.const i64x2 0 0)) drop)").find("malformed lane index"),
            std::string::npos);
}

TEST(InstrParser, GcCastsPickTheNullableOpcode) {
  auto m = parseOk(
      "(type $t (struct)) (func (param anyref)"
      "  (drop (ref.test (ref $t) (local.get 0))) (drop (ref.cast (ref null $t) (local.get 0)))"
      "  (block $l (result anyref) (br_on_cast $l anyref (ref $t) (local.get 0)) drop (ref.null none)) drop)");
  EXPECT_EQ(body(m, 0), bytes({
                            0x00,                    // no locals
                            0x20, 0x00,              // local.get 0
                            0xfb, 0x14, 0x00,        // ref.test (ref $t)
                            0x1a,                    // drop
                            0x20, 0x00,              // local.get 0
                            0xfb, 0x17, 0x00,        // ref.cast_null $t: (ref null $t)
                            0x1a,                    // drop
                            0x02, 0x6e,              // block (result anyref)
                            0x20, 0x00,              // local.get 0
                            0xfb, 0x18,              // br_on_cast
                            0x01,                    // flags: source nullable, target not
                            0x00,                    // label $l
                            0x6e, 0x00,              // any -> $t
                            0x1a,                    // drop
                            0xd0, 0x71,              // ref.null none
                            0x0b,                    // end (block)
                            0x1a,                    // drop
                            0x0b,                    // end
                        }));
}

TEST(InstrParser, StructFieldsByName) {
  auto m = parseOk(
      "(type $p (struct (field $x i32) (field $y (mut i64))))"
      "(func (param (ref $p)) (drop (struct.get $p $y (local.get 0))))");
  EXPECT_EQ(body(m, 0), bytes({
                            0x00,                    // no locals
                            0x20, 0x00,              // local.get 0
                            0xfb, 0x02, 0x00, 0x01,  // struct.get $p $y
                            0x1a,                    // drop
                            0x0b,                    // end
                        }));
}

TEST(InstrParser, TryTableCatchesNameOuterLabels) {
  auto m = parseOk(
      "(tag $e (param i32)) (func (block $out (result i32)"
      "  (try_table $in (catch $e $out) (catch_all_ref 1) (unreachable)) (i32.const 0)) drop)");
  EXPECT_EQ(body(m, 0), bytes({
                            0x00,              // no locals
                            0x02, 0x7f,        // block $out (result i32)
                            0x1f, 0x40,        // try_table (empty block type)
                            0x02,              // two catch clauses
                            0x00, 0x00, 0x00,  // catch $e $out: depth 0 counts outside try_table
                            0x03, 0x01,        // catch_all_ref 1
                            0x00,              // unreachable
                            0x0b,              // end (try_table)
                            0x41, 0x00,        // i32.const 0
                            0x0b,              // end (block)
                            0x1a,              // drop
                            0x0b,              // end
                        }));
}

TEST(InstrParser, LegacyTryCatchDelegate) {
  auto m = parseOk(
      "(tag $e) (func try $t nop catch $e catch_all end"
      "  (try (do (try (do) (delegate 0))) (catch_all)))");
  EXPECT_EQ(body(m, 0), bytes({
                            0x00,        // no locals
                            0x06, 0x40,  // try $t
                            0x01,        // nop
                            0x07, 0x00,  // catch $e
                            0x19,        // catch_all
                            0x0b,        // end
                            0x06, 0x40,  // try (folded)
                            0x06, 0x40,  // try (inner)
                            0x18, 0x00,  // delegate 0: counted from outside the inner try
                            0x19,        // catch_all
                            0x0b,        // end
                            0x0b,        // end (function)
                        }));
  EXPECT_EQ(parseError("(tag $e) (func try catch $e delegate 0)"), "unexpected token");
}

TEST(InstrParser, DeepNestingDoesNotUseTheNativeStack) {
  // Compilers emit blocks nested thousands deep; the parser keeps nesting on its own stack.
  constexpr int kDepth = 100000;
  std::string folded = "(func", plain = "(func";
  for (int i = 0; i < kDepth; ++i) {
    folded += " (block (i32.add (i32.const 1)";
    plain += " block";
  }
  for (int i = 0; i < kDepth; ++i) {
    folded += "))";
    plain += " end";
  }
  folded += ")";
  plain += ")";
  auto f = parseOk(folded);
  EXPECT_EQ(body(f, 0).size(), 1 + kDepth * (2 + 2 + 1 + 1) + 1u);  // block, const, add, end
  auto p = parseOk(plain);
  EXPECT_EQ(body(p, 0).size(), 1 + kDepth * (2 + 1) + 1u);  // block, end
}

TEST(InstrParser, LabelErrors) {
  EXPECT_EQ(parseError("(func block $a end $b)"), "mismatching label");
  EXPECT_EQ(parseError("(func block end $b)"), "mismatching label");
  EXPECT_EQ(parseError("(func (br $nowhere))"), "unknown label $nowhere");
  EXPECT_EQ(parseError("(func (local.get $x))"), "unknown local $x");
  EXPECT_EQ(parseError("(func (call $f))"), "unknown function $f");
}

TEST(InstrParser, OperatorErrors) {
  EXPECT_EQ(parseError("(func (get_local 0))"), "unknown operator get_local");
  EXPECT_EQ(parseError("(func (i32.const) drop)"), "unexpected token");
  EXPECT_EQ(parseError("(func (i32.const 0x) drop)"), "unknown operator 0x");
  EXPECT_EQ(parseError("(func (i32.const 4294967296) drop)"), "constant out of range");
  EXPECT_EQ(parseError("(func (f32.const nan:canonical) drop)"), "unexpected token");
  EXPECT_EQ(parseError("(func (nop) (local i32))"), "unexpected token");
  EXPECT_EQ(parseError("(func (select_t))"), "unknown operator select_t");  // pseudo keyword
  EXPECT_EQ(parseError("(func (end))"), "unexpected token");
}

}  // namespace
}  // namespace strata::text
