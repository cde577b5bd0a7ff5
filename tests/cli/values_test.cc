// Tests of script value conversion and result matching (src/wast/values.h).
#include <gtest/gtest.h>

#include <cstring>

#include "wast/values.h"

namespace strata::wast {
namespace {

using text::Value;
using VK = Value::Kind;

Value scalar(VK kind, uint64_t bits, Value::Nan nan = Value::Nan::None) {
  Value v;
  v.kind = kind;
  v.bits = bits;
  v.nan = nan;
  return v;
}

Value v128(Value::Shape shape, std::array<uint8_t, 16> bytes) {
  Value v;
  v.kind = VK::V128;
  v.shape = shape;
  v.v128 = bytes;
  return v;
}

Value ref(VK kind) {
  Value v;
  v.kind = kind;
  return v;
}

// f32x4 lanes from their bit patterns, little-endian (spec 4.2.1).
std::array<uint8_t, 16> f32Lanes(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  std::array<uint8_t, 16> out{};
  uint32_t lanes[4] = {a, b, c, d};
  std::memcpy(out.data(), lanes, 16);
  return out;
}

TEST(NanPatterns, CanonicalAllowsOnlyTheSign) {
  EXPECT_TRUE(isCanonicalNan32(0x7fc00000));
  EXPECT_TRUE(isCanonicalNan32(0xffc00000));
  EXPECT_FALSE(isCanonicalNan32(0x7fc00001));  // payload bit besides the quiet bit
  EXPECT_FALSE(isCanonicalNan32(0x7f800000));  // infinity
  EXPECT_TRUE(isCanonicalNan64(0xfff8000000000000));
  EXPECT_FALSE(isCanonicalNan64(0x7ff8000000000001));
}

TEST(NanPatterns, ArithmeticNeedsTheQuietBit) {
  EXPECT_TRUE(isArithmeticNan32(0x7fc00001));
  EXPECT_TRUE(isArithmeticNan32(0xffffffff));
  EXPECT_FALSE(isArithmeticNan32(0x7fa00000));  // signalling NaN
  EXPECT_TRUE(isArithmeticNan64(0x7ffc000000000000));
  EXPECT_FALSE(isArithmeticNan64(0x7ff4000000000000));
}

TEST(Matches, IntegersExactly) {
  EXPECT_TRUE(matches(scalar(VK::I32, 0xffffffff), Val::i32(-1)));
  EXPECT_FALSE(matches(scalar(VK::I32, 1), Val::i32(2)));
  EXPECT_FALSE(matches(scalar(VK::I32, 1), Val::i64(1)));  // wrong type
  EXPECT_TRUE(matches(scalar(VK::I64, 0x8000000000000000), Val::i64(INT64_MIN)));
}

TEST(Matches, FloatsBitExactUnlessPattern) {
  EXPECT_TRUE(matches(scalar(VK::F32, 0x80000000), Val::f32Bits(0x80000000)));
  EXPECT_FALSE(matches(scalar(VK::F32, 0x00000000), Val::f32Bits(0x80000000)));  // -0 is not +0
  EXPECT_FALSE(matches(scalar(VK::F32, 0x7fc00000), Val::f32Bits(0x7fc00001)));  // payloads differ
  EXPECT_TRUE(matches(scalar(VK::F32, 0, Value::Nan::Canonical), Val::f32Bits(0xffc00000)));
  EXPECT_FALSE(matches(scalar(VK::F64, 0, Value::Nan::Canonical), Val::f64Bits(0x7ff8000000000001)));
  EXPECT_TRUE(matches(scalar(VK::F64, 0, Value::Nan::Arithmetic), Val::f64Bits(0x7ff8000000000001)));
}

TEST(Matches, V128IntegerShapesCompareAllBytes) {
  std::array<uint8_t, 16> bytes{};
  bytes[15] = 0x80;
  EXPECT_TRUE(matches(v128(Value::Shape::I8, bytes), Val::v128(bytes)));
  std::array<uint8_t, 16> other = bytes;
  other[0] = 1;
  EXPECT_FALSE(matches(v128(Value::Shape::I64, bytes), Val::v128(other)));
}

TEST(Matches, V128FloatLanesWithPatterns) {
  Value e = v128(Value::Shape::F32, f32Lanes(0x3fc00000, 0, 0x80000000, 0x7f800000));
  e.lane_nan[1] = Value::Nan::Canonical;
  EXPECT_TRUE(matches(e, Val::v128(f32Lanes(0x3fc00000, 0xffc00000, 0x80000000, 0x7f800000))));
  EXPECT_FALSE(matches(e, Val::v128(f32Lanes(0x3fc00000, 0x7fc00001, 0x80000000, 0x7f800000))));
  EXPECT_FALSE(matches(e, Val::v128(f32Lanes(0x3fc00000, 0x7fc00000, 0x00000000, 0x7f800000))));
}

TEST(Matches, References) {
  Value null_func = ref(VK::RefNull);
  null_func.heap = ir::HeapType::abs(ir::AbsHeap::Func);
  EXPECT_TRUE(matches(null_func, Val::nullRef(Val::Kind::FuncRef)));
  EXPECT_FALSE(matches(null_func, Val::nullRef(Val::Kind::ExternRef)));  // other hierarchy
  EXPECT_TRUE(matches(ref(VK::RefNullAny), Val::nullRef(Val::Kind::ExternRef)));

  Value ext = ref(VK::RefExtern);
  ext.bits = 7;
  ext.has_index = true;
  EXPECT_TRUE(matches(ext, Val::externref(ExternRef::fromInt(7))));
  EXPECT_FALSE(matches(ext, Val::externref(ExternRef::fromInt(8))));
  EXPECT_FALSE(matches(ext, Val::nullRef(Val::Kind::ExternRef)));

  Value func = ref(VK::RefFunc);  // any non-null funcref
  EXPECT_FALSE(matches(func, Val::nullRef(Val::Kind::FuncRef)));
  EXPECT_TRUE(matches(func, Val::ref(Val::Kind::FuncRef, &func)));
}

TEST(Matches, EitherAndLists) {
  Value either = ref(VK::Either);
  either.alternatives = {scalar(VK::I32, 1), scalar(VK::I32, 2)};
  EXPECT_TRUE(matches(either, Val::i32(2)));
  EXPECT_FALSE(matches(either, Val::i32(3)));
  std::vector<Value> want = {scalar(VK::I32, 1)};
  std::vector<Val> got = {Val::i32(1), Val::i32(1)};
  EXPECT_FALSE(matchesAll(want, got));  // counts differ
  got.pop_back();
  EXPECT_TRUE(matchesAll(want, got));
}

TEST(ToArgument, ParameterTypePicksTheReferenceKind) {
  Value null = ref(VK::RefNull);
  null.heap = ir::HeapType::abs(ir::AbsHeap::Extern);
  auto v = toArgument(null, ValType::externref());
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->kind(), Val::Kind::ExternRef);
  EXPECT_TRUE(v->isNull());

  Value host = ref(VK::RefExtern);
  host.bits = 3;
  host.has_index = true;
  auto e = toArgument(host, ValType::externref());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->externref(), ExternRef::fromInt(3));
}

TEST(ToArgument, PatternsAreNotArguments) {
  EXPECT_FALSE(toArgument(scalar(VK::F32, 0, Value::Nan::Canonical), ValType::f32()).has_value());
  EXPECT_FALSE(toArgument(ref(VK::RefFunc), ValType::funcref()).has_value());
  auto f = toArgument(scalar(VK::F64, 0x7ff8000000000001), ValType::f64());
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->f64Bits(), 0x7ff8000000000001u);  // NaN payloads pass through unchanged
}

TEST(Describe, NamesTypeAndBits) {
  EXPECT_EQ(describe(Val::i32(-1)), "i32:-1 (0xffffffff)");
  EXPECT_EQ(describe(scalar(VK::F32, 0, Value::Nan::Canonical)), "f32:nan:canonical");
  EXPECT_EQ(describe(Val::externref(ExternRef::fromInt(5))), "ref.extern 5");
  EXPECT_EQ(describe(Val::nullRef(Val::Kind::FuncRef)), "ref.null func");
}

}  // namespace
}  // namespace strata::wast
