// SIMD integer operations that change the lane shape: narrow, extend, extmul, extadd_pairwise,
// dot, and q15mulr_sat_s (spec 4.3.5 vector operations, vnarrow/vextunop/vextbinop).
#pragma once

#include <limits>

#include "sem/simd_types.h"

namespace strata::sem::simd {

// Clamps each signed From lane into the range of To (still From-wide lanes).
template <class From, class To>
inline V128 clampLanes(V128 a) {
  using Vec = VecOf<From>;
  const Vec lo = Vec{} + static_cast<From>(std::numeric_limits<To>::min());
  const Vec hi = Vec{} + static_cast<From>(std::numeric_limits<To>::max());
  const Vec x = as<Vec>(a);
  const V128 low_clamped = selectBits(wrap(x < lo), wrap(lo), a);
  return selectBits(wrap(x > hi), wrap(hi), low_clamped);
}

// spec narrow_sx: each signed From lane of a, then of b, saturated into To. After clamping,
// the low half of each From lane (the even To-sized element, little-endian) is the result.
template <class From, class To>
inline V128 narrowSat(V128 a, V128 b) {
  const V128 x = clampLanes<From, To>(a);
  const V128 y = clampLanes<From, To>(b);
  if constexpr (sizeof(To) == 1) {
    return wrap(__builtin_shufflevector(as<VecU8>(x), as<VecU8>(y), 0, 2, 4, 6, 8, 10, 12, 14, 16,
                                        18, 20, 22, 24, 26, 28, 30));
  } else {
    static_assert(sizeof(To) == 2);
    return wrap(__builtin_shufflevector(as<VecU16>(x), as<VecU16>(y), 0, 2, 4, 6, 8, 10, 12, 14));
  }
}

// spec extend_sx over the low or high half of the From lanes (half = 0 low, 1 high).
template <class From, class To>
inline V128 extendHalf(V128 a, unsigned half) {
  const Lanes<From> x = a.lanes<From>();
  Lanes<To> r;
  const unsigned first = half * r.size();
  for (unsigned i = 0; i < r.size(); ++i) r[i] = static_cast<To>(x[first + i]);
  return V128::fromLanes<To>(r);
}

// spec extmul: extend both halves, then multiply in the wide lane (never overflows To).
template <class From, class To>
inline V128 extMul(V128 a, V128 b, unsigned half) {
  const Lanes<From> x = a.lanes<From>();
  const Lanes<From> y = b.lanes<From>();
  Lanes<To> r;
  const unsigned first = half * r.size();
  for (unsigned i = 0; i < r.size(); ++i) {
    r[i] = static_cast<To>(static_cast<To>(x[first + i]) * static_cast<To>(y[first + i]));
  }
  return V128::fromLanes<To>(r);
}

// spec ivaddpairwise after extend: lane i is x[2i] + x[2i+1], exact in To.
template <class From, class To>
inline V128 extAddPairwise(V128 a) {
  const Lanes<From> x = a.lanes<From>();
  Lanes<To> r;
  for (unsigned i = 0; i < r.size(); ++i) {
    r[i] = static_cast<To>(static_cast<To>(x[2 * i]) + static_cast<To>(x[2 * i + 1]));
  }
  return V128::fromLanes<To>(r);
}

// ---- narrow (signed inputs; _u saturates the signed value into [0, 2^N-1]) ----

inline V128 I8x16NarrowI16x8S(V128 a, V128 b) { return narrowSat<int16_t, int8_t>(a, b); }
inline V128 I8x16NarrowI16x8U(V128 a, V128 b) { return narrowSat<int16_t, uint8_t>(a, b); }
inline V128 I16x8NarrowI32x4S(V128 a, V128 b) { return narrowSat<int32_t, int16_t>(a, b); }
inline V128 I16x8NarrowI32x4U(V128 a, V128 b) { return narrowSat<int32_t, uint16_t>(a, b); }

// ---- extend ----

inline V128 I16x8ExtendLowI8x16S(V128 a) { return extendHalf<int8_t, int16_t>(a, 0); }
inline V128 I16x8ExtendHighI8x16S(V128 a) { return extendHalf<int8_t, int16_t>(a, 1); }
inline V128 I16x8ExtendLowI8x16U(V128 a) { return extendHalf<uint8_t, uint16_t>(a, 0); }
inline V128 I16x8ExtendHighI8x16U(V128 a) { return extendHalf<uint8_t, uint16_t>(a, 1); }
inline V128 I32x4ExtendLowI16x8S(V128 a) { return extendHalf<int16_t, int32_t>(a, 0); }
inline V128 I32x4ExtendHighI16x8S(V128 a) { return extendHalf<int16_t, int32_t>(a, 1); }
inline V128 I32x4ExtendLowI16x8U(V128 a) { return extendHalf<uint16_t, uint32_t>(a, 0); }
inline V128 I32x4ExtendHighI16x8U(V128 a) { return extendHalf<uint16_t, uint32_t>(a, 1); }
inline V128 I64x2ExtendLowI32x4S(V128 a) { return extendHalf<int32_t, int64_t>(a, 0); }
inline V128 I64x2ExtendHighI32x4S(V128 a) { return extendHalf<int32_t, int64_t>(a, 1); }
inline V128 I64x2ExtendLowI32x4U(V128 a) { return extendHalf<uint32_t, uint64_t>(a, 0); }
inline V128 I64x2ExtendHighI32x4U(V128 a) { return extendHalf<uint32_t, uint64_t>(a, 1); }

// ---- extmul ----

inline V128 I16x8ExtmulLowI8x16S(V128 a, V128 b) { return extMul<int8_t, int16_t>(a, b, 0); }
inline V128 I16x8ExtmulHighI8x16S(V128 a, V128 b) { return extMul<int8_t, int16_t>(a, b, 1); }
inline V128 I16x8ExtmulLowI8x16U(V128 a, V128 b) { return extMul<uint8_t, uint16_t>(a, b, 0); }
inline V128 I16x8ExtmulHighI8x16U(V128 a, V128 b) { return extMul<uint8_t, uint16_t>(a, b, 1); }
inline V128 I32x4ExtmulLowI16x8S(V128 a, V128 b) { return extMul<int16_t, int32_t>(a, b, 0); }
inline V128 I32x4ExtmulHighI16x8S(V128 a, V128 b) { return extMul<int16_t, int32_t>(a, b, 1); }
inline V128 I32x4ExtmulLowI16x8U(V128 a, V128 b) { return extMul<uint16_t, uint32_t>(a, b, 0); }
inline V128 I32x4ExtmulHighI16x8U(V128 a, V128 b) { return extMul<uint16_t, uint32_t>(a, b, 1); }
inline V128 I64x2ExtmulLowI32x4S(V128 a, V128 b) { return extMul<int32_t, int64_t>(a, b, 0); }
inline V128 I64x2ExtmulHighI32x4S(V128 a, V128 b) { return extMul<int32_t, int64_t>(a, b, 1); }
inline V128 I64x2ExtmulLowI32x4U(V128 a, V128 b) { return extMul<uint32_t, uint64_t>(a, b, 0); }
inline V128 I64x2ExtmulHighI32x4U(V128 a, V128 b) { return extMul<uint32_t, uint64_t>(a, b, 1); }

// ---- extadd_pairwise ----

inline V128 I16x8ExtaddPairwiseI8x16S(V128 a) { return extAddPairwise<int8_t, int16_t>(a); }
inline V128 I16x8ExtaddPairwiseI8x16U(V128 a) { return extAddPairwise<uint8_t, uint16_t>(a); }
inline V128 I32x4ExtaddPairwiseI16x8S(V128 a) { return extAddPairwise<int16_t, int32_t>(a); }
inline V128 I32x4ExtaddPairwiseI16x8U(V128 a) { return extAddPairwise<uint16_t, uint32_t>(a); }

// ---- dot and q15 ----

// spec ivdot: lane i = a[2i]*b[2i] + a[2i+1]*b[2i+1], the sum wrapping modulo 2^32 (only
// -32768*-32768 twice overflows, giving 0x80000000).
inline V128 I32x4DotI16x8S(V128 a, V128 b) {
  const Lanes<int16_t> x = a.lanes<int16_t>();
  const Lanes<int16_t> y = b.lanes<int16_t>();
  Lanes<uint32_t> r;
  for (unsigned i = 0; i < r.size(); ++i) {
    const int32_t lo = int32_t{x[2 * i]} * y[2 * i];
    const int32_t hi = int32_t{x[2 * i + 1]} * y[2 * i + 1];
    r[i] = static_cast<uint32_t>(lo) + static_cast<uint32_t>(hi);
  }
  return V128::fromLanes<uint32_t>(r);
}

// spec iq15mulrsat_s: sat_s((a*b + 2^14) >> 15); only -32768*-32768 saturates (to 32767).
inline V128 I16x8Q15mulrSatS(V128 a, V128 b) {
  return zipLanes<int16_t>(a, b, [](int16_t x, int16_t y) {
    return saturate<int16_t>((int32_t{x} * y + 0x4000) >> 15);
  });
}

}  // namespace strata::sem::simd
