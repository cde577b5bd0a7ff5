// Tests for numeric literals: separators, integer ranges, exact float rounding, NaN payloads
// (spec 6.3.1, 6.3.2).
#include "text/numbers.h"

#include <gtest/gtest.h>

namespace strata::text {
namespace {

uint64_t nat(std::string_view s, uint64_t max = UINT64_MAX) {
  uint64_t v = 0;
  EXPECT_EQ(parseNat(s, max, v), NumError::None) << s;
  return v;
}
uint64_t i32(std::string_view s) {
  uint64_t v = 0;
  EXPECT_EQ(parseInt(s, 32, v), NumError::None) << s;
  return v;
}
uint32_t f32(std::string_view s) {
  uint32_t v = 0;
  EXPECT_EQ(parseF32(s, v), NumError::None) << s;
  return v;
}
uint64_t f64(std::string_view s) {
  uint64_t v = 0;
  EXPECT_EQ(parseF64(s, v), NumError::None) << s;
  return v;
}
NumError natError(std::string_view s, uint64_t max = UINT64_MAX) {
  uint64_t v;
  return parseNat(s, max, v);
}
NumError intError(std::string_view s, unsigned bits) {
  uint64_t v;
  return parseInt(s, bits, v);
}
NumError f32Error(std::string_view s) {
  uint32_t v;
  return parseF32(s, v);
}
NumError f64Error(std::string_view s) {
  uint64_t v;
  return parseF64(s, v);
}

TEST(Numbers, NatDecimalHexAndSeparators) {
  EXPECT_EQ(nat("0"), 0u);
  EXPECT_EQ(nat("1_000_000"), 1000000u);
  EXPECT_EQ(nat("0x1_F"), 31u);
  EXPECT_EQ(nat("0xffffffffffffffff"), UINT64_MAX);
  EXPECT_EQ(nat("18446744073709551615"), UINT64_MAX);
}

TEST(Numbers, NatSyntaxErrors) {
  for (std::string_view s : {"_1", "1__0", "1_", "0x", "0x_1", "-1", "+1", "1x", "0xg", "1.0", ""})
    EXPECT_EQ(natError(s), NumError::Syntax) << s;
}

TEST(Numbers, NatRange) {
  EXPECT_EQ(natError("18446744073709551616"), NumError::Range);
  EXPECT_EQ(natError("0x1_0000_0000_0000_0000"), NumError::Range);
  EXPECT_EQ(natError("4294967296", UINT32_MAX), NumError::Range);
  EXPECT_EQ(nat("4294967295", UINT32_MAX), 4294967295u);
}

TEST(Numbers, IntAcceptsSignedAndUnsignedRanges) {
  EXPECT_EQ(i32("-2147483648"), 0x80000000u);
  EXPECT_EQ(i32("4294967295"), 0xffffffffu);
  EXPECT_EQ(i32("-1"), 0xffffffffu);
  EXPECT_EQ(i32("-0x8000_0000"), 0x80000000u);
  EXPECT_EQ(i32("+0x7fffffff"), 0x7fffffffu);
  uint64_t v = 0;
  EXPECT_EQ(parseInt("-9223372036854775808", 64, v), NumError::None);
  EXPECT_EQ(v, 0x8000000000000000u);
  EXPECT_EQ(parseInt("-128", 8, v), NumError::None);
  EXPECT_EQ(v, 0x80u);
}

TEST(Numbers, IntRange) {
  EXPECT_EQ(intError("4294967296", 32), NumError::Range);
  EXPECT_EQ(intError("-2147483649", 32), NumError::Range);
  EXPECT_EQ(intError("+2147483648", 32), NumError::Range);  // an explicit sign makes it signed
  EXPECT_EQ(intError("256", 8), NumError::Range);
  EXPECT_EQ(intError("-129", 8), NumError::Range);
  EXPECT_EQ(intError("0x1_0000_0000_0000_0000", 64), NumError::Range);
  EXPECT_EQ(intError("1.5", 32), NumError::Syntax);
}

TEST(Numbers, F32Basics) {
  EXPECT_EQ(f32("0"), 0u);
  EXPECT_EQ(f32("-0"), 0x80000000u);
  EXPECT_EQ(f32("1"), 0x3f800000u);
  EXPECT_EQ(f32("1.5e1_0"), 0x505f8476u);
  EXPECT_EQ(f32("0x1p-1"), 0x3f000000u);
  EXPECT_EQ(f32("0x1.8p1"), 0x40400000u);
  EXPECT_EQ(f32("1."), 0x3f800000u);
  EXPECT_EQ(f32("0x1.p0"), 0x3f800000u);
  EXPECT_EQ(f32("1_0.0_1"), f32("10.01"));
}

TEST(Numbers, F32RoundsToNearestEven) {
  EXPECT_EQ(f32("0x1p-149"), 1u);           // the smallest subnormal
  EXPECT_EQ(f32("0x1p-150"), 0u);           // half of it: ties to even (zero)
  EXPECT_EQ(f32("0x1.8p-149"), 2u);         // 1.5 subnormals: ties to even (two)
  EXPECT_EQ(f32("0x1.000001p0"), 0x3f800000u);  // halfway above 1: down to even
  EXPECT_EQ(f32("0x1.000003p0"), 0x3f800002u);  // halfway above 1+ulp: up to even
  EXPECT_EQ(f32("0x1.0000010000000001p0"), 0x3f800001u);  // just above halfway
}

TEST(Numbers, F32IsNotRoundedThroughF64) {
  // 1 + 2^-24 is halfway between two floats; the tail puts this literal just above it. Rounding
  // to f64 first would land exactly on the halfway point and then round down to 1.0.
  EXPECT_EQ(f32("1.00000005960464477539062500000001"), 0x3f800001u);
  EXPECT_EQ(f32("1.000000059604644775390625"), 0x3f800000u);
}

TEST(Numbers, F32Range) {
  EXPECT_EQ(f32("340282346638528859811704183484516925440"), 0x7f7fffffu);
  EXPECT_EQ(f32("340282356779733661637539395458142568447"), 0x7f7fffffu);  // just below halfway
  EXPECT_EQ(f32Error("340282356779733661637539395458142568448"), NumError::Range);  // ties to inf
  EXPECT_EQ(f32Error("-0x1.fffffffp127"), NumError::Range);
  EXPECT_EQ(f32("1e-50"), 0u);  // underflow to zero is fine
}

TEST(Numbers, F32InfAndNan) {
  EXPECT_EQ(f32("inf"), 0x7f800000u);
  EXPECT_EQ(f32("-inf"), 0xff800000u);
  EXPECT_EQ(f32("nan"), 0x7fc00000u);
  EXPECT_EQ(f32("-nan"), 0xffc00000u);
  EXPECT_EQ(f32("+nan:0x1"), 0x7f800001u);
  EXPECT_EQ(f32("nan:0x7f_ffff"), 0x7fffffffu);
  EXPECT_EQ(f32Error("nan:0x800000"), NumError::Range);
  EXPECT_EQ(f32Error("nan:0x0"), NumError::Range);
  EXPECT_EQ(f32Error("nan:canonical"), NumError::Syntax);
}

TEST(Numbers, F64) {
  EXPECT_EQ(f64("0x1p-1074"), 1u);
  EXPECT_EQ(f64("0x1.fffffffffffffp1023"), 0x7fefffffffffffffu);
  EXPECT_EQ(f64Error("0x1.fffffffffffff8p1023"), NumError::Range);
  EXPECT_EQ(f64("nan:0xfffffffffffff"), 0x7fffffffffffffffu);
  EXPECT_EQ(f64Error("nan:0x10000000000000"), NumError::Range);
  EXPECT_EQ(f64("-nan"), 0xfff8000000000000u);
  EXPECT_EQ(f64("0.1"), 0x3fb999999999999au);
}

TEST(Numbers, FloatSyntaxErrors) {
  for (std::string_view s : {".0", "0.e", "1e", "1e+", "0x", "0x.1", "0x1p", "0xg", "1_.0", "1._0", "0e_1", "in", "nan:1"})
    EXPECT_EQ(f64Error(s), NumError::Syntax) << s;
}

}  // namespace
}  // namespace strata::text
