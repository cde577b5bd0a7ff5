// Tests for simd_widen.h: narrow, extend, extmul, extadd_pairwise, dot and q15mulr_sat_s, with
// expected lanes computed by hand.
#include "simd_test_util.h"

namespace strata::sem::simd {
namespace {

TEST(SimdNarrow, SaturatesSignedInputs) {
  const V128 a = i16({-129, -128, 127, 128, 300, -300, 0, 1});
  const V128 b = i16({255, 256, -1, 2, 3, 4, 5, 32767});
  // _s: clamp to [-128, 127]; lanes of a first, then b.
  EXPECT_EQ(I8x16NarrowI16x8S(a, b),
            i8({-128, -128, 127, 127, 127, -128, 0, 1, 127, 127, -1, 2, 3, 4, 5, 127}));
  // _u: the signed value clamped to [0, 255].
  EXPECT_EQ(I8x16NarrowI16x8U(a, b),
            u8({0, 0, 127, 128, 255, 0, 0, 1, 255, 255, 0, 2, 3, 4, 5, 255}));
  const V128 c = i32({-32769, 32768, 65535, -1});
  const V128 d = i32({40000, -40000, 12345, 0});
  EXPECT_EQ(I16x8NarrowI32x4S(c, d), i16({-32768, 32767, 32767, -1, 32767, -32768, 12345, 0}));
  EXPECT_EQ(I16x8NarrowI32x4U(c, d), u16({0, 32768, 65535, 0, 40000, 0, 12345, 0}));
}

// The vector narrowing against the exact definition for every i16 value.
TEST(SimdNarrow, MatchesSaturationForEveryI16Value) {
  for (int base = -32768; base < 32768; base += 8) {
    Lanes<int16_t> xs;
    for (int k = 0; k < 8; ++k) xs[k] = static_cast<int16_t>(base + k);
    const V128 a = V128::fromLanes<int16_t>(xs);
    const V128 s = I8x16NarrowI16x8S(a, V128{});
    const V128 u = I8x16NarrowI16x8U(V128{}, a);
    for (unsigned k = 0; k < 8; ++k) {
      ASSERT_EQ(s.lane<int8_t>(k), saturate<int8_t>(xs[k])) << xs[k];
      ASSERT_EQ(u.lane<uint8_t>(8 + k), saturate<uint8_t>(xs[k])) << xs[k];
      ASSERT_EQ(s.lane<int8_t>(8 + k), 0);
    }
  }
}

TEST(SimdExtend, LowAndHighHalves) {
  const V128 a = i8({-1, 2, -3, 4, -5, 6, -7, 8, -128, 127, 0, 1, -2, 3, -4, 5});
  EXPECT_EQ(I16x8ExtendLowI8x16S(a), i16({-1, 2, -3, 4, -5, 6, -7, 8}));
  EXPECT_EQ(I16x8ExtendHighI8x16S(a), i16({-128, 127, 0, 1, -2, 3, -4, 5}));
  EXPECT_EQ(I16x8ExtendLowI8x16U(a), u16({255, 2, 253, 4, 251, 6, 249, 8}));
  EXPECT_EQ(I16x8ExtendHighI8x16U(a), u16({128, 127, 0, 1, 254, 3, 252, 5}));
  const V128 b = i16({-1, 2, -32768, 4, 5, -6, 32767, -8});
  EXPECT_EQ(I32x4ExtendLowI16x8S(b), i32({-1, 2, -32768, 4}));
  EXPECT_EQ(I32x4ExtendHighI16x8S(b), i32({5, -6, 32767, -8}));
  EXPECT_EQ(I32x4ExtendLowI16x8U(b), u32({65535, 2, 32768, 4}));
  EXPECT_EQ(I32x4ExtendHighI16x8U(b), u32({5, 65530, 32767, 65528}));
  const V128 c = i32({-1, 2, INT32_MIN, 7});
  EXPECT_EQ(I64x2ExtendLowI32x4S(c), i64({-1, 2}));
  EXPECT_EQ(I64x2ExtendHighI32x4S(c), i64({INT32_MIN, 7}));
  EXPECT_EQ(I64x2ExtendLowI32x4U(c), u64({0xffffffffu, 2}));
  EXPECT_EQ(I64x2ExtendHighI32x4U(c), u64({0x80000000u, 7}));
}

TEST(SimdExtmul, ProductsFitTheWideLane) {
  const V128 a = i8({-128, 127, -1, 2, 0, 0, 0, 3, -128, -128, 127, -2, 0, 0, 0, 9});
  const V128 b = i8({-128, 127, -1, -3, 0, 0, 0, 4, 127, -128, 127, 5, 0, 0, 0, 9});
  EXPECT_EQ(I16x8ExtmulLowI8x16S(a, b), i16({16384, 16129, 1, -6, 0, 0, 0, 12}));
  EXPECT_EQ(I16x8ExtmulHighI8x16S(a, b), i16({-16256, 16384, 16129, -10, 0, 0, 0, 81}));
  // Unsigned: 0x80 * 0x80 = 16384, 0xff * 0xff = 65025, 0x02 * 0xfd = 506.
  EXPECT_EQ(I16x8ExtmulLowI8x16U(a, b), u16({16384, 16129, 65025, 506, 0, 0, 0, 12}));
  EXPECT_EQ(I16x8ExtmulHighI8x16U(a, b), u16({16256, 16384, 16129, 1270, 0, 0, 0, 81}));
  const V128 c = i16({-32768, 32767, -1, 3, -32768, 2, 0, 0});
  const V128 d = i16({-32768, 32767, -1, -4, 32767, -3, 0, 0});
  EXPECT_EQ(I32x4ExtmulLowI16x8S(c, d), i32({1073741824, 1073676289, 1, -12}));
  EXPECT_EQ(I32x4ExtmulHighI16x8S(c, d), i32({-1073709056, -6, 0, 0}));
  // 0xffff * 0xffff = 0xfffe0001.
  EXPECT_EQ(I32x4ExtmulLowI16x8U(c, d), u32({1073741824, 1073676289, 0xfffe0001u, 196596}));
  EXPECT_EQ(I32x4ExtmulHighI16x8U(c, d), u32({1073709056, 131066, 0, 0}));
  const V128 e = i32({INT32_MIN, -1, 3, -1});
  const V128 f = i32({INT32_MIN, -1, -5, 2});
  EXPECT_EQ(I64x2ExtmulLowI32x4S(e, f), i64({4611686018427387904LL, 1}));
  EXPECT_EQ(I64x2ExtmulHighI32x4S(e, f), i64({-15, -2}));
  EXPECT_EQ(I64x2ExtmulLowI32x4U(e, f), u64({0x4000000000000000u, 0xfffffffe00000001u}));
  // 3 * 0xfffffffb and 0xffffffff * 2.
  EXPECT_EQ(I64x2ExtmulHighI32x4U(e, f), u64({0x2fffffff1u, 0x1fffffffeu}));
}

TEST(SimdExtadd, PairwiseSums) {
  const V128 a = i8({-128, -128, 127, 127, -1, 1, 5, 6, 0, 0, -2, -3, 100, 27, 1, 0});
  EXPECT_EQ(I16x8ExtaddPairwiseI8x16S(a), i16({-256, 254, 0, 11, 0, -5, 127, 1}));
  EXPECT_EQ(I16x8ExtaddPairwiseI8x16U(a), u16({256, 254, 256, 11, 0, 507, 127, 1}));
  const V128 b = i16({-32768, -32768, 32767, 32767, -1, 0, 10, -20});
  EXPECT_EQ(I32x4ExtaddPairwiseI16x8S(b), i32({-65536, 65534, -1, -10}));
  EXPECT_EQ(I32x4ExtaddPairwiseI16x8U(b), u32({65536, 65534, 65535, 65526}));
}

TEST(SimdDot, PairsOfProductsWrapOnlyAtTheCorner) {
  const V128 a = i16({-32768, -32768, 1, 2, 3, -4, 32767, 32767});
  const V128 b = i16({-32768, -32768, 5, 6, 7, 8, 32767, 32767});
  // 2^30 + 2^30 = 2^31 wraps to INT32_MIN; 5 + 12; 21 - 32; 2 * 32767^2 = 2147352578.
  EXPECT_EQ(I32x4DotI16x8S(a, b), i32({INT32_MIN, 17, -11, 2147352578}));
}

TEST(SimdQ15, RoundsAndSaturates) {
  const V128 a = i16({-32768, 16384, 16384, -16384, 1, -1, 32767, 3});
  const V128 b = i16({-32768, 16384, -16384, -16384, 16384, 16384, 32767, 5});
  // (x*y + 0x4000) >> 15: 2^30 -> 32768 saturates to 32767; 2^28 -> 8192; -2^28 -> -8192;
  // 16384 -> (16384+16384)>>15 = 1; -16384 -> 0; 32767^2 -> 32766; 15 -> 0.
  EXPECT_EQ(I16x8Q15mulrSatS(a, b), i16({32767, 8192, -8192, 8192, 1, 0, 32766, 0}));
}

}  // namespace
}  // namespace strata::sem::simd
