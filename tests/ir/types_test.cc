// Tests for value-type equality and text rendering (spec 6.4 spellings).
#include "ir/types.h"

#include <gtest/gtest.h>

#include "ir/features.h"

namespace strata::ir {
namespace {

TEST(Types, RefEqualityConsidersNullabilityAndHeap) {
  EXPECT_EQ(ValType::funcref(), ValType::ref(HeapType::abs(AbsHeap::Func), true));
  EXPECT_NE(ValType::funcref(), ValType::ref(HeapType::abs(AbsHeap::Func), false));
  EXPECT_NE(ValType::funcref(), ValType::externref());
  EXPECT_NE(ValType::ref(HeapType::index(1), true), ValType::ref(HeapType::index(2), true));
  EXPECT_EQ(ValType::i32(), ValType::i32());
}

TEST(Types, Rendering) {
  EXPECT_EQ(toString(ValType::funcref()), "funcref");
  EXPECT_EQ(toString(ValType::ref(HeapType::index(3), false)), "(ref 3)");
  EXPECT_EQ(toString(ValType::ref(HeapType::abs(AbsHeap::Any), false)), "(ref any)");
  EXPECT_EQ(toString(ValType::v128()), "v128");
}

TEST(Features, Wasm2HasOnlyTheStandardisedProposals) {
  Features f = Features::wasm2();
  EXPECT_TRUE(f.has(Feature::Simd));
  EXPECT_TRUE(f.has(Feature::ReferenceTypes));
  EXPECT_FALSE(f.has(Feature::TailCall));
  EXPECT_FALSE(f.has(Feature::MultiMemory));
  Features all;
  EXPECT_TRUE(all.has(Feature::Gc));
  EXPECT_TRUE(all.setByName("simd", false));
  EXPECT_FALSE(all.has(Feature::Simd));
  EXPECT_FALSE(all.setByName("no-such-feature", true));
}

}  // namespace
}  // namespace strata::ir
