// Tests for simd_int.h: same-shape integer SIMD operations, with expected lanes worked out by
// hand from the spec's definitions (spec 4.3.2).
#include "simd_test_util.h"

namespace strata::sem::simd {
namespace {

constexpr uint8_t kT = 0xff;  // an all-ones (true) i8 lane

TEST(SimdIntCompare, I8x16SignedAndUnsignedDiffer) {
  // 0x80 is -128 signed but 128 unsigned; 0x7f is 127 either way.
  const V128 a = u8({0x80, 0x7f, 1, 0, 0xff, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  const V128 b = u8({0x7f, 0x80, 1, 0xff, 0, 6, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(I8x16Eq(a, b), u8({0, 0, kT, 0, 0, 0, 0, kT, kT, kT, kT, kT, kT, kT, kT, kT}));
  EXPECT_EQ(I8x16Ne(a, b), u8({kT, kT, 0, kT, kT, kT, kT, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I8x16LtS(a, b), u8({kT, 0, 0, 0, kT, kT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I8x16LtU(a, b), u8({0, kT, 0, kT, 0, kT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I8x16GtS(a, b), u8({0, kT, 0, kT, 0, 0, kT, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I8x16GtU(a, b), u8({kT, 0, 0, 0, kT, 0, kT, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I8x16LeS(a, b), u8({kT, 0, kT, 0, kT, kT, 0, kT, kT, kT, kT, kT, kT, kT, kT, kT}));
  EXPECT_EQ(I8x16LeU(a, b), u8({0, kT, kT, kT, 0, kT, 0, kT, kT, kT, kT, kT, kT, kT, kT, kT}));
  EXPECT_EQ(I8x16GeS(a, b), u8({0, kT, kT, kT, 0, 0, kT, kT, kT, kT, kT, kT, kT, kT, kT, kT}));
  EXPECT_EQ(I8x16GeU(a, b), u8({kT, 0, kT, 0, kT, 0, kT, kT, kT, kT, kT, kT, kT, kT, kT, kT}));
}

TEST(SimdIntCompare, WiderShapes) {
  const V128 a16 = u16({0x8000, 1, 2, 3, 4, 5, 6, 7});
  const V128 b16 = u16({0x7fff, 1, 3, 2, 4, 5, 6, 0xffff});
  EXPECT_EQ(I16x8LtS(a16, b16), u16({0xffff, 0, 0xffff, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I16x8LtU(a16, b16), u16({0, 0, 0xffff, 0, 0, 0, 0, 0xffff}));
  EXPECT_EQ(I16x8GeU(a16, b16), u16({0xffff, 0xffff, 0, 0xffff, 0xffff, 0xffff, 0xffff, 0}));
  EXPECT_EQ(I16x8Eq(a16, b16), u16({0, 0xffff, 0, 0, 0xffff, 0xffff, 0xffff, 0}));
  EXPECT_EQ(I16x8GtS(a16, b16), u16({0, 0, 0, 0xffff, 0, 0, 0, 0xffff}));  // 7 > -1
  const V128 a32 = u32({0x80000000, 5, 0xffffffff, 9});
  const V128 b32 = u32({0x7fffffff, 5, 0, 10});
  EXPECT_EQ(I32x4LtS(a32, b32), u32({0xffffffff, 0, 0xffffffff, 0xffffffff}));
  EXPECT_EQ(I32x4GtU(a32, b32), u32({0xffffffff, 0, 0xffffffff, 0}));
  EXPECT_EQ(I32x4LeS(a32, b32), u32({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}));
  EXPECT_EQ(I32x4Ne(a32, b32), u32({0xffffffff, 0, 0xffffffff, 0xffffffff}));
  const V128 a64 = i64({-1, 3});
  const V128 b64 = i64({1, 3});
  EXPECT_EQ(I64x2LtS(a64, b64), i64({-1, 0}));
  EXPECT_EQ(I64x2GeS(a64, b64), i64({0, -1}));
  EXPECT_EQ(I64x2Eq(a64, b64), i64({0, -1}));
  EXPECT_EQ(I64x2Ne(a64, b64), i64({-1, 0}));
  EXPECT_EQ(I64x2GtS(a64, b64), i64({0, 0}));
  EXPECT_EQ(I64x2LeS(a64, b64), i64({-1, -1}));
}

TEST(SimdIntUnary, AbsNegWrapAtTheMinimum) {
  // abs(-128) and neg(-128) are -128: spec iabs/ineg work modulo 2^N.
  EXPECT_EQ(I8x16Abs(i8({-128, -1, 0, 1, 127, -127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5})),
            i8({-128, 1, 0, 1, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5}));
  EXPECT_EQ(I8x16Neg(i8({-128, -1, 0, 1, 127, -127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5})),
            i8({-128, 1, 0, -1, -127, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, -5}));
  EXPECT_EQ(I16x8Abs(i16({-32768, -2, 2, 0, 0, 0, 0, 0})), i16({-32768, 2, 2, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I16x8Neg(i16({-32768, -2, 2, 0, 0, 0, 0, 0})), i16({-32768, 2, -2, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I32x4Abs(i32({INT32_MIN, -7, 7, 0})), i32({INT32_MIN, 7, 7, 0}));
  EXPECT_EQ(I32x4Neg(i32({INT32_MIN, -7, 7, 0})), i32({INT32_MIN, 7, -7, 0}));
  EXPECT_EQ(I64x2Abs(i64({INT64_MIN, -9})), i64({INT64_MIN, 9}));
  EXPECT_EQ(I64x2Neg(i64({INT64_MIN, -9})), i64({INT64_MIN, 9}));
}

TEST(SimdIntUnary, Popcnt) {
  EXPECT_EQ(I8x16Popcnt(u8({0, 1, 3, 7, 0xf, 0x1f, 0x3f, 0x7f, 0xff, 0x80, 0x55, 0xaa, 0x81, 0x10,
                            0xfe, 0x33})),
            u8({0, 1, 2, 3, 4, 5, 6, 7, 8, 1, 4, 4, 2, 1, 7, 4}));
}

TEST(SimdIntUnary, AllTrueAndBitmask) {
  EXPECT_EQ(I8x16AllTrue(I8x16Splat(1)), 1u);
  EXPECT_EQ(I8x16AllTrue(I8x16ReplaceLane(I8x16Splat(1), 0, 9)), 0u);
  EXPECT_EQ(I16x8AllTrue(u16({1, 1, 1, 1, 1, 1, 1, 0x100})), 1u);
  EXPECT_EQ(I16x8AllTrue(u8({1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0})), 0u);  // lane 7
  EXPECT_EQ(I32x4AllTrue(u32({1, 2, 3, 0x80000000})), 1u);
  EXPECT_EQ(I32x4AllTrue(u32({1, 2, 0, 4})), 0u);
  EXPECT_EQ(I64x2AllTrue(u64({1, 0x100000000u})), 1u);
  EXPECT_EQ(I64x2AllTrue(u64({0, 1})), 0u);

  EXPECT_EQ(I8x16Bitmask(u8({0x80, 0, 0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x90})),
            0x8005u);
  EXPECT_EQ(I16x8Bitmask(u16({0, 0x8000, 0, 0, 0, 0, 0x7fff, 0xffff})), 0x82u);
  EXPECT_EQ(I32x4Bitmask(i32({-1, 1, -5, 0})), 0x5u);
  EXPECT_EQ(I64x2Bitmask(i64({1, INT64_MIN})), 0x2u);
}

TEST(SimdIntShift, CountIsTakenModuloTheLaneWidth) {
  const V128 a8 = u8({0x81, 0x81, 0x81, 0x81, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0xff});
  // 9 mod 8 = 1.
  EXPECT_EQ(I8x16Shl(a8, 9), u8({2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0xfe}));
  EXPECT_EQ(I8x16ShrS(a8, 9), u8({0xc0, 0xc0, 0xc0, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff}));
  EXPECT_EQ(I8x16ShrU(a8, 9), u8({0x40, 0x40, 0x40, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f}));
  EXPECT_EQ(I8x16Shl(a8, 8), a8);
  EXPECT_EQ(I16x8Shl(u16({0x8001, 1, 0, 0, 0, 0, 0, 0xffff}), 17),
            u16({2, 2, 0, 0, 0, 0, 0, 0xfffe}));
  EXPECT_EQ(I16x8ShrS(u16({0x8000, 0x4000, 0, 0, 0, 0, 0, 0xffff}), 15),
            u16({0xffff, 0, 0, 0, 0, 0, 0, 0xffff}));
  EXPECT_EQ(I16x8ShrU(u16({0x8000, 0x4000, 0, 0, 0, 0, 0, 0xffff}), 31),
            u16({1, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(I32x4Shl(u32({1, 0x80000000, 3, 0xffffffff}), 33), u32({2, 0, 6, 0xfffffffe}));
  EXPECT_EQ(I32x4ShrS(u32({0x80000000, 8, 0xfffffff0, 1}), 0xfffffffc),  // 28
            u32({0xfffffff8, 0, 0xffffffff, 0}));
  EXPECT_EQ(I32x4ShrU(u32({0x80000000, 8, 0xfffffff0, 1}), 28), u32({8, 0, 0xf, 0}));
  EXPECT_EQ(I64x2Shl(u64({1, 3}), 64 + 63), u64({0x8000000000000000u, 0x8000000000000000u}));
  EXPECT_EQ(I64x2ShrS(i64({INT64_MIN, 5}), 63), i64({-1, 0}));
  EXPECT_EQ(I64x2ShrU(i64({INT64_MIN, 5}), 127), u64({1, 0}));
}

TEST(SimdIntArith, AddSubMulWrap) {
  EXPECT_EQ(I8x16Add(u8({0xff, 0x80, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f}),
                     u8({1, 0x80, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})),
            u8({0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80}));
  EXPECT_EQ(I8x16Sub(u8({0, 0x80, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
                     u8({1, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})),
            u8({0xff, 0x7f, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I16x8Add(u16({0xffff, 1, 0, 0, 0, 0, 0, 0}), u16({2, 1, 0, 0, 0, 0, 0, 0})),
            u16({1, 2, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I16x8Sub(u16({0, 1, 0, 0, 0, 0, 0, 0}), u16({1, 1, 0, 0, 0, 0, 0, 0})),
            u16({0xffff, 0, 0, 0, 0, 0, 0, 0}));
  // 0x100 * 0x100 = 0x10000 wraps to 0; 0xffff * 0xffff = 0xfffe0001 -> 0x0001.
  EXPECT_EQ(
      I16x8Mul(u16({0x100, 0xffff, 3, 0, 0, 0, 0, 0}), u16({0x100, 0xffff, 7, 0, 0, 0, 0, 0})),
      u16({0, 1, 21, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I32x4Add(u32({0xffffffff, 1, 2, 3}), u32({1, 1, 1, 1})), u32({0, 2, 3, 4}));
  EXPECT_EQ(I32x4Sub(u32({0, 1, 2, 3}), u32({1, 1, 1, 1})), u32({0xffffffff, 0, 1, 2}));
  EXPECT_EQ(I32x4Mul(u32({0x10000, 0xffffffff, 3, 0}), u32({0x10000, 0xffffffff, 5, 9})),
            u32({0, 1, 15, 0}));
  EXPECT_EQ(I64x2Add(u64({~0ull, 5}), u64({1, 6})), u64({0, 11}));
  EXPECT_EQ(I64x2Sub(u64({0, 5}), u64({1, 6})), u64({~0ull, ~0ull}));
  EXPECT_EQ(I64x2Mul(u64({0x100000000u, ~0ull}), u64({0x100000000u, ~0ull})), u64({0, 1}));
}

TEST(SimdIntArith, SaturatingAddSub) {
  const V128 a = i8({127, -128, 100, -100, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  const V128 b = i8({1, -1, 100, -100, -2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(I8x16AddSatS(a, b), i8({127, -128, 127, -128, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I8x16SubSatS(a, b), i8({126, -127, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  const V128 c = u8({250, 10, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  const V128 d = u8({10, 250, 1, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(I8x16AddSatU(c, d), u8({255, 255, 1, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I8x16SubSatU(c, d), u8({240, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  const V128 e = i16({32767, -32768, 30000, -30000, 5, 0, 0, 0});
  const V128 f = i16({1, -1, 30000, 30000, -7, 0, 0, 0});
  EXPECT_EQ(I16x8AddSatS(e, f), i16({32767, -32768, 32767, 0, -2, 0, 0, 0}));
  EXPECT_EQ(I16x8SubSatS(e, f), i16({32766, -32767, 0, -32768, 12, 0, 0, 0}));
  const V128 g = u16({65535, 1, 40000, 0, 0, 0, 0, 0});
  const V128 h = u16({1, 2, 40000, 0, 0, 0, 0, 0});
  EXPECT_EQ(I16x8AddSatU(g, h), u16({65535, 3, 65535, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I16x8SubSatU(g, h), u16({65534, 0, 0, 0, 0, 0, 0, 0}));
}

// The vector forms of add_sat/sub_sat against the exact definition, every 8-bit pair.
TEST(SimdIntArith, SaturatingOpsMatchExactArithmeticForEveryI8Pair) {
  for (int x = 0; x < 256; ++x) {
    for (int y0 = 0; y0 < 256; y0 += 16) {
      Lanes<uint8_t> xs, ys;
      for (int k = 0; k < 16; ++k) {
        xs[k] = static_cast<uint8_t>(x);
        ys[k] = static_cast<uint8_t>(y0 + k);
      }
      const V128 a = V128::fromLanes<uint8_t>(xs);
      const V128 b = V128::fromLanes<uint8_t>(ys);
      const V128 add_s = I8x16AddSatS(a, b), sub_s = I8x16SubSatS(a, b);
      const V128 add_u = I8x16AddSatU(a, b), sub_u = I8x16SubSatU(a, b);
      for (unsigned k = 0; k < 16; ++k) {
        const int sx = static_cast<int8_t>(xs[k]), sy = static_cast<int8_t>(ys[k]);
        ASSERT_EQ(add_s.lane<int8_t>(k), saturate<int8_t>(sx + sy)) << sx << " " << sy;
        ASSERT_EQ(sub_s.lane<int8_t>(k), saturate<int8_t>(sx - sy)) << sx << " " << sy;
        ASSERT_EQ(add_u.lane<uint8_t>(k), saturate<uint8_t>(xs[k] + ys[k]));
        ASSERT_EQ(sub_u.lane<uint8_t>(k), saturate<uint8_t>(xs[k] - ys[k]));
      }
    }
  }
}

TEST(SimdIntArith, SaturatingOpsMatchExactArithmeticForI16Corners) {
  const int16_t v[] = {-32768, -32767, -16385, -16384, -2, -1, 0, 1, 2, 16383, 16384, 32766, 32767};
  for (int16_t x : v) {
    for (int16_t y : v) {
      const V128 a = I16x8Splat(static_cast<uint16_t>(x));
      const V128 b = I16x8Splat(static_cast<uint16_t>(y));
      const auto ux = static_cast<uint16_t>(x), uy = static_cast<uint16_t>(y);
      EXPECT_EQ(I16x8AddSatS(a, b).lane<int16_t>(5), saturate<int16_t>(x + y));
      EXPECT_EQ(I16x8SubSatS(a, b).lane<int16_t>(5), saturate<int16_t>(x - y));
      EXPECT_EQ(I16x8AddSatU(a, b).lane<uint16_t>(5), saturate<uint16_t>(ux + uy));
      EXPECT_EQ(I16x8SubSatU(a, b).lane<uint16_t>(5), saturate<uint16_t>(ux - uy));
    }
  }
}

TEST(SimdIntArith, MinMaxSignedness) {
  const V128 a = u8({0x80, 0x7f, 3, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  const V128 b = u8({0x7f, 0x80, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  EXPECT_EQ(I8x16MinS(a, b), u8({0x80, 0x80, 3, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I8x16MinU(a, b), u8({0x7f, 0x7f, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I8x16MaxS(a, b), u8({0x7f, 0x7f, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(I8x16MaxU(a, b), u8({0x80, 0x80, 4, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
  const V128 c = u16({0x8000, 2, 0, 0, 0, 0, 0, 0});
  const V128 d = u16({1, 0xffff, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(I16x8MinS(c, d), u16({0x8000, 0xffff, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I16x8MinU(c, d), u16({1, 2, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I16x8MaxS(c, d), u16({1, 2, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I16x8MaxU(c, d), u16({0x8000, 0xffff, 0, 0, 0, 0, 0, 0}));
  const V128 e = u32({0x80000000, 2, 7, 7});
  const V128 f = u32({1, 0xffffffff, 7, 8});
  EXPECT_EQ(I32x4MinS(e, f), u32({0x80000000, 0xffffffff, 7, 7}));
  EXPECT_EQ(I32x4MinU(e, f), u32({1, 2, 7, 7}));
  EXPECT_EQ(I32x4MaxS(e, f), u32({1, 2, 7, 8}));
  EXPECT_EQ(I32x4MaxU(e, f), u32({0x80000000, 0xffffffff, 7, 8}));
}

TEST(SimdIntArith, AvgrURoundsUpWithoutOverflow) {
  // (255 + 255 + 1) / 2 = 255; (0 + 1 + 1) / 2 = 1; (2 + 5 + 1) / 2 = 4.
  EXPECT_EQ(I8x16AvgrU(u8({255, 0, 2, 0, 254, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
                       u8({255, 1, 5, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})),
            u8({255, 1, 4, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(
      I16x8AvgrU(u16({65535, 0, 65534, 10, 0, 0, 0, 0}), u16({65535, 1, 65535, 13, 0, 0, 0, 0})),
      u16({65535, 1, 65535, 12, 0, 0, 0, 0}));
}

}  // namespace
}  // namespace strata::sem::simd
