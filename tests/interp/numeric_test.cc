// Scalar numeric semantics (numeric.h): the edge cases of spec 4.3.2-4.3.4 that C++ or the
// hardware would get wrong by default.
#include "sem/numeric.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <vector>

namespace strata::sem::numeric {
namespace {

uint32_t bits(float f) { return std::bit_cast<uint32_t>(f); }
uint64_t bits(double d) { return std::bit_cast<uint64_t>(d); }
float f32(uint32_t b) { return std::bit_cast<float>(b); }
double f64(uint64_t b) { return std::bit_cast<double>(b); }

TEST(Numeric, DivisionTrapsAndWraps) {
  EXPECT_EQ(I32DivS(7, uint32_t(-2)).value, uint32_t(-3));  // truncates toward zero
  EXPECT_EQ(I32DivS(1, 0).kind, vm::TrapKind::IntegerDivideByZero);
  EXPECT_TRUE(I32DivS(0x80000000u, 0xffffffffu).trapped);
  EXPECT_EQ(I32DivS(0x80000000u, 0xffffffffu).kind, vm::TrapKind::IntegerOverflow);
  // rem_s of INT_MIN by -1 is 0, not a trap (and not an x86 fault).
  EXPECT_FALSE(I32RemS(0x80000000u, 0xffffffffu).trapped);
  EXPECT_EQ(I32RemS(0x80000000u, 0xffffffffu).value, 0u);
  EXPECT_EQ(I32RemS(uint32_t(-7), 2).value, uint32_t(-1));  // sign of the dividend
  EXPECT_EQ(I64RemU(7, 0).kind, vm::TrapKind::IntegerDivideByZero);
  EXPECT_EQ(I64DivS(0x8000000000000000ull, ~0ull).kind, vm::TrapKind::IntegerOverflow);
}

TEST(Numeric, DivisionByAConstantIsExact) {
  // Every divisor up to 5000 and some large ones, on the edges of the range and on a
  // pseudo-random walk (the method is exact for all 32-bit inputs; this checks the code).
  std::vector<uint32_t> divisors;
  for (uint32_t d = 2; d <= 5000; ++d) divisors.push_back(d);
  for (uint32_t d : {139968u, 65537u, 1000000007u, 0x7fffffffu, 0x80000001u, 0xfffffffeu, 0xffffffffu})
    divisors.push_back(d);
  uint64_t seed = 88172645463325252ull;
  for (uint32_t d : divisors) {
    uint64_t m = divConstMagic(d);
    for (uint32_t x : {0u, 1u, d - 1, d, d + 1, 2 * d - 1, 0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu}) {
      ASSERT_EQ(divByConst(x, m), x / d) << x << " / " << d;
      ASSERT_EQ(remByConst(x, m, d), x % d) << x << " % " << d;
    }
    for (int i = 0; i < 200; ++i) {
      seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
      uint32_t x = uint32_t(seed >> 32);
      ASSERT_EQ(divByConst(x, m), x / d) << x << " / " << d;
      ASSERT_EQ(remByConst(x, m, d), x % d) << x << " % " << d;
    }
  }
}

TEST(Numeric, ShiftsAndRotatesTakeTheCountModuloWidth) {
  EXPECT_EQ(I32Shl(1, 33), 2u);
  EXPECT_EQ(I32ShrS(0x80000000u, 63), 0xffffffffu);
  EXPECT_EQ(I64ShrU(0x8000000000000000ull, 127), 1u);
  EXPECT_EQ(I32Rotl(0x80000001u, 1), 3u);
  EXPECT_EQ(I64Rotr(1, 65), 0x8000000000000000ull);
  EXPECT_EQ(I32Clz(0), 32u);
  EXPECT_EQ(I64Ctz(0), 64u);
}

TEST(Numeric, MinMaxSignedZeroAndNaN) {
  EXPECT_EQ(bits(F32Min(0.0f, -0.0f)), bits(-0.0f));
  EXPECT_EQ(bits(F32Max(-0.0f, 0.0f)), bits(0.0f));
  EXPECT_EQ(bits(F64Min(-0.0, 0.0)), bits(-0.0));
  EXPECT_TRUE(std::isnan(F32Min(1.0f, std::numeric_limits<float>::quiet_NaN())));
  EXPECT_TRUE(std::isnan(F64Max(std::numeric_limits<double>::quiet_NaN(), 1.0)));
}

TEST(Numeric, RoundingQuietensSignallingNaNs) {
  // spec 4.3.3: the result of an arithmetic op on a signalling NaN is an arithmetic NaN.
  EXPECT_EQ(bits(F32Floor(f32(0x7fa00000u))) & 0x00400000u, 0x00400000u);
  EXPECT_EQ(bits(F64Nearest(f64(0x7ff4000000000000ull))) & 0x0008000000000000ull, 0x0008000000000000ull);
  EXPECT_EQ(F32Nearest(2.5f), 2.0f);  // ties to even
  EXPECT_EQ(F64Nearest(-3.5), -4.0);
  EXPECT_EQ(bits(F64Nearest(-0.4)), bits(-0.0));
}

TEST(Numeric, SignOpsKeepNaNPayloads) {
  EXPECT_EQ(bits(F32Neg(f32(0x7fa00001u))), 0xffa00001u);
  EXPECT_EQ(bits(F32Abs(f32(0xffa00001u))), 0x7fa00001u);
  EXPECT_EQ(bits(F64Copysign(f64(0x7ff4000000000001ull), -1.0)), 0xfff4000000000001ull);
}

TEST(Numeric, TruncationBoundaries) {
  EXPECT_EQ(I32TruncF32S(-2147483648.0f).value, 0x80000000u);
  EXPECT_EQ(I32TruncF32S(2147483648.0f).kind, vm::TrapKind::IntegerOverflow);
  EXPECT_EQ(I32TruncF64S(-2147483648.9).value, 0x80000000u);
  EXPECT_TRUE(I32TruncF64S(-2147483649.0).trapped);
  EXPECT_EQ(I32TruncF64U(-0.9).value, 0u);
  EXPECT_TRUE(I32TruncF64U(-1.0).trapped);
  EXPECT_EQ(I32TruncF32U(std::nanf("")).kind, vm::TrapKind::InvalidConversion);
  EXPECT_EQ(I64TruncF64U(18446744073709549568.0).value, 18446744073709549568ull);
  EXPECT_TRUE(I64TruncF64U(18446744073709551616.0).trapped);
  EXPECT_EQ(I64TruncF32S(-9223372036854775808.0f).value, 0x8000000000000000ull);
}

TEST(Numeric, SaturatingTruncation) {
  EXPECT_EQ(I32TruncSatF32S(std::nanf("")), 0u);
  EXPECT_EQ(I32TruncSatF32S(3e9f), 0x7fffffffu);
  EXPECT_EQ(I32TruncSatF64S(-3e9), 0x80000000u);
  EXPECT_EQ(I32TruncSatF64U(-5.0), 0u);
  EXPECT_EQ(I64TruncSatF64U(1e30), ~0ull);
  EXPECT_EQ(I64TruncSatF32S(-1e30f), 0x8000000000000000ull);
}

TEST(Numeric, ConversionsRoundToNearest) {
  // 2^24 + 1 is not an f32: ties to even gives 2^24.
  EXPECT_EQ(F32ConvertI32S(16777217u), 16777216.0f);
  EXPECT_EQ(F32ConvertI64U(0xffffffffffffffffull), 18446744073709551616.0f);
  EXPECT_EQ(F64ConvertI64U(0x8000000000000001ull), 9223372036854775808.0);
  EXPECT_EQ(F32DemoteF64(0x1.fffffefffffffp-1), 0x1.fffffep-1f);  // below the midpoint
  EXPECT_EQ(F32DemoteF64(0x1.ffffffp-1), 1.0f);                    // a tie goes to even
  EXPECT_EQ(I64ExtendI32S(0x80000000u), 0xffffffff80000000ull);
  EXPECT_EQ(I32Extend8S(0x80u), 0xffffff80u);
  EXPECT_EQ(I64Extend32S(0x80000000ull), 0xffffffff80000000ull);
}

}  // namespace
}  // namespace strata::sem::numeric
