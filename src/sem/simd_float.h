// SIMD floating-point operations on f32x4 and f64x2: comparisons, abs/neg, arithmetic, sqrt,
// min/max, pmin/pmax and the rounding operations (spec 4.3.3, lifted lanewise by 4.3.5).
//
// NaN results: every operation that may produce a NaN (all but abs, neg, pmin, pmax and the
// comparisons) returns the positive canonical NaN, the deterministic profile's choice (spec 4.3.3
// NaN propagation). abs/neg only touch the sign bit and pmin/pmax return an operand unchanged,
// so they keep NaN payloads bit for bit, as the spec requires. Rounding is the host's IEEE
// round-to-nearest-even, which the spec prescribes (spec 4.3.3 rounding); these headers must not
// be compiled with -ffast-math or flush-to-zero.
#pragma once

#include <cmath>
#include <functional>

#include "sem/simd_types.h"

namespace strata::sem::simd {

// ---- shared forms, F is float or double ----

// A vector-extension arithmetic op followed by NaN canonicalization.
template <class F, class Op>
inline V128 floatArith(V128 a, V128 b, Op op) {
  return canonicalizeNaN<F>(vecOp<VecOf<F>>(a, b, op));
}
// A per-lane libm-style op (sqrt, ceil, ...) followed by NaN canonicalization.
template <class F, class Fn>
inline V128 floatMap(V128 a, Fn fn) {
  return canonicalizeNaN<F>(mapLanes<F>(a, fn));
}
template <class F>
inline V128 floatAbs(V128 a) {
  using T = FloatTraits<F>;
  return wrap(as<typename T::BitsVec>(a) & ~T::kSignBit);
}
template <class F>
inline V128 floatNeg(V128 a) {
  using T = FloatTraits<F>;
  return wrap(as<typename T::BitsVec>(a) ^ T::kSignBit);
}

// spec fmin: NaN if either is NaN; -0 for zeroes of opposite sign; else the smaller value.
// Equal operands differ only for +-0, and OR-ing their bits yields -0 exactly then.
template <class F>
inline V128 floatMin(V128 a, V128 b) {
  using Vec = VecOf<F>;
  const Vec x = as<Vec>(a);
  const Vec y = as<Vec>(b);
  V128 r = selectBits(wrap(x < y), a, b);
  r = selectBits(wrap(x == y), wrap(a.bits | b.bits), r);
  return selectBits(wrap((x != x) | (y != y)), canonicalNaNs<F>(), r);
}
// spec fmax: as fmin, +0 for zeroes of opposite sign (AND of the bits), else the larger value.
template <class F>
inline V128 floatMax(V128 a, V128 b) {
  using Vec = VecOf<F>;
  const Vec x = as<Vec>(a);
  const Vec y = as<Vec>(b);
  V128 r = selectBits(wrap(x > y), a, b);
  r = selectBits(wrap(x == y), wrap(a.bits & b.bits), r);
  return selectBits(wrap((x != x) | (y != y)), canonicalNaNs<F>(), r);
}
// spec fpmin: b < a ? b : a; fpmax: a < b ? b : a. No NaN canonicalization: a NaN operand
// compares false and the other rule picks an operand bit for bit.
template <class F>
inline V128 floatPmin(V128 a, V128 b) {
  return selectBits(vecOp<VecOf<F>>(b, a, std::less<>()), b, a);
}
template <class F>
inline V128 floatPmax(V128 a, V128 b) {
  return selectBits(vecOp<VecOf<F>>(a, b, std::less<>()), b, a);
}

// ---- f32x4 ----

inline V128 F32x4Eq(V128 a, V128 b) { return vecOp<VecF32>(a, b, std::equal_to<>()); }
inline V128 F32x4Ne(V128 a, V128 b) { return vecOp<VecF32>(a, b, std::not_equal_to<>()); }
inline V128 F32x4Lt(V128 a, V128 b) { return vecOp<VecF32>(a, b, std::less<>()); }
inline V128 F32x4Gt(V128 a, V128 b) { return vecOp<VecF32>(a, b, std::greater<>()); }
inline V128 F32x4Le(V128 a, V128 b) { return vecOp<VecF32>(a, b, std::less_equal<>()); }
inline V128 F32x4Ge(V128 a, V128 b) { return vecOp<VecF32>(a, b, std::greater_equal<>()); }

inline V128 F32x4Abs(V128 a) { return floatAbs<float>(a); }
inline V128 F32x4Neg(V128 a) { return floatNeg<float>(a); }
inline V128 F32x4Sqrt(V128 a) {
  return floatMap<float>(a, [](float x) { return std::sqrt(x); });
}
inline V128 F32x4Add(V128 a, V128 b) { return floatArith<float>(a, b, std::plus<>()); }
inline V128 F32x4Sub(V128 a, V128 b) { return floatArith<float>(a, b, std::minus<>()); }
inline V128 F32x4Mul(V128 a, V128 b) { return floatArith<float>(a, b, std::multiplies<>()); }
inline V128 F32x4Div(V128 a, V128 b) { return floatArith<float>(a, b, std::divides<>()); }
inline V128 F32x4Min(V128 a, V128 b) { return floatMin<float>(a, b); }
inline V128 F32x4Max(V128 a, V128 b) { return floatMax<float>(a, b); }
inline V128 F32x4Pmin(V128 a, V128 b) { return floatPmin<float>(a, b); }
inline V128 F32x4Pmax(V128 a, V128 b) { return floatPmax<float>(a, b); }

inline V128 F32x4Ceil(V128 a) {
  return floatMap<float>(a, [](float x) { return std::ceil(x); });
}
inline V128 F32x4Floor(V128 a) {
  return floatMap<float>(a, [](float x) { return std::floor(x); });
}
inline V128 F32x4Trunc(V128 a) {
  return floatMap<float>(a, [](float x) { return std::trunc(x); });
}
// spec fnearest: ties to even, keeping the sign of zero results (-0.5 -> -0). std::rint rounds
// in the current mode, which is round-to-nearest-even: nothing in the runtime changes it.
inline V128 F32x4Nearest(V128 a) {
  return floatMap<float>(a, [](float x) { return std::rint(x); });
}

// ---- f64x2 ----

inline V128 F64x2Eq(V128 a, V128 b) { return vecOp<VecF64>(a, b, std::equal_to<>()); }
inline V128 F64x2Ne(V128 a, V128 b) { return vecOp<VecF64>(a, b, std::not_equal_to<>()); }
inline V128 F64x2Lt(V128 a, V128 b) { return vecOp<VecF64>(a, b, std::less<>()); }
inline V128 F64x2Gt(V128 a, V128 b) { return vecOp<VecF64>(a, b, std::greater<>()); }
inline V128 F64x2Le(V128 a, V128 b) { return vecOp<VecF64>(a, b, std::less_equal<>()); }
inline V128 F64x2Ge(V128 a, V128 b) { return vecOp<VecF64>(a, b, std::greater_equal<>()); }

inline V128 F64x2Abs(V128 a) { return floatAbs<double>(a); }
inline V128 F64x2Neg(V128 a) { return floatNeg<double>(a); }
inline V128 F64x2Sqrt(V128 a) {
  return floatMap<double>(a, [](double x) { return std::sqrt(x); });
}
inline V128 F64x2Add(V128 a, V128 b) { return floatArith<double>(a, b, std::plus<>()); }
inline V128 F64x2Sub(V128 a, V128 b) { return floatArith<double>(a, b, std::minus<>()); }
inline V128 F64x2Mul(V128 a, V128 b) { return floatArith<double>(a, b, std::multiplies<>()); }
inline V128 F64x2Div(V128 a, V128 b) { return floatArith<double>(a, b, std::divides<>()); }
inline V128 F64x2Min(V128 a, V128 b) { return floatMin<double>(a, b); }
inline V128 F64x2Max(V128 a, V128 b) { return floatMax<double>(a, b); }
inline V128 F64x2Pmin(V128 a, V128 b) { return floatPmin<double>(a, b); }
inline V128 F64x2Pmax(V128 a, V128 b) { return floatPmax<double>(a, b); }

inline V128 F64x2Ceil(V128 a) {
  return floatMap<double>(a, [](double x) { return std::ceil(x); });
}
inline V128 F64x2Floor(V128 a) {
  return floatMap<double>(a, [](double x) { return std::floor(x); });
}
inline V128 F64x2Trunc(V128 a) {
  return floatMap<double>(a, [](double x) { return std::trunc(x); });
}
inline V128 F64x2Nearest(V128 a) {
  return floatMap<double>(a, [](double x) { return std::rint(x); });
}

}  // namespace strata::sem::simd
