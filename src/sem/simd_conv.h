// SIMD conversions between float and integer lanes and between f32 and f64 lanes:
// trunc_sat, convert, demote, promote (spec 4.3.4 conversions, lifted by 4.3.5 vcvtop).
#pragma once

#include <limits>

#include "sem/simd_types.h"

namespace strata::sem::simd {

// spec trunc_sat_sx: NaN -> 0, values beyond the integer range saturate, the rest truncate.
// The bounds are powers of two, exact in both float and double.
template <class Int, class F>
inline Int truncSat(F x) {
  using Lim = std::numeric_limits<Int>;
  constexpr F kLow = static_cast<F>(Lim::min());                   // -2^31 or 0
  constexpr F kHigh = static_cast<F>(uint64_t{1} << Lim::digits);  // 2^31 or 2^32
  if (x != x) return 0;
  if (x < kLow) return Lim::min();
  if (x >= kHigh) return Lim::max();
  return static_cast<Int>(x);  // in range: C++ truncates toward zero, as spec trunc does
}

// Converts `count` lanes From -> To, lane i from lane i; lanes of To beyond `count` are zero
// (the _zero forms, spec 4.3.5 vcvtop with zero).
template <class From, class To, class Fn>
inline V128 convertLanes(V128 a, Fn fn) {
  const Lanes<From> x = a.lanes<From>();
  Lanes<To> r{};
  constexpr unsigned kCount = x.size() < r.size() ? x.size() : r.size();
  for (unsigned i = 0; i < kCount; ++i) r[i] = fn(x[i]);
  return V128::fromLanes<To>(r);
}

inline V128 I32x4TruncSatF32x4S(V128 a) {
  return convertLanes<float, int32_t>(a, truncSat<int32_t, float>);
}
inline V128 I32x4TruncSatF32x4U(V128 a) {
  return convertLanes<float, uint32_t>(a, truncSat<uint32_t, float>);
}
inline V128 I32x4TruncSatF64x2SZero(V128 a) {
  return convertLanes<double, int32_t>(a, truncSat<int32_t, double>);
}
inline V128 I32x4TruncSatF64x2UZero(V128 a) {
  return convertLanes<double, uint32_t>(a, truncSat<uint32_t, double>);
}

// spec convert_sx: the nearest float, ties to even (C++ int -> float conversion is IEEE
// round-to-nearest on every host we build for; int32 -> double is exact).
inline V128 F32x4ConvertI32x4S(V128 a) {
  return convertLanes<int32_t, float>(a, [](int32_t x) { return static_cast<float>(x); });
}
inline V128 F32x4ConvertI32x4U(V128 a) {
  return convertLanes<uint32_t, float>(a, [](uint32_t x) { return static_cast<float>(x); });
}
inline V128 F64x2ConvertLowI32x4S(V128 a) {
  return convertLanes<int32_t, double>(a, [](int32_t x) { return static_cast<double>(x); });
}
inline V128 F64x2ConvertLowI32x4U(V128 a) {
  return convertLanes<uint32_t, double>(a, [](uint32_t x) { return static_cast<double>(x); });
}

// spec demote/promote: NaN inputs give a NaN, here the positive canonical one (deterministic
// profile); otherwise demote rounds to nearest-even, promote is exact.
inline V128 F32x4DemoteF64x2Zero(V128 a) {
  const V128 r = convertLanes<double, float>(a, [](double x) { return static_cast<float>(x); });
  return canonicalizeNaN<float>(r);  // the zero lanes 2 and 3 are +0, never NaN
}
inline V128 F64x2PromoteLowF32x4(V128 a) {
  const V128 r = convertLanes<float, double>(a, [](float x) { return static_cast<double>(x); });
  return canonicalizeNaN<double>(r);
}

}  // namespace strata::sem::simd
