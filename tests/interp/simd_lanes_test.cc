// Tests for simd_lanes.h: splat, extract/replace lane, shuffle, swizzle, bitwise ops and the
// memory helpers.
#include "simd_test_util.h"

namespace strata::sem::simd {
namespace {

TEST(SimdSplat, IntegerSplatsWrapToTheLaneWidth) {
  EXPECT_EQ(I8x16Splat(0x1ff), u8({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(I16x8Splat(0x12345),
            u16({0x2345, 0x2345, 0x2345, 0x2345, 0x2345, 0x2345, 0x2345, 0x2345}));
  EXPECT_EQ(I32x4Splat(0xdeadbeef), u32({0xdeadbeef, 0xdeadbeef, 0xdeadbeef, 0xdeadbeef}));
  EXPECT_EQ(I64x2Splat(0x0123456789abcdefu), u64({0x0123456789abcdefu, 0x0123456789abcdefu}));
}

TEST(SimdSplat, FloatSplatsKeepNaNPayloads) {
  EXPECT_EQ(F32x4Splat(f32Bits(kF32PayloadNaN)),
            u32({kF32PayloadNaN, kF32PayloadNaN, kF32PayloadNaN, kF32PayloadNaN}));
  EXPECT_EQ(F64x2Splat(-0.0), u64({0x8000000000000000u, 0x8000000000000000u}));
}

TEST(SimdLanes, ExtractSignOrZeroExtends) {
  const V128 v = u8({0, 1, 2, 3, 4, 5, 6, 0x80, 8, 9, 10, 11, 12, 13, 14, 0xff});
  EXPECT_EQ(I8x16ExtractLaneS(v, 7), 0xffffff80u);
  EXPECT_EQ(I8x16ExtractLaneU(v, 7), 0x80u);
  EXPECT_EQ(I8x16ExtractLaneS(v, 15), 0xffffffffu);
  EXPECT_EQ(I8x16ExtractLaneS(v, 3), 3u);
  const V128 w = u16({1, 0x8000, 3, 4, 5, 6, 7, 0xfffe});
  EXPECT_EQ(I16x8ExtractLaneS(w, 1), 0xffff8000u);
  EXPECT_EQ(I16x8ExtractLaneU(w, 1), 0x8000u);
  EXPECT_EQ(I16x8ExtractLaneU(w, 7), 0xfffeu);
  EXPECT_EQ(I32x4ExtractLane(u32({1, 2, 3, 0xffffffff}), 3), 0xffffffffu);
  EXPECT_EQ(I64x2ExtractLane(u64({1, 0x8000000000000000u}), 1), 0x8000000000000000u);
  EXPECT_EQ(F32x4ExtractLane(f32({1.5f, -2.5f, 3, 4}), 1), -2.5f);
  EXPECT_EQ(F64x2ExtractLane(f64({1.5, -0.25}), 1), -0.25);
  // NaN payload comes out bit for bit.
  EXPECT_EQ(std::bit_cast<uint32_t>(F32x4ExtractLane(u32({0, 0, kF32PayloadNaN, 0}), 2)),
            kF32PayloadNaN);
}

TEST(SimdLanes, ReplaceChangesOnlyTheLane) {
  const V128 zero{};
  EXPECT_EQ(I8x16ReplaceLane(zero, 0x1ab, 15),
            u8({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab}));
  EXPECT_EQ(I16x8ReplaceLane(zero, 0xfffff, 2), u16({0, 0, 0xffff, 0, 0, 0, 0, 0}));
  EXPECT_EQ(I32x4ReplaceLane(u32({1, 2, 3, 4}), 9, 0), u32({9, 2, 3, 4}));
  EXPECT_EQ(I64x2ReplaceLane(u64({1, 2}), 7, 1), u64({1, 7}));
  EXPECT_EQ(F32x4ReplaceLane(zero, -1.0f, 3), f32({0, 0, 0, -1.0f}));
  EXPECT_EQ(F64x2ReplaceLane(f64({1, 2}), f64Bits(kF64PayloadNaN), 0),
            u64({kF64PayloadNaN, 0x4000000000000000u}));
}

TEST(SimdShuffle, IndicesPickFromBothOperands) {
  const V128 a = u8({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  const V128 b = u8({16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31});
  // Lane j of a holds j and lane j of b holds 16 + j, so the result repeats the indices.
  const uint8_t lanes[16] = {31, 0, 30, 1, 29, 2, 28, 3, 16, 15, 16, 15, 5, 5, 5, 5};
  EXPECT_EQ(I8x16Shuffle(a, b, lanes),
            u8({31, 0, 30, 1, 29, 2, 28, 3, 16, 15, 16, 15, 5, 5, 5, 5}));
  const V128 b2 = u8({0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac,
                      0xad, 0xae, 0xaf});
  const uint8_t all_b[16] = {16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
  EXPECT_EQ(I8x16Shuffle(a, b2, all_b), b2);
}

TEST(SimdSwizzle, OutOfRangeIndicesGiveZero) {
  const V128 a = u8({0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc,
                     0xfd, 0xfe, 0xff});
  // 16, 0x80 and 0xff are out of range (unsigned index >= 16).
  const V128 s = u8({15, 0, 16, 0x80, 0xff, 1, 14, 2, 3, 3, 17, 4, 5, 6, 7, 8});
  EXPECT_EQ(I8x16Swizzle(a, s), u8({0xff, 0xf0, 0, 0, 0, 0xf1, 0xfe, 0xf2, 0xf3, 0xf3, 0, 0xf4,
                                    0xf5, 0xf6, 0xf7, 0xf8}));
}

TEST(SimdBitwise, NotAndAndnotOrXorBitselect) {
  const V128 a = u32({0xff00ff00, 0x0f0f0f0f, 0, 0xffffffff});
  const V128 b = u32({0xf0f0f0f0, 0xffff0000, 0x12345678, 0});
  EXPECT_EQ(V128Not(a), u32({0x00ff00ff, 0xf0f0f0f0, 0xffffffff, 0}));
  EXPECT_EQ(V128And(a, b), u32({0xf000f000, 0x0f0f0000, 0, 0}));
  EXPECT_EQ(V128Andnot(a, b), u32({0x0f000f00, 0x00000f0f, 0, 0xffffffff}));  // a & ~b
  EXPECT_EQ(V128Or(a, b), u32({0xfff0fff0, 0xffff0f0f, 0x12345678, 0xffffffff}));
  EXPECT_EQ(V128Xor(a, b), u32({0x0ff00ff0, 0xf0f00f0f, 0x12345678, 0xffffffff}));
  // bitselect(v1, v2, c): v1 where c is 1.
  const V128 c = u32({0xffff0000, 0x0000ffff, 0xffffffff, 0});
  EXPECT_EQ(V128Bitselect(a, b, c), u32({0xff00f0f0, 0xffff0f0f, 0, 0}));
}

TEST(SimdBitwise, AnyTrueLooksAtEveryBit) {
  EXPECT_EQ(V128AnyTrue(V128{}), 0u);
  EXPECT_EQ(V128AnyTrue(u64({0, 0x8000000000000000u})), 1u);
  EXPECT_EQ(V128AnyTrue(u64({1, 0})), 1u);
}

TEST(SimdMemoryHelpers, ExtendingLoads) {
  // Bytes in memory order: 0x80 0x01 0xff 0x7f 0x00 0x02 0xfe 0x03.
  const uint64_t bits = 0x03fe02007fff0180u;
  EXPECT_EQ(V128Load8x8S(bits), i16({-128, 1, -1, 127, 0, 2, -2, 3}));
  EXPECT_EQ(V128Load8x8U(bits), u16({0x80, 1, 0xff, 0x7f, 0, 2, 0xfe, 3}));
  // 16-bit lanes in memory order: 0x0001, 0x7fff, 0xffff, 0x8000.
  EXPECT_EQ(V128Load16x4S(0x8000ffff7fff0001u), i32({1, 0x7fff, -1, -32768}));
  EXPECT_EQ(V128Load16x4U(0x8000ffff7fff0001u), u32({1, 0x7fff, 0xffff, 0x8000}));
  EXPECT_EQ(V128Load32x2S(0x80000000ffffffffu), i64({-1, -2147483648LL}));
  EXPECT_EQ(V128Load32x2U(0x80000000ffffffffu), u64({0xffffffffu, 0x80000000u}));
}

TEST(SimdMemoryHelpers, ZeroLoads) {
  EXPECT_EQ(V128Load32Zero(0xdeadbeef), u32({0xdeadbeef, 0, 0, 0}));
  EXPECT_EQ(V128Load64Zero(0x0123456789abcdefu), u64({0x0123456789abcdefu, 0}));
}

}  // namespace
}  // namespace strata::sem::simd
