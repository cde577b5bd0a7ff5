// Tests for simd_float.h: f32x4/f64x2 comparisons, arithmetic, min/max, pmin/pmax and rounding,
// with the NaN and signed-zero rules of spec 4.3.3 and the deterministic profile's canonical NaN.
#include <limits>

#include "simd_test_util.h"

namespace strata::sem::simd {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr double kInfD = std::numeric_limits<double>::infinity();
constexpr uint32_t kT = 0xffffffffu;
constexpr uint32_t kNegZero = 0x80000000u;

TEST(SimdFloatCompare, NaNIsUnorderedAndOnlyNeHolds) {
  const float nan = f32Bits(kF32CanonNaN);
  const V128 a = f32({1, nan, -0.0f, 2});
  const V128 b = f32({2, nan, 0.0f, 1});
  EXPECT_EQ(F32x4Eq(a, b), u32({0, 0, kT, 0}));  // -0 == +0
  EXPECT_EQ(F32x4Ne(a, b), u32({kT, kT, 0, kT}));
  EXPECT_EQ(F32x4Lt(a, b), u32({kT, 0, 0, 0}));
  EXPECT_EQ(F32x4Gt(a, b), u32({0, 0, 0, kT}));
  EXPECT_EQ(F32x4Le(a, b), u32({kT, 0, kT, 0}));
  EXPECT_EQ(F32x4Ge(a, b), u32({0, 0, kT, kT}));
  const V128 c = f64({f64Bits(kF64PayloadNaN), -kInfD});
  const V128 d = f64({0, -kInfD});
  EXPECT_EQ(F64x2Eq(c, d), u64({0, ~0ull}));
  EXPECT_EQ(F64x2Ne(c, d), u64({~0ull, 0}));
  EXPECT_EQ(F64x2Lt(c, d), u64({0, 0}));
  EXPECT_EQ(F64x2Gt(c, d), u64({0, 0}));
  EXPECT_EQ(F64x2Le(c, d), u64({0, ~0ull}));
  EXPECT_EQ(F64x2Ge(c, d), u64({0, ~0ull}));
}

TEST(SimdFloatSign, AbsAndNegTouchOnlyTheSignBit) {
  // NaN payloads survive bit for bit (spec: fabs/fneg are not subject to NaN propagation).
  const V128 a = u32({kF32PayloadNaN, kF32NegNaN, kNegZero, 0x3f800000u /* 1.0 */});
  EXPECT_EQ(F32x4Abs(a), u32({kF32PayloadNaN, kF32CanonNaN, 0, 0x3f800000u}));
  EXPECT_EQ(F32x4Neg(a), u32({0xffa00001u, kF32CanonNaN, 0, 0xbf800000u}));
  const V128 b = u64({kF64PayloadNaN, 0x8000000000000000u});
  EXPECT_EQ(F64x2Abs(b), u64({kF64PayloadNaN, 0}));
  EXPECT_EQ(F64x2Neg(b), u64({0xfff4000000000001u, 0}));
}

TEST(SimdFloatArith, IeeeResults) {
  EXPECT_EQ(F32x4Add(f32({1.5f, -0.0f, 1e38f, 0x1p-149f}), f32({2.25f, -0.0f, 1e38f, 0x1p-149f})),
            f32({3.75f, -0.0f, 2e38f, 0x1p-148f}));
  EXPECT_EQ(F32x4Sub(f32({1, 0.0f, kInf, 3}), f32({3, 0.0f, 1, -kInf})),
            f32({-2, 0.0f, kInf, kInf}));
  // 1 + 2^-24 rounds to even (1.0): spec round-to-nearest ties-to-even.
  EXPECT_EQ(F32x4Add(f32({1, 0, 0, 0}), f32({0x1p-24f, 0, 0, 0})), f32({1, 0, 0, 0}));
  EXPECT_EQ(F32x4Mul(f32({3, -2, 1e30f, 0}), f32({0.5f, 0, 1e30f, -1})),
            f32({1.5f, -0.0f, kInf, -0.0f}));
  EXPECT_EQ(F32x4Div(f32({1, -1, 0, 9}), f32({0, 0, -1, 3})), f32({kInf, -kInf, -0.0f, 3}));
  EXPECT_EQ(F64x2Add(f64({0.1, -1}), f64({0.2, 1})), f64({0.1 + 0.2, 0}));
  EXPECT_EQ(F64x2Sub(f64({1, -0.0}), f64({0x1p-53, 0.0})), f64({1 - 0x1p-53, -0.0}));
  EXPECT_EQ(F64x2Mul(f64({1e300, -3}), f64({1e10, 3})), f64({kInfD, -9}));
  EXPECT_EQ(F64x2Div(f64({1, 0}), f64({3, -kInfD})), f64({1.0 / 3, -0.0}));
  EXPECT_EQ(F32x4Sqrt(f32({4, 2, -0.0f, kInf})), f32({2, 1.41421353816986083984375f, -0.0f, kInf}));
  EXPECT_EQ(F64x2Sqrt(f64({2, 0x1p-1074})), f64({1.4142135623730951, 0x1p-537}));
}

TEST(SimdFloatArith, NaNResultsAreThePositiveCanonicalNaN) {
  const float payload = f32Bits(kF32PayloadNaN);
  const float negative = f32Bits(kF32NegNaN);
  // inf - inf, 0 * inf, 0 / 0 and NaN inputs with payloads all give +nan(canon).
  const V128 canon4 = u32({kF32CanonNaN, kF32CanonNaN, kF32CanonNaN, kF32CanonNaN});
  EXPECT_EQ(F32x4Add(f32({kInf, payload, negative, 1}), f32({-kInf, 1, 1, payload})), canon4);
  EXPECT_EQ(F32x4Sub(f32({kInf, payload, negative, 1}), f32({kInf, 1, 1, negative})), canon4);
  EXPECT_EQ(F32x4Mul(f32({0, payload, negative, kInf}), f32({kInf, 1, 1, 0})), canon4);
  EXPECT_EQ(F32x4Div(f32({0, payload, negative, kInf}), f32({0, 1, 1, -kInf})), canon4);
  EXPECT_EQ(F32x4Sqrt(f32({-1, payload, negative, -kInf})), canon4);
  const V128 canon2 = u64({kF64CanonNaN, kF64CanonNaN});
  const double payload_d = f64Bits(kF64PayloadNaN);
  EXPECT_EQ(F64x2Add(f64({kInfD, payload_d}), f64({-kInfD, 0})), canon2);
  EXPECT_EQ(F64x2Sub(f64({kInfD, 0}), f64({kInfD, payload_d})), canon2);
  EXPECT_EQ(F64x2Mul(f64({0, payload_d}), f64({-kInfD, 2})), canon2);
  EXPECT_EQ(F64x2Div(f64({0, kInfD}), f64({-0.0, kInfD})), canon2);
  EXPECT_EQ(F64x2Sqrt(f64({-0x1p-1074, payload_d})), canon2);
}

TEST(SimdFloatMinMax, SignedZeroAndNaN) {
  const float nan = f32Bits(kF32PayloadNaN);
  const V128 a = f32({-0.0f, 0.0f, nan, 1});
  const V128 b = f32({0.0f, -0.0f, 1, nan});
  EXPECT_EQ(F32x4Min(a, b), u32({kNegZero, kNegZero, kF32CanonNaN, kF32CanonNaN}));
  EXPECT_EQ(F32x4Max(a, b), u32({0, 0, kF32CanonNaN, kF32CanonNaN}));
  EXPECT_EQ(F32x4Min(f32({1, -kInf, kInf, -2}), f32({2, 0, 3, -3})), f32({1, -kInf, 3, -3}));
  EXPECT_EQ(F32x4Max(f32({1, -kInf, kInf, -2}), f32({2, 0, 3, -3})), f32({2, 0, kInf, -2}));
  const V128 c = f64({-0.0, f64Bits(kF64PayloadNaN)});
  const V128 d = f64({0.0, -kInfD});
  EXPECT_EQ(F64x2Min(c, d), u64({0x8000000000000000u, kF64CanonNaN}));
  EXPECT_EQ(F64x2Max(c, d), u64({0, kF64CanonNaN}));
  EXPECT_EQ(F64x2Min(f64({5, -1}), f64({4, 7})), f64({4, -1}));
  EXPECT_EQ(F64x2Max(f64({5, -1}), f64({4, 7})), f64({5, 7}));
}

TEST(SimdFloatMinMax, PseudoMinMaxReturnAnOperandUnchanged) {
  const float nan = f32Bits(kF32PayloadNaN);
  // pmin(a, b) = b < a ? b : a. With a NaN the comparison is false, so the result is a.
  const V128 a = f32({-0.0f, 0.0f, nan, 1});
  const V128 b = f32({0.0f, -0.0f, 1, nan});
  EXPECT_EQ(F32x4Pmin(a, b), u32({kNegZero, 0, kF32PayloadNaN, 0x3f800000u}));
  EXPECT_EQ(F32x4Pmax(a, b), u32({kNegZero, 0, kF32PayloadNaN, 0x3f800000u}));
  EXPECT_EQ(F32x4Pmin(f32({3, 1, 0, 0}), f32({2, 4, 0, 0})), f32({2, 1, 0, 0}));
  EXPECT_EQ(F32x4Pmax(f32({3, 1, 0, 0}), f32({2, 4, 0, 0})), f32({3, 4, 0, 0}));
  const double nan_d = f64Bits(kF64PayloadNaN);
  EXPECT_EQ(F64x2Pmin(f64({1, nan_d}), f64({nan_d, -5})),
            u64({0x3ff0000000000000u, kF64PayloadNaN}));
  EXPECT_EQ(F64x2Pmax(f64({-1, 2}), f64({1, 1})), f64({1, 2}));
  EXPECT_EQ(F64x2Pmin(f64({-1, 2}), f64({1, 1})), f64({-1, 1}));
}

TEST(SimdFloatRounding, CeilFloorTruncKeepSignOfZero) {
  const V128 a = f32({-0.5f, 0.5f, -1.5f, 2.5f});
  EXPECT_EQ(F32x4Ceil(a), u32({kNegZero, 0x3f800000u, 0xbf800000u, 0x40400000u}));  // -0,1,-1,3
  EXPECT_EQ(F32x4Floor(a), f32({-1, 0, -2, 2}));
  EXPECT_EQ(F32x4Trunc(a), u32({kNegZero, 0, 0xbf800000u, 0x40000000u}));  // -0, 0, -1, 2
  EXPECT_EQ(F32x4Ceil(f32({kInf, -kInf, 0x1p23f + 1, -0x1p-149f})),
            u32({0x7f800000u, 0xff800000u, 0x4b000001u, kNegZero}));
  const V128 b = f64({-0.25, 4503599627370497.0 /* 2^52 + 1 */});
  EXPECT_EQ(F64x2Ceil(b), u64({0x8000000000000000u, 0x4330000000000001u}));
  EXPECT_EQ(F64x2Floor(b), f64({-1, 4503599627370497.0}));
  EXPECT_EQ(F64x2Trunc(f64({-1.999, 1.999})), f64({-1, 1}));
}

TEST(SimdFloatRounding, NearestTiesToEven) {
  EXPECT_EQ(F32x4Nearest(f32({0.5f, 1.5f, 2.5f, -2.5f})), f32({0, 2, 2, -2}));
  EXPECT_EQ(F32x4Nearest(f32({-0.5f, -0.4f, 3.5f, 8388609.0f})),
            u32({kNegZero, kNegZero, 0x40800000u, 0x4b000001u}));  // -0, -0, 4, 2^23+1
  EXPECT_EQ(F64x2Nearest(f64({-0.5, 4.5})), u64({0x8000000000000000u, 0x4010000000000000u}));
  EXPECT_EQ(F64x2Nearest(f64({5.5, -1.75})), f64({6, -2}));
}

TEST(SimdFloatRounding, NaNInputsGiveCanonicalNaN) {
  const V128 nans = u32({kF32PayloadNaN, kF32NegNaN, 0xff800001u, kF32CanonNaN});
  const V128 canon4 = u32({kF32CanonNaN, kF32CanonNaN, kF32CanonNaN, kF32CanonNaN});
  EXPECT_EQ(F32x4Ceil(nans), canon4);
  EXPECT_EQ(F32x4Floor(nans), canon4);
  EXPECT_EQ(F32x4Trunc(nans), canon4);
  EXPECT_EQ(F32x4Nearest(nans), canon4);
  const V128 nans_d = u64({kF64PayloadNaN, 0xfff8000000000000u});
  const V128 canon2 = u64({kF64CanonNaN, kF64CanonNaN});
  EXPECT_EQ(F64x2Ceil(nans_d), canon2);
  EXPECT_EQ(F64x2Floor(nans_d), canon2);
  EXPECT_EQ(F64x2Trunc(nans_d), canon2);
  EXPECT_EQ(F64x2Nearest(nans_d), canon2);
}

}  // namespace
}  // namespace strata::sem::simd
