// Tests for simd_relaxed.h: each relaxed operator gives the deterministic profile's result
// (spec 4.3.6: alternative 0), shown on exactly the inputs where hardware choices would differ.
#include <limits>

#include "simd_test_util.h"

namespace strata::sem::simd {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(SimdRelaxed, SwizzleOutOfRangeIsZeroLikeSwizzle) {
  const V128 a = u8({10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25});
  // 16 and 0x7f are where pshufb would return a[j mod 16]; 0x80 is 0 everywhere.
  const V128 s = u8({16, 0x7f, 0x80, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15});
  EXPECT_EQ(I8x16RelaxedSwizzle(a, s),
            u8({0, 0, 0, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 25}));
}

TEST(SimdRelaxed, TruncIsTruncSat) {
  const float nan = f32Bits(kF32CanonNaN);
  EXPECT_EQ(I32x4RelaxedTruncF32x4S(f32({nan, 0x1p31f, -0x1p32f, -3.7f})),
            i32({0, INT32_MAX, INT32_MIN, -3}));
  EXPECT_EQ(I32x4RelaxedTruncF32x4U(f32({nan, 0x1p32f, -1, 3.7f})), u32({0, 0xffffffffu, 0, 3}));
  EXPECT_EQ(I32x4RelaxedTruncF64x2SZero(f64({f64Bits(kF64CanonNaN), -1e10})),
            i32({0, INT32_MIN, 0, 0}));
  EXPECT_EQ(I32x4RelaxedTruncF64x2UZero(f64({1e10, -1e10})), u32({0xffffffffu, 0, 0, 0}));
}

TEST(SimdRelaxed, MaddIsUnfused) {
  // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: the product rounds to 1 + 2^-11 (tie to even), and
  // subtracting 1 + 2^-11 gives 0. A fused multiply-add would give 2^-24.
  const float x = 1 + 0x1p-12f;
  const float c = -(1 + 0x1p-11f);
  EXPECT_EQ(F32x4RelaxedMadd(f32({x, 2, 0, kInf}), f32({x, 3, kInf, 1}), f32({c, 1, 1, -kInf})),
            u32({0, 0x40e00000u /* 7 */, kF32CanonNaN, kF32CanonNaN}));
  // nmadd(a, b, c) = -(a*b) + c.
  EXPECT_EQ(F32x4RelaxedNmadd(f32({x, 2, -0.0f, 1}), f32({x, 3, 1, 1}), f32({-c, 1, -0.0f, 0})),
            f32({0, -5, 0.0f, -1}));
  const double y = 1 + 0x1p-27;
  const double d = -(1 + 0x1p-26);
  EXPECT_EQ(F64x2RelaxedMadd(f64({y, 2}), f64({y, 3}), f64({d, 1})), f64({0, 7}));
  EXPECT_EQ(F64x2RelaxedNmadd(f64({y, 2}), f64({y, 3}), f64({-d, 1})), f64({0, -5}));
}

TEST(SimdRelaxed, LaneselectUsesEveryMaskBit) {
  // A mask lane with mixed bits: bitselect takes bit by bit (blendv would use the top bit).
  const V128 a = u32({0xaaaaaaaau, 0xaaaaaaaau, 0xaaaaaaaau, 0xaaaaaaaau});
  const V128 b = u32({0x55555555u, 0x55555555u, 0x55555555u, 0x55555555u});
  const V128 m = u32({0xffffffffu, 0, 0x80000000u, 0x0000ffffu});
  const V128 r = u32({0xaaaaaaaau, 0x55555555u, 0xd5555555u, 0x5555aaaau});
  EXPECT_EQ(I8x16RelaxedLaneselect(a, b, m), r);
  EXPECT_EQ(I16x8RelaxedLaneselect(a, b, m), r);
  EXPECT_EQ(I32x4RelaxedLaneselect(a, b, m), r);
  EXPECT_EQ(I64x2RelaxedLaneselect(a, b, m), r);
}

TEST(SimdRelaxed, MinMaxAreMinMax) {
  const float nan = f32Bits(kF32PayloadNaN);
  const V128 a = f32({-0.0f, 0.0f, nan, 1});
  const V128 b = f32({0.0f, -0.0f, 1, 2});
  EXPECT_EQ(F32x4RelaxedMin(a, b), u32({0x80000000u, 0x80000000u, kF32CanonNaN, 0x3f800000u}));
  EXPECT_EQ(F32x4RelaxedMax(a, b), u32({0, 0, kF32CanonNaN, 0x40000000u}));
  const V128 c = f64({-0.0, f64Bits(kF64PayloadNaN)});
  const V128 d = f64({0.0, 1});
  EXPECT_EQ(F64x2RelaxedMin(c, d), u64({0x8000000000000000u, kF64CanonNaN}));
  EXPECT_EQ(F64x2RelaxedMax(c, d), u64({0, kF64CanonNaN}));
}

TEST(SimdRelaxed, Q15mulrSaturates) {
  EXPECT_EQ(I16x8RelaxedQ15mulrS(i16({-32768, 16384, 0, 0, 0, 0, 0, 0}),
                                 i16({-32768, 16384, 0, 0, 0, 0, 0, 0})),
            i16({32767, 8192, 0, 0, 0, 0, 0, 0}));
}

TEST(SimdRelaxed, DotTreatsBothOperandsAsSignedAndSaturates) {
  const V128 a = i8({-128, -128, 127, 127, 1, 2, -3, 4, 0, 0, 5, 5, -128, 127, 10, 20});
  const V128 b = i8({-128, -128, -128, -128, 3, 4, -1, -2, 7, 7, -1, -1, 127, 127, 2, 3});
  // Pairs: 32768 -> 32767; -32512; 3 + 8 = 11; 3 - 8 = -5; 0; -10; -16256 + 16129 = -127; 80.
  const V128 dot = i16({32767, -32512, 11, -5, 0, -10, -127, 80});
  EXPECT_EQ(I16x8RelaxedDotI8x16I7x16S(a, b), dot);
  // The add form sums adjacent i16 results into i32 and adds c, wrapping.
  const V128 c = i32({1, INT32_MAX, 0, 100});
  // 32767 - 32512 + 1 = 256; 11 - 5 + INT32_MAX wraps to INT32_MIN + 5; -10; -127 + 80 + 100.
  EXPECT_EQ(I32x4RelaxedDotI8x16I7x16AddS(a, b, c), i32({256, INT32_MIN + 5, -10, 53}));
}

}  // namespace
}  // namespace strata::sem::simd
