// Tests of the type encodings: value types, sub types, rec groups, limits (spec 5.3).
#include <gtest/gtest.h>

#include "encode/encoder.h"

namespace strata::encode {
namespace {

using ir::AbsHeap;
using ir::HeapType;
using ir::ValType;
using Bytes = std::vector<uint8_t>;

Bytes valType(ValType t) {
  Bytes out;
  ByteWriter w(out);
  writeValType(w, t);
  return out;
}

TEST(TypeWriter, NumericAndVectorTypes) {
  EXPECT_EQ(valType(ValType::i32()), Bytes{0x7f});
  EXPECT_EQ(valType(ValType::i64()), Bytes{0x7e});
  EXPECT_EQ(valType(ValType::f32()), Bytes{0x7d});
  EXPECT_EQ(valType(ValType::f64()), Bytes{0x7c});
  EXPECT_EQ(valType(ValType::v128()), Bytes{0x7b});
}

TEST(TypeWriter, ReferenceTypesUseShorthandOnlyWhenNullableAndAbstract) {
  EXPECT_EQ(valType(ValType::funcref()), Bytes{0x70});
  EXPECT_EQ(valType(ValType::externref()), Bytes{0x6f});
  EXPECT_EQ(valType(ValType::exnref()), Bytes{0x69});
  EXPECT_EQ(valType(ValType::ref(HeapType::abs(AbsHeap::NoFunc), true)), Bytes{0x73});
  // (ref func): 0x64 non-null prefix, 0x70 func
  EXPECT_EQ(valType(ValType::ref(HeapType::abs(AbsHeap::Func), false)), (Bytes{0x64, 0x70}));
  // (ref null 3): 0x63 nullable prefix, 0x03 type index as s33
  EXPECT_EQ(valType(ValType::ref(HeapType::index(3), true)), (Bytes{0x63, 0x03}));
  // (ref 64): 0x64, then s33 64 needs two bytes because bit 6 would read as a sign: 0xc0 0x00
  EXPECT_EQ(valType(ValType::ref(HeapType::index(64), false)), (Bytes{0x64, 0xc0, 0x00}));
}

Bytes subType(const ir::SubType& t) {
  Bytes out;
  ByteWriter w(out);
  writeSubType(w, t);
  return out;
}

TEST(TypeWriter, FinalTypeWithoutSupertypeIsTheBareCompositeType) {
  ir::SubType t;
  t.func.params = {ValType::i32()};
  // 0x60 func, 0x01 one param, 0x7f i32, 0x00 no results
  EXPECT_EQ(subType(t), (Bytes{0x60, 0x01, 0x7f, 0x00}));
}

TEST(TypeWriter, OpenAndFinalSubTypes) {
  ir::SubType open;
  open.final_ = false;
  open.kind = ir::CompKind::Struct;
  open.strct.fields = {ir::FieldType{{ValType::i32(), ir::Packed::None}, true},
                       ir::FieldType{{ValType{}, ir::Packed::I8}, false}};
  // 0x50 sub, 0x00 no supertypes, 0x5f struct, 0x02 fields, 0x7f i32 0x01 var, 0x78 i8 0x00 const
  EXPECT_EQ(subType(open), (Bytes{0x50, 0x00, 0x5f, 0x02, 0x7f, 0x01, 0x78, 0x00}));

  ir::SubType fin;
  fin.super = 0;
  fin.kind = ir::CompKind::Array;
  fin.array.field = ir::FieldType{{ValType{}, ir::Packed::I16}, true};
  // 0x4f sub final, 0x01 one supertype, 0x00 type 0, 0x5e array, 0x77 i16, 0x01 var
  EXPECT_EQ(subType(fin), (Bytes{0x4f, 0x01, 0x00, 0x5e, 0x77, 0x01}));
}

TEST(TypeWriter, RecGroupsCountGroupsNotTypes) {
  ir::Module m;
  m.types.resize(4);  // four `(func)` types
  m.rec_groups = {{0, 1, false}, {1, 2, true}, {3, 1, true}};
  Bytes out;
  ByteWriter w(out);
  writeRecGroups(w, m);
  EXPECT_EQ(out, (Bytes{
                     0x03,                    // three rec types
                     0x60, 0x00, 0x00,        // type 0: implicit group of one
                     0x4e, 0x02,              // rec of two
                     0x60, 0x00, 0x00,        //   type 1
                     0x60, 0x00, 0x00,        //   type 2
                     0x4e, 0x01,              // explicit rec of one keeps its 0x4e
                     0x60, 0x00, 0x00,        //   type 3
                 }));
}

TEST(TypeWriter, TypesWithoutRecGroupsAreGroupsOfOne) {
  ir::Module m;
  m.types.resize(2);
  Bytes out;
  ByteWriter w(out);
  writeRecGroups(w, m);
  // 0x02 two rec types, each a bare 0x60 0x00 0x00
  EXPECT_EQ(out, (Bytes{0x02, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00}));
}

Bytes limits(const ir::Limits& l, uint32_t page_log2 = 16) {
  Bytes out;
  ByteWriter w(out);
  writeLimits(w, l, page_log2);
  return out;
}

TEST(TypeWriter, LimitsFlags) {
  EXPECT_EQ(limits({1, std::nullopt, false, false}), (Bytes{0x00, 0x01}));  // flags 0, min 1
  EXPECT_EQ(limits({1, 2, false, false}), (Bytes{0x01, 0x01, 0x02}));       // flags 1, min 1, max 2
  EXPECT_EQ(limits({1, 2, false, true}), (Bytes{0x03, 0x01, 0x02}));        // flags 3: shared
  EXPECT_EQ(limits({0, std::nullopt, true, false}), (Bytes{0x04, 0x00}));   // flags 4: i64 addresses
  // flags 5, min 2^32 as u64 LEB (5 bytes: 0x80 0x80 0x80 0x80 0x10), max 2^32+1
  EXPECT_EQ(limits({1ull << 32, (1ull << 32) + 1, true, false}),
            (Bytes{0x05, 0x80, 0x80, 0x80, 0x80, 0x10, 0x81, 0x80, 0x80, 0x80, 0x10}));
  // flags 8: custom page size; min 0, then page size log2 = 0 (one-byte pages)
  EXPECT_EQ(limits({0, std::nullopt, false, false}, 0), (Bytes{0x08, 0x00, 0x00}));
}

TEST(TypeWriter, TableAndGlobalTypes) {
  Bytes out;
  ByteWriter w(out);
  writeTableType(w, ir::TableType{ValType::externref(), {3, std::nullopt, false, false}});
  writeGlobalType(w, ir::GlobalType{ValType::f64(), true});
  // 0x6f externref, 0x00 flags, 0x03 min; 0x7c f64, 0x01 var
  EXPECT_EQ(out, (Bytes{0x6f, 0x00, 0x03, 0x7c, 0x01}));
}

}  // namespace
}  // namespace strata::encode
