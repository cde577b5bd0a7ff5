// Tests of the type section and the entity-declaring sections (types.cc): rec groups, subtypes,
// struct/array fields, imports of every kind, tables, memories and limits, tags, globals.
#include <gtest/gtest.h>

#include "test_util.h"

namespace strata::decode::testing {
namespace {

using ir::ValType;

TEST(DecodeTypes, FunctionTypes) {
  ir::Module m = decodeOk({0x01, 0x0a,              // type section, 10 bytes
                           0x02,                    // 2 types
                           0x60, 0x02, 0x7f, 0x7e,  // func [i32 i64]
                           0x01, 0x7d,              //   -> [f32]
                           0x60, 0x00, 0x00});      // func [] -> []
  ASSERT_EQ(m.types.size(), 2u);
  EXPECT_EQ(m.types[0].func.params, (std::vector<ValType>{ValType::i32(), ValType::i64()}));
  EXPECT_EQ(m.types[0].func.results, std::vector<ValType>{ValType::f32()});
  EXPECT_TRUE(m.types[0].final_);
  ASSERT_EQ(m.rec_groups.size(), 2u);
  EXPECT_EQ(m.rec_groups[1].first, 1u);
  EXPECT_EQ(m.rec_groups[1].count, 1u);
  EXPECT_FALSE(m.rec_groups[1].explicit_rec);
}

TEST(DecodeTypes, RecGroupsAndSubtypes) {
  ir::Module m = decodeOk({0x01, 0x13,              // type section, 19 bytes
                0x03,                    // 3 rec types
                0x4e, 0x02,              // rec group of 2
                0x50, 0x00,              //   sub (no supertypes)
                0x5f, 0x01, 0x7f, 0x01,  //   struct (field (mut i32))
                0x4f, 0x01, 0x00,        //   sub final, supertype 0
                0x5f, 0x00,              //   struct
                0x5e, 0x78, 0x00,        // array (i8)
                0x4e, 0x00});            // empty rec group
  ASSERT_EQ(m.types.size(), 3u);
  ASSERT_EQ(m.rec_groups.size(), 3u);
  EXPECT_TRUE(m.rec_groups[0].explicit_rec);
  EXPECT_EQ(m.rec_groups[0].count, 2u);
  EXPECT_EQ(m.rec_groups[2].first, 3u);
  EXPECT_EQ(m.rec_groups[2].count, 0u);
  EXPECT_FALSE(m.types[0].final_);
  EXPECT_FALSE(m.types[0].super);
  EXPECT_EQ(m.types[0].kind, ir::CompKind::Struct);
  EXPECT_TRUE(m.types[0].strct.fields[0].mut);
  EXPECT_TRUE(m.types[1].final_);
  EXPECT_EQ(m.types[1].super, 0u);
  EXPECT_EQ(m.types[2].kind, ir::CompKind::Array);
  EXPECT_EQ(m.types[2].array.field.storage.packed, ir::Packed::I8);
  EXPECT_FALSE(m.types[2].array.field.mut);
}

TEST(DecodeTypes, Errors) {
  expectMalformed({0x01, 0x04, 0x01, 0x5e, 0x78, 0x02},  // array (i8) with mutability 2
                  "malformed mutability", 13);
  expectMalformed({0x01, 0x05, 0x01, 0x5f, 0x01, 0x60, 0x00},  // struct field of "type" 0x60
                  "malformed storage type", 13);
  expectMalformed({0x01, 0x02, 0x01, 0x40}, "malformed definition type", 11);
  // Without GC only function types exist, with the 2.0 interpreter's message.
  expectMalformed({0x01, 0x03, 0x01, 0x5e, 0x7f}, "malformed function type", 11, ir::Features::wasm2());
  expectMalformed({0x01, 0x03, 0x01, 0x4e, 0x00}, "malformed function type", 11, ir::Features::wasm2());
  expectMalformed({0x01, 0x04, 0x01, 0x60, 0x01, 0x55}, "malformed value type", 13);
  expectMalformed({0x01, 0x05, 0x01, 0xe0, 0x7f, 0x00, 0x00}, "integer representation too long", 11);
  // Two types claimed, one given, at the end of the file.
  expectMalformed({0x01, 0x04, 0x02, 0x60, 0x00, 0x00}, "unexpected end of section or function", 14);
  auto m = decodeSections({0x01, 0x07, 0x01, 0x50, 0x02, 0x00, 0x00, 0x5f, 0x00});  // two supertypes
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().kind, ErrorKind::Invalid);
}

TEST(DecodeImports, AllKindsAndIndexSpaces) {
  ir::Module m = decodeOk({
      0x01, 0x04, 0x01, 0x60, 0x00, 0x00,  // type section: func [] -> []
      0x02, 0x23,                          // import section, 35 bytes
      0x05,                                // 5 imports
      0x01, 'm', 0x01, 'f', 0x00, 0x00,    // "m" "f" func type 0
      0x01, 'm', 0x01, 't', 0x01, 0x70, 0x00, 0x01,  // "m" "t" table funcref min 1
      0x01, 'm', 0x01, 'g', 0x03, 0x7e, 0x01,        // "m" "g" global (mut i64)
      0x01, 'm', 0x00, 0x02, 0x00, 0x02,             // "m" "" memory min 2
      0x01, 'm', 0x01, 'x', 0x04, 0x00, 0x00,        // "m" "x" tag type 0
      0x03, 0x02, 0x01, 0x00,              // function section: 1 function of type 0
      0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,  // code section: 1 body "\0\x0b"
  });
  ASSERT_EQ(m.imports.size(), 5u);
  EXPECT_EQ(m.imports[1].kind, ir::ExternKind::Table);
  EXPECT_EQ(m.imports[3].name, "");
  EXPECT_EQ(m.imports[4].kind, ir::ExternKind::Tag);
  EXPECT_EQ(m.num_imported_functions, 1u);
  EXPECT_EQ(m.num_imported_tables, 1u);
  EXPECT_EQ(m.num_imported_memories, 1u);
  EXPECT_EQ(m.num_imported_globals, 1u);
  EXPECT_EQ(m.num_imported_tags, 1u);
  ASSERT_EQ(m.functions.size(), 2u);
  EXPECT_TRUE(m.functions[0].imported);
  EXPECT_FALSE(m.functions[1].imported);
  EXPECT_EQ(m.functions[1].body.offset, m.bytes.size() - 2);
  EXPECT_EQ(m.functions[1].body.size, 2u);
  EXPECT_EQ(m.tables[0].type.limits.min, 1u);
  EXPECT_TRUE(m.globals[0].type.mut);
  EXPECT_EQ(m.memories[0].type.limits.min, 2u);
}

TEST(DecodeImports, Errors) {
  expectMalformed({0x02, 0x04, 0x01, 0x00, 0x00, 0x05}, "malformed import kind", 13);
  expectMalformed({0x02, 0x04, 0x01, 0x00, 0x00, 0x80}, "malformed import kind", 13);
  // Tags need exception handling.
  expectMalformed({0x02, 0x06, 0x01, 0x00, 0x00, 0x04, 0x00, 0x00}, "malformed import kind", 13,
                  ir::Features::wasm2());
  expectMalformed({0x02, 0x05, 0x01, 0x01, 0xff, 0x00, 0x00},  // module name "\xff"
                  "malformed UTF-8 encoding", 11);
}

TEST(DecodeLimits, LegacyFlagIsALeb128Bit) {
  // With threads, memory64 and custom page sizes all off, the flag is 2.0's u1.
  ir::Features f = ir::Features::wasm2();
  expectMalformed({0x05, 0x02, 0x01, 0x02}, "integer too large", 11, f);
  expectMalformed({0x04, 0x04, 0x01, 0x70, 0x08, 0x00}, "integer too large", 12, f);
  expectMalformed({0x05, 0x05, 0x01, 0x81, 0x00, 0x00, 0x00}, "integer representation too long", 11, f);
  // ... and limits are u32.
  expectMalformed({0x05, 0x07, 0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x70}, "integer too large", 12, f);
}

TEST(DecodeLimits, ModernFlags) {
  ir::Module m = decodeOk({0x05, 0x0e,           // memory section, 14 bytes
                           0x03,                 // 3 memories
                           0x03, 0x01, 0x02,     // shared, min 1 max 2
                           0x05, 0x00, 0x80, 0x80, 0x80, 0x80, 0x20,  // i64, min 0 max 2^33
                           0x08, 0x00, 0x00},    // custom page size 2^0, min 0
                          ir::Features::everything());  // threads and custom page sizes are proposals
  ASSERT_EQ(m.memories.size(), 3u);
  EXPECT_TRUE(m.memories[0].type.limits.shared);
  EXPECT_EQ(m.memories[0].type.limits.max, 2u);
  EXPECT_TRUE(m.memories[1].type.limits.is64);
  EXPECT_EQ(m.memories[1].type.limits.max, uint64_t{1} << 33);
  EXPECT_EQ(m.memories[2].type.page_size_log2, 0u);
  EXPECT_EQ(m.memories[0].type.page_size_log2, 16u);
  expectMalformed({0x05, 0x03, 0x01, 0x10, 0x00}, "malformed limits flags", 11);
  expectMalformed({0x05, 0x05, 0x01, 0x81, 0x00, 0x00, 0x00}, "malformed limits flags", 11);
  expectMalformed({0x04, 0x04, 0x01, 0x70, 0x02, 0x00}, "malformed limits flags", 12);  // no shared tables
  expectMalformed({0x04, 0x04, 0x01, 0x70, 0x08, 0x00}, "malformed limits flags", 12);  // no table page size
  ir::Features f = ir::Features::everything();
  f.set(ir::Feature::Memory64, false);
  expectMalformed({0x05, 0x03, 0x01, 0x04, 0x00}, "malformed limits flags", 11, f);
}

TEST(DecodeTables, PlainAndWithInitializer) {
  ir::Module m = decodeOk({0x01, 0x04, 0x01, 0x60, 0x00, 0x00,  // type section: func [] -> []
                           0x04, 0x0e,                          // table section, 14 bytes
                           0x02,                                // 2 tables
                           0x6f, 0x01, 0x00, 0x05,              // externref min 0 max 5
                           0x40, 0x00,                          // table with initializer:
                           0x64, 0x00, 0x00, 0x01,              //   (ref 0) min 1
                           0xd0, 0x00, 0x0b});                  //   (ref.null 0) end
  ASSERT_EQ(m.tables.size(), 2u);
  EXPECT_EQ(m.tables[0].type.elem, ValType::externref());
  EXPECT_EQ(m.tables[0].type.limits.max, 5u);
  EXPECT_FALSE(m.tables[0].init);
  ASSERT_TRUE(m.tables[1].init);
  EXPECT_EQ(m.tables[1].type.elem, ValType::ref(ir::HeapType::index(0), false));
  EXPECT_EQ(m.tables[1].init->span.offset, 27u);
  EXPECT_EQ(m.tables[1].init->span.size, 3u);
  expectMalformed({0x04, 0x03, 0x01, 0x40, 0x01}, "zero byte expected", 12);
  expectMalformed({0x04, 0x04, 0x01, 0x7f, 0x00, 0x00}, "malformed reference type", 11);
  expectMalformed({0x04, 0x03, 0x01, 0x40, 0x00}, "malformed reference type", 11, ir::Features::wasm2());
}

TEST(DecodeGlobalsAndTags, InitExpressionsAndTags) {
  ir::Module m = decodeOk({0x01, 0x04, 0x01, 0x60, 0x00, 0x00,  // type section: func [] -> []
                           0x0d, 0x03, 0x01, 0x00, 0x00,        // tag section: 1 tag of type 0
                           0x06, 0x0b,                          // global section, 11 bytes
                           0x02,                                // 2 globals
                           0x7f, 0x00, 0x41, 0x2a, 0x0b,        // i32 const (i32.const 42) end
                           0x70, 0x01, 0xd2, 0x00, 0x0b});      // funcref var (ref.func 0) end
  ASSERT_EQ(m.tags.size(), 1u);
  EXPECT_FALSE(m.tags[0].imported);
  ASSERT_EQ(m.globals.size(), 2u);
  EXPECT_EQ(m.globals[0].init.span.offset, 24u);
  EXPECT_EQ(m.globals[0].init.span.size, 3u);
  EXPECT_EQ(m.span(m.globals[1].init)[0], 0xd2);
  expectMalformed({0x0d, 0x03, 0x01, 0x01, 0x00}, "zero byte expected", 11);   // tag attribute 1
  expectMalformed({0x06, 0x04, 0x01, 0x7f, 0x02, 0x0b}, "malformed mutability", 12);
}

}  // namespace
}  // namespace strata::decode::testing
