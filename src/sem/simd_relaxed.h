// Relaxed SIMD (spec 4.3.6 relaxed operations), fixed to the deterministic profile's choices.
//
// Each relaxed operator is specified as relaxed(R)[A_0, ..., A_n]: an implementation picks one
// alternative per operator once and for all, and the deterministic profile prescribes A_0
// (spec 4.3.6). This tier always takes A_0, so relaxed results equal those of the strict
// operators and every tier (and the JIT tiers' reference) agrees bit for bit:
//   relaxed_swizzle              = i8x16.swizzle (indices >= 16 select 0)
//   relaxed_trunc*               = the trunc_sat forms (NaN -> 0, saturate)
//   relaxed_madd / relaxed_nmadd = unfused: fadd(fmul(+-a, b), c), two roundings
//   relaxed_laneselect           = v128.bitselect (every mask bit counts)
//   relaxed_min / relaxed_max    = fmin / fmax (NaN -> canonical NaN, -0 < +0)
//   relaxed_q15mulr_s            = q15mulr_sat_s (-32768 * -32768 saturates to 32767)
//   relaxed_dot_i8x16_i7x16_s    = both operands signed, pairs summed with saturation to i16
// For comparison, x86 SSE/AVX would give: swizzle out-of-range 0 when bit 7 set else a[j mod
// 16] (pshufb), truncation 0x80000000 on overflow/NaN (cvttps2dq), fused madd with FMA3, and
// laneselect on the top bit only (pblendvb); this tier does not use those.
#pragma once

#include <functional>

#include "sem/simd_conv.h"
#include "sem/simd_float.h"
#include "sem/simd_int.h"
#include "sem/simd_lanes.h"
#include "sem/simd_widen.h"

namespace strata::sem::simd {

// The canonicalization between the two steps goes through integer bit operations, so the
// compiler cannot contract the multiply and the add into one fused operation.
template <class F>
inline V128 floatMaddUnfused(V128 a, V128 b, V128 c) {
  const V128 product = floatArith<F>(a, b, std::multiplies<>());
  return floatArith<F>(product, c, std::plus<>());
}

// The deterministic relaxed dot: i16 lane i = sat_s(a[2i]*b[2i] + a[2i+1]*b[2i+1]), both
// operands signed (spec 4.3.5 vextbinop, relaxed_dot with R_idot = 0: ivdotsat, sx_2 = s).
// Each i8 product fits in i16 (|-128 * -128| = 2^14), so the even and odd products are formed
// in i16 lanes and summed with i16x8.add_sat_s; only -128*-128 twice saturates (to 32767).
inline V128 relaxedDotI16(V128 a, V128 b) {
  const VecU16 eight = VecU16{} + uint16_t{8};
  const VecI16 shift = VecI16{} + int16_t{8};
  // Sign-extend the even (low) byte of each i16 lane by shifting it up and back arithmetically.
  const VecI16 x_even = as<VecI16>(wrap(as<VecU16>(a) << eight)) >> shift;
  const VecI16 y_even = as<VecI16>(wrap(as<VecU16>(b) << eight)) >> shift;
  const VecI16 x_odd = as<VecI16>(a) >> shift;
  const VecI16 y_odd = as<VecI16>(b) >> shift;
  return I16x8AddSatS(wrap(x_even * y_even), wrap(x_odd * y_odd));
}

inline V128 I8x16RelaxedSwizzle(V128 a, V128 s) { return I8x16Swizzle(a, s); }

inline V128 I32x4RelaxedTruncF32x4S(V128 a) { return I32x4TruncSatF32x4S(a); }
inline V128 I32x4RelaxedTruncF32x4U(V128 a) { return I32x4TruncSatF32x4U(a); }
inline V128 I32x4RelaxedTruncF64x2SZero(V128 a) { return I32x4TruncSatF64x2SZero(a); }
inline V128 I32x4RelaxedTruncF64x2UZero(V128 a) { return I32x4TruncSatF64x2UZero(a); }

inline V128 F32x4RelaxedMadd(V128 a, V128 b, V128 c) { return floatMaddUnfused<float>(a, b, c); }
inline V128 F32x4RelaxedNmadd(V128 a, V128 b, V128 c) {
  return floatMaddUnfused<float>(F32x4Neg(a), b, c);
}
inline V128 F64x2RelaxedMadd(V128 a, V128 b, V128 c) { return floatMaddUnfused<double>(a, b, c); }
inline V128 F64x2RelaxedNmadd(V128 a, V128 b, V128 c) {
  return floatMaddUnfused<double>(F64x2Neg(a), b, c);
}

// Operand order as on the stack: a, b, mask (bits of a where the mask is 1).
inline V128 I8x16RelaxedLaneselect(V128 a, V128 b, V128 m) { return V128Bitselect(a, b, m); }
inline V128 I16x8RelaxedLaneselect(V128 a, V128 b, V128 m) { return V128Bitselect(a, b, m); }
inline V128 I32x4RelaxedLaneselect(V128 a, V128 b, V128 m) { return V128Bitselect(a, b, m); }
inline V128 I64x2RelaxedLaneselect(V128 a, V128 b, V128 m) { return V128Bitselect(a, b, m); }

inline V128 F32x4RelaxedMin(V128 a, V128 b) { return F32x4Min(a, b); }
inline V128 F32x4RelaxedMax(V128 a, V128 b) { return F32x4Max(a, b); }
inline V128 F64x2RelaxedMin(V128 a, V128 b) { return F64x2Min(a, b); }
inline V128 F64x2RelaxedMax(V128 a, V128 b) { return F64x2Max(a, b); }

inline V128 I16x8RelaxedQ15mulrS(V128 a, V128 b) { return I16x8Q15mulrSatS(a, b); }

inline V128 I16x8RelaxedDotI8x16I7x16S(V128 a, V128 b) { return relaxedDotI16(a, b); }
// spec 4.3.5 vextternop: the i16 dot, extadd_pairwise_s to i32, then i32x4.add of c (wrapping).
inline V128 I32x4RelaxedDotI8x16I7x16AddS(V128 a, V128 b, V128 c) {
  return I32x4Add(I32x4ExtaddPairwiseI16x8S(relaxedDotI16(a, b)), c);
}

}  // namespace strata::sem::simd
