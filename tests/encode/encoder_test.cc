// Tests of module encoding: section order, element/data flag choices, custom section placement.
#include <gtest/gtest.h>

#include "encode/encoder.h"

namespace strata::encode {
namespace {

using ir::SegmentMode;
using ir::ValType;
using Bytes = std::vector<uint8_t>;

const Bytes kHeader = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};  // "\0asm", version 1

// The module's encoding without the 8-byte header.
Bytes sections(const ir::Module& m) {
  Bytes all = encodeModule(m);
  EXPECT_GE(all.size(), 8u);
  EXPECT_TRUE(std::equal(kHeader.begin(), kHeader.end(), all.begin()));
  return Bytes(all.begin() + 8, all.end());
}

ir::ConstExpr expr(ir::Module& m, std::initializer_list<uint8_t> code) { return {m.append(Bytes(code))}; }

TEST(Encoder, EmptyModuleIsJustTheHeader) { EXPECT_EQ(encodeModule(ir::Module{}), kHeader); }

TEST(Encoder, FunctionsImportsAndCode) {
  ir::Module m;
  m.types.resize(1);  // (func)
  m.imports.push_back({"m", "f", ir::ExternKind::Func, 0});
  m.functions.push_back({0, true, {}});
  m.num_imported_functions = 1;
  m.functions.push_back({0, false, m.append(Bytes{0x00, 0x0b})});  // no locals, end
  m.exports.push_back({"g", ir::ExternKind::Func, 1});
  m.start = 1;
  EXPECT_EQ(sections(m), (Bytes{
                             0x01, 0x04, 0x01, 0x60, 0x00, 0x00,  // type: 1 type, (func)
                             0x02, 0x07, 0x01,                    // import: size 7, 1 import
                             0x01, 'm', 0x01, 'f', 0x00, 0x00,    //   "m" "f" func type 0
                             0x03, 0x02, 0x01, 0x00,              // function: 1 defined, type 0
                             0x07, 0x05, 0x01, 0x01, 'g', 0x00, 0x01,  // export "g" func 1
                             0x08, 0x01, 0x01,                    // start: func 1
                             0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,  // code: 1 body of 2 bytes
                         }));
}

TEST(Encoder, TagsSitBetweenMemoriesAndGlobals) {
  ir::Module m;
  m.types.resize(1);
  m.memories.push_back({});
  m.tags.push_back({{0}, false});
  m.globals.push_back({{ValType::i32(), false}, false, expr(m, {0x41, 0x07, 0x0b})});
  EXPECT_EQ(sections(m), (Bytes{
                             0x01, 0x04, 0x01, 0x60, 0x00, 0x00,  // type
                             0x05, 0x03, 0x01, 0x00, 0x00,        // memory: 1, flags 0, min 0
                             0x0d, 0x03, 0x01, 0x00, 0x00,        // tag (13): 1, attribute 0, type 0
                             0x06, 0x06, 0x01, 0x7f, 0x00,        // global: 1, i32 const
                             0x41, 0x07, 0x0b,                    //   i32.const 7 end
                         }));
}

TEST(Encoder, TableWithInitializerUsesThe0x40Form) {
  ir::Module m;
  ir::Table t;
  t.type.elem = ValType::ref(ir::HeapType::abs(ir::AbsHeap::Func), false);
  t.type.limits.min = 1;
  t.init = expr(m, {0xd2, 0x00, 0x0b});  // ref.func 0 end
  m.tables.push_back(t);
  EXPECT_EQ(sections(m), (Bytes{
                             0x04, 0x0a, 0x01,        // table section, size 10, 1 table
                             0x40, 0x00,              // table with an initializer
                             0x64, 0x70, 0x00, 0x01,  // (ref func), flags 0, min 1
                             0xd2, 0x00, 0x0b,        // ref.func 0 end
                         }));
}

// Encodes one element segment and returns the elem section's contents after the count.
Bytes elemBytes(ir::ElemSegment e, bool with_offset = true) {
  ir::Module m;
  if (with_offset) e.offset = expr(m, {0x41, 0x00, 0x0b});  // i32.const 0 end
  if (e.uses_exprs) e.exprs = {expr(m, {0xd2, 0x00, 0x0b})};  // ref.func 0 end
  else e.func_indices = {0};
  m.elems.push_back(e);
  Bytes s = sections(m);
  EXPECT_EQ(s[0], 0x09);  // elem section id
  return Bytes(s.begin() + 3, s.end());  // skip id, size, count
}

ir::ElemSegment seg(SegmentMode mode, uint32_t table, ValType type, bool exprs) {
  ir::ElemSegment e;
  e.mode = mode;
  e.table = table;
  e.type = type;
  e.uses_exprs = exprs;
  return e;
}

TEST(Encoder, ElemFlagsFuncIndices) {
  const ValType f = ValType::funcref();
  // flag 0: offset, vec(funcidx)
  EXPECT_EQ(elemBytes(seg(SegmentMode::Active, 0, f, false)), (Bytes{0x00, 0x41, 0x00, 0x0b, 0x01, 0x00}));
  // flag 1: elemkind 0x00, vec(funcidx)
  EXPECT_EQ(elemBytes(seg(SegmentMode::Passive, 0, f, false), false), (Bytes{0x01, 0x00, 0x01, 0x00}));
  // flag 2: table 1, offset, elemkind 0x00, vec(funcidx)
  EXPECT_EQ(elemBytes(seg(SegmentMode::Active, 1, f, false)),
            (Bytes{0x02, 0x01, 0x41, 0x00, 0x0b, 0x00, 0x01, 0x00}));
  // flag 3: declarative, elemkind 0x00, vec(funcidx)
  EXPECT_EQ(elemBytes(seg(SegmentMode::Declarative, 0, f, false), false), (Bytes{0x03, 0x00, 0x01, 0x00}));
}

TEST(Encoder, ElemFlagsExpressions) {
  const ValType f = ValType::funcref();
  const ValType nonnull = ValType::ref(ir::HeapType::abs(ir::AbsHeap::Func), false);
  // flag 4: offset, vec(expr); type funcref implied
  EXPECT_EQ(elemBytes(seg(SegmentMode::Active, 0, f, true)),
            (Bytes{0x04, 0x41, 0x00, 0x0b, 0x01, 0xd2, 0x00, 0x0b}));
  // flag 6 on table 0: the type is (ref func), not funcref, so it must be written
  EXPECT_EQ(elemBytes(seg(SegmentMode::Active, 0, nonnull, true)),
            (Bytes{0x06, 0x00, 0x41, 0x00, 0x0b, 0x64, 0x70, 0x01, 0xd2, 0x00, 0x0b}));
  // flag 6 on table 2 with funcref
  EXPECT_EQ(elemBytes(seg(SegmentMode::Active, 2, f, true)),
            (Bytes{0x06, 0x02, 0x41, 0x00, 0x0b, 0x70, 0x01, 0xd2, 0x00, 0x0b}));
  // flag 5: passive, reftype, vec(expr)
  EXPECT_EQ(elemBytes(seg(SegmentMode::Passive, 0, f, true), false), (Bytes{0x05, 0x70, 0x01, 0xd2, 0x00, 0x0b}));
  // flag 7: declarative, reftype, vec(expr)
  EXPECT_EQ(elemBytes(seg(SegmentMode::Declarative, 0, f, true), false),
            (Bytes{0x07, 0x70, 0x01, 0xd2, 0x00, 0x0b}));
}

TEST(Encoder, DataFlagsAndDataCount) {
  ir::Module m;
  m.data_count = 3;
  ir::ByteSpan hi = m.append(Bytes{'h', 'i'});
  m.datas.push_back({SegmentMode::Active, 0, expr(m, {0x41, 0x01, 0x0b}), hi});
  m.datas.push_back({SegmentMode::Passive, 0, {}, hi});
  m.datas.push_back({SegmentMode::Active, 1, expr(m, {0x41, 0x02, 0x0b}), {}});
  EXPECT_EQ(sections(m), (Bytes{
                             0x0c, 0x01, 0x03,                    // data count: 3
                             0x0b, 0x12, 0x03,                    // data: size 18, 3 segments
                             0x00, 0x41, 0x01, 0x0b, 0x02, 'h', 'i',  // active mem 0, offset 1, "hi"
                             0x01, 0x02, 'h', 'i',                // passive "hi"
                             0x02, 0x01, 0x41, 0x02, 0x0b, 0x00,  // active mem 1, offset 2, ""
                         }));
}

TEST(Encoder, CustomSectionsReturnToTheirPlaces) {
  ir::Module m;
  m.types.resize(1);
  ir::ByteSpan x = m.append(Bytes{0xaa});
  m.customs.push_back({"a", x, 0});   // before everything
  m.customs.push_back({"b", x, 1});   // after the type section
  m.customs.push_back({"c", x, 11});  // after data, though there is no data section
  m.customs.push_back({"d", x, 13});  // after tags, though there is no tag section
  m.names.module = "M";
  EXPECT_EQ(sections(m), (Bytes{
                             0x00, 0x03, 0x01, 'a', 0xaa,         // custom "a"
                             0x01, 0x04, 0x01, 0x60, 0x00, 0x00,  // type
                             0x00, 0x03, 0x01, 'b', 0xaa,         // custom "b"
                             0x00, 0x03, 0x01, 'd', 0xaa,         // custom "d" (tag position)
                             0x00, 0x09, 0x04, 'n', 'a', 'm', 'e',  // name section, size 9
                             0x00, 0x02, 0x01, 'M',               //   module name "M"
                             0x00, 0x03, 0x01, 'c', 0xaa,         // custom "c" after the names
                         }));
}

}  // namespace
}  // namespace strata::encode
