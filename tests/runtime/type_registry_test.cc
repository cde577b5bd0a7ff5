// Canonical type ids across modules: structural equality by rec group, declared subtyping.
#include "runtime/type_registry.h"

#include <gtest/gtest.h>

#include "text/text.h"

namespace strata::runtime {
namespace {

ir::Module parse(std::string_view wat) {
  auto m = text::parseWat(wat);
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().describe());
  return std::move(*m);
}

TEST(TypeRegistry, EqualFunctionTypesOfDifferentModulesShareAnId) {
  TypeRegistry r;
  auto a = r.intern(parse("(module (type (func (param i32) (result i64))) (type (func)))"));
  auto b = r.intern(parse("(module (type (func)) (type (func (param i32) (result i64))))"));
  EXPECT_EQ(a[0], b[1]);
  EXPECT_EQ(a[1], b[0]);
  EXPECT_NE(a[0], a[1]);
}

TEST(TypeRegistry, HostFunctionTypeMatchesModuleType) {
  TypeRegistry r;
  auto ids = r.intern(parse("(module (type (func (param i32) (result i32))))"));
  ir::FuncType t{{ir::ValType::i32()}, {ir::ValType::i32()}};
  EXPECT_EQ(r.internFunc(t), ids[0]);
  ir::FuncType other{{ir::ValType::i64()}, {ir::ValType::i32()}};
  EXPECT_NE(r.internFunc(other), ids[0]);
}

TEST(TypeRegistry, RecGroupsCompareAsAWhole) {
  TypeRegistry r;
  const char* wat = "(module (rec (type $a (func (param (ref $b)))) (type $b (func (result (ref $a))))))";
  auto a = r.intern(parse(wat));
  auto b = r.intern(parse(wat));
  EXPECT_EQ(a, b);
  // The same shapes outside a rec group are different types (spec 3.1.3: groups roll up).
  auto c = r.intern(parse("(module (type $b (func)) (type $a (func (param (ref $b)))))"));
  EXPECT_NE(c[1], a[0]);
  // A reference inside a group is stored with the canonical id.
  EXPECT_EQ(r.funcType(a[0]).params[0].heap.typeIndex(), a[1]);
}

TEST(TypeRegistry, DeclaredSubtyping) {
  TypeRegistry r;
  auto ids = r.intern(parse("(module (type $a (sub (func))) (type $b (sub $a (func))) (type $c (func)))"));
  EXPECT_TRUE(r.isSubtype(ids[1], ids[0]));
  EXPECT_FALSE(r.isSubtype(ids[0], ids[1]));
  EXPECT_FALSE(r.isSubtype(ids[2], ids[0]));
  auto ref = [](uint32_t id, bool null) { return ir::ValType::ref(ir::HeapType::index(id), null); };
  EXPECT_TRUE(r.isSubtype(ref(ids[1], false), ref(ids[0], true)));
  EXPECT_FALSE(r.isSubtype(ref(ids[1], true), ref(ids[0], false)));
  EXPECT_TRUE(r.isSubtype(ref(ids[0], false), ir::ValType::funcref()));
  EXPECT_FALSE(r.isSubtype(ir::ValType::funcref(), ref(ids[0], true)));
  EXPECT_TRUE(r.isSubtype(ir::ValType::ref(ir::HeapType::abs(ir::AbsHeap::NoFunc), true), ref(ids[0], true)));
  EXPECT_FALSE(r.isSubtype(ir::ValType::externref(), ir::ValType::funcref()));
}

}  // namespace
}  // namespace strata::runtime
