// SIMD integer operations that keep the lane shape: comparisons, abs/neg/popcnt, all_true,
// bitmask, shifts, add/sub/mul, saturating add/sub, min/max and avgr_u (spec 4.3.2, 4.3.5).
#pragma once

#include <functional>
#include <limits>
#include <type_traits>

#include "sem/simd_types.h"

namespace strata::sem::simd {

// ---- shared lanewise forms, L is the lane type (its signedness picks the interpretation) ----

// The saturation bound on the side of each signed lane of a: MIN if negative, else MAX.
template <class S>
inline V128 signedBound(V128 a) {
  const VecOf<S> sign = as<VecOf<S>>(a) >> (VecOf<S>{} + static_cast<S>(8 * sizeof(S) - 1));
  return wrap(sign ^ (VecOf<S>{} + std::numeric_limits<S>::max()));
}

template <class S>
inline V128 intAbs(V128 a) {  // spec iabs: |i| modulo 2^N, so abs(-2^(N-1)) = -2^(N-1)
  using U = std::make_unsigned_t<S>;
  const V128 negated = wrap(VecOf<U>{} - as<VecOf<U>>(a));
  return selectBits(wrap(as<VecOf<S>>(a) < VecOf<S>{}), negated, a);
}
template <class L>
inline V128 intNeg(V128 a) {
  using U = std::make_unsigned_t<L>;
  return wrap(VecOf<U>{} - as<VecOf<U>>(a));
}
// spec 4.6 vector instructions, all_true: 1 iff no lane is zero.
template <class L>
inline uint32_t intAllTrue(V128 a) {
  const V128 zero_lanes = vecOp<VecOf<L>>(a, V128{}, std::equal_to<>());
  return (zero_lanes.bits[0] | zero_lanes.bits[1]) == 0;
}
// spec ivbitmask: bit i of the result is the sign bit of lane i.
template <class S>
inline uint32_t intBitmask(V128 a) {
  const Lanes<S> x = a.lanes<S>();
  uint32_t r = 0;
  for (unsigned i = 0; i < x.size(); ++i) r |= uint32_t{x[i] < 0} << i;
  return r;
}
// spec ishl/ishr_u/ishr_s: the count is taken modulo the lane width.
template <class L>
inline V128 intShl(V128 a, uint32_t count) {
  using U = std::make_unsigned_t<L>;
  const VecOf<U> n = VecOf<U>{} + static_cast<U>(count % (8 * sizeof(L)));
  return wrap(as<VecOf<U>>(a) << n);
}
template <class L>  // arithmetic shift for signed L, logical for unsigned L
inline V128 intShr(V128 a, uint32_t count) {
  const VecOf<L> n = VecOf<L>{} + static_cast<L>(count % (8 * sizeof(L)));
  return wrap(as<VecOf<L>>(a) >> n);
}
// Plain add/sub/mul wrap modulo 2^N: computed on the unsigned view.
template <class U, class Op>
inline V128 intWrapping(V128 a, V128 b, Op op) {
  return vecOp<VecOf<U>>(a, b, op);
}
// spec iadd_sat/isub_sat: the exact result clamped to the lane type's range. Written as the
// wrapping result plus an overflow mask so that it stays in vector registers; the reference
// meaning is saturate<L>(int32_t{x} +- int32_t{y}) per lane (the tests check both agree).
template <class L>
inline V128 intAddSat(V128 a, V128 b) {
  using U = std::make_unsigned_t<L>;
  const VecOf<U> x = as<VecOf<U>>(a);
  const VecOf<U> y = as<VecOf<U>>(b);
  const VecOf<U> r = x + y;
  if constexpr (std::is_unsigned_v<L>) {
    return selectBits(wrap(r < x), wrap(~VecOf<U>{}), wrap(r));  // carry out: all ones
  } else {
    // Overflow iff x and y share a sign that r lacks; then the bound on x's side.
    const V128 overflow = wrap(as<VecOf<L>>(wrap((r ^ x) & (r ^ y))) < VecOf<L>{});
    return selectBits(overflow, signedBound<L>(a), wrap(r));
  }
}
template <class L>
inline V128 intSubSat(V128 a, V128 b) {
  using U = std::make_unsigned_t<L>;
  const VecOf<U> x = as<VecOf<U>>(a);
  const VecOf<U> y = as<VecOf<U>>(b);
  const VecOf<U> r = x - y;
  if constexpr (std::is_unsigned_v<L>) {
    return selectBits(wrap(x < y), V128{}, wrap(r));  // borrow: 0
  } else {
    // Overflow iff x and y differ in sign and r's sign differs from x's.
    const V128 overflow = wrap(as<VecOf<L>>(wrap((x ^ y) & (x ^ r))) < VecOf<L>{});
    return selectBits(overflow, signedBound<L>(a), wrap(r));
  }
}
template <class L>
inline V128 intMin(V128 a, V128 b) {
  return selectBits(vecOp<VecOf<L>>(a, b, std::less<>()), a, b);
}
template <class L>
inline V128 intMax(V128 a, V128 b) {
  return selectBits(vecOp<VecOf<L>>(a, b, std::greater<>()), a, b);
}
// spec iavgr_u: (a + b + 1) / 2 without overflow, as (a | b) - ((a ^ b) >> 1).
template <class U>
inline V128 intAvgr(V128 a, V128 b) {
  const VecOf<U> x = as<VecOf<U>>(a);
  const VecOf<U> y = as<VecOf<U>>(b);
  return wrap((x | y) - ((x ^ y) >> 1));
}

// ---- i8x16 ----

inline V128 I8x16Eq(V128 a, V128 b) { return vecOp<VecI8>(a, b, std::equal_to<>()); }
inline V128 I8x16Ne(V128 a, V128 b) { return vecOp<VecI8>(a, b, std::not_equal_to<>()); }
inline V128 I8x16LtS(V128 a, V128 b) { return vecOp<VecI8>(a, b, std::less<>()); }
inline V128 I8x16LtU(V128 a, V128 b) { return vecOp<VecU8>(a, b, std::less<>()); }
inline V128 I8x16GtS(V128 a, V128 b) { return vecOp<VecI8>(a, b, std::greater<>()); }
inline V128 I8x16GtU(V128 a, V128 b) { return vecOp<VecU8>(a, b, std::greater<>()); }
inline V128 I8x16LeS(V128 a, V128 b) { return vecOp<VecI8>(a, b, std::less_equal<>()); }
inline V128 I8x16LeU(V128 a, V128 b) { return vecOp<VecU8>(a, b, std::less_equal<>()); }
inline V128 I8x16GeS(V128 a, V128 b) { return vecOp<VecI8>(a, b, std::greater_equal<>()); }
inline V128 I8x16GeU(V128 a, V128 b) { return vecOp<VecU8>(a, b, std::greater_equal<>()); }

inline V128 I8x16Abs(V128 a) { return intAbs<int8_t>(a); }
inline V128 I8x16Neg(V128 a) { return intNeg<int8_t>(a); }
inline V128 I8x16Popcnt(V128 a) {
  return mapLanes<uint8_t>(a, [](uint8_t x) { return std::popcount(x); });
}
inline uint32_t I8x16AllTrue(V128 a) { return intAllTrue<int8_t>(a); }
inline uint32_t I8x16Bitmask(V128 a) { return intBitmask<int8_t>(a); }
inline V128 I8x16Shl(V128 a, uint32_t n) { return intShl<int8_t>(a, n); }
inline V128 I8x16ShrS(V128 a, uint32_t n) { return intShr<int8_t>(a, n); }
inline V128 I8x16ShrU(V128 a, uint32_t n) { return intShr<uint8_t>(a, n); }
inline V128 I8x16Add(V128 a, V128 b) { return intWrapping<uint8_t>(a, b, std::plus<>()); }
inline V128 I8x16AddSatS(V128 a, V128 b) { return intAddSat<int8_t>(a, b); }
inline V128 I8x16AddSatU(V128 a, V128 b) { return intAddSat<uint8_t>(a, b); }
inline V128 I8x16Sub(V128 a, V128 b) { return intWrapping<uint8_t>(a, b, std::minus<>()); }
inline V128 I8x16SubSatS(V128 a, V128 b) { return intSubSat<int8_t>(a, b); }
inline V128 I8x16SubSatU(V128 a, V128 b) { return intSubSat<uint8_t>(a, b); }
inline V128 I8x16MinS(V128 a, V128 b) { return intMin<int8_t>(a, b); }
inline V128 I8x16MinU(V128 a, V128 b) { return intMin<uint8_t>(a, b); }
inline V128 I8x16MaxS(V128 a, V128 b) { return intMax<int8_t>(a, b); }
inline V128 I8x16MaxU(V128 a, V128 b) { return intMax<uint8_t>(a, b); }
inline V128 I8x16AvgrU(V128 a, V128 b) { return intAvgr<uint8_t>(a, b); }

// ---- i16x8 ----

inline V128 I16x8Eq(V128 a, V128 b) { return vecOp<VecI16>(a, b, std::equal_to<>()); }
inline V128 I16x8Ne(V128 a, V128 b) { return vecOp<VecI16>(a, b, std::not_equal_to<>()); }
inline V128 I16x8LtS(V128 a, V128 b) { return vecOp<VecI16>(a, b, std::less<>()); }
inline V128 I16x8LtU(V128 a, V128 b) { return vecOp<VecU16>(a, b, std::less<>()); }
inline V128 I16x8GtS(V128 a, V128 b) { return vecOp<VecI16>(a, b, std::greater<>()); }
inline V128 I16x8GtU(V128 a, V128 b) { return vecOp<VecU16>(a, b, std::greater<>()); }
inline V128 I16x8LeS(V128 a, V128 b) { return vecOp<VecI16>(a, b, std::less_equal<>()); }
inline V128 I16x8LeU(V128 a, V128 b) { return vecOp<VecU16>(a, b, std::less_equal<>()); }
inline V128 I16x8GeS(V128 a, V128 b) { return vecOp<VecI16>(a, b, std::greater_equal<>()); }
inline V128 I16x8GeU(V128 a, V128 b) { return vecOp<VecU16>(a, b, std::greater_equal<>()); }

inline V128 I16x8Abs(V128 a) { return intAbs<int16_t>(a); }
inline V128 I16x8Neg(V128 a) { return intNeg<int16_t>(a); }
inline uint32_t I16x8AllTrue(V128 a) { return intAllTrue<int16_t>(a); }
inline uint32_t I16x8Bitmask(V128 a) { return intBitmask<int16_t>(a); }
inline V128 I16x8Shl(V128 a, uint32_t n) { return intShl<int16_t>(a, n); }
inline V128 I16x8ShrS(V128 a, uint32_t n) { return intShr<int16_t>(a, n); }
inline V128 I16x8ShrU(V128 a, uint32_t n) { return intShr<uint16_t>(a, n); }
inline V128 I16x8Add(V128 a, V128 b) { return intWrapping<uint16_t>(a, b, std::plus<>()); }
inline V128 I16x8AddSatS(V128 a, V128 b) { return intAddSat<int16_t>(a, b); }
inline V128 I16x8AddSatU(V128 a, V128 b) { return intAddSat<uint16_t>(a, b); }
inline V128 I16x8Sub(V128 a, V128 b) { return intWrapping<uint16_t>(a, b, std::minus<>()); }
inline V128 I16x8SubSatS(V128 a, V128 b) { return intSubSat<int16_t>(a, b); }
inline V128 I16x8SubSatU(V128 a, V128 b) { return intSubSat<uint16_t>(a, b); }
inline V128 I16x8Mul(V128 a, V128 b) { return intWrapping<uint16_t>(a, b, std::multiplies<>()); }
inline V128 I16x8MinS(V128 a, V128 b) { return intMin<int16_t>(a, b); }
inline V128 I16x8MinU(V128 a, V128 b) { return intMin<uint16_t>(a, b); }
inline V128 I16x8MaxS(V128 a, V128 b) { return intMax<int16_t>(a, b); }
inline V128 I16x8MaxU(V128 a, V128 b) { return intMax<uint16_t>(a, b); }
inline V128 I16x8AvgrU(V128 a, V128 b) { return intAvgr<uint16_t>(a, b); }

// ---- i32x4 ----

inline V128 I32x4Eq(V128 a, V128 b) { return vecOp<VecI32>(a, b, std::equal_to<>()); }
inline V128 I32x4Ne(V128 a, V128 b) { return vecOp<VecI32>(a, b, std::not_equal_to<>()); }
inline V128 I32x4LtS(V128 a, V128 b) { return vecOp<VecI32>(a, b, std::less<>()); }
inline V128 I32x4LtU(V128 a, V128 b) { return vecOp<VecU32>(a, b, std::less<>()); }
inline V128 I32x4GtS(V128 a, V128 b) { return vecOp<VecI32>(a, b, std::greater<>()); }
inline V128 I32x4GtU(V128 a, V128 b) { return vecOp<VecU32>(a, b, std::greater<>()); }
inline V128 I32x4LeS(V128 a, V128 b) { return vecOp<VecI32>(a, b, std::less_equal<>()); }
inline V128 I32x4LeU(V128 a, V128 b) { return vecOp<VecU32>(a, b, std::less_equal<>()); }
inline V128 I32x4GeS(V128 a, V128 b) { return vecOp<VecI32>(a, b, std::greater_equal<>()); }
inline V128 I32x4GeU(V128 a, V128 b) { return vecOp<VecU32>(a, b, std::greater_equal<>()); }

inline V128 I32x4Abs(V128 a) { return intAbs<int32_t>(a); }
inline V128 I32x4Neg(V128 a) { return intNeg<int32_t>(a); }
inline uint32_t I32x4AllTrue(V128 a) { return intAllTrue<int32_t>(a); }
inline uint32_t I32x4Bitmask(V128 a) { return intBitmask<int32_t>(a); }
inline V128 I32x4Shl(V128 a, uint32_t n) { return intShl<int32_t>(a, n); }
inline V128 I32x4ShrS(V128 a, uint32_t n) { return intShr<int32_t>(a, n); }
inline V128 I32x4ShrU(V128 a, uint32_t n) { return intShr<uint32_t>(a, n); }
inline V128 I32x4Add(V128 a, V128 b) { return intWrapping<uint32_t>(a, b, std::plus<>()); }
inline V128 I32x4Sub(V128 a, V128 b) { return intWrapping<uint32_t>(a, b, std::minus<>()); }
inline V128 I32x4Mul(V128 a, V128 b) { return intWrapping<uint32_t>(a, b, std::multiplies<>()); }
inline V128 I32x4MinS(V128 a, V128 b) { return intMin<int32_t>(a, b); }
inline V128 I32x4MinU(V128 a, V128 b) { return intMin<uint32_t>(a, b); }
inline V128 I32x4MaxS(V128 a, V128 b) { return intMax<int32_t>(a, b); }
inline V128 I32x4MaxU(V128 a, V128 b) { return intMax<uint32_t>(a, b); }

// ---- i64x2 (signed comparisons only: spec 4.6 vector instructions, vrelop for i64x2) ----

inline V128 I64x2Eq(V128 a, V128 b) { return vecOp<VecI64>(a, b, std::equal_to<>()); }
inline V128 I64x2Ne(V128 a, V128 b) { return vecOp<VecI64>(a, b, std::not_equal_to<>()); }
inline V128 I64x2LtS(V128 a, V128 b) { return vecOp<VecI64>(a, b, std::less<>()); }
inline V128 I64x2GtS(V128 a, V128 b) { return vecOp<VecI64>(a, b, std::greater<>()); }
inline V128 I64x2LeS(V128 a, V128 b) { return vecOp<VecI64>(a, b, std::less_equal<>()); }
inline V128 I64x2GeS(V128 a, V128 b) { return vecOp<VecI64>(a, b, std::greater_equal<>()); }

inline V128 I64x2Abs(V128 a) { return intAbs<int64_t>(a); }
inline V128 I64x2Neg(V128 a) { return intNeg<int64_t>(a); }
inline uint32_t I64x2AllTrue(V128 a) { return intAllTrue<int64_t>(a); }
inline uint32_t I64x2Bitmask(V128 a) { return intBitmask<int64_t>(a); }
inline V128 I64x2Shl(V128 a, uint32_t n) { return intShl<int64_t>(a, n); }
inline V128 I64x2ShrS(V128 a, uint32_t n) { return intShr<int64_t>(a, n); }
inline V128 I64x2ShrU(V128 a, uint32_t n) { return intShr<uint64_t>(a, n); }
inline V128 I64x2Add(V128 a, V128 b) { return intWrapping<uint64_t>(a, b, std::plus<>()); }
inline V128 I64x2Sub(V128 a, V128 b) { return intWrapping<uint64_t>(a, b, std::minus<>()); }
inline V128 I64x2Mul(V128 a, V128 b) { return intWrapping<uint64_t>(a, b, std::multiplies<>()); }

}  // namespace strata::sem::simd
