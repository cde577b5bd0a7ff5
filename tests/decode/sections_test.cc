// Tests of exports, start, element, data, code and custom sections and constant expressions
// (sections.cc).
#include <gtest/gtest.h>

#include "test_util.h"

namespace strata::decode::testing {
namespace {

using ir::SegmentMode;
using ir::ValType;

// A type section with func [] -> [], a function section with 2 functions and a table section
// with a funcref table: what element segments refer to. 17 bytes, so what follows is at 25.
Bytes funcsAndTable() {
  return {0x01, 0x04, 0x01, 0x60, 0x00, 0x00,  // type section: func [] -> []
          0x03, 0x03, 0x02, 0x00, 0x00,        // function section: 2 functions of type 0
          0x04, 0x04, 0x01, 0x70, 0x00, 0x00};  // table section: funcref min 0
}

Bytes twoBodies() { return {0x0a, 0x07, 0x02, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b}; }  // code: 2 x "\0 end"

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(DecodeExports, KindsAndErrors) {
  ir::Module m = decodeOk(concat({funcsAndTable(),
                                  {0x07, 0x09,                  // export section, 9 bytes
                                   0x02,                        // 2 exports
                                   0x01, 'f', 0x00, 0x01,       // "f" func 1
                                   0x01, 't', 0x01, 0x00},      // "t" table 0
                                  twoBodies()}));
  ASSERT_EQ(m.exports.size(), 2u);
  EXPECT_EQ(m.exports[0].name, "f");
  EXPECT_EQ(m.exports[0].index, 1u);
  EXPECT_EQ(m.exports[1].kind, ir::ExternKind::Table);
  expectMalformed({0x07, 0x05, 0x01, 0x01, 'x', 0x05, 0x00}, "malformed export kind", 13);
  expectMalformed({0x07, 0x05, 0x01, 0x01, 'x', 0x04, 0x00}, "malformed export kind", 13, ir::Features::wasm2());
}

TEST(DecodeStart, Index) {
  ir::Module m = decodeOk(concat({funcsAndTable(), {0x08, 0x01, 0x01}, twoBodies()}));  // start: func 1
  EXPECT_EQ(m.start, 1u);
}

TEST(DecodeElements, AllEightForms) {
  ir::Module m = decodeOk(concat({funcsAndTable(),
                                  {0x09, 0x2f,                          // element section, 47 bytes
                                   0x08,                                // 8 segments
                                   0x00, 0x41, 0x00, 0x0b, 0x01, 0x00,  // 0: (i32.const 0) funcs [0]
                                   0x01, 0x00, 0x01, 0x01,              // 1: passive elemkind funcs [1]
                                   0x02, 0x00, 0x41, 0x01, 0x0b,        // 2: table 0 (i32.const 1)
                                   0x00, 0x02, 0x00, 0x01,              //    elemkind funcs [0 1]
                                   0x03, 0x00, 0x00,                    // 3: declarative elemkind []
                                   0x04, 0x41, 0x02, 0x0b,              // 4: (i32.const 2)
                                   0x01, 0xd2, 0x00, 0x0b,              //    [(ref.func 0)]
                                   0x05, 0x70, 0x00,                    // 5: passive funcref []
                                   0x06, 0x00, 0x41, 0x03, 0x0b,        // 6: table 0 (i32.const 3)
                                   0x70, 0x01, 0xd0, 0x70, 0x0b,        //    funcref [(ref.null func)]
                                   0x07, 0x6f, 0x00},                   // 7: declarative externref []
                                  twoBodies()}));
  ASSERT_EQ(m.elems.size(), 8u);
  const auto& e = m.elems;
  EXPECT_EQ(e[0].mode, SegmentMode::Active);
  EXPECT_EQ(e[0].offset.span.offset, 29u);
  EXPECT_EQ(e[0].offset.span.size, 3u);
  EXPECT_EQ(e[0].func_indices, std::vector<uint32_t>{0});
  // Function indices make (ref func) elements under typed references (spec 3.0, 5.5.12).
  EXPECT_EQ(e[0].type, ValType::ref(ir::HeapType::abs(ir::AbsHeap::Func), false));
  EXPECT_EQ(e[1].mode, SegmentMode::Passive);
  EXPECT_EQ(e[2].func_indices, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(e[3].mode, SegmentMode::Declarative);
  EXPECT_TRUE(e[4].uses_exprs);
  EXPECT_EQ(e[4].type, ValType::funcref());
  ASSERT_EQ(e[4].exprs.size(), 1u);
  EXPECT_EQ(e[4].exprs[0].span.size, 3u);
  EXPECT_EQ(e[5].mode, SegmentMode::Passive);
  EXPECT_EQ(e[6].table, 0u);
  EXPECT_EQ(e[6].size(), 1u);
  EXPECT_EQ(e[7].type, ValType::externref());
  EXPECT_EQ(e[7].mode, SegmentMode::Declarative);
  // Under 2.0 every function-index segment is funcref.
  ir::Module m2 = decodeOk(concat({funcsAndTable(), {0x09, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x00},
                                   twoBodies()}),
                           ir::Features::wasm2());
  EXPECT_EQ(m2.elems[0].type, ValType::funcref());
}

TEST(DecodeElements, Errors) {
  expectMalformed({0x09, 0x02, 0x01, 0x08}, "malformed elements segment kind", 11);
  expectMalformed({0x09, 0x04, 0x01, 0x01, 0x01, 0x00}, "malformed element kind", 12);
  expectMalformed({0x09, 0x07, 0x01, 0x05, 0x7f, 0x01, 0xd2, 0x00, 0x0b}, "malformed reference type", 12);
  // An item expression with an unknown opcode: the expression reader reports it.
  expectMalformed({0x09, 0x07, 0x01, 0x05, 0x70, 0x01, 0xf3, 0x00, 0x0b}, "illegal opcode f3", 14);
}

TEST(DecodeConstExpr, DelimitedByNesting) {
  // A block inside an initializer is not constant, but the expression still ends at its own
  // `end`, so the validator can report "constant expression required".
  ir::Module m = decodeOk({0x06, 0x09,                    // global section, 9 bytes
                           0x01, 0x7f, 0x00,              // 1 global: i32 const
                           0x02, 0x7f, 0x41, 0x01, 0x0b,  // block (result i32) (i32.const 1) end
                           0x0b});                        // end
  EXPECT_EQ(m.globals[0].init.span.offset, 13u);
  EXPECT_EQ(m.globals[0].init.span.size, 6u);
  // Without its `end`, an expression runs into the next section as the reference reads it; in a
  // 2.0 module the code section's id 0x0a is not an instruction.
  expectMalformed({0x06, 0x05, 0x01, 0x7f, 0x00, 0x41, 0x00,  // global (i32.const 0), no end
                   0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b},       // code section
                  "illegal opcode 0a", 15, ir::Features::wasm2());
}

TEST(DecodeData, ThreeForms) {
  ir::Module m = decodeOk({0x05, 0x03, 0x01, 0x00, 0x01,     // memory section: min 1
                           0x0b, 0x11,                       // data section, 17 bytes
                           0x03,                             // 3 segments
                           0x00, 0x41, 0x08, 0x0b, 0x02, 'h', 'i',  // 0: (i32.const 8) "hi"
                           0x01, 0x01, '!',                  // 1: passive "!"
                           0x02, 0x00, 0x41, 0x00, 0x0b, 0x00});  // 2: memory 0 (i32.const 0) ""
  ASSERT_EQ(m.datas.size(), 3u);
  EXPECT_EQ(m.datas[0].mode, SegmentMode::Active);
  EXPECT_EQ(m.datas[0].init.offset, 21u);
  EXPECT_EQ(m.datas[0].init.size, 2u);
  EXPECT_EQ(m.span(m.datas[0].init)[1], 'i');
  EXPECT_EQ(m.datas[1].mode, SegmentMode::Passive);
  EXPECT_EQ(m.datas[2].init.size, 0u);
  expectMalformed({0x0b, 0x02, 0x01, 0x03}, "malformed data segment kind", 11);
  // 7 bytes claimed with 6 left: within the reference's bound, so reading them runs out.
  expectMalformed({0x0b, 0x0c, 0x01, 0x00, 0x41, 0x03, 0x0b, 0x07, 'a', 'b', 'c', 'd', 'e', 'f'},
                  "unexpected end of section or function", 16);
}

TEST(DecodeCode, BodiesAreSpansNotDecoded) {
  // The body bytes are not instructions at all; the decoder does not look at them.
  ir::Module m = decodeOk({0x01, 0x04, 0x01, 0x60, 0x00, 0x00,  // type section
                           0x03, 0x02, 0x01, 0x00,              // function section: 1 function
                           0x0a, 0x06, 0x01,                    // code section: 1 entry
                           0x04, 0xff, 0xff, 0xff, 0xff});      // 4 bytes of body
  EXPECT_EQ(m.functions[0].body.offset, 22u);
  EXPECT_EQ(m.functions[0].body.size, 4u);
  expectMalformed({0x0a, 0x04, 0x01, 0x05, 0x00, 0x0b}, "length out of bounds", 11);  // entry size 5 of 2 bytes
}

}  // namespace
}  // namespace strata::decode::testing
