// Type section validation, iso-recursive canonicalisation and subtyping.
#include "validate/type_context.h"

#include <gtest/gtest.h>

#include "test_module.h"

namespace strata::validate {
namespace {

using ir::AbsHeap;
using ir::HeapType;
using ir::ValType;
using test::kI32;
using test::refTo;
using test::TestModule;

ir::SubType structOf(std::vector<ir::FieldType> fields, std::optional<uint32_t> super = {}, bool final_ = false) {
  ir::SubType t;
  t.kind = ir::CompKind::Struct;
  t.strct.fields = std::move(fields);
  t.super = super;
  t.final_ = final_;
  return t;
}

ir::FieldType field(ValType t, bool mut = false) { return {{t, ir::Packed::None}, mut}; }

HeapType abs(AbsHeap h) { return HeapType::abs(h); }

TEST(TypeContext, AbstractHierarchy) {
  TestModule t;
  TypeContext tc;
  ASSERT_TRUE(tc.init(t.m));
  EXPECT_TRUE(tc.isSubtype(abs(AbsHeap::I31), abs(AbsHeap::Eq)));
  EXPECT_TRUE(tc.isSubtype(abs(AbsHeap::Struct), abs(AbsHeap::Any)));
  EXPECT_TRUE(tc.isSubtype(abs(AbsHeap::None), abs(AbsHeap::Array)));
  EXPECT_TRUE(tc.isSubtype(abs(AbsHeap::NoFunc), abs(AbsHeap::Func)));
  EXPECT_FALSE(tc.isSubtype(abs(AbsHeap::Func), abs(AbsHeap::Any)));
  EXPECT_FALSE(tc.isSubtype(abs(AbsHeap::NoExtern), abs(AbsHeap::Func)));
  EXPECT_FALSE(tc.isSubtype(abs(AbsHeap::Eq), abs(AbsHeap::I31)));
  EXPECT_TRUE(tc.isSubtype(kBotHeap, abs(AbsHeap::Extern)));
  // Nullability: (ref ht) <: (ref null ht) but not the reverse.
  EXPECT_TRUE(tc.isSubtype(ValType::ref(abs(AbsHeap::Func), false), ValType::funcref()));
  EXPECT_FALSE(tc.isSubtype(ValType::funcref(), ValType::ref(abs(AbsHeap::Func), false)));
  EXPECT_TRUE(tc.isSubtype(ValType::bot(), kI32));
}

TEST(TypeContext, EquivalentRecGroupsAreEqual) {
  TestModule t;
  // Two separate groups, each a struct referring to itself: equivalent after rolling.
  uint32_t a = t.recGroup({structOf({field(refTo(0, true))})});
  uint32_t b = t.recGroup({structOf({field(refTo(1, true))})});
  // A group whose struct refers to the first group's type: not equivalent to a.
  uint32_t c = t.recGroup({structOf({field(refTo(0, true))})});
  TypeContext tc;
  ASSERT_TRUE(tc.init(t.m));
  EXPECT_EQ(tc.canonical(a), tc.canonical(b));
  EXPECT_NE(tc.canonical(a), tc.canonical(c));
  EXPECT_TRUE(tc.equal(refTo(a, false), refTo(b, false)));
}

TEST(TypeContext, DeclaredSubtypesMatch) {
  TestModule t;
  uint32_t base = t.addType(structOf({field(kI32)}));
  uint32_t sub = t.addType(structOf({field(kI32), field(test::kI64)}, base));
  TypeContext tc;
  ASSERT_TRUE(tc.init(t.m));
  EXPECT_TRUE(tc.isSubtype(HeapType::index(sub), HeapType::index(base)));
  EXPECT_FALSE(tc.isSubtype(HeapType::index(base), HeapType::index(sub)));
  EXPECT_TRUE(tc.isSubtype(HeapType::index(sub), abs(AbsHeap::Struct)));
  EXPECT_TRUE(tc.isSubtype(abs(AbsHeap::None), HeapType::index(sub)));
  EXPECT_FALSE(tc.isSubtype(HeapType::index(sub), abs(AbsHeap::Array)));
}

TEST(TypeContext, SubtypeMustMatchSuper) {
  TestModule t;
  uint32_t base = t.addType(structOf({field(kI32, /*mut=*/true)}));
  t.addType(structOf({field(test::kI64, true)}, base));
  TypeContext tc;
  auto r = tc.init(t.m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "sub type 1 does not match super type 0");
}

TEST(TypeContext, FinalTypesHaveNoSubtypes) {
  TestModule t;
  uint32_t base = t.addType(structOf({}, {}, /*final_=*/true));
  t.addType(structOf({}, base));
  TypeContext tc;
  auto r = tc.init(t.m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.substr(0, 8), "sub type");
}

TEST(TypeContext, ReferencesStayInsideTheRecGroup) {
  TestModule t;
  t.addType(structOf({field(refTo(1, true))}));  // refers forward, outside its group
  t.addType(structOf({}));
  TypeContext tc;
  auto r = tc.init(t.m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "unknown type");
}

}  // namespace
}  // namespace strata::validate
