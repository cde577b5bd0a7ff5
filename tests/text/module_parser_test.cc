// Tests for module fields: index spaces with imports first, inline imports/exports, segments
// and their abbreviations, names, and the field-level errors (spec 6.6).
#include <gtest/gtest.h>

#include "text_test_util.h"

namespace strata::text {
namespace {

using ir::ExternKind;
using ir::SegmentMode;
using testing::body;
using testing::bytes;
using testing::bytesOf;
using testing::parseError;
using testing::parseOk;

TEST(ModuleParser, ModuleFormAndBareFields) {
  auto m = parseOk("(module $m (func))");
  EXPECT_EQ(m.names.module, "m");
  EXPECT_EQ(m.functions.size(), 1u);
  EXPECT_EQ(parseOk("(func) (func)").functions.size(), 2u);
  EXPECT_EQ(parseOk("").functions.size(), 0u);
  EXPECT_EQ(parseError("(module) (func)"), "unexpected token");
}

TEST(ModuleParser, UnclosedModuleIsMalformed) {
  EXPECT_EQ(parseError("(module (func)"), "unexpected end");
  EXPECT_EQ(parseError("(module\n"), "unexpected end");
  auto script = parseWast("(module (func)", "t.wast");
  ASSERT_FALSE(script);
  EXPECT_EQ(script.error().message, "unexpected end");
}

TEST(ModuleParser, ImportsComeFirstInEachIndexSpace) {
  auto m = parseOk(
      "(import \"m\" \"f\" (func $f (param i32)))"
      "(global $g (import \"m\" \"g\") (mut i64))"
      "(memory (import \"m\" \"mem\") 1)"
      "(func $h (call $f (i32.const 0)))"
      "(global i32 (global.get $g))");
  ASSERT_EQ(m.imports.size(), 3u);
  EXPECT_EQ(m.imports[0].name, "f");
  EXPECT_EQ(m.imports[1].kind, ExternKind::Global);
  EXPECT_EQ(m.imports[2].kind, ExternKind::Memory);
  EXPECT_EQ(m.num_imported_functions, 1u);
  EXPECT_EQ(m.num_imported_globals, 1u);
  EXPECT_EQ(m.num_imported_memories, 1u);
  EXPECT_TRUE(m.functions[0].imported);
  EXPECT_FALSE(m.functions[1].imported);
  EXPECT_TRUE(m.globals[0].type.mut);
  EXPECT_EQ(m.names.functions.at(0), "f");
  EXPECT_EQ(m.names.functions.at(1), "h");
}

TEST(ModuleParser, ImportAfterDefinition) {
  EXPECT_EQ(parseError("(func) (import \"\" \"\" (func))"), "import after function");
  EXPECT_EQ(parseError("(global i64 (i64.const 0)) (import \"\" \"\" (table 0 funcref))"), "import after global");
  EXPECT_EQ(parseError("(memory 0) (table (import \"\" \"\") 0 funcref)"), "import after memory");
}

TEST(ModuleParser, ExportsInlineAndStandalone) {
  auto m = parseOk(
      "(func $f (export \"a\") (export \"b\")) (table $t 0 funcref) (export \"t\" (table $t))"
      "(tag $e (export \"e\"))");
  ASSERT_EQ(m.exports.size(), 4u);
  EXPECT_EQ(m.exports[1].name, "b");
  EXPECT_EQ(m.exports[2].kind, ExternKind::Table);
  EXPECT_EQ(m.exports[3].kind, ExternKind::Tag);
  EXPECT_EQ(parseError("(func (export \"\\ff\"))"), "malformed UTF-8 encoding");
}

TEST(ModuleParser, TableWithInlineElements) {
  auto m = parseOk("(table $t funcref (elem $f $g)) (func $f) (func $g)");
  ASSERT_EQ(m.tables.size(), 1u);
  EXPECT_EQ(m.tables[0].type.limits.min, 2u);
  EXPECT_EQ(m.tables[0].type.limits.max, 2u);
  ASSERT_EQ(m.elems.size(), 1u);
  const ir::ElemSegment& e = m.elems[0];
  EXPECT_EQ(e.mode, SegmentMode::Active);
  EXPECT_EQ(e.func_indices, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(bytesOf(m, e.offset.span), bytes({0x41, 0x00, 0x0b}));  // i32.const 0, end
  auto t64 = parseOk("(table i64 funcref (elem (ref.func 0))) (func)");
  EXPECT_TRUE(t64.elems[0].uses_exprs);
  EXPECT_EQ(bytesOf(t64, t64.elems[0].offset.span), bytes({0x42, 0x00, 0x0b}));  // i64.const 0, end
}

TEST(ModuleParser, TableWithInlineElementsOfATypedTable) {
  auto m = parseOk("(type $f (func)) (table (ref null $f) (elem $g)) (func $g (type $f))");
  const ir::ElemSegment& e = m.elems[0];
  EXPECT_TRUE(e.uses_exprs);  // the segment takes the table's type: (ref.func $g) items
  EXPECT_EQ(e.type, ir::ValType::ref(ir::HeapType::index(0), true));
  ASSERT_EQ(e.exprs.size(), 1u);
  EXPECT_EQ(bytesOf(m, e.exprs[0].span), bytes({0xd2, 0x00, 0x0b}));  // ref.func 0, end
}

TEST(ModuleParser, TableWithInitializer) {
  auto m = parseOk("(type $f (func)) (table 10 (ref $f) (ref.func $g)) (func $g)");
  ASSERT_TRUE(m.tables[0].init);
  EXPECT_EQ(bytesOf(m, m.tables[0].init->span), bytes({0xd2, 0x00, 0x0b}));  // ref.func 0, end
}

TEST(ModuleParser, MemoryWithInlineData) {
  auto m = parseOk("(memory $m (data \"abc\" \"\\00\"))");
  EXPECT_EQ(m.memories[0].type.limits.min, 1u);
  EXPECT_EQ(m.memories[0].type.limits.max, 1u);
  ASSERT_EQ(m.datas.size(), 1u);
  EXPECT_EQ(bytesOf(m, m.datas[0].init), bytes({'a', 'b', 'c', 0}));
  EXPECT_EQ(parseOk("(memory (data))").memories[0].type.limits.min, 0u);
}

TEST(ModuleParser, ElementSegmentForms) {
  auto m = parseOk(
      "(table $t 1 funcref) (func $f)"
      "(elem $p func $f)"                                        // passive, indices
      "(elem declare funcref (ref.func $f) (item ref.null func))"  // declarative, expressions
      "(elem (table $t) (offset (i32.const 1)) func $f $f)"      // active, explicit table
      "(elem (i32.const 0) $f)"                                  // active, 1.0 abbreviation
      "(elem $e2 (table $t) (i32.const 0) funcref (item (ref.func $f)))");
  ASSERT_EQ(m.elems.size(), 5u);
  EXPECT_EQ(m.elems[0].mode, SegmentMode::Passive);
  EXPECT_FALSE(m.elems[0].uses_exprs);
  EXPECT_EQ(m.elems[1].mode, SegmentMode::Declarative);
  ASSERT_EQ(m.elems[1].exprs.size(), 2u);
  EXPECT_EQ(bytesOf(m, m.elems[1].exprs[1].span), bytes({0xd0, 0x70, 0x0b}));  // ref.null func, end
  EXPECT_EQ(m.elems[2].mode, SegmentMode::Active);
  EXPECT_EQ(bytesOf(m, m.elems[2].offset.span), bytes({0x41, 0x01, 0x0b}));
  EXPECT_EQ(m.elems[2].func_indices.size(), 2u);
  EXPECT_EQ(m.elems[3].func_indices, std::vector<uint32_t>{0});
  EXPECT_TRUE(m.elems[4].uses_exprs);
  EXPECT_EQ(m.elems[4].type, ir::ValType::funcref());
}

TEST(ModuleParser, DataSegmentForms) {
  auto m = parseOk(
      "(memory $m 1) (memory $n 1)"
      "(data $d \"x\")"
      "(data (memory $n) (offset (i32.const 8)) \"a\" \"b\")"
      "(data (i32.const 4))");
  ASSERT_EQ(m.datas.size(), 3u);
  EXPECT_EQ(m.datas[0].mode, SegmentMode::Passive);
  EXPECT_EQ(m.datas[1].memory, 1u);
  EXPECT_EQ(bytesOf(m, m.datas[1].init), bytes({'a', 'b'}));
  EXPECT_EQ(bytesOf(m, m.datas[2].offset.span), bytes({0x41, 0x04, 0x0b}));
  EXPECT_FALSE(m.data_count);  // no instruction names a data segment
}

TEST(ModuleParser, SegmentIdsCountAbbreviations) {
  // The table's inline elements take elem index 0, so $e is 1 (spec 6.6.6).
  auto m = parseOk("(table funcref (elem)) (elem $e func) (func (elem.drop $e))");
  EXPECT_EQ(body(m, 0), bytes({
                            0x00,              // no locals
                            0xfc, 0x0d, 0x01,  // elem.drop 1
                            0x0b,              // end
                        }));
}

TEST(ModuleParser, GlobalsAndStart) {
  auto m = parseOk("(global $g (mut f32) (f32.const 1)) (func $main) (start $main)");
  EXPECT_TRUE(m.globals[0].type.mut);
  EXPECT_EQ(bytesOf(m, m.globals[0].init.span), bytes({0x43, 0x00, 0x00, 0x80, 0x3f, 0x0b}));
  EXPECT_EQ(m.start, 0u);
  EXPECT_EQ(parseError("(func $a) (start $a) (start $a)"), "multiple start sections");
}

TEST(ModuleParser, Tags) {
  auto m = parseOk("(tag $a (import \"m\" \"t\") (param i32)) (tag $b) (type $t (func (param i64))) (tag (type $t))");
  ASSERT_EQ(m.tags.size(), 3u);
  EXPECT_TRUE(m.tags[0].imported);
  EXPECT_EQ(m.num_imported_tags, 1u);
  EXPECT_EQ(m.tags[2].type.type_index, 0u);
}

TEST(ModuleParser, NamesOfFunctionsAndLocals) {
  auto m = parseOk("(module $mod (func $f (param $a i32) (param i64) (local $b f32)) (func (local $c i32)))");
  EXPECT_EQ(m.names.module, "mod");
  EXPECT_EQ(m.names.functions.size(), 1u);
  EXPECT_EQ(m.names.locals.at(0).at(0), "a");
  EXPECT_EQ(m.names.locals.at(0).at(2), "b");
  EXPECT_EQ(m.names.locals.at(1).at(0), "c");
  auto q = parseOk("(func $\"quoted name\")");
  EXPECT_EQ(q.names.functions.at(0), "quoted name");
}

TEST(ModuleParser, DuplicateIds) {
  EXPECT_EQ(parseError("(func $f) (func $f)"), "duplicate func $f");
  EXPECT_EQ(parseError("(memory $m 1) (memory $m 1)"), "duplicate memory $m");
  EXPECT_EQ(parseError("(global $g i32 (i32.const 0)) (import \"\" \"\" (global $g i32))"), "import after global");
  EXPECT_EQ(parseError("(func (param $x i32) (local $x i32))"), "duplicate local $x");
  EXPECT_EQ(parseError("(table $t 0 funcref) (table $t 0 funcref)"), "duplicate table $t");
}

TEST(ModuleParser, ErrorsCarryByteOffsets) {
  auto m = parseWat("(module\n  (func (i32.const 0x)))");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(m.error().offset, 27u);  // the `0x` token
  Location loc = locate("(module\n  (func (i32.const 0x)))", m.error().offset, "a.wat");
  EXPECT_EQ(loc.str(), "a.wat:2:20");
}

TEST(ModuleParser, EntriesRecordTheirTextOffsets) {
  auto m = parseOk("(type (func)) (func (export \"f\")) (global i32 (i32.const 0)) (start 0)");
  EXPECT_EQ(m.types[0].pos, 0u);
  EXPECT_EQ(m.functions[0].pos, 14u);
  EXPECT_EQ(m.exports[0].pos, 20u);
  EXPECT_EQ(m.globals[0].pos, 34u);
  EXPECT_EQ(m.start_pos, 61u);
}

TEST(ModuleParser, UnbalancedParentheses) {
  EXPECT_EQ(parseError("(func"), "unexpected end");
  EXPECT_EQ(parseError("(module (table funcref (elem"), "unexpected end");
  EXPECT_EQ(parseError("(type (struct (field $x i32))) (typo) (type (struct (field $x i32)))"), "unknown operator typo");
  EXPECT_EQ(parseError("(func))"), "unexpected token");
  EXPECT_EQ(parseError("(foo)"), "unknown operator foo");
}

}  // namespace
}  // namespace strata::text
