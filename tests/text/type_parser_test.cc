// Tests for types and type uses: value/reference types, rec/sub/struct/array definitions,
// limits, and how inline signatures find or append function types (spec 6.4, 6.6.4).
#include <gtest/gtest.h>

#include "text_test_util.h"

namespace strata::text {
namespace {

using ir::AbsHeap;
using ir::HeapType;
using ir::ValType;
using testing::parseError;
using testing::parseOk;

TEST(TypeParser, ValueAndReferenceTypes) {
  auto m = parseOk(
      "(type $t (func (param i32 i64 f32 f64 v128) (param $x funcref)"
      "  (result externref anyref eqref i31ref structref arrayref nullref nullfuncref nullexternref exnref)"
      "  (result (ref $t) (ref null func))))");
  ASSERT_EQ(m.types.size(), 1u);
  const ir::FuncType& f = m.types[0].func;
  EXPECT_EQ(f.params, (std::vector<ValType>{ValType::i32(), ValType::i64(), ValType::f32(), ValType::f64(),
                                            ValType::v128(), ValType::funcref()}));
  ASSERT_EQ(f.results.size(), 12u);
  EXPECT_EQ(f.results[0], ValType::externref());
  EXPECT_EQ(f.results[6], ValType::ref(HeapType::abs(AbsHeap::None), true));
  EXPECT_EQ(f.results[9], ValType::exnref());
  EXPECT_EQ(f.results[10], ValType::ref(HeapType::index(0), false));
  EXPECT_EQ(f.results[11], ValType::funcref());
}

TEST(TypeParser, RecSubStructArray) {
  auto m = parseOk(
      "(rec (type $a (sub (struct (field $x (mut i8)) (field i32 i64))))"
      "     (type $b (sub final $a (struct (field i8) (field i16) (field i64)))))"
      "(type $v (array (mut f32)))");
  ASSERT_EQ(m.types.size(), 3u);
  ASSERT_EQ(m.rec_groups.size(), 2u);
  EXPECT_EQ(m.rec_groups[0].first, 0u);
  EXPECT_EQ(m.rec_groups[0].count, 2u);
  EXPECT_TRUE(m.rec_groups[0].explicit_rec);
  EXPECT_FALSE(m.rec_groups[1].explicit_rec);
  const ir::SubType& a = m.types[0];
  EXPECT_EQ(a.kind, ir::CompKind::Struct);
  EXPECT_FALSE(a.final_);
  ASSERT_EQ(a.strct.fields.size(), 3u);
  EXPECT_EQ(a.strct.fields[0].storage.packed, ir::Packed::I8);
  EXPECT_TRUE(a.strct.fields[0].mut);
  EXPECT_EQ(a.strct.fields[2].storage.type, ValType::i64());
  const ir::SubType& b = m.types[1];
  EXPECT_TRUE(b.final_);
  EXPECT_EQ(b.super, 0u);
  EXPECT_EQ(b.strct.fields[1].storage.packed, ir::Packed::I16);
  EXPECT_EQ(m.types[2].kind, ir::CompKind::Array);
  EXPECT_TRUE(m.types[2].array.field.mut);
}

TEST(TypeParser, DuplicateField) {
  EXPECT_EQ(parseError("(type (struct (field $x i32) (field $x i32)))"), "duplicate field $x");
}

TEST(TypeParser, TypeUseFindsTheFirstMatchingType) {
  auto m = parseOk(
      "(type $a (func (param i32)))"
      "(type $b (func (param i32)))"
      "(func (param i32))"                  // matches $a, the first equal type
      "(func (type $b) (param i32))"        // explicit index wins
      "(func (param i64))");                // no match: appended
  EXPECT_EQ(m.functions[0].type_index, 0u);
  EXPECT_EQ(m.functions[1].type_index, 1u);
  EXPECT_EQ(m.functions[2].type_index, 2u);
  ASSERT_EQ(m.types.size(), 3u);
  EXPECT_EQ(m.rec_groups.size(), 3u);
}

TEST(TypeParser, ImplicitTypesFollowAllExplicitOnes) {
  // spec 6.6.4: an inline signature without a matching definition is appended at the end of
  // the module, after explicit types written later in the text.
  auto m = parseOk(
      "(func $f (result f64) (f64.const 0))"
      "(func $g (param i32))"
      "(func $h (result f64) (f64.const 1))"
      "(type $t (func (param i32)))");
  ASSERT_EQ(m.types.size(), 2u);
  EXPECT_EQ(m.types[0].func.params, std::vector<ValType>{ValType::i32()});
  EXPECT_EQ(m.types[1].func.results, std::vector<ValType>{ValType::f64()});
  EXPECT_EQ(m.functions[0].type_index, 1u);
  EXPECT_EQ(m.functions[1].type_index, 0u);
  EXPECT_EQ(m.functions[2].type_index, 1u);
}

TEST(TypeParser, TypesInRecGroupsOrWithSupertypesDoNotMatch) {
  auto m = parseOk("(rec (type $r (func))) (type $s (sub (func))) (func)");
  // $r is a singleton group equal to (func): it matches; $s is not final.
  EXPECT_EQ(m.functions[0].type_index, 0u);
  auto n = parseOk("(rec (type (func)) (type (struct))) (type (sub (func))) (func)");
  EXPECT_EQ(n.functions[0].type_index, 3u);
}

TEST(TypeParser, TypeUseErrors) {
  EXPECT_EQ(parseError("(type $sig (func)) (func (type $sig) (result i32) (i32.const 0))"), "inline function type");
  EXPECT_EQ(parseError("(func (type 2) (param i32))"), "unknown type");
  EXPECT_EQ(parseError("(func (type $nope))"), "unknown type $nope");
  EXPECT_EQ(parseError("(func (result i32) (param i32) (i32.const 0))"), "unexpected token");
  EXPECT_EQ(parseError("(func (block (param $x i32)))"), "unexpected token");
  // A bare undefined index is left to the validator.
  EXPECT_EQ(parseError("(func (type 42))"), "(parsed)");
}

TEST(TypeParser, Limits) {
  auto m = parseOk("(memory 1 2) (memory i64 3) (table 0 10 funcref) (table i64 1 externref) (memory 1 2 shared)");
  EXPECT_EQ(m.memories[0].type.limits.min, 1u);
  EXPECT_EQ(m.memories[0].type.limits.max, 2u);
  EXPECT_TRUE(m.memories[1].type.limits.is64);
  EXPECT_FALSE(m.memories[1].type.limits.max);
  EXPECT_EQ(m.tables[0].type.limits.max, 10u);
  EXPECT_TRUE(m.tables[1].type.limits.is64);
  EXPECT_EQ(m.tables[1].type.elem, ValType::externref());
  EXPECT_TRUE(m.memories[2].type.limits.shared);
}

TEST(TypeParser, LimitsAreU32Without64BitAddresses) {
  EXPECT_EQ(parseError("(memory 0x1_0000_0000)", ir::Features::wasm2()), "i32 constant out of range");
  // With memory64 the limit parses and the validator reports the size.
  EXPECT_EQ(parseOk("(memory 0x1_0000_0000)").memories[0].type.limits.min, 0x100000000u);
  EXPECT_EQ(parseError("(memory i64 0x1_0000_0000_0000_0000)"), "i64 constant out of range");
}

TEST(TypeParser, CustomPageSize) {
  auto m = parseOk("(memory 1 (pagesize 1)) (memory (pagesize 65536) (data \"ab\"))");
  EXPECT_EQ(m.memories[0].type.page_size_log2, 0u);
  EXPECT_EQ(m.memories[1].type.page_size_log2, 16u);
  EXPECT_EQ(parseError("(memory 0 (pagesize 3))"), "invalid custom page size");
}

}  // namespace
}  // namespace strata::text
