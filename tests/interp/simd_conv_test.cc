// Tests for simd_conv.h: trunc_sat (NaN -> 0, saturation at the exact bounds), convert,
// demote and promote, with hand-computed lanes.
#include <limits>

#include "simd_test_util.h"

namespace strata::sem::simd {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr double kInfD = std::numeric_limits<double>::infinity();

TEST(SimdTruncSat, F32ToI32Signed) {
  const float nan = f32Bits(kF32PayloadNaN);
  EXPECT_EQ(I32x4TruncSatF32x4S(f32({nan, kInf, -kInf, -1.9f})),
            i32({0, INT32_MAX, INT32_MIN, -1}));
  // 2^31 is the first value out of range; -2^31 is in range; 2147483520 is the largest float
  // below 2^31.
  EXPECT_EQ(I32x4TruncSatF32x4S(f32({0x1p31f, -0x1p31f, 2147483520.0f, -0x1.000002p31f})),
            i32({INT32_MAX, INT32_MIN, 2147483520, INT32_MIN}));
  EXPECT_EQ(I32x4TruncSatF32x4S(f32({-0.0f, 0.99f, 1e-40f, f32Bits(0xffc00000u)})),
            i32({0, 0, 0, 0}));
}

TEST(SimdTruncSat, F32ToI32Unsigned) {
  EXPECT_EQ(I32x4TruncSatF32x4U(f32({f32Bits(kF32CanonNaN), kInf, -kInf, -0.9f})),
            u32({0, 0xffffffffu, 0, 0}));
  // 4294967040 is the largest float below 2^32.
  EXPECT_EQ(I32x4TruncSatF32x4U(f32({0x1p32f, 4294967040.0f, 0x1p31f, -1.0f})),
            u32({0xffffffffu, 4294967040u, 0x80000000u, 0}));
}

TEST(SimdTruncSat, F64ToI32WithZeroUpperLanes) {
  EXPECT_EQ(I32x4TruncSatF64x2SZero(f64({f64Bits(kF64PayloadNaN), -2147483648.9})),
            i32({0, INT32_MIN, 0, 0}));
  EXPECT_EQ(I32x4TruncSatF64x2SZero(f64({2147483647.9, -2147483649.0})),
            i32({INT32_MAX, INT32_MIN, 0, 0}));
  EXPECT_EQ(I32x4TruncSatF64x2SZero(f64({kInfD, -1.5})), i32({INT32_MAX, -1, 0, 0}));
  EXPECT_EQ(I32x4TruncSatF64x2UZero(f64({4294967295.9, 4294967296.0})),
            u32({0xffffffffu, 0xffffffffu, 0, 0}));
  EXPECT_EQ(I32x4TruncSatF64x2UZero(f64({-0.99, -kInfD})), u32({0, 0, 0, 0}));
  EXPECT_EQ(I32x4TruncSatF64x2UZero(f64({1e300, 123.999})), u32({0xffffffffu, 123, 0, 0}));
}

TEST(SimdConvert, IntToFloatRoundsToNearestEven) {
  // 16777217 = 2^24 + 1 is a tie between 2^24 and 2^24 + 2: even mantissa wins (2^24).
  // 2147483647 rounds to 2^31.
  EXPECT_EQ(F32x4ConvertI32x4S(i32({16777217, -16777219, INT32_MAX, INT32_MIN})),
            f32({16777216.0f, -16777220.0f, 0x1p31f, -0x1p31f}));
  // Unsigned: 0xffffffff rounds to 2^32; 0x80000001 rounds to 2^31.
  EXPECT_EQ(F32x4ConvertI32x4U(u32({0xffffffffu, 0x80000001u, 16777219u, 0})),
            f32({0x1p32f, 0x1p31f, 16777220.0f, 0}));
  // Low two lanes only, exact in double.
  EXPECT_EQ(F64x2ConvertLowI32x4S(i32({INT32_MIN, -1, 5, 6})), f64({-2147483648.0, -1}));
  EXPECT_EQ(F64x2ConvertLowI32x4U(u32({0xffffffffu, 0x80000000u, 5, 6})),
            f64({4294967295.0, 2147483648.0}));
}

TEST(SimdDemote, RoundsAndZeroesTheUpperLanes) {
  // 1 + 2^-24 is a tie between 1 and 1 + 2^-23: rounds to even (1). 1e39 overflows to inf.
  EXPECT_EQ(F32x4DemoteF64x2Zero(f64({1 + 0x1p-24, 1e39})), f32({1, kInf, 0, 0}));
  EXPECT_EQ(F32x4DemoteF64x2Zero(f64({-0.0, 0x1p-150})), u32({0x80000000u, 0, 0, 0}));
  EXPECT_EQ(F32x4DemoteF64x2Zero(f64({0x1.8p-149, -kInfD})), u32({2, 0xff800000u, 0, 0}));
  EXPECT_EQ(F32x4DemoteF64x2Zero(f64({f64Bits(kF64PayloadNaN), f64Bits(0xfff8000000000000u)})),
            u32({kF32CanonNaN, kF32CanonNaN, 0, 0}));
}

TEST(SimdPromote, IsExactAndCanonicalizesNaN) {
  EXPECT_EQ(F64x2PromoteLowF32x4(f32({0x1p-149f, -kInf, 7, 8})), f64({0x1p-149, -kInfD}));
  EXPECT_EQ(F64x2PromoteLowF32x4(u32({kF32PayloadNaN, kF32NegNaN, 0, 0})),
            u64({kF64CanonNaN, kF64CanonNaN}));
  EXPECT_EQ(F64x2PromoteLowF32x4(f32({-0.0f, 0.1f, 0, 0})), f64({-0.0, static_cast<double>(0.1f)}));
}

}  // namespace
}  // namespace strata::sem::simd
